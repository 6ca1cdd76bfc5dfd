package keystore_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/keystore"
	"github.com/asynqtop/asynqtop/source/redistest"
)

func newRing(t *testing.T, id string) *keystore.Keyring {
	t.Helper()
	kr, err := keystore.Generate(id)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// recorder is a handler that keeps what it was given.
type recorder struct {
	task   *asynq.Task
	result *asynq.ResultWriter
}

func (r *recorder) ProcessTask(ctx context.Context, t *asynq.Task) error {
	r.task, r.result = t, keystore.ResultWriter(ctx)
	return nil
}

func TestHandler(t *testing.T) {
	kr, other := newRing(t, "k1"), newRing(t, "k9")
	retired := newRing(t, "old")
	sealedOld, _ := keystore.NewTask(retired, "email:send", []byte("x"))
	if err := retired.Rotate("new"); err != nil {
		t.Fatal(err)
	}
	if err := retired.Retire("old"); err != nil {
		t.Fatal(err)
	}
	sealed, err := keystore.NewTask(kr, "email:send", []byte(`{"to":"ada"}`))
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := keystore.NewTask(other, "email:send", []byte("x"))
	plain := asynq.NewTaskWithHeaders("email:send", []byte(`{"to":"bob"}`),
		map[string]string{"trace": "abc"})

	cases := map[string]struct {
		kr        *keystore.Keyring
		opts      keystore.HandlerOptions
		task      *asynq.Task
		want      string // payload the handler sees; empty means it is not called
		err       error
		skipRetry bool
	}{
		"sealed":           {kr: kr, task: sealed, want: `{"to":"ada"}`},
		"plain refused":    {kr: kr, task: plain, err: keystore.ErrNotSealed, skipRetry: true},
		"plain allowed":    {kr: kr, task: plain, opts: allowPlain, want: `{"to":"bob"}`},
		"sealed, plain on": {kr: kr, task: sealed, opts: allowPlain, want: `{"to":"ada"}`},
		"wrong type": {kr: kr, task: retype(sealed, "email:spam"),
			err: keystore.ErrAuth, skipRetry: true},
		"malformed": {kr: kr, task: truncate(sealed, 8),
			err: keystore.ErrMalformed, skipRetry: true},
		"malformed, plain on": {kr: kr, task: truncate(sealed, 8), opts: allowPlain,
			err: keystore.ErrMalformed, skipRetry: true},
		"unknown key": {kr: kr, task: foreign, err: keystore.ErrUnknownKey},
		"retired key": {kr: retired, task: sealedOld,
			err: keystore.ErrRetiredKey, skipRetry: true},
		"nil keyring": {task: sealed, err: keystore.ErrUnknownKey},
		"nil task":    {kr: kr},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var rec recorder
			err := keystore.HandlerWithOptions(tc.kr, &rec, tc.opts).
				ProcessTask(context.Background(), tc.task)
			if tc.want != "" {
				if err != nil || rec.task == nil || string(rec.task.Payload()) != tc.want {
					t.Fatalf("handler saw %v, error %v; want payload %s", rec.task, err, tc.want)
				}
				if rec.task.Type() != tc.task.Type() {
					t.Errorf("type = %q, want %q", rec.task.Type(), tc.task.Type())
				}
				return
			}
			if rec.task != nil || err == nil {
				t.Fatalf("handler called with %v, error %v; want it refused", rec.task, err)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error = %v, want %v", err, tc.err)
			}
			if got := errors.Is(err, asynq.SkipRetry); got != tc.skipRetry {
				t.Errorf("SkipRetry = %t, want %t (error %v)", got, tc.skipRetry, err)
			}
		})
	}
}

var allowPlain = keystore.HandlerOptions{AllowPlain: true}

func retype(t *asynq.Task, typ string) *asynq.Task { return asynq.NewTask(typ, t.Payload()) }

func truncate(t *asynq.Task, n int) *asynq.Task {
	return asynq.NewTask(t.Type(), t.Payload()[:n])
}

func TestHandlerKeepsHeaders(t *testing.T) {
	kr := newRing(t, "k1")
	sealed, _ := keystore.NewTask(kr, "t", []byte("p"))
	withHeaders := asynq.NewTaskWithHeaders("t", sealed.Payload(), map[string]string{"trace": "abc"})
	var rec recorder
	if err := keystore.Handler(kr, &rec).ProcessTask(context.Background(), withHeaders); err != nil {
		t.Fatal(err)
	}
	if rec.task.Headers()["trace"] != "abc" {
		t.Errorf("headers = %v, want trace=abc", rec.task.Headers())
	}
}

func TestWriteResultOutsideHandler(t *testing.T) {
	if err := keystore.WriteResult(context.Background(), []byte("x")); err == nil {
		t.Error("WriteResult without a task context succeeded")
	}
	if keystore.ResultWriter(context.Background()) != nil {
		t.Error("ResultWriter without a task context is not nil")
	}
}

