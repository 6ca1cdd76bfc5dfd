package source_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// openSource opens a Source on srv, closed with the test.
func openSource(t *testing.T, srv *redistest.Server) *source.Source {
	t.Helper()
	src, err := source.Open(context.Background(), source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// rawClient is a plain go-redis client for building hostile states.
func rawClient(t *testing.T, srv *redistest.Server) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// tripCounter is a go-redis hook counting network exchanges: a pipeline is one, a
// single command is one. The HELLO that opens a new pooled connection is not counted:
// it belongs to the connection, not to the read.
type tripCounter struct{ n atomic.Int64 }

func (c *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() != "hello" {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (c *tripCounter) ProcessPipelineHook(
	next redis.ProcessPipelineHook,
) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// world is a settled asynq state in a real Redis, built by asynq itself. Queue "browse"
// holds pending, scheduled and aggregating tasks that no server serves; queue "work" is
// served by a running asynq.Server and holds completed, archived, retry and active
// tasks (the active ones block until the test ends).
type world struct {
	srv    *redistest.Server
	src    *source.Source
	insp   *asynq.Inspector
	client *asynq.Client
	active []string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{srv: redistest.Start(t)}
	opt := asynq.RedisClientOpt{Addr: w.srv.Addr}
	w.client = asynq.NewClient(opt)
	t.Cleanup(func() { w.client.Close() })
	w.insp = asynq.NewInspector(opt)
	t.Cleanup(func() { w.insp.Close() })
	w.src = openSource(t, w.srv)

	for i := 0; i < 60; i++ {
		w.enqueue(t, "mail", fmt.Sprintf(`{"n":%d}`, i), asynq.Queue("browse"),
			asynq.MaxRetry(i%5), asynq.Timeout(time.Duration(i+1)*time.Minute))
	}
	for i := 0; i < 4; i++ {
		w.enqueue(t, "report", "later", asynq.Queue("browse"),
			asynq.ProcessIn(time.Duration(i+1)*time.Hour))
	}
	w.enqueue(t, "agg", "a1", asynq.Queue("browse"), asynq.Group("g1"))
	w.enqueue(t, "agg", "a2", asynq.Queue("browse"), asynq.Group("g1"))
	w.enqueue(t, "agg", "a3", asynq.Queue("browse"), asynq.Group("g2"))
	w.serve(t)
	return w
}

func (w *world) enqueue(t *testing.T, typ, payload string, opts ...asynq.Option) string {
	t.Helper()
	info, err := w.client.Enqueue(asynq.NewTask(typ, []byte(payload)), opts...)
	if err != nil {
		t.Fatalf("enqueue %s: %v", typ, err)
	}
	return info.ID
}

// serve runs a server on "work" until the test ends and waits until its tasks settle.
func (w *world) serve(t *testing.T) {
	t.Helper()
	for i := 0; i < 5; i++ {
		w.enqueue(t, "ok", `{"ok":`+strconv.Itoa(i)+`}`, asynq.Queue("work"),
			asynq.Retention(time.Hour))
	}
	w.enqueue(t, "fail", "dead", asynq.Queue("work"), asynq.MaxRetry(0))
	w.enqueue(t, "fail", "dead", asynq.Queue("work"), asynq.MaxRetry(0))
	w.enqueue(t, "fail", "again", asynq.Queue("work"), asynq.MaxRetry(3))
	for i := 0; i < 2; i++ {
		w.active = append(w.active, w.enqueue(t, "block", "b", asynq.Queue("work")))
	}

	release := make(chan struct{})
	var settled atomic.Int32
	mux := asynq.NewServeMux()
	mux.HandleFunc("ok", func(_ context.Context, task *asynq.Task) error {
		defer settled.Add(1)
		_, err := task.ResultWriter().Write([]byte("result of " + string(task.Payload())))
		return err
	})
	mux.HandleFunc("fail", func(context.Context, *asynq.Task) error {
		defer settled.Add(1)
		return errors.New("boom: disk full")
	})
	mux.HandleFunc("block", func(ctx context.Context, _ *asynq.Task) error {
		settled.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	})
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: w.srv.Addr}, asynq.Config{
		Concurrency:    4,
		Queues:         map[string]int{"work": 1},
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return time.Hour },
		LogLevel:       asynq.FatalLevel,
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { close(release); srv.Shutdown() })
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		q, err := w.insp.GetQueueInfo("work")
		if err == nil && settled.Load() == 10 && q.Completed == 5 && q.Archived == 2 &&
			q.Retry == 1 && q.Active == 2 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("asynq did not settle the work queue in time")
}

// listed returns what asynq's Inspector lists for a state, in its order.
func (w *world) listed(t *testing.T, queue string, state model.State, group string,
) []*asynq.TaskInfo {
	t.Helper()
	opts := []asynq.ListOption{asynq.PageSize(200)}
	var infos []*asynq.TaskInfo
	var err error
	switch state {
	case model.Pending:
		infos, err = w.insp.ListPendingTasks(queue, opts...)
	case model.Active:
		infos, err = w.insp.ListActiveTasks(queue, opts...)
	case model.Scheduled:
		infos, err = w.insp.ListScheduledTasks(queue, opts...)
	case model.Retry:
		infos, err = w.insp.ListRetryTasks(queue, opts...)
	case model.Archived:
		infos, err = w.insp.ListArchivedTasks(queue, opts...)
	case model.Completed:
		infos, err = w.insp.ListCompletedTasks(queue, opts...)
	case model.Aggregating:
		infos, err = w.insp.ListAggregatingTasks(queue, group, opts...)
	}
	if err != nil {
		t.Fatalf("inspector %s: %v", state, err)
	}
	return infos
}

func TestTasksAgreeWithInspector(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	cases := map[string]struct {
		queue, group string
		state        model.State
	}{
		"pending":     {"browse", "", model.Pending},
		"scheduled":   {"browse", "", model.Scheduled},
		"aggregating": {"browse", "g1", model.Aggregating},
		"active":      {"work", "", model.Active},
		"retry":       {"work", "", model.Retry},
		"archived":    {"work", "", model.Archived},
		"completed":   {"work", "", model.Completed},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			want := w.listed(t, c.queue, c.state, c.group)
			page, err := w.src.Tasks(ctx, source.TaskQuery{Queue: c.queue, State: c.state,
				Group: c.group, Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != len(want) || len(page.Tasks) != len(want) {
				t.Fatalf("page total %d, %d rows; inspector lists %d",
					page.Total, len(page.Tasks), len(want))
			}
			for i, got := range page.Tasks {
				compareTask(t, got, want[i], false)
			}
		})
	}
}

// compareTask checks a task against asynq's own TaskInfo; detail adds the fields only
// the detail view reads.
func compareTask(t *testing.T, got model.Task, want *asynq.TaskInfo, detail bool) {
	t.Helper()
	if got.ID != want.ID || got.Type != want.Type || !bytes.Equal(got.Payload, want.Payload) {
		t.Errorf("task %s %s %q, want %s %s %q", got.ID, got.Type, got.Payload,
			want.ID, want.Type, want.Payload)
	}
	if got.Problem != model.ProblemNone || string(got.State) != want.State.String() {
		t.Errorf("task %s: state %s problem %q (%s), want %s", got.ID, got.State,
			got.Problem, got.Detail, want.State)
	}
	if got.Retry != want.MaxRetry || got.Retried != want.Retried ||
		got.LastError != want.LastErr || got.Group != want.Group ||
		got.Timeout != want.Timeout || !got.CompletedAt.Equal(want.CompletedAt) {
		t.Errorf("task %s fields = %+v, want %+v", got.ID, got, want)
	}
	if !want.NextProcessAt.IsZero() && (got.State == model.Scheduled || got.State == model.Retry) &&
		!got.Score.Equal(want.NextProcessAt) {
		t.Errorf("task %s score %v, want next process at %v", got.ID, got.Score, want.NextProcessAt)
	}
	if got.ResultSize != len(want.Result) || (detail && !bytes.Equal(got.Result, want.Result)) {
		t.Errorf("task %s result %q (%d bytes), want %q", got.ID, got.Result, got.ResultSize,
			want.Result)
	}
}

func TestTaskAgreesWithGetTaskInfo(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, c := range []struct {
		queue string
		state model.State
		group string
	}{
		{"browse", model.Pending, ""}, {"browse", model.Scheduled, ""},
		{"browse", model.Aggregating, "g2"}, {"work", model.Active, ""},
		{"work", model.Retry, ""}, {"work", model.Archived, ""}, {"work", model.Completed, ""},
	} {
		for _, info := range w.listed(t, c.queue, c.state, c.group) {
			want, err := w.insp.GetTaskInfo(c.queue, info.ID)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.src.Task(ctx, c.queue, info.ID)
			if err != nil {
				t.Fatalf("Task(%s): %v", info.ID, err)
			}
			compareTask(t, got, want, true)
			if len(got.ListedIn) != 1 || got.ListedIn[0] != c.state {
				t.Errorf("task %s listed in %v, want [%s]", got.ID, got.ListedIn, c.state)
			}
		}
	}
	if _, err := w.src.Task(ctx, "work", "no-such-id"); !errors.Is(err, source.ErrTaskNotFound) {
		t.Errorf("Task of an unknown ID: %v, want ErrTaskNotFound", err)
	}
}

func TestTasksOrderAndPaging(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	want := w.listed(t, "browse", model.Pending, "") // oldest first
	read := func(offset, limit int, newest bool) []model.Task {
		t.Helper()
		page, err := w.src.Tasks(ctx, source.TaskQuery{Queue: "browse", State: model.Pending,
			Offset: offset, Limit: limit, NewestFirst: newest})
		if err != nil {
			t.Fatal(err)
		}
		if page.Offset != offset || page.Total != len(want) {
			t.Fatalf("page offset %d total %d", page.Offset, page.Total)
		}
		return page.Tasks
	}
	cases := map[string]struct {
		offset, limit int
		newest        bool
		first, n      int // index into the oldest-first list, count
		step          int
	}{
		"oldest first":         {0, 10, false, 0, 10, 1},
		"oldest, second page":  {10, 10, false, 10, 10, 1},
		"oldest, last partial": {55, 10, false, 55, 5, 1},
		"newest first":         {0, 10, true, 59, 10, -1},
		"newest, second page":  {10, 10, true, 49, 10, -1},
		"newest, last partial": {55, 10, true, 4, 5, -1},
		"past the end":         {70, 10, true, 0, 0, 1},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := read(c.offset, c.limit, c.newest)
			if len(got) != c.n {
				t.Fatalf("%d rows, want %d", len(got), c.n)
			}
			for i, task := range got {
				if wantID := want[c.first+i*c.step].ID; task.ID != wantID {
					t.Errorf("row %d = %s, want %s", i, task.ID, wantID)
				}
			}
		})
	}
}

