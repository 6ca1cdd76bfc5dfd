package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// The world runs on its own embedded Redis (miniredis), the one place the project uses it,
// so these tests need no redis-server.

func TestStartRunsTheWorld(t *testing.T) {
	seal := func(taskType string, payload []byte) ([]byte, error) {
		return append([]byte("sealed:"), payload...), nil
	}
	w, err := Start(context.Background(), Options{Seed: 7, Seal: seal})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	if !strings.HasPrefix(w.Addr, "127.0.0.1:") {
		t.Errorf("Addr = %q, want a loopback address", w.Addr)
	}
	rdb := redis.NewClient(&redis.Options{Addr: w.Addr})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()

	if n, _ := rdb.Exists(ctx, "asynq:{low}:paused").Result(); n != 1 {
		t.Errorf("asynq:{low}:paused missing: the low queue should start paused")
	}
	if n, _ := rdb.LLen(ctx, "asynq:{low}:pending").Result(); n < 240 {
		t.Errorf("low has %d pending, want its backlog of at least 240", n)
	}

	waitFor(t, 15*time.Second, func() (bool, string) {
		busy := processedQueues(ctx, rdb)
		failed := failedQueues(ctx, rdb)
		servers, _ := rdb.ZCard(ctx, "asynq:servers").Result()
		state := fmt.Sprintf("processed in %v, retry or archived in %v, %d servers",
			busy, failed, servers)
		return len(busy) >= 4 && len(failed) >= 1 && servers == 1, state
	})

	if n, _ := rdb.Get(ctx, "asynq:{low}:processed").Int(); n != 0 {
		t.Errorf("paused queue low processed %d tasks", n)
	}
	assertPaymentsSealed(t, w.Addr)
}

// processedQueues lists the queues whose processed counter is above zero.
func processedQueues(ctx context.Context, rdb *redis.Client) []string {
	var busy []string
	for _, q := range queues() {
		if n, _ := rdb.Get(ctx, "asynq:{"+q.name+"}:processed").Int(); n > 0 {
			busy = append(busy, q.name)
		}
	}
	return busy
}

// failedQueues lists the queues holding Retry or Archived tasks.
func failedQueues(ctx context.Context, rdb *redis.Client) []string {
	var failed []string
	for _, q := range queues() {
		retry, _ := rdb.ZCard(ctx, "asynq:{"+q.name+"}:retry").Result()
		archived, _ := rdb.ZCard(ctx, "asynq:{"+q.name+"}:archived").Result()
		if retry+archived > 0 {
			failed = append(failed, q.name)
		}
	}
	return failed
}

// assertPaymentsSealed checks the payments tasks kept in Redis went through the SealFunc.
func assertPaymentsSealed(t *testing.T, addr string) {
	t.Helper()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: addr})
	defer insp.Close()

	var tasks []*asynq.TaskInfo
	waitFor(t, 10*time.Second, func() (bool, string) {
		tasks, _ = insp.ListCompletedTasks(queuePayments)
		return len(tasks) > 0, "no completed payments task yet"
	})
	for _, ti := range tasks {
		if !bytes.HasPrefix(ti.Payload, []byte("sealed:")) {
			t.Errorf("payments task %s payload %q was not sealed", ti.ID, ti.Payload)
		}
	}
}

func TestCloseIsPromptQuietAndLeavesNoGoroutines(t *testing.T) {
	waitFor(t, 3*time.Second, func() (bool, string) {
		left := ourGoroutines()
		return len(left) == 0, "goroutines of an earlier world still run:\n" +
			strings.Join(left, "\n\n")
	})

	var startErr, closeErr, againErr error
	var took time.Duration
	output := captureOutput(t, func() {
		var w *World
		w, startErr = Start(context.Background(), Options{})
		if startErr != nil {
			return
		}
		waitUntilProcessed(w.Addr, 5*time.Second)
		began := time.Now()
		closeErr = w.Close()
		took = time.Since(began)
		againErr = w.Close()
	})

	if startErr != nil {
		t.Fatalf("Start: %v", startErr)
	}
	if closeErr != nil || againErr != nil {
		t.Errorf("Close = %v, then %v; want nil twice", closeErr, againErr)
	}
	if took > 2*time.Second {
		t.Errorf("Close took %v, want under 2s", took)
	}
	if output != "" {
		t.Errorf("the world wrote to stdout or stderr:\n%s", output)
	}
	waitFor(t, 3*time.Second, func() (bool, string) {
		left := ourGoroutines()
		return len(left) == 0, "goroutines left after Close:\n" + strings.Join(left, "\n\n")
	})
}

// waitUntilProcessed waits until the world at addr has processed a task, so Close meets a
// busy server.
func waitUntilProcessed(addr string, timeout time.Duration) {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if len(processedQueues(context.Background(), rdb)) > 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ourGoroutines returns the stacks of goroutines run by the world or its libraries,
// leaving out the test goroutines themselves.
func ourGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var ours []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "testing.tRunner") {
			continue
		}
		for _, mark := range []string{"source/demo.", "hibiken/asynq", "alicebob/miniredis"} {
			if strings.Contains(g, mark) {
				ours = append(ours, g)
				break
			}
		}
	}
	return ours
}

func TestStartFailsCleanlyOnCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	w, err := Start(ctx, Options{})
	if err == nil {
		w.Close()
		t.Fatal("Start with a canceled context succeeded, want an error")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Start error = %v, want it to wrap context.Canceled", err)
	}
	waitFor(t, 3*time.Second, func() (bool, string) {
		left := ourGoroutines()
		return len(left) == 0, "goroutines left after a failed Start:\n" +
			strings.Join(left, "\n\n")
	})
}

