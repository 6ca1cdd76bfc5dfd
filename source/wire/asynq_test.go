package wire_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/source/wire"
)

// realRedis starts a redis-server and returns asynq's connection option for it and a
// go-redis client that the test uses to read what asynq wrote.
func realRedis(t *testing.T) (asynq.RedisClientOpt, *redis.Client) {
	t.Helper()
	s := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	return asynq.RedisClientOpt{Addr: s.Addr}, rdb
}

// readTask reads and decodes the msg field of a task hash.
func readTask(t *testing.T, rdb *redis.Client, queue, id string) wire.TaskMessage {
	t.Helper()
	key := "asynq:{" + queue + "}:t:" + id
	b, err := rdb.HGet(context.Background(), key, "msg").Bytes()
	if err != nil {
		t.Fatalf("HGET %s msg: %v", key, err)
	}
	m, err := wire.DecodeTask(b)
	if err != nil {
		t.Fatalf("DecodeTask(%s): %v", key, err)
	}
	return m
}

func TestDecodeTaskWrittenByAsynqClient(t *testing.T) {
	opt, rdb := realRedis(t)
	client := asynq.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	deadline := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
	oddID := "odd id:{x}/ü\n\"'*?[]"

	cases := map[string]struct {
		task *asynq.Task
		opts []asynq.Option
		want wire.TaskMessage // ID and UniqueKey are checked apart when left empty
	}{
		"defaults": {
			task: asynq.NewTask("email:send", []byte(`{"to":"a@b.c"}`)),
			want: wire.TaskMessage{Type: "email:send", Payload: []byte(`{"to":"a@b.c"}`),
				Queue: "default", Retry: 25, Timeout: 30 * time.Minute},
		},
		"max retry, timeout and queue": {
			task: asynq.NewTask("resize", []byte{0, 0xff}),
			opts: []asynq.Option{asynq.MaxRetry(3), asynq.Timeout(90 * time.Second),
				asynq.Queue("critical")},
			want: wire.TaskMessage{Type: "resize", Payload: []byte{0, 0xff},
				Queue: "critical", Retry: 3, Timeout: 90 * time.Second},
		},
		"deadline": {
			task: asynq.NewTask("report", nil),
			opts: []asynq.Option{asynq.Deadline(deadline)},
			want: wire.TaskMessage{Type: "report", Queue: "default", Retry: 25,
				Deadline: deadline},
		},
		"unique": {
			task: asynq.NewTask("sync", []byte("p")),
			opts: []asynq.Option{asynq.Unique(time.Hour)},
			want: wire.TaskMessage{Type: "sync", Payload: []byte("p"), Queue: "default",
				Retry: 25, Timeout: 30 * time.Minute},
		},
		"odd task ID": {
			task: asynq.NewTask("odd", nil),
			opts: []asynq.Option{asynq.TaskID(oddID)},
			want: wire.TaskMessage{Type: "odd", ID: oddID, Queue: "default", Retry: 25,
				Timeout: 30 * time.Minute},
		},
		"group": {
			task: asynq.NewTask("digest", []byte("1")),
			opts: []asynq.Option{asynq.Group("user:42")},
			want: wire.TaskMessage{Type: "digest", Payload: []byte("1"), Queue: "default",
				Retry: 25, Timeout: 30 * time.Minute, GroupKey: "user:42"},
		},
		"retention and process in": {
			task: asynq.NewTask("later", nil),
			opts: []asynq.Option{asynq.Retention(2 * time.Hour), asynq.ProcessIn(time.Minute)},
			want: wire.TaskMessage{Type: "later", Queue: "default", Retry: 25,
				Timeout: 30 * time.Minute, Retention: 2 * time.Hour},
		},
		"headers": {
			task: asynq.NewTaskWithHeaders("traced", nil,
				map[string]string{"trace-id": "abc", "empty": ""}),
			want: wire.TaskMessage{Type: "traced", Queue: "default", Retry: 25,
				Timeout: 30 * time.Minute, Headers: map[string]string{"trace-id": "abc", "empty": ""}},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			info, err := client.Enqueue(c.task, c.opts...)
			if err != nil {
				t.Fatalf("Enqueue: %v", err)
			}
			got := readTask(t, rdb, info.Queue, info.ID)

			want := c.want
			want.ID = info.ID
			if name == "unique" {
				if !strings.HasPrefix(got.UniqueKey, "asynq:{default}:unique:") {
					t.Errorf("UniqueKey = %q; want asynq's unique lock key", got.UniqueKey)
				}
				want.UniqueKey = got.UniqueKey
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestEncodeTaskReadByAsynqInspector(t *testing.T) {
	opt, rdb := realRedis(t)
	ctx := context.Background()
	m := wire.TaskMessage{
		Type: "email:send", Payload: []byte("hi"), Headers: map[string]string{"k": "v"},
		ID: "made-by-wire {1}", Queue: "low", Retry: 5, Retried: 2, ErrorMsg: "smtp down",
		LastFailedAt: time.Unix(1700000000, 0).UTC(), Timeout: time.Minute,
		Deadline: time.Unix(1900000000, 0).UTC(), GroupKey: "g", Retention: time.Hour,
	}
	key := "asynq:{low}:t:" + m.ID
	if err := rdb.HSet(ctx, key, "msg", wire.EncodeTask(m), "state", "pending").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.SAdd(ctx, "asynq:queues", "low").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.LPush(ctx, "asynq:{low}:pending", m.ID).Err(); err != nil {
		t.Fatal(err)
	}

	insp := asynq.NewInspector(opt)
	t.Cleanup(func() { _ = insp.Close() })
	info, err := insp.GetTaskInfo("low", m.ID)
	if err != nil {
		t.Fatalf("asynq could not read EncodeTask's bytes: %v", err)
	}
	got := wire.TaskMessage{
		Type: info.Type, Payload: info.Payload, Headers: info.Headers, ID: info.ID,
		Queue: info.Queue, Retry: info.MaxRetry, Retried: info.Retried, ErrorMsg: info.LastErr,
		LastFailedAt: info.LastFailedAt.UTC(), Timeout: info.Timeout,
		Deadline: info.Deadline.UTC(), GroupKey: info.Group, Retention: info.Retention,
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("asynq read:\n got %+v\nwant %+v", got, m)
	}
	if info.State != asynq.TaskStatePending {
		t.Errorf("State = %v; want pending", info.State)
	}
}

// quietLogger keeps asynq's server and scheduler logs out of the test output.
type quietLogger struct{}

func (quietLogger) Debug(...interface{}) {}
func (quietLogger) Info(...interface{})  {}
func (quietLogger) Warn(...interface{})  {}
func (quietLogger) Error(...interface{}) {}
func (quietLogger) Fatal(...interface{}) {}

// waitFor polls cond until it holds; asynq writes heartbeats on its own clock (every 5s
// for a server), so these tests must wait for them.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s", limit, what)
}

// members returns the members of a sorted set.
func members(t *testing.T, rdb *redis.Client, key string) []string {
	t.Helper()
	ms, err := rdb.ZRange(context.Background(), key, 0, -1).Result()
	if err != nil {
		t.Fatalf("ZRANGE %s: %v", key, err)
	}
	return ms
}

// testHandler blocks "block" tasks until release is closed, fails "fail" tasks and
// completes the rest.
func testHandler(started chan<- string, release <-chan struct{}) asynq.HandlerFunc {
	return func(ctx context.Context, task *asynq.Task) error {
		switch task.Type() {
		case "block":
			id, _ := asynq.GetTaskID(ctx)
			started <- id
			<-release
		case "fail":
			return errors.New("boom")
		}
		return nil
	}
}

func TestDecodeServerAndWorkerWrittenByAsynqServer(t *testing.T) {
	t.Parallel()
	opt, rdb := realRedis(t)
	ctx := context.Background()
	client := asynq.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency:    3,
		Queues:         map[string]int{"critical": 6, "default": 3},
		StrictPriority: true,
		Logger:         quietLogger{},
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return time.Hour },
	})
	started, release := make(chan string, 1), make(chan struct{})
	if err := srv.Start(testHandler(started, release)); err != nil {
		t.Fatalf("start asynq server: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	t.Cleanup(func() { close(release) })
	before := time.Now().Add(-time.Second)

	blocked, err := client.Enqueue(asynq.NewTask("block", []byte("payload")),
		asynq.Queue("critical"), asynq.Timeout(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	failed, err := client.Enqueue(asynq.NewTask("fail", nil), asynq.MaxRetry(4))
	if err != nil {
		t.Fatal(err)
	}
	done, err := client.Enqueue(asynq.NewTask("ok", nil), asynq.Retention(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	<-started

	var workerKey string
	waitFor(t, "the worker record", 15*time.Second, func() bool {
		keys := members(t, rdb, "asynq:workers")
		if len(keys) == 1 {
			workerKey = keys[0]
		}
		return workerKey != "" && rdb.HLen(ctx, workerKey).Val() == 1
	})
	checkServer(t, rdb, before)
	checkWorker(t, rdb, workerKey, blocked, before)

	waitFor(t, "the failed and completed tasks", 10*time.Second, func() bool {
		return stateOf(rdb, failed) == "retry" && stateOf(rdb, done) == "completed"
	})
	f := readTask(t, rdb, failed.Queue, failed.ID)
	if f.ErrorMsg != "boom" || f.Retried != 1 || f.Retry != 4 || f.LastFailedAt.Before(before) {
		t.Errorf("failed task: %+v; want ErrorMsg boom, Retried 1, Retry 4, LastFailedAt set", f)
	}
	d := readTask(t, rdb, done.Queue, done.ID)
	if d.CompletedAt.Before(before) || d.Retention != time.Hour {
		t.Errorf("completed task: %+v; want CompletedAt set, Retention 1h", d)
	}
}

// stateOf reads the state field of a task hash.
func stateOf(rdb *redis.Client, info *asynq.TaskInfo) string {
	key := "asynq:{" + info.Queue + "}:t:" + info.ID
	return rdb.HGet(context.Background(), key, "state").Val()
}

// checkServer decodes the one server heartbeat and compares it with this process.
func checkServer(t *testing.T, rdb *redis.Client, before time.Time) {
	t.Helper()
	keys := members(t, rdb, "asynq:servers")
	if len(keys) != 1 {
		t.Fatalf("asynq:servers = %q; want one server", keys)
	}
	b, err := rdb.Get(context.Background(), keys[0]).Bytes()
	if err != nil {
		t.Fatalf("GET %s: %v", keys[0], err)
	}
	got, err := wire.DecodeServer(b)
	if err != nil {
		t.Fatalf("DecodeServer: %v", err)
	}
	host, _ := os.Hostname()
	wantKey := "asynq:servers:{" + got.Host + ":" + strconv.Itoa(got.PID) + ":" + got.ServerID + "}"
	switch {
	case got.Host != host || got.PID != os.Getpid() || keys[0] != wantKey:
		t.Errorf("server %q/%d at %s; want host %q, pid %d", got.Host, got.PID, keys[0],
			host, os.Getpid())
	case got.Concurrency != 3 || !got.StrictPriority || got.Status != "active":
		t.Errorf("server %+v; want concurrency 3, strict priority, active", got)
	case !reflect.DeepEqual(got.Queues, map[string]int{"critical": 6, "default": 3}):
		t.Errorf("queues %v; want critical:6 default:3", got.Queues)
	case got.Started.Before(before) || got.Started.After(time.Now()):
		t.Errorf("started %v; want just now", got.Started)
	case got.ActiveWorkers != 1:
		t.Errorf("active workers %d; want 1", got.ActiveWorkers)
	}
}

// checkWorker decodes the one worker record and compares it with the blocked task.
func checkWorker(t *testing.T, rdb *redis.Client, key string, task *asynq.TaskInfo,
	before time.Time,
) {
	t.Helper()
	b, err := rdb.HGet(context.Background(), key, task.ID).Bytes()
	if err != nil {
		t.Fatalf("HGET %s %s: %v", key, task.ID, err)
	}
	got, err := wire.DecodeWorker(b)
	if err != nil {
		t.Fatalf("DecodeWorker: %v", err)
	}
	host, _ := os.Hostname()
	timeout := got.Deadline.Sub(got.Started).Round(time.Second)
	switch {
	case got.Host != host || got.PID != os.Getpid() || got.ServerID == "":
		t.Errorf("worker %+v; want this host and pid", got)
	case got.TaskID != task.ID || got.TaskType != "block" || got.Queue != "critical":
		t.Errorf("worker %+v; want task %s of type block in critical", got, task.ID)
	case !bytes.Equal(got.TaskPayload, []byte("payload")):
		t.Errorf("worker payload %q; want payload", got.TaskPayload)
	case got.Started.Before(before) || timeout != 5*time.Minute:
		t.Errorf("worker started %v, deadline %v; want now and 5m later", got.Started, got.Deadline)
	}
}

func TestDecodeSchedulerRecordsWrittenByAsynqScheduler(t *testing.T) {
	t.Parallel()
	opt, rdb := realRedis(t)
	sched := asynq.NewScheduler(opt, &asynq.SchedulerOpts{
		HeartbeatInterval: 100 * time.Millisecond,
		Logger:            quietLogger{},
	})
	hourly, err := sched.Register("@every 1h", asynq.NewTask("report", []byte("r")),
		asynq.Queue("low"), asynq.MaxRetry(2))
	if err != nil {
		t.Fatal(err)
	}
	ticking, err := sched.Register("@every 1s", asynq.NewTask("tick", nil))
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Second)
	if err := sched.Start(); err != nil {
		t.Fatalf("start asynq scheduler: %v", err)
	}
	t.Cleanup(sched.Shutdown)

	var entry wire.SchedulerEntry
	waitFor(t, "the scheduler entries", 10*time.Second, func() bool {
		entry = schedulerEntry(t, rdb, hourly)
		return !entry.Next.IsZero()
	})
	want := wire.SchedulerEntry{
		ID: hourly, Spec: "@every 1h", TaskType: "report", TaskPayload: []byte("r"),
		Options: []string{`Queue("low")`, "MaxRetry(2)"}, Next: entry.Next,
	}
	if !reflect.DeepEqual(entry, want) {
		t.Errorf("entry:\n got %+v\nwant %+v", entry, want)
	}
	if d := entry.Next.Sub(before); d < time.Hour || d > time.Hour+time.Minute {
		t.Errorf("Next = %v; want an hour from now", entry.Next)
	}

	history := "asynq:scheduler_history:" + ticking
	waitFor(t, "an enqueue event", 10*time.Second, func() bool {
		return len(members(t, rdb, history)) > 0
	})
	ev, err := wire.DecodeSchedulerEvent([]byte(members(t, rdb, history)[0]))
	if err != nil {
		t.Fatalf("DecodeSchedulerEvent: %v", err)
	}
	if ev.Enqueued.Before(before) || ev.Enqueued.After(time.Now()) {
		t.Errorf("Enqueued = %v; want just now", ev.Enqueued)
	}
	if m := readTask(t, rdb, "default", ev.TaskID); m.Type != "tick" {
		t.Errorf("event's task %s has type %q; want tick", ev.TaskID, m.Type)
	}
}

// schedulerEntry decodes every entry the one scheduler wrote and returns the one with id.
func schedulerEntry(t *testing.T, rdb *redis.Client, id string) wire.SchedulerEntry {
	t.Helper()
	keys := members(t, rdb, "asynq:schedulers")
	if len(keys) == 0 {
		return wire.SchedulerEntry{}
	}
	vals, err := rdb.LRange(context.Background(), keys[0], 0, -1).Result()
	if err != nil {
		t.Fatalf("LRANGE %s: %v", keys[0], err)
	}
	var found wire.SchedulerEntry
	for _, v := range vals {
		e, err := wire.DecodeSchedulerEntry([]byte(v))
		if err != nil {
			t.Fatalf("DecodeSchedulerEntry: %v", err)
		}
		if e.ID == id {
			found = e
		}
	}
	return found
}
