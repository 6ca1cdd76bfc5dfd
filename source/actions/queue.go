package actions

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
)

// Pause pauses queue as asynq's Inspector.PauseQueue does: workers take no new tasks
// from it. Pausing a paused queue is not an error: the Result says since when.
func (a *Actor) Pause(ctx context.Context, queue string) (Result, error) {
	return a.queueAction(ctx, "pause", queue, a.pause)
}

// Unpause resumes queue as asynq's Inspector.UnpauseQueue does; the Result says how many
// pending tasks that releases. Unpausing a queue that is not paused is not an error.
func (a *Actor) Unpause(ctx context.Context, queue string) (Result, error) {
	return a.queueAction(ctx, "unpause", queue, a.unpause)
}

func (a *Actor) queueAction(ctx context.Context, action, q string,
	do func(context.Context, string) (Result, error),
) (Result, error) {
	if a.opts.ReadOnly {
		return Result{}, ErrReadOnly
	}
	if q == "" {
		return Result{}, errors.New("no queue given: nothing was changed")
	}
	rec, err := a.begin(action, q, "", nil, 0)
	if err != nil {
		return Result{}, err
	}
	res, err := do(ctx, q)
	res.Action, res.Queue = action, q
	return res, rec.finish(res, outcomeOf(res, err), err)
}

func (a *Actor) pause(ctx context.Context, q string) (Result, error) {
	now, err := a.redisNow(ctx)
	if err != nil {
		return Result{}, err
	}
	// asynq stores the pause time as Unix seconds (rdb.Pause uses SETNX).
	ok, err := a.rdb.SetNX(context.WithoutCancel(ctx), pausedKey(q), now.Unix(), 0).Result()
	if err != nil {
		return Result{}, a.writeErr("pause", q, err)
	}
	if ok {
		return Result{Done: 1, Message: fmt.Sprintf("queue %s paused: workers take no new "+
			"tasks from it; active tasks run to completion", showQueue(q))}, nil
	}
	since := "since an unknown time"
	if v, err := a.rdb.Get(ctx, pausedKey(q)).Result(); err == nil {
		if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
			since = "since " + time.Unix(sec, 0).Local().Format("2006-01-02 15:04:05 MST")
		}
	}
	return Result{Message: fmt.Sprintf("queue %s was already paused (%s); nothing changed",
		showQueue(q), since)}, nil
}

func (a *Actor) unpause(ctx context.Context, q string) (Result, error) {
	var del, pending *redis.IntCmd
	_, err := a.rdb.TxPipelined(context.WithoutCancel(ctx), func(p redis.Pipeliner) error {
		del = p.Del(ctx, pausedKey(q))
		pending = p.LLen(ctx, stateKey(q, model.Pending))
		return nil
	})
	if err != nil {
		return Result{}, a.writeErr("unpause", q, err)
	}
	if del.Val() == 0 {
		return Result{Message: fmt.Sprintf("queue %s was not paused; nothing changed",
			showQueue(q))}, nil
	}
	n := int(pending.Val())
	return Result{Done: 1, Message: fmt.Sprintf("queue %s unpaused: its %s pending %s can "+
		"run now", showQueue(q), commas(n), plural(n, "task", "tasks"))}, nil
}

// Cancel asks the asynq servers to cancel the active task id of queue, as Inspector.
// CancelProcessing does, and says how many servers received the signal (Result.Done).
// The server running the task cancels its context and moves it to retry (archived when
// out of retries); the handler itself stops only if it honours its context. asynq's
// signal carries only the ID: queue is for the audit log and the Result, and may be
// empty when unknown.
func (a *Actor) Cancel(ctx context.Context, queue, id string) (Result, error) {
	if a.opts.ReadOnly {
		return Result{}, ErrReadOnly
	}
	if id == "" {
		return Result{}, errors.New("no task selected: nothing was cancelled")
	}
	rec, err := a.begin("cancel", queue, model.Active, []string{id}, 1)
	if err != nil {
		return Result{}, err
	}
	res, err := a.cancel(ctx, queue, id)
	return res, rec.finish(res, outcomeOf(res, err), err)
}

func (a *Actor) cancel(ctx context.Context, queue, id string) (Result, error) {
	res := Result{Action: "cancel", Queue: queue}
	// PUBLISH directly rather than through the Inspector: its reply is the number of
	// subscribers, one per running asynq server.
	n, err := a.rdb.Publish(context.WithoutCancel(ctx), cancelChannel, id).Result()
	if err != nil {
		return res, a.writeErr("cancel", queue, err)
	}
	res.Done = int(n)
	if n == 0 {
		res.Message = fmt.Sprintf("no asynq server is listening for cancel signals: task %s "+
			"was not cancelled", showID(id))
		return res, nil
	}
	res.Message = fmt.Sprintf("cancel signal for task %s reached %s asynq %s; the one "+
		"running it moves it to retry (archived if out of retries)", showID(id), commas(int(n)),
		plural(int(n), "server", "servers"))
	return res, nil
}

// writeErr explains a failed single write: unknown outcome when it may have happened.
func (a *Actor) writeErr(action, q string, err error) error {
	cause := a.src.Explain("write", err)
	where := ""
	if q != "" {
		where = "queue " + showQueue(q) + ": "
	}
	if outcomeUnknown(err) {
		return &personError{kind: ErrOutcomeUnknown, cause: err, msg: fmt.Sprintf(
			"%s%s outcome unknown: %s; look again before retrying", where, action,
			a.reason(err))}
	}
	return &personError{kind: cause, cause: err, msg: where + cause.Error()}
}
