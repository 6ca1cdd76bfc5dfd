package source_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/hibiken/asynq"
)

// workload builds a settled asynq state in a real Redis: queues with pending, scheduled,
// retry, archived, completed and aggregating tasks, one paused queue, and lifetime
// counters from a real asynq.Server that has since shut down.
func workload(t *testing.T, addr string) {
	t.Helper()
	opt := asynq.RedisClientOpt{Addr: addr}
	client := asynq.NewClient(opt)
	defer client.Close()
	enqueue := func(typ, queue string, n int, opts ...asynq.Option) {
		for i := 0; i < n; i++ {
			o := append([]asynq.Option{asynq.Queue(queue)}, opts...)
			if _, err := client.Enqueue(asynq.NewTask(typ, []byte(`{"n":1}`)), o...); err != nil {
				t.Fatalf("enqueue %s: %v", queue, err)
			}
		}
	}
	enqueue("ok", "work", 20, asynq.Retention(time.Hour))
	enqueue("fail", "work", 5, asynq.MaxRetry(0))
	enqueue("fail", "work", 4, asynq.MaxRetry(5))

	var done atomic.Int32
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency:    4,
		Queues:         map[string]int{"work": 1},
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return time.Hour },
		LogLevel:       asynq.FatalLevel,
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc("ok", func(context.Context, *asynq.Task) error { done.Add(1); return nil })
	mux.HandleFunc("fail", func(context.Context, *asynq.Task) error {
		done.Add(1)
		return errors.New("boom")
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for done.Load() < 29 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let the last acks land
	srv.Shutdown()

	enqueue("mail", "default", 7)
	enqueue("mail", "default", 3, asynq.ProcessIn(time.Hour))
	enqueue("agg", "default", 6, asynq.Group("g1"))
	enqueue("agg", "default", 2, asynq.Group("g2"))
	enqueue("x", "paused", 2)
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	if err := insp.PauseQueue("paused"); err != nil {
		t.Fatal(err)
	}
	if _, err := insp.ArchiveAllPendingTasks("paused"); err != nil {
		t.Fatal(err)
	}
	enqueue("x", "paused", 1)
}

func TestRefreshAgreesWithInspector(t *testing.T) {
	srv := redistest.Start(t)
	workload(t, srv.Addr)

	ctx := context.Background()
	src, err := source.Open(ctx, source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	snap, err := src.Refresh(ctx, []string{"configured-only", "work", "configured-only"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.RoundTrips > 3 {
		t.Errorf("refresh took %d round trips, want <= 3", snap.RoundTrips)
	}

	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: srv.Addr})
	defer insp.Close()
	byName := map[string]model.QueueStats{}
	for _, q := range snap.Queues {
		if _, dup := byName[q.Name]; dup {
			t.Errorf("queue %q listed twice", q.Name)
		}
		byName[q.Name] = q
	}
	for _, name := range []string{"work", "default", "paused"} {
		info, err := insp.GetQueueInfo(name)
		if err != nil {
			t.Fatal(err)
		}
		compareQueue(t, byName[name], info, snap.Time)
	}
	co, ok := byName["configured-only"]
	if !ok || co.Registered || co.Size() != 0 || co.Err != "" {
		t.Errorf("configured-only queue = %+v, want an unregistered zero row", co)
	}
}

func compareQueue(t *testing.T, got model.QueueStats, want *asynq.QueueInfo, now time.Time) {
	t.Helper()
	pairs := map[string][2]int64{
		"pending":         {got.Pending, int64(want.Pending)},
		"active":          {got.Active, int64(want.Active)},
		"scheduled":       {got.Scheduled, int64(want.Scheduled)},
		"retry":           {got.Retry, int64(want.Retry)},
		"archived":        {got.Archived, int64(want.Archived)},
		"completed":       {got.Completed, int64(want.Completed)},
		"aggregating":     {got.Aggregating, int64(want.Aggregating)},
		"groups":          {got.Groups, int64(want.Groups)},
		"processed today": {got.ProcessedToday, int64(want.Processed)},
		"failed today":    {got.FailedToday, int64(want.Failed)},
		"processed total": {got.ProcessedTotal, int64(want.ProcessedTotal)},
		"failed total":    {got.FailedTotal, int64(want.FailedTotal)},
	}
	for what, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("queue %s: %s = %d, Inspector says %d", want.Queue, what, p[0], p[1])
		}
	}
	if got.Paused != want.Paused {
		t.Errorf("queue %s: paused = %v, Inspector says %v", want.Queue, got.Paused, want.Paused)
	}
	if got.Paused && got.PausedSince.IsZero() {
		t.Errorf("queue %s: paused since unknown", want.Queue)
	}
	lat, known := got.Latency(now)
	if !known {
		t.Errorf("queue %s: latency unknown", want.Queue)
	}
	if d := lat - want.Latency; d > 2*time.Second || d < -2*time.Second {
		t.Errorf("queue %s: latency %v, Inspector says %v", want.Queue, lat, want.Latency)
	}
	if got.Err != "" {
		t.Errorf("queue %s: unexpected error %s", want.Queue, got.Err)
	}
}

func TestRefreshMarksOnlyTheBrokenQueue(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	src, err := source.Open(ctx, source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rdb := src.Client()
	rdb.SAdd(ctx, "asynq:queues", "good", "broken")
	rdb.LPush(ctx, "asynq:{good}:pending", "a", "b")
	rdb.Set(ctx, "asynq:{broken}:pending", "not a list", 0)

	snap, err := src.Refresh(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range snap.Queues {
		switch q.Name {
		case "good":
			if q.Err != "" || q.Pending != 2 {
				t.Errorf("good = %+v", q)
			}
			if _, known := q.Latency(snap.Time); known {
				t.Errorf("good: latency known without pending_since")
			}
		case "broken":
			if q.Err == "" {
				t.Errorf("broken queue not marked")
			}
		}
	}
}

func TestRefreshDoesNotWrite(t *testing.T) {
	srv := redistest.Start(t)
	workload(t, srv.Addr)
	ctx := context.Background()
	src, err := source.Open(ctx, source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dirty := func() string {
		v, _ := src.Client().Do(ctx, "INFO", "persistence").Text()
		return field(v, "rdb_changes_since_last_save")
	}
	d0 := dirty()
	for i := 0; i < 3; i++ {
		if _, err := src.Refresh(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := src.Daily(ctx, "work", 30); err != nil {
			t.Fatal(err)
		}
	}
	if d1 := dirty(); d1 != d0 {
		t.Errorf("refresh wrote to Redis: changes since save %s -> %s", d0, d1)
	}
}