func TestSurgeComesOnPlan(t *testing.T) {
	logs := &recorder{}
	p := plan{
		firstSurge:  100 * time.Millisecond,
		surgeEvery:  time.Hour,
		surgeSpread: 200 * time.Millisecond,
		surgeMin:    300,
		surgeMax:    300,
	}
	w, err := start(context.Background(), Options{Logger: slog.New(logs)}, p)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: w.Addr})
	t.Cleanup(func() { insp.Close() })

	waitFor(t, 10*time.Second, func() (bool, string) {
		qi, err := insp.GetQueueInfo(queueEmails)
		if err != nil {
			return false, err.Error()
		}
		seen := qi.Size + qi.Processed
		return seen >= 300, fmt.Sprintf("emails has seen %d tasks, want the surge's 300", seen)
	})
	if !logs.has("demo: surge") {
		t.Errorf("no surge logged; records: %v", logs.messages())
	}
}

// recorder is a slog.Handler that keeps the messages it is given.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}

func (r *recorder) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

func (r *recorder) has(msg string) bool {
	for _, m := range r.messages() {
		if m == msg {
			return true
		}
	}
	return false
}

// waitFor polls cond until it holds or timeout passes, then fails with cond's last word.
func waitFor(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, state)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestSeedReproducesTasks(t *testing.T) {
	render := func(seed int64) string {
		var b strings.Builder
		for _, j := range backlog(newGen(seed, streamBacklog, nil)) {
			fmt.Fprintf(&b, "%s %x %v\n", j.typeName, j.payload, j.opts)
		}
		return b.String()
	}

	if render(1) != render(1) {
		t.Error("the same seed made different tasks")
	}
	if render(1) == render(2) {
		t.Error("different seeds made the same tasks")
	}
}

func TestSealedJobs(t *testing.T) {
	sealErr := errors.New("keystore locked")
	cases := map[string]struct {
		seal       SealFunc
		wantPrefix string
		wantErr    error
	}{
		"no seal leaves JSON": {wantPrefix: "{"},
		"seal wraps payload": {
			seal: func(_ string, p []byte) ([]byte, error) {
				return append([]byte("env:"), p...), nil
			},
			wantPrefix: "env:",
		},
		"seal error drops job": {
			seal:    func(string, []byte) ([]byte, error) { return nil, sealErr },
			wantErr: sealErr,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			j := paymentJob(newGen(1, 1, tc.seal))

			if !errors.Is(j.err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", j.err, tc.wantErr)
			}
			if !bytes.HasPrefix(j.payload, []byte(tc.wantPrefix)) {
				t.Errorf("payload = %q, want prefix %q", j.payload, tc.wantPrefix)
			}
		})
	}
}

func TestBehaviorOutcome(t *testing.T) {
	cases := map[string]struct {
		b         behavior
		payload   string
		wantErr   string
		wantSkip  bool
		wantPanic bool
	}{
		"plain success": {b: behavior{}, payload: `{}`},
		"transient failure": {
			b:       behavior{failPermille: 1000, transient: []string{"smtp: 451"}},
			wantErr: "smtp: 451",
		},
		"final failure skips retry": {
			b:        behavior{finalPermille: 1000, final: []string{"card_declined"}},
			wantErr:  "card_declined: skip retry for the task",
			wantSkip: true,
		},
		"doomed payload always fails": {
			b:       behavior{doomedIf: []byte("dead.example"), doomed: "no such host"},
			payload: `{"endpoint":"https://dead.example/x"}`,
			wantErr: "no such host",
		},
		"panic": {b: behavior{panicPermille: 1000}, payload: `{}`, wantPanic: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); (p != nil) != tc.wantPanic {
					t.Errorf("panic = %v, want panic %v", p, tc.wantPanic)
				}
			}()

			err := tc.b.outcome(newGen(1, 1, nil).r, []byte(tc.payload))

			if got := errString(err); got != tc.wantErr {
				t.Errorf("err = %q, want %q", got, tc.wantErr)
			}
			if errors.Is(err, asynq.SkipRetry) != tc.wantSkip {
				t.Errorf("SkipRetry = %v, want %v", !tc.wantSkip, tc.wantSkip)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRetryDelayStaysShort(t *testing.T) {
	for n := range 30 {
		task := asynq.NewTask("email:send", []byte(fmt.Sprintf(`{"user_id":%d}`, n)))
		if d := retryDelay(n, nil, task); d < time.Second || d >= 3*time.Second {
			t.Errorf("retryDelay(%d) = %v, want within [1s, 3s)", n, d)
		}
	}
}

func TestAggregateDigest(t *testing.T) {
	tasks := []*asynq.Task{
		asynq.NewTask("email:digest:item", []byte(`{"ref":"a"}`)),
		asynq.NewTask("email:digest:item", []byte(`{"ref":"b"}`)),
	}

	got := aggregateDigest("digest:acme", tasks)

	want := `{"count":2,"group":"digest:acme","items":[{"ref":"a"},{"ref":"b"}]}`
	if got.Type() != "email:digest" || string(got.Payload()) != want {
		t.Errorf("aggregateDigest = %s %s, want email:digest %s", got.Type(), got.Payload(), want)
	}
}

func TestUUIDIsVersion4(t *testing.T) {
	shape := regexp.MustCompile(
		`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	g := newGen(1, 1, nil)
	for range 100 {
		if id := g.uuid(); !shape.MatchString(id) {
			t.Fatalf("uuid() = %q, not a version 4 UUID", id)
		}
	}
}
