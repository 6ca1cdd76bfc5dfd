package actions_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/asynqtop/asynqtop/source/audit"
	"github.com/asynqtop/asynqtop/source/redistest"
)

// secret is in every payload the tests enqueue; it must never reach the audit log.
const secret = "SECRET-PAYLOAD-7f3a"

// env is one real redis-server with an Actor on it, asynq's Client and Inspector, and a
// plain client the test reads Redis with.
type env struct {
	t   *testing.T
	srv *redistest.Server
	src *source.Source
	rdb *redis.Client
	act *actions.Actor
	log string
	cli *asynq.Client
	ins *asynq.Inspector
}

func newEnv(t *testing.T, mod ...func(*actions.Options)) *env {
	t.Helper()
	srv := redistest.Start(t)
	return envOn(t, srv, srv.URL(), "", mod...)
}

func envOn(t *testing.T, srv *redistest.Server, url, password string,
	mod ...func(*actions.Options),
) *env {
	t.Helper()
	ctx := context.Background()
	src, err := source.Open(ctx, source.Options{URL: url, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Password: password})
	path := filepath.Join(t.TempDir(), "state", "audit.log")
	l, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	o := actions.Options{Audit: l, Operator: "tester@box", Context: "test"}
	for _, m := range mod {
		m(&o)
	}
	e := &env{t: t, srv: srv, src: src, rdb: rdb, act: actions.New(src, o), log: path,
		cli: asynq.NewClientFromRedisClient(rdb), ins: asynq.NewInspectorFromRedisClient(rdb)}
	t.Cleanup(func() {
		e.act.Close()
		l.Close()
		rdb.Close()
		src.Close()
	})
	return e
}

// task is a task with the secret in its payload.
func task(i int) *asynq.Task {
	return asynq.NewTask("email:send", fmt.Appendf(nil, `{"n":%d,"s":%q}`, i, secret))
}

func (e *env) enqueue(q string, n int, opts ...asynq.Option) []string {
	e.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		info, err := e.cli.Enqueue(task(i), append([]asynq.Option{asynq.Queue(q)}, opts...)...)
		if err != nil {
			e.t.Fatal(err)
		}
		ids[i] = info.ID
	}
	return ids
}

func (e *env) pending(q string, n int) []string { return e.enqueue(q, n) }

func (e *env) scheduled(q string, n int) []string {
	return e.enqueue(q, n, asynq.ProcessIn(time.Hour))
}

// archived enqueues n tasks and archives them with asynq's own Inspector.
func (e *env) archived(q string, n int) []string {
	e.t.Helper()
	ids := e.enqueue(q, n)
	for _, id := range ids {
		if err := e.ins.ArchiveTask(q, id); err != nil {
			e.t.Fatal(err)
		}
	}
	return ids
}

// retry makes n tasks fail once on a real asynq server, which leaves them in retry for
// an hour.
func (e *env) retry(q string, n int) []string {
	e.t.Helper()
	ids := e.enqueue(q, n)
	stop := e.worker(q, func(context.Context, *asynq.Task) error {
		return errors.New("boom")
	})
	defer stop()
	e.waitFor(fmt.Sprintf("%d tasks in retry", n), func() bool {
		return len(e.members(q, model.Retry)) == n
	})
	return ids
}

// worker runs an asynq server on q until stop is called.
func (e *env) worker(q string, h asynq.HandlerFunc) (stop func()) {
	e.t.Helper()
	return e.workerN(q, 2, h)
}

// workerN is worker with n concurrent handlers.
func (e *env) workerN(q string, n int, h asynq.HandlerFunc) (stop func()) {
	e.t.Helper()
	srv := asynq.NewServerFromRedisClient(e.rdb, asynq.Config{
		Queues: map[string]int{q: 1}, Concurrency: n, Logger: quiet{},
		RetryDelayFunc:  func(int, error, *asynq.Task) time.Duration { return time.Hour },
		ShutdownTimeout: time.Second,
	})
	if err := srv.Start(h); err != nil {
		e.t.Fatal(err)
	}
	return srv.Shutdown
}

type quiet struct{}

func (quiet) Debug(...any) {}
func (quiet) Info(...any)  {}
func (quiet) Warn(...any)  {}
func (quiet) Error(...any) {}
func (quiet) Fatal(...any) {}

// waitFor polls cond; it is for asynq's own background work, which has no signal.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("timed out waiting for %s", what)
}

// state is the state field of a task's hash, or "" when the hash is gone.
func (e *env) state(q, id string) string {
	return e.rdb.HGet(context.Background(), "asynq:{"+q+"}:t:"+id, "state").Val()
}

func (e *env) msg(q, id string) string {
	return e.rdb.HGet(context.Background(), "asynq:{"+q+"}:t:"+id, "msg").Val()
}

// members lists the IDs in a state's key.
func (e *env) members(q string, s model.State) []string {
	key := "asynq:{" + q + "}:" + string(s)
	if s == model.Pending || s == model.Active {
		return e.rdb.LRange(context.Background(), key, 0, -1).Val()
	}
	return e.rdb.ZRange(context.Background(), key, 0, -1).Val()
}

func (e *env) count(q string, s model.State) int { return len(e.members(q, s)) }

// dump is every key of the database with its serialized value, to show Redis unchanged.
func (e *env) dump() map[string]string {
	e.t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, k := range e.rdb.Keys(ctx, "*").Val() {
		out[k] = e.rdb.Dump(ctx, k).Val()
	}
	return out
}

func (e *env) sameDump(before map[string]string) {
	e.t.Helper()
	after := e.dump()
	for k, v := range before {
		if after[k] != v {
			e.t.Errorf("key %s changed", k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			e.t.Errorf("key %s appeared", k)
		}
	}
}

// entries reads the audit log.
func (e *env) entries() []audit.Entry {
	e.t.Helper()
	got, err := audit.Read(e.log, time.Time{})
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

// lastEntry is the final line of the last action.
func (e *env) lastEntry() audit.Entry {
	e.t.Helper()
	got := e.entries()
	if len(got) == 0 {
		e.t.Fatal("audit log is empty")
	}
	return got[len(got)-1]
}

func sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func mustContain(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%q does not contain %q", s, p)
		}
	}
}
