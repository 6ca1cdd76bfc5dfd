package actions_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source/actions"
)

type moveFunc func(a *actions.Actor, ctx context.Context, q string, s model.State,
	ids []string) (actions.Result, error)

var (
	run     moveFunc = (*actions.Actor).Run
	del     moveFunc = (*actions.Actor).Delete
	archive moveFunc = (*actions.Actor).Archive
)

// makers create n tasks of a state with asynq itself.
var makers = map[model.State]func(e *env, q string, n int) []string{
	model.Pending:   (*env).pending,
	model.Scheduled: (*env).scheduled,
	model.Retry:     (*env).retry,
	model.Archived:  (*env).archived,
	model.Aggregating: func(e *env, q string, n int) []string {
		return e.enqueue(q, n, asynq.Group("g1"))
	},
	model.Completed: func(e *env, q string, n int) []string {
		ids := e.enqueue(q, n, asynq.Retention(time.Hour))
		stop := e.worker(q, func(context.Context, *asynq.Task) error { return nil })
		defer stop()
		e.waitFor("completed tasks", func() bool { return e.count(q, model.Completed) == n })
		return ids
	},
}

func TestMovesSelectedTasks(t *testing.T) {
	cases := map[string]struct {
		move     moveFunc
		from, to model.State // to "" means deleted
		verb     string
	}{
		"requeue scheduled":   {run, model.Scheduled, model.Pending, "requeued"},
		"requeue retry":       {run, model.Retry, model.Pending, "requeued"},
		"requeue archived":    {run, model.Archived, model.Pending, "requeued"},
		"requeue completed":   {run, model.Completed, model.Pending, "requeued"},
		"requeue aggregating": {run, model.Aggregating, model.Pending, "requeued"},
		"delete pending":      {del, model.Pending, "", "deleted"},
		"delete retry":        {del, model.Retry, "", "deleted"},
		"delete archived":     {del, model.Archived, "", "deleted"},
		"delete aggregating":  {del, model.Aggregating, "", "deleted"},
		"archive pending":     {archive, model.Pending, model.Archived, "archived"},
		"archive scheduled":   {archive, model.Scheduled, model.Archived, "archived"},
		"archive retry":       {archive, model.Retry, model.Archived, "archived"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ids := makers[tc.from](e, "q", 3)
			msgs := map[string]string{}
			for _, id := range ids {
				msgs[id] = e.msg("q", id)
			}

			res, err := tc.move(e.act, context.Background(), "q", tc.from, ids[:2])
			if err != nil {
				t.Fatal(err)
			}
			if res.Done != 2 || res.Skipped != 0 || res.Message != "queue q: 2 "+tc.verb {
				t.Errorf("result %+v", res)
			}
			for _, id := range ids[:2] {
				e.checkMoved(id, tc.from, tc.to, msgs[id])
			}
			if got := e.state("q", ids[2]); got != string(tc.from) {
				t.Errorf("unselected task is %q, want %q", got, tc.from)
			}
		})
	}
}

// checkMoved checks a task left from and is in to (or gone), with its message bytes
// untouched, and that asynq's Inspector agrees.
func (e *env) checkMoved(id string, from, to model.State, msg string) {
	e.t.Helper()
	if slices.Contains(e.members("q", from), id) {
		e.t.Errorf("task still listed in %s", from)
	}
	info, err := e.ins.GetTaskInfo("q", id)
	if to == "" {
		if !errors.Is(err, asynq.ErrTaskNotFound) {
			e.t.Errorf("deleted task: Inspector says %v, %v", info, err)
		}
		return
	}
	if err != nil {
		e.t.Fatal(err)
	}
	if info.State.String() != string(to) || !slices.Contains(e.members("q", to), id) {
		e.t.Errorf("task is %s per asynq, want %s and listed there", info.State, to)
	}
	if e.msg("q", id) != msg {
		e.t.Error("the stored message changed")
	}
}

func TestAggregatingGroupIsDroppedWhenEmptied(t *testing.T) {
	e := newEnv(t)
	ids := makers[model.Aggregating](e, "q", 2)
	ctx := context.Background()
	if _, err := e.act.Run(ctx, "q", model.Aggregating, ids[:1]); err != nil {
		t.Fatal(err)
	}
	if !e.rdb.SIsMember(ctx, "asynq:{q}:groups", "g1").Val() {
		t.Fatal("group dropped while it still has a task")
	}
	if _, err := e.act.Delete(ctx, "q", model.Aggregating, ids[1:]); err != nil {
		t.Fatal(err)
	}
	if e.rdb.SIsMember(ctx, "asynq:{q}:groups", "g1").Val() {
		t.Error("empty group still listed in asynq:{q}:groups")
	}
}

