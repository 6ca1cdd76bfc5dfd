package actions_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/asynqtop/asynqtop/source/actions/internal/benchbulk"
)

// TestArchiveNearTheCapDropsWhatPreviewSaid fills an archive to 9,990 and archives 20
// more, both with asynq's Inspector and with ours. asynq keeps 9,999 archived tasks
// (ZREMRANGEBYRANK 0 -10000), so 11 are dropped, and Preview must have said so.
func TestArchiveNearTheCapDropsWhatPreviewSaid(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, q := range []string{"theirs", "ours"} {
		if _, err := benchbulk.Fill(ctx, e.rdb, q, model.Archived, 9990); err != nil {
			t.Fatal(err)
		}
		e.enqueue(q, 20)
	}

	if _, err := e.ins.ArchiveAllPendingTasks("theirs"); err != nil {
		t.Fatal(err)
	}
	if n := e.count("theirs", model.Archived); n != 9999 {
		t.Fatalf("asynq left %d archived tasks, want 9,999", n)
	}

	im, err := e.act.Preview(ctx, actions.Op{Kind: actions.Archive, Queue: "ours",
		State: model.Pending, All: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "asynq keeps only the newest 9,999 archived tasks and none older than 90 days: " +
		"archiving 20 permanently drops 11 archived tasks"
	if im.Count != 20 || im.TypeQueueName || len(im.Effects) != 1 || im.Effects[0] != want {
		t.Errorf("impact %+v\nwant effect %q", im, want)
	}

	res, err := e.act.ArchiveAll(ctx, "ours", model.Pending, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, res.Message, "permanently dropped the 11 oldest archived tasks")
	if n := e.count("ours", model.Archived); n != 9999 {
		t.Errorf("we left %d archived tasks, want 9,999 as asynq", n)
	}
	if n := len(e.rdb.Keys(ctx, "asynq:{ours}:t:*").Val()); n != 9999 {
		t.Errorf("%d task hashes, want the dropped ones deleted as asynq's worker does", n)
	}
}

func TestPreviewCountsOldArchivedTasks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.archived("q", 5)
	old := float64(time.Now().AddDate(0, 0, -100).Unix())
	for _, id := range ids[:3] {
		e.rdb.ZAdd(ctx, "asynq:{q}:archived", redis.Z{Score: old, Member: id})
	}
	sel := e.scheduled("q", 2)
	im, err := e.act.Preview(ctx, actions.Op{Kind: actions.Archive, Queue: "q",
		State: model.Scheduled, IDs: sel})
	if err != nil {
		t.Fatal(err)
	}
	want := "archiving 2 permanently drops 3 archived tasks (3 older than 90 days)"
	if im.Count != 2 || len(im.Effects) != 1 || !strings.HasSuffix(im.Effects[0], want) {
		t.Errorf("impact %+v, want an effect ending %q", im, want)
	}
}

// TestPreviewUniqueLockHeldByAnotherTask archives a unique task, lets its lock lapse and
// a newer task with the same work take it: requeueing the archived one would run the
// work twice.
func TestPreviewUniqueLockHeldByAnotherTask(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	work := asynq.NewTask("report", []byte("daily"))
	old, err := e.cli.Enqueue(work, asynq.Queue("q"), asynq.Unique(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	e.must(e.ins.ArchiveTask("q", old.ID))
	e.archived("q", 2) // no lock: not counted
	lock := e.rdb.HGet(ctx, "asynq:{q}:t:"+old.ID, "unique_key").Val()
	e.rdb.Del(ctx, lock)
	if _, err := e.cli.Enqueue(work, asynq.Queue("q"), asynq.Unique(time.Hour)); err != nil {
		t.Fatal(err)
	}

	want := "1 of these tasks shares a unique lock held by another task: requeueing them " +
		"risks running the same work twice"
	for name, op := range map[string]actions.Op{
		"selected": {Kind: actions.Run, Queue: "q", State: model.Archived,
			IDs: []string{old.ID}},
		"all": {Kind: actions.Run, Queue: "q", State: model.Archived, All: true},
	} {
		im, err := e.act.Preview(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		if len(im.Effects) == 0 || im.Effects[0] != want {
			t.Errorf("%s: effects %q\nwant first %q", name, im.Effects, want)
		}
	}
}

func TestPreviewQueueActions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.pending("q", 5)
	preview := func(k actions.Kind) actions.Impact {
		t.Helper()
		im, err := e.act.Preview(ctx, actions.Op{Kind: k, Queue: "q"})
		if err != nil {
			t.Fatal(err)
		}
		return im
	}

	steps := []struct {
		kind  actions.Kind
		pause bool
		want  string
	}{
		{actions.Unpause, false, "queue q is not paused: nothing changes"},
		{actions.Pause, false, "workers stop taking tasks from queue q; its 0 active tasks " +
			"run to completion and its 5 pending tasks wait"},
		{actions.Pause, true, "queue q is already paused: nothing changes"},
		{actions.Unpause, true, "releases a backlog of 5 pending tasks to the workers at once"},
	}
	for i, s := range steps {
		if s.pause {
			if _, err := e.act.Pause(ctx, "q"); err != nil {
				t.Fatal(err)
			}
		}
		im := preview(s.kind)
		if im.Count != 5 || len(im.Effects) != 1 || im.Effects[0] != s.want {
			t.Errorf("step %d: %+v\nwant %q", i, im, s.want)
		}
	}
}

func TestPreviewDeleteAndConfirmByName(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := benchbulk.Fill(ctx, e.rdb, "q", model.Archived, 1001); err != nil {
		t.Fatal(err)
	}
	locked := e.enqueue("q", 1, asynq.Unique(time.Hour), asynq.ProcessIn(time.Hour))
	cases := map[string]struct {
		op      actions.Op
		count   int
		byName  bool
		effects []string
	}{
		"delete all 1,001": {actions.Op{Kind: actions.Delete, Queue: "q",
			State: model.Archived, All: true}, 1001, true, []string{"deleting is permanent: " +
			"1,001 tasks and their payloads cannot be recovered"}},
		"delete a locked one": {actions.Op{Kind: actions.Delete, Queue: "q",
			State: model.Scheduled, IDs: locked}, 1, false, []string{"deleting is " +
			"permanent: 1 task and its payload cannot be recovered", "releases 1 unique " +
			"lock these tasks hold: the same work can be enqueued again"}},
		"requeue all archived": {actions.Op{Kind: actions.Run, Queue: "q",
			State: model.Archived, All: true}, 1001, true, []string{"in a sample of 1,000 " +
			"of these 1,001 tasks, 1,000 have used all their retries and asynq keeps the " +
			"count on requeue: one more failure archives them again without retrying"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			im, err := e.act.Preview(ctx, tc.op)
			if err != nil {
				t.Fatal(err)
			}
			if im.Count != tc.count || im.TypeQueueName != tc.byName ||
				strings.Join(im.Effects, "|") != strings.Join(tc.effects, "|") {
				t.Errorf("impact %+v\nwant %d %v %q", im, tc.count, tc.byName, tc.effects)
			}
		})
	}
}

// TestPreviewRequeueNamesTasksOutOfRetries archives two fresh tasks with asynq's
// Inspector (0 of 25 retries used) and lets a real asynq server archive one allowed no
// retry: only that one is out of retries, and only it is named.
func TestPreviewRequeueNamesTasksOutOfRetries(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	fresh := e.archived("q", 2)
	dead := e.enqueue("q", 1, asynq.MaxRetry(0))
	stop := e.worker("q", func(context.Context, *asynq.Task) error {
		return errors.New("boom")
	})
	e.waitFor("the failed task to be archived", func() bool {
		return e.state("q", dead[0]) == "archived"
	})
	stop()

	one := "1 of these tasks has used all its retries and asynq keeps the count on " +
		"requeue: one more failure archives it again without retrying"
	cases := map[string]struct {
		op   actions.Op
		want []string
	}{
		"fresh only": {actions.Op{Kind: actions.Run, Queue: "q", State: model.Archived,
			IDs: fresh}, nil},
		"fresh and dead": {actions.Op{Kind: actions.Run, Queue: "q", State: model.Archived,
			IDs: append(dead, fresh...)}, []string{one}},
		"all": {actions.Op{Kind: actions.Run, Queue: "q", State: model.Archived, All: true},
			[]string{one}},
	}
	for name, c := range cases {
		im, err := e.act.Preview(ctx, c.op)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(im.Effects, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: effects %q\nwant %q", name, im.Effects, c.want)
		}
	}
}
