package actions_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/asynqtop/asynqtop/source/actions/internal/benchbulk"
)

type bulkFunc func(a *actions.Actor, ctx context.Context, q string, s model.State,
	progress func(done, total int)) (actions.Result, error)

var (
	runAll     bulkFunc = (*actions.Actor).RunAll
	deleteAll  bulkFunc = (*actions.Actor).DeleteAll
	archiveAll bulkFunc = (*actions.Actor).ArchiveAll
)

// fill writes n tasks of state s into q in asynq's layout, plus two records that are
// listed in s but inconsistent: a dangling ID and one whose hash says active. They are
// put where a bulk move meets them first.
func (e *env) fill(q string, s model.State, n int) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := benchbulk.Fill(ctx, e.rdb, q, s, n); err != nil {
		e.t.Fatal(err)
	}
	prefix := "asynq:{" + q + "}:"
	e.rdb.HSet(ctx, prefix+"t:wrong-1", "msg", "x", "state", "active")
	for _, id := range []string{"dangling-1", "wrong-1"} {
		if s == model.Pending {
			e.rdb.LPush(ctx, prefix+"pending", id)
		} else {
			e.rdb.ZAdd(ctx, prefix+string(s), redis.Z{Score: 0, Member: id})
		}
	}
}

func TestBulkMovesEveryTaskOfAState(t *testing.T) {
	const n = 1500
	cases := map[string]struct {
		move     bulkFunc
		from, to model.State // to "" means deleted
		verb     string
	}{
		"requeue archived":  {runAll, model.Archived, model.Pending, "requeued"},
		"requeue retry":     {runAll, model.Retry, model.Pending, "requeued"},
		"requeue scheduled": {runAll, model.Scheduled, model.Pending, "requeued"},
		"delete pending":    {deleteAll, model.Pending, "", "deleted"},
		"delete archived":   {deleteAll, model.Archived, "", "deleted"},
		"archive pending":   {archiveAll, model.Pending, model.Archived, "archived"},
		"archive retry":     {archiveAll, model.Retry, model.Archived, "archived"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.fill("q", tc.from, n)
			var calls [][2]int
			res, err := tc.move(e.act, context.Background(), "q", tc.from, func(d, total int) {
				calls = append(calls, [2]int{d, total})
			})
			if err != nil {
				t.Fatal(err)
			}

			want := fmt.Sprintf("queue q: 1,500 %s tasks %s in ", tc.from, tc.verb)
			if res.Done != n || res.Skipped != 2 || !strings.HasPrefix(res.Message, want) {
				t.Errorf("result %+v, want message %q...", res, want)
			}
			mustContain(t, res.Message, "; 2 left in place with 1 a record saying active, "+
				"1 no task record (dangling ID)")
			e.checkDrained(tc.from, tc.to, n)
			checkProgress(t, calls, n+2)
			if last := e.lastEntry(); last.Outcome != "partial" || last.Count != n {
				t.Errorf("audit %+v", last)
			}
		})
	}
}

// checkDrained checks that only the two inconsistent records are left in from, in
// their order, and that the n tasks are in to (or deleted).
func (e *env) checkDrained(from, to model.State, n int) {
	e.t.Helper()
	left := e.members("q", from)
	if from != model.Pending {
		slices.Sort(left)
	}
	if !slices.Equal(left, []string{"dangling-1", "wrong-1"}) &&
		!slices.Equal(left, []string{"wrong-1", "dangling-1"}) {
		e.t.Errorf("left in %s: %v", from, left)
	}
	if from == model.Pending && left[0] != "wrong-1" {
		e.t.Errorf("pending order changed: %v", left)
	}
	ctx := context.Background()
	hashes := len(e.rdb.Keys(ctx, "asynq:{q}:t:*").Val())
	switch {
	case to == "" && hashes != 1:
		e.t.Errorf("%d task hashes left, want only the inconsistent one", hashes)
	case to != "" && e.count("q", to) != n:
		e.t.Errorf("%d tasks in %s, want %d", e.count("q", to), to, n)
	}
}

