package actions

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/source/wire"
)

// Bounds of Preview's retry check: how many tasks it reads the messages of, and how many
// bytes of messages in all (a payload can be megabytes).
const (
	maxRetryChecks   = 1000
	retryCheckBudget = 4 << 20
)

// retryCount is what Preview found about the retries of the tasks a requeue touches:
// how many of the checked ones have used all their retries, out of total.
type retryCount struct {
	exhausted, checked, total int
}

// effect is the sentence for the confirmation dialog, naming the sample when not every
// task was checked; "" when no checked task is out of retries.
func (r retryCount) effect() string {
	if r.exhausted == 0 {
		return ""
	}
	who := commas(r.exhausted) + " of these tasks"
	if r.checked < r.total {
		who = fmt.Sprintf("in a sample of %s of these %s tasks, %s", commas(r.checked),
			commas(r.total), commas(r.exhausted))
	}
	return fmt.Sprintf("%s %s used all %s retries and asynq keeps the count on requeue: "+
		"one more failure archives %s again without retrying", who,
		plural(r.exhausted, "has", "have"), plural(r.exhausted, "its", "their"),
		plural(r.exhausted, "it", "them"))
}

// scanRetries reads the messages of the selected tasks, or of the first maxRetryChecks
// tasks of the state for All, within retryCheckBudget bytes, and counts those whose
// retried count has reached their maximum: asynq archives such a task on its next
// failure. A task whose message is gone, too big for the budget or undecodable is not
// counted as checked.
func (a *Actor) scanRetries(ctx context.Context, op Op, ids []string, count int) (
	retryCount, error,
) {
	rc := retryCount{total: count}
	sample := ids[:min(len(ids), maxRetryChecks)]
	if op.All {
		var err error
		if sample, err = a.rangeIDs(ctx, op.Queue, op.State, 0, maxRetryChecks); err != nil {
			return rc, err
		}
	}
	msgs, err := a.messages(ctx, op.Queue, sample)
	if err != nil {
		return rc, err
	}
	for _, b := range msgs {
		m, err := wire.DecodeTask(b)
		if err != nil {
			continue
		}
		rc.checked++
		if m.Retried >= m.Retry {
			rc.exhausted++
		}
	}
	return rc, nil
}

// messages reads the msg fields of ids in two round trips, their sizes and then the
// messages that fit in retryCheckBudget. A message that is gone or too big is left out.
func (a *Actor) messages(ctx context.Context, q string, ids []string) ([][]byte, error) {
	sizes := make([]*redis.IntCmd, len(ids))
	if _, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			sizes[i] = p.HStrLen(ctx, taskKey(q, id), "msg")
		}
		return nil
	}); err != nil && !isReplyError(err) {
		return nil, a.src.Explain("read", err)
	}

	var gets []*redis.StringCmd
	used := 0
	if _, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			n := int(sizes[i].Val())
			if n == 0 || used+n > retryCheckBudget {
				continue
			}
			used += n
			gets = append(gets, p.HGet(ctx, taskKey(q, id), "msg"))
		}
		return nil
	}); err != nil && !isReplyError(err) {
		return nil, a.src.Explain("read", err)
	}

	out := make([][]byte, 0, len(gets))
	for _, g := range gets {
		if b, err := g.Bytes(); err == nil {
			out = append(out, b)
		}
	}
	return out, nil
}
