package source_test

import (
	"context"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

func TestGroupsAndAggregatingCount(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	groups, complete, err := w.src.Groups(ctx, "browse", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []source.GroupSize{{Name: "g1", Size: 2}, {Name: "g2", Size: 1}}
	if !complete || len(groups) != 2 || groups[0] != want[0] || groups[1] != want[1] {
		t.Errorf("Groups = %v complete %v, want %v complete", groups, complete, want)
	}
	n, known, err := w.src.AggregatingCount(ctx, "browse", time.Second)
	info, ierr := w.insp.GetQueueInfo("browse")
	if err != nil || ierr != nil || !known || n != int64(info.Aggregating) || n != 3 {
		t.Errorf("AggregatingCount = %d known %v (%v); inspector says %d (%v)", n, known, err,
			info.Aggregating, ierr)
	}
	limited, complete, err := w.src.Groups(ctx, "browse", 1)
	if err != nil || len(limited) != 1 || complete {
		t.Errorf("Groups(limit 1) = %v complete %v, %v", limited, complete, err)
	}
}

// Issue 5, case 8: a queue with a million aggregation groups. The refresh stays bounded
// (the count is left unknown) and AggregatingCount gives up within its time bound.
func TestHostileMillionGroups(t *testing.T) {
	const groups = 1_000_000
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	start := time.Now()
	buildGroups(t, rdb, "many", groups)
	t.Logf("built %d groups in %v", groups, time.Since(start))

	start = time.Now()
	snap, err := src.Refresh(ctx, nil)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Queues) != 1 || snap.Queues[0].AggregatingKnown ||
		snap.Queues[0].Groups != groups || snap.RoundTrips > 3 || took > time.Second {
		t.Errorf("refresh took %v, %d trips: %+v", took, snap.RoundTrips, snap.Queues)
	}

	const bound = 300 * time.Millisecond
	start = time.Now()
	n, known, err := src.AggregatingCount(ctx, "many", bound)
	took = time.Since(start)
	if err != nil || known || took > bound+500*time.Millisecond {
		t.Errorf("AggregatingCount = %d known %v after %v (%v), want unknown within %v",
			n, known, took, err, bound)
	}

	start = time.Now()
	page, complete, err := src.Groups(ctx, "many", 100)
	if err != nil || complete || len(page) != 100 || time.Since(start) > time.Second {
		t.Errorf("Groups(100) = %d groups complete %v after %v, %v", len(page), complete,
			time.Since(start), err)
	}
}

// buildGroups makes n aggregation groups of one task each in queue, pipelined in batches.
func buildGroups(t *testing.T, rdb *redis.Client, queue string, n int) {
	t.Helper()
	ctx := context.Background()
	rdb.SAdd(ctx, "asynq:queues", queue)
	const batch = 20000
	for from := 0; from < n; from += batch {
		pipe := rdb.Pipeline()
		names := make([]any, 0, batch)
		for i := from; i < min(from+batch, n); i++ {
			g := "g" + strconv.Itoa(i)
			names = append(names, g)
			pipe.ZAdd(ctx, "asynq:{"+queue+"}:g:"+g, redis.Z{Score: 1700000000, Member: "t" + g})
		}
		pipe.SAdd(ctx, "asynq:{"+queue+"}:groups", names...)
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWorkersReadWithoutPruning(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rdb := rawClient(t, w.srv)
	// A lapsed server's entry, as a crashed process leaves it: asynq's ListWorkers would
	// delete it; Workers must skip it and leave it.
	stale := "asynq:workers:{gone:1:dead}"
	rdb.ZAdd(ctx, "asynq:workers", redis.Z{Score: 1000, Member: stale})
	before := rdb.ZCard(ctx, "asynq:workers").Val()

	// asynq records its busy workers with its next heartbeat, every 5 s.
	var workers []model.Worker
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		var err error
		if workers, err = w.src.Workers(ctx); err != nil {
			t.Fatal(err)
		}
		if len(workers) >= len(w.active) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after := rdb.ZCard(ctx, "asynq:workers").Val(); after != before {
		t.Errorf("asynq:workers went from %d to %d members: Workers wrote", before, after)
	}
	got := make([]string, 0, len(workers))
	for _, wk := range workers {
		got = append(got, wk.TaskID)
		if wk.TaskType != "block" || wk.Queue != "work" || wk.Started.IsZero() || wk.Host == "" {
			t.Errorf("worker %+v", wk)
		}
	}
	want := append([]string(nil), w.active...)
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("workers on tasks %v, want %v", got, want)
	}
}

func TestSchedulersAgreeWithInspector(t *testing.T) {
	srv := redistest.Start(t)
	src, ctx := openSource(t, srv), context.Background()
	opt := asynq.RedisClientOpt{Addr: srv.Addr}
	sched := asynq.NewScheduler(opt, &asynq.SchedulerOpts{LogLevel: asynq.FatalLevel})
	if _, err := sched.Register("@every 1s", asynq.NewTask("tick", []byte("t")),
		asynq.Queue("cron")); err != nil {
		t.Fatal(err)
	}
	if _, err := sched.Register("0 3 * * *", asynq.NewTask("nightly", nil)); err != nil {
		t.Fatal(err)
	}
	if err := sched.Start(); err != nil {
		t.Fatal(err)
	}
	defer sched.Shutdown()
	insp := asynq.NewInspector(opt)
	defer insp.Close()

	var entries []model.SchedulerEntry
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		if entries, err = src.Schedulers(ctx); err != nil {
			t.Fatal(err)
		}
		if len(entries) == 2 && (entries[0].LastTaskID != "" || entries[1].LastTaskID != "") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	want, err := insp.SchedulerEntries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries, inspector has %d", len(entries), len(want))
	}
	byID := map[string]*asynq.SchedulerEntry{}
	for _, e := range want {
		byID[e.ID] = e
	}
	for _, e := range entries {
		w := byID[e.ID]
		if w == nil || e.Spec != w.Spec || e.TaskType != w.Task.Type() ||
			!e.Next.Equal(w.Next) || e.SchedulerID == "" {
			t.Errorf("entry %+v, inspector %+v", e, w)
			continue
		}
		if e.TaskType != "tick" {
			continue
		}
		if e.LastTaskID == "" || e.Prev.IsZero() {
			t.Errorf("tick entry has no last enqueue: %+v", e)
			continue
		}
		if _, err := insp.GetTaskInfo("cron", e.LastTaskID); err != nil {
			t.Errorf("last enqueued task %s: %v", e.LastTaskID, err)
		}
	}
}