func TestTasksPageOfFiftyIsThreeRoundTrips(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var trips tripCounter
	w.src.Client().AddHook(&trips)
	for _, st := range []model.State{model.Pending, model.Active, model.Completed} {
		queue := "browse"
		if st != model.Pending {
			queue = "work"
		}
		before := trips.n.Load()
		page, err := w.src.Tasks(ctx, source.TaskQuery{Queue: queue, State: st, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		used := int(trips.n.Load() - before)
		if used > 3 || used != page.RoundTrips {
			t.Errorf("%s page of %d: %d exchanges, page says %d; want <= 3",
				st, len(page.Tasks), used, page.RoundTrips)
		}
		if st == model.Pending && len(page.Tasks) != 50 {
			t.Errorf("pending page has %d rows, want 50", len(page.Tasks))
		}
	}
}

func TestActiveTasksHaveLeasesWhileServed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	page, err := w.src.Tasks(ctx, source.TaskQuery{Queue: "work", State: model.Active})
	if err != nil {
		t.Fatal(err)
	}
	servers, err := w.src.Servers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tasks) != 2 {
		t.Fatalf("%d active tasks, want 2", len(page.Tasks))
	}
	for _, task := range page.Tasks {
		if !task.Leased || !task.LeaseExpires.After(page.Time) {
			t.Errorf("active task %s: leased %v until %v (now %v)", task.ID, task.Leased,
				task.LeaseExpires, page.Time)
		}
		if why := model.StuckReason(task, servers, page.Time); why != "" {
			t.Errorf("served task %s reported stuck: %s", task.ID, why)
		}
	}
}