func TestNewTaskErrors(t *testing.T) {
	if _, err := keystore.NewTask(nil, "t", nil); err == nil {
		t.Error("NewTask without a keyring succeeded")
	}
}

// TestExampleWorkflow runs a producer and a worker against a real redis-server:
// the worker's handler sees the plaintext, while Redis holds only envelopes, for
// the payload and for the result, and a plain task is archived without retries.
func TestExampleWorkflow(t *testing.T) {
	s := redistest.Start(t)
	kr := newRing(t, "k1")
	secret := []byte(`{"user_id":42,"email":"ada@example.com"}`)
	opt := asynq.RedisClientOpt{Addr: s.Addr}

	client := asynq.NewClient(opt)
	defer client.Close()
	task, err := keystore.NewTask(kr, "email:send", secret, asynq.Retention(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	info, err := client.Enqueue(task)
	if err != nil {
		t.Fatal(err)
	}
	plainInfo, err := client.Enqueue(asynq.NewTask("email:send", secret,
		asynq.MaxRetry(5), asynq.Retention(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}

	got, failures := runWorker(t, opt, kr)
	if !bytes.Equal(got, secret) {
		t.Errorf("handler got %q, want the plaintext", got)
	}
	if !errors.Is(failures, keystore.ErrNotSealed) || !errors.Is(failures, asynq.SkipRetry) {
		t.Errorf("plain task failed with %v, want ErrNotSealed and SkipRetry", failures)
	}

	checkStored(t, s, opt, kr, info.ID, secret)
	checkArchived(t, opt, plainInfo.ID)
}

// runWorker processes both tasks, returning the plaintext the handler saw and
// the error of the one that failed.
func runWorker(t *testing.T, opt asynq.RedisClientOpt, kr *keystore.Keyring) ([]byte, error) {
	seen := make(chan []byte, 1)
	failed := make(chan error, 1)
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency:       2,
		TaskCheckInterval: 50 * time.Millisecond,
		LogLevel:          asynq.FatalLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(_ context.Context, _ *asynq.Task, err error) {
			failed <- err
		}),
	})
	mux := asynq.NewServeMux()
	mux.Handle("email:send", keystore.Handler(kr, asynq.HandlerFunc(
		func(ctx context.Context, t *asynq.Task) error {
			seen <- t.Payload()
			return keystore.WriteResult(ctx, []byte("sent to "+string(t.Payload())))
		})))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown() // waits for the archive after the failure

	var got []byte
	var failure error
	timeout := time.After(20 * time.Second)
	for got == nil || failure == nil {
		select {
		case got = <-seen:
		case failure = <-failed:
		case <-timeout:
			t.Fatalf("worker did not finish: payload %q, failure %v", got, failure)
		}
	}
	return got, failure
}

// checkStored reads the sealed task back, through asynq and raw from Redis.
func checkStored(t *testing.T, s *redistest.Server, opt asynq.RedisClientOpt,
	kr *keystore.Keyring, id string, secret []byte,
) {
	t.Helper()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	info, err := insp.GetTaskInfo("default", id)
	if err != nil {
		t.Fatal(err)
	}
	h, err := keystore.Inspect(info.Payload)
	if err != nil || h.KeyID != "k1" {
		t.Errorf("stored payload: %v, %v; want sealed with k1", h, err)
	}
	if plain, _, err := keystore.Open(kr, "email:send", info.Payload); !bytes.Equal(plain, secret) {
		t.Errorf("stored payload opens to %q, %v", plain, err)
	}
	result, _, err := keystore.Open(kr, "email:send", info.Result)
	if err != nil || !strings.HasPrefix(string(result), "sent to ") {
		t.Errorf("stored result opens to %q, %v; want the sealed result", result, err)
	}

	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	raw, err := rdb.HGetAll(context.Background(), "asynq:{default}:t:"+id).Result()
	if err != nil || raw["msg"] == "" {
		t.Fatalf("raw task hash: %v, %v", raw, err)
	}
	for field, value := range raw {
		if strings.Contains(value, "ada@example.com") {
			t.Errorf("Redis field %s holds the plaintext", field)
		}
	}
}

func checkArchived(t *testing.T, opt asynq.RedisClientOpt, id string) {
	t.Helper()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	info, err := insp.GetTaskInfo("default", id)
	if err != nil {
		t.Fatal(err)
	}
	if info.State != asynq.TaskStateArchived || info.Retried != 0 ||
		!strings.Contains(info.LastErr, "payload is not sealed") {
		t.Errorf("plain task is %v after %d retries (%q); want archived at once",
			info.State, info.Retried, info.LastErr)
	}
}
