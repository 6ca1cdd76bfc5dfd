package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
)

// lockCheckPage is how many tasks one pair of pipelines checks.
const lockCheckPage = 1000

// lockCount is what Preview found about the unique locks of the tasks an action touches:
// how many hold their own lock, how many have a lock held by another task, and how many
// of total were checked.
type lockCount struct {
	self, other, checked, total int
}

// note says, when not every task was checked, which part the counts cover.
func (l lockCount) note() string {
	if l.checked >= l.total {
		return ""
	}
	return fmt.Sprintf(" (counted in the first %s of %s)", commas(l.checked), commas(l.total))
}

// scanLocks reads the unique locks of the selected tasks, or of the first maxLockChecks
// tasks of the state for All, a page at a time.
func (a *Actor) scanLocks(ctx context.Context, op Op, ids []string, count int) (
	lockCount, error,
) {
	lc := lockCount{total: count}
	for off := 0; off < min(count, maxLockChecks); off += lockCheckPage {
		page := ids[min(off, len(ids)):min(off+lockCheckPage, len(ids))]
		if op.All {
			var err error
			if page, err = a.rangeIDs(ctx, op.Queue, op.State, off, lockCheckPage); err != nil {
				return lc, err
			}
		}
		if len(page) == 0 {
			break
		}
		self, other, err := a.locksOf(ctx, op.Queue, page)
		if err != nil {
			return lc, err
		}
		lc.self += self
		lc.other += other
		lc.checked += len(page)
	}
	return lc, nil
}

// rangeIDs reads n IDs of a state's key from offset.
func (a *Actor) rangeIDs(ctx context.Context, q string, s model.State, off, n int) (
	[]string, error,
) {
	start, stop := int64(off), int64(off+n-1)
	var ids []string
	var err error
	if s == model.Pending {
		ids, err = a.rdb.LRange(ctx, stateKey(q, s), start, stop).Result()
	} else {
		ids, err = a.rdb.ZRange(ctx, stateKey(q, s), start, stop).Result()
	}
	if err != nil {
		return nil, a.src.Explain("read", err)
	}
	return ids, nil
}

// locksOf counts, among ids, the tasks holding their unique lock and those whose lock is
// held by another task. A unique_key outside the queue's unique: prefix is ignored.
func (a *Actor) locksOf(ctx context.Context, q string, ids []string) (self, other int,
	err error,
) {
	keys := make([]*redis.StringCmd, len(ids))
	if _, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			keys[i] = p.HGet(ctx, taskKey(q, id), "unique_key")
		}
		return nil
	}); err != nil && !isReplyError(err) {
		return 0, 0, a.src.Explain("read", err)
	}

	holders := make([]*redis.StringCmd, len(ids))
	if _, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			if ukey := k.Val(); strings.HasPrefix(ukey, uniquePrefix(q)) {
				holders[i] = p.Get(ctx, ukey)
			}
		}
		return nil
	}); err != nil && !isReplyError(err) {
		return 0, 0, a.src.Explain("read", err)
	}

	for i, h := range holders {
		switch {
		case h == nil || h.Err() != nil:
		case h.Val() == ids[i]:
			self++
		default:
			other++
		}
	}
	return self, other, nil
}

// isReplyError reports an error that concerns one command's reply (a missing field, a
// key of another type), not the connection.
func isReplyError(err error) bool {
	var re redis.Error
	return errors.Is(err, redis.Nil) || errors.As(err, &re)
}
