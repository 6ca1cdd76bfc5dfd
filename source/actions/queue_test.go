package actions_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/asynqtop/asynqtop/model"
)

func TestPauseAndUnpauseAreIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.pending("q", 3)

	steps := []struct {
		do      func(context.Context, string) (string, int, error)
		paused  bool
		done    int
		message string
		outcome string
	}{
		{e.pause, true, 1, "queue q paused: workers take no new tasks from it; active " +
			"tasks run to completion", "ok"},
		{e.pause, true, 0, "queue q was already paused (since ", "noop"},
		{e.unpause, false, 1, "queue q unpaused: its 3 pending tasks can run now", "ok"},
		{e.unpause, false, 0, "queue q was not paused; nothing changed", "noop"},
	}
	for i, s := range steps {
		msg, done, err := s.do(ctx, "q")
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if done != s.done || !strings.HasPrefix(msg, s.message) {
			t.Errorf("step %d: done %d, message %q; want %d, %q", i, done, msg, s.done,
				s.message)
		}
		info, err := e.ins.GetQueueInfo("q")
		if err != nil {
			t.Fatal(err)
		}
		if info.Paused != s.paused {
			t.Errorf("step %d: asynq says paused=%v, want %v", i, info.Paused, s.paused)
		}
		if last := e.lastEntry(); last.Outcome != s.outcome || last.Queue != "q" {
			t.Errorf("step %d: audit %+v", i, last)
		}
	}
}

func (e *env) pause(ctx context.Context, q string) (string, int, error) {
	res, err := e.act.Pause(ctx, q)
	return res.Message, res.Done, err
}

func (e *env) unpause(ctx context.Context, q string) (string, int, error) {
	res, err := e.act.Unpause(ctx, q)
	return res.Message, res.Done, err
}

// TestCancelSignalsTheRunningServer cancels a task a real asynq server is running: the
// signal reaches one server and the task goes to retry.
func TestCancelSignalsTheRunningServer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.enqueue("q", 1, asynq.MaxRetry(3))[0]
	stop := e.workerN("q", 1, func(ctx context.Context, _ *asynq.Task) error {
		<-ctx.Done()
		return ctx.Err()
	})
	e.waitFor("the task to become active", func() bool { return e.state("q", id) == "active" })
	e.waitFor("the server to subscribe", func() bool {
		n := e.rdb.PubSubNumSub(ctx, "asynq:cancel").Val()["asynq:cancel"]
		return n == 1
	})

	res, err := e.act.Cancel(ctx, "q", id)
	if err != nil {
		t.Fatal(err)
	}
	want := "cancel signal for task " + id + " reached 1 asynq server; the one running it " +
		"moves it to retry (archived if out of retries)"
	if res.Done != 1 || res.Message != want {
		t.Errorf("got %+v\nwant %q", res, want)
	}
	e.waitFor("the task to go to retry", func() bool { return e.state("q", id) == "retry" })
	stop()

	res, err = e.act.Cancel(ctx, "q", id)
	if err != nil || res.Done != 0 || !strings.HasPrefix(res.Message,
		"no asynq server is listening for cancel signals") {
		t.Errorf("with no server: %+v, %v", res, err)
	}
	if last := e.lastEntry(); last.Action != "cancel" || last.Outcome != "noop" ||
		last.Queue != "q" || len(last.TaskIDs) != 1 || last.TaskIDs[0] != id {
		t.Errorf("audit %+v", last)
	}
}

func TestQueueActionsNeedAQueueOrTask(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, do := range map[string]func() error{
		"pause":   func() error { _, err := e.act.Pause(ctx, ""); return err },
		"unpause": func() error { _, err := e.act.Unpause(ctx, ""); return err },
		"cancel":  func() error { _, err := e.act.Cancel(ctx, "q", ""); return err },
		"run": func() error {
			_, err := e.act.Run(ctx, "q", model.Archived, []string{""})
			return err
		},
	} {
		if err := do(); err == nil || errors.Is(err, context.Canceled) {
			t.Errorf("%s with nothing selected: err = %v", name, err)
		}
	}
}
