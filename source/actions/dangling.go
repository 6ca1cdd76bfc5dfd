package actions

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
)

// removeDanglingCmd removes an ID from a state's key only while its task hash is still
// missing, so a task re-created meanwhile is never touched.
// KEYS[1] task hash, KEYS[2] state key; ARGV[1] ID, ARGV[2] "list" or "zset".
var removeDanglingCmd = redis.NewScript(`
if redis.call("EXISTS", KEYS[1]) == 1 then
	return -1
end
if ARGV[2] == "list" then
	return redis.call("LREM", KEYS[2], 0, ARGV[1])
end
return redis.call("ZREM", KEYS[2], ARGV[1])`)

// RemoveDangling removes IDs that state lists but whose task data is gone (the browser's
// "task data missing" rows), the clean-up a broken Lua script or a manual DEL leaves to do.
// An ID whose task hash exists again is left alone and said so. Audited like every
// mutation.
func (a *Actor) RemoveDangling(ctx context.Context, queue string, state model.State,
	ids []string,
) (Result, error) {
	if a.opts.ReadOnly {
		return Result{}, ErrReadOnly
	}
	if len(ids) == 0 || state == model.Aggregating {
		return Result{}, errors.New("select the task data missing rows of a state to remove")
	}
	rec, err := a.begin("remove_dangling", queue, state, ids, len(ids))
	if err != nil {
		return Result{}, err
	}
	res, err := a.removeDangling(ctx, queue, state, ids)
	return res, rec.finish(res, outcomeOf(res, err), err)
}

func (a *Actor) removeDangling(ctx context.Context, q string, s model.State, ids []string) (
	Result, error,
) {
	res := Result{Action: "remove_dangling", Queue: q}
	kind := "zset"
	if s == model.Pending || s == model.Active {
		kind = "list"
	}
	for _, id := range ids {
		n, err := removeDanglingCmd.Run(ctx, a.rdb, []string{taskKey(q, id), stateKey(q, s)},
			id, kind).Int()
		if err != nil {
			return res, a.writeErr("remove_dangling", q, err)
		}
		if n < 0 {
			res.Skipped++
		} else if n > 0 {
			res.Done++
		}
	}
	res.Message = fmt.Sprintf("queue %s: removed %s dangling %s from %s", showQueue(q),
		commas(res.Done), plural(res.Done, "reference", "references"), showState(s))
	if res.Skipped > 0 {
		res.Message += fmt.Sprintf("; %s left alone: the task data exists again",
			commas(res.Skipped))
	}
	return res, nil
}