func checkProgress(t *testing.T, calls [][2]int, total int) {
	t.Helper()
	if len(calls) < 2 {
		t.Fatalf("progress called %d times, want one call per batch", len(calls))
	}
	for i, c := range calls {
		if c[1] != total || (i > 0 && c[0] < calls[i-1][0]) {
			t.Fatalf("progress calls %v", calls)
		}
	}
	if last := calls[len(calls)-1]; last[0] != total {
		t.Errorf("last progress %v, want %d done", last, total)
	}
}

// TestBulkCancelledMidwayReportsWhatWasDone cancels after the first batch: what is
// reported done is in pending, and the rest is still archived.
func TestBulkCancelledMidwayReportsWhatWasDone(t *testing.T) {
	e := newEnv(t)
	const total = 5000
	_, err := benchbulk.Fill(context.Background(), e.rdb, "q", model.Archived, total)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	res, err := e.act.RunAll(ctx, "q", model.Archived, func(int, int) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res.Done == 0 || res.Done == total {
		t.Fatalf("Done = %d: want only the first batch", res.Done)
	}
	pending, archived := e.count("q", model.Pending), e.count("q", model.Archived)
	if pending != res.Done || pending+archived != total {
		t.Errorf("done %d, pending %d, archived %d: want done = pending and "+
			"pending + archived = %d", res.Done, pending, archived, total)
	}
	want := fmt.Sprintf("queue q: stopped by the operator after %d of 5,000 archived tasks "+
		"were requeued; the rest were not touched", res.Done)
	if res.Message != want || err.Error() != want {
		t.Errorf("message %q\nerror %q\nwant %q", res.Message, err, want)
	}
	if last := e.lastEntry(); last.Outcome != "cancelled" || last.Count != res.Done {
		t.Errorf("audit %+v", last)
	}
}

func TestDeleteAllReleasesUniqueLocks(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		if _, err := e.cli.Enqueue(task(i), asynq.Queue("q"), asynq.Unique(time.Hour),
			asynq.ProcessIn(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	if n := len(e.rdb.Keys(ctx, "asynq:{q}:unique:*").Val()); n != 3 {
		t.Fatalf("%d unique locks before, want 3", n)
	}
	res, err := e.act.DeleteAll(ctx, "q", model.Scheduled, nil)
	if err != nil || res.Done != 3 {
		t.Fatalf("DeleteAll: %+v, %v", res, err)
	}
	if keys := e.rdb.Keys(ctx, "asynq:{q}:*").Val(); len(keys) != 0 {
		t.Errorf("keys left: %v", keys)
	}
}

func TestBulkRefusesStatesItCannotTake(t *testing.T) {
	e := newEnv(t)
	e.pending("q", 1)
	_, err := e.act.RunAll(context.Background(), "q", model.Pending, nil)
	if err == nil || err.Error() != "cannot requeue pending tasks: they are already waiting "+
		"to run" {
		t.Errorf("err = %v", err)
	}
}

// TestBulkStopsAtTheConfirmedCount: tasks that arrive between the confirmation and the
// action are left alone, and the result says so.
func TestBulkStopsAtTheConfirmedCount(t *testing.T) {
	e := newEnv(t)
	e.archived("q", 10)
	res, err := e.act.Bulk(context.Background(),
		actions.Op{Kind: actions.Run, Queue: "q", State: model.Archived, All: true}, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 7 || e.count("q", model.Archived) != 3 || e.count("q", model.Pending) != 7 {
		t.Errorf("done %d, archived left %d, pending %d; want 7, 3, 7", res.Done,
			e.count("q", model.Archived), e.count("q", model.Pending))
	}
	if !strings.Contains(res.Message, "3 more arrived after you confirmed") {
		t.Errorf("message %q does not say 3 were left alone", res.Message)
	}
}