// TestRequeueKeepsStoredBytes requeues tasks whose payload is random bytes (as a sealed
// payload is): the msg field must be identical, and a real worker must get the payload.
func TestRequeueKeepsStoredBytes(t *testing.T) {
	e := newEnv(t)
	payloads := map[string][]byte{}
	var ids []string
	for range 4 {
		p := make([]byte, 200)
		rand.Read(p)
		info, err := e.cli.Enqueue(asynq.NewTask("sealed", p), asynq.Queue("q"))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ins.ArchiveTask("q", info.ID); err != nil {
			t.Fatal(err)
		}
		ids, payloads[info.ID] = append(ids, info.ID), p
	}
	before := map[string]string{}
	for _, id := range ids {
		before[id] = e.msg("q", id)
	}

	ctx := context.Background()
	if _, err := e.act.Run(ctx, "q", model.Archived, ids[:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.act.RunAll(ctx, "q", model.Archived, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if e.msg("q", id) != before[id] {
			t.Errorf("task %s: msg bytes changed", id)
		}
	}

	got := make(chan *asynq.Task, len(ids))
	stop := e.worker("q", func(_ context.Context, t *asynq.Task) error {
		got <- t
		return nil
	})
	defer stop()
	for range ids {
		select {
		case tk := <-got:
			if !slices.ContainsFunc(ids, func(id string) bool {
				return bytes.Equal(payloads[id], tk.Payload())
			}) {
				t.Error("a worker got a payload that was not enqueued")
			}
		case <-time.After(15 * time.Second):
			t.Fatal("requeued tasks were not processed")
		}
	}
}

func TestDeleteReleasesOnlyItsOwnUniqueLock(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	own := e.enqueue("q", 1, asynq.Unique(time.Hour), asynq.ProcessIn(time.Hour))[0]
	ownLock := e.rdb.HGet(ctx, "asynq:{q}:t:"+own, "unique_key").Val()

	// stale holds a lock that expired and was taken by a newer task with the same work.
	info, err := e.cli.Enqueue(asynq.NewTask("report", []byte("r")), asynq.Queue("q"),
		asynq.Unique(time.Hour), asynq.ProcessIn(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	otherLock := e.rdb.HGet(ctx, "asynq:{q}:t:"+info.ID, "unique_key").Val()
	e.rdb.Del(ctx, otherLock)
	newer, err := e.cli.Enqueue(asynq.NewTask("report", []byte("r")), asynq.Queue("q"),
		asynq.Unique(time.Hour), asynq.ProcessIn(time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	res, err := e.act.Delete(ctx, "q", model.Scheduled, []string{own, info.ID})
	// (info is the stale task; its lock belongs to newer now.)
	if err != nil || res.Done != 2 {
		t.Fatalf("Delete: %+v, %v", res, err)
	}
	if e.rdb.Exists(ctx, ownLock).Val() != 0 {
		t.Error("the deleted task's own unique lock is still held")
	}
	if got := e.rdb.Get(ctx, otherLock).Val(); got != newer.ID {
		t.Errorf("another task's lock now %q, want still held by %s", got, newer.ID)
	}
}

// TestTasksThatChangedAreSkippedAndExplained acts on tasks that changed between the
// operator's listing and the action.
func TestTasksThatChangedAreSkippedAndExplained(t *testing.T) {
	cases := map[string]struct {
		from   model.State
		move   moveFunc
		change func(e *env, id string) (cleanup func())
		now    string // the state the task must still be in afterwards; "" gone
		why    string
	}{
		"requeued by someone else": {model.Archived, run, func(e *env, id string) func() {
			e.must(e.ins.RunTask("q", id))
			return func() {}
		}, "pending", "is now pending (requeued meanwhile)"},
		"deleted meanwhile": {model.Archived, run, func(e *env, id string) func() {
			e.must(e.ins.DeleteTask("q", id))
			return func() {}
		}, "", "no longer exists (deleted, or expired after completing)"},
		"archived meanwhile": {model.Scheduled, del, func(e *env, id string) func() {
			e.must(e.ins.ArchiveTask("q", id))
			return func() {}
		}, "archived", "is now archived"},
		"became active": {model.Pending, del, (*env).activate, "active",
			"is now active (being processed)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			changed := makers[tc.from](e, "q", 1)[0]
			cleanup := tc.change(e, changed)
			defer cleanup()
			fine := makers[tc.from](e, "q", 1)[0]

			res, err := tc.move(e.act, context.Background(), "q", tc.from,
				[]string{changed, fine})
			if err != nil {
				t.Fatal(err)
			}
			verb := map[string]string{"run": "requeued", "delete": "deleted"}[res.Action]
			want := "queue q: 1 " + verb + "; 1 skipped: task " + changed + " " + tc.why
			if res.Done != 1 || res.Skipped != 1 || res.Message != want {
				t.Errorf("got %+v\nwant message %q", res, want)
			}
			if got := e.state("q", changed); got != tc.now {
				t.Errorf("changed task is %q, want %q (left alone)", got, tc.now)
			}
			if last := e.lastEntry(); last.Outcome != "partial" || last.Count != 1 {
				t.Errorf("audit %+v", last)
			}
		})
	}
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// activate lets a real worker take the pending task id and hold it until cleanup.
func (e *env) activate(id string) func() {
	release := make(chan struct{})
	stop := e.workerN("q", 1, func(ctx context.Context, _ *asynq.Task) error {
		<-release
		return nil
	})
	e.waitFor("the task to become active", func() bool { return e.state("q", id) == "active" })
	return func() {
		close(release)
		stop()
	}
}

func TestUnknownQueueIsRefused(t *testing.T) {
	e := newEnv(t)
	_, err := e.act.Run(context.Background(), "nope", model.Archived, []string{"x"})
	if !errors.Is(err, actions.ErrQueueNotFound) || err.Error() != "queue nope not found: "+
		"it has no tasks and is not in asynq:queues (never used, or deleted); nothing was "+
		"changed" {
		t.Errorf("err = %v", err)
	}
	_, err = e.act.DeleteAll(context.Background(), "nope", model.Archived, nil)
	if !errors.Is(err, actions.ErrQueueNotFound) {
		t.Errorf("DeleteAll err = %v", err)
	}
	if n := len(e.entries()); n != 0 {
		t.Errorf("%d audit lines for refused actions", n)
	}
}

// TestUnlistedQueueWithTasksIsActedOn empties Redis under a running asynq client, as a
// restart without persistence does: the client registered the queue once, so the tasks
// it enqueues next live in a queue missing from asynq:queues. Every action works on it;
// a queue with no keys at all is still refused.
func TestUnlistedQueueWithTasksIsActedOn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.pending("webhooks", 1)
	e.must(e.rdb.FlushAll(ctx).Err())
	ids := e.pending("webhooks", 4)
	if e.rdb.SIsMember(ctx, "asynq:queues", "webhooks").Val() {
		t.Fatal("asynq's client registered the queue again; the test needs it unlisted")
	}

	res, err := e.act.Archive(ctx, "webhooks", model.Pending, ids[:2])
	if err != nil || res.Done != 2 {
		t.Fatalf("archive: %+v, %v", res, err)
	}
	if res, err = e.act.Run(ctx, "webhooks", model.Archived, ids[:1]); err != nil ||
		res.Done != 1 {
		t.Errorf("requeue: %+v, %v", res, err)
	}
	if res, err = e.act.RunAll(ctx, "webhooks", model.Archived, nil); err != nil ||
		res.Done != 1 {
		t.Errorf("requeue all: %+v, %v", res, err)
	}
	if res, err = e.act.Delete(ctx, "webhooks", model.Pending, ids[3:]); err != nil ||
		res.Done != 1 {
		t.Errorf("delete: %+v, %v", res, err)
	}
	if _, err := e.act.Preview(ctx, actions.Op{Kind: actions.Delete, Queue: "webhooks",
		State: model.Pending, All: true}); err != nil {
		t.Errorf("preview: %v", err)
	}
	if res, err = e.act.Pause(ctx, "webhooks"); err != nil || res.Done != 1 {
		t.Errorf("pause: %+v, %v", res, err)
	}
	if n := e.count("webhooks", model.Pending); n != 3 {
		t.Errorf("%d pending, want 3", n)
	}

	// Only the paused flag is left: the queue still exists for asynq's workers.
	e.must(e.rdb.Del(ctx, "asynq:{webhooks}:pending").Err())
	if _, err := e.act.DeleteAll(ctx, "webhooks", model.Pending, nil); err != nil {
		t.Errorf("delete all with only the paused flag left: %v", err)
	}
	_, err = e.act.Run(ctx, "ghost", model.Archived, []string{ids[0]})
	if !errors.Is(err, actions.ErrQueueNotFound) {
		t.Errorf("queue with no keys: err = %v", err)
	}
}

func TestEmptyOrDuplicateSelection(t *testing.T) {
	e := newEnv(t)
	ids := e.archived("q", 1)
	ctx := context.Background()
	if _, err := e.act.Run(ctx, "q", model.Archived, nil); err == nil {
		t.Error("empty selection accepted")
	}
	res, err := e.act.Run(ctx, "q", model.Archived, []string{ids[0], ids[0]})
	if err != nil || res.Done != 1 || res.Skipped != 0 {
		t.Errorf("duplicate selection: %+v, %v", res, err)
	}
}
