package source

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/redis/go-redis/v9"
)

// Daily reads asynq's daily processed and failed counters of queue for the last days
// UTC days, newest last, in one round trip. Days are UTC because asynq keys them by
// UTC date, whatever the local time zone.
func (s *Source) Daily(ctx context.Context, queue string, days int) ([]model.DailyStat, error) {
	pipe := s.rdb.Pipeline()
	clock := pipe.Time(ctx)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, s.explain("read Redis time", err)
	}
	today := clock.Val().UTC().Truncate(24 * time.Hour)

	out := make([]model.DailyStat, days)
	proc := make([]*redis.StringCmd, days)
	fail := make([]*redis.StringCmd, days)
	pipe = s.rdb.Pipeline()
	for i := range out {
		day := today.AddDate(0, 0, i-days+1)
		out[i].Day = day
		proc[i] = pipe.Get(ctx, processedDayKey(queue, day))
		fail[i] = pipe.Get(ctx, failedDayKey(queue, day))
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return nil, s.explain("read daily counters of queue "+strconv.Quote(queue), err)
	}
	for i := range out {
		out[i].Processed = intReply(proc[i])
		out[i].Failed = intReply(fail[i])
	}
	return out, nil
}

// intReply reads an integer counter; a missing key is zero.
func intReply(c *redis.StringCmd) int64 {
	v, err := c.Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}
