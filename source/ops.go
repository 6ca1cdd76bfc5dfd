package source

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source/wire"
	"github.com/redis/go-redis/v9"
)

// Bounds on the reads of groups, workers and schedulers.
const (
	// DefaultGroupLimit is the most groups Groups lists when limit is zero.
	DefaultGroupLimit = 1000
	// DefaultAggregatingTimeout bounds AggregatingCount when timeout is zero.
	DefaultAggregatingTimeout = 2 * time.Second
	// groupScanTime bounds Groups' SSCAN however many groups a queue has.
	groupScanTime  = 2 * time.Second
	groupScanCount = 1000
	// maxRecordKeys bounds the worker and scheduler keys read; asynq has one per
	// process, so more means a hostile or abandoned keyspace.
	maxRecordKeys = 1000
	// maxSchedulerEntries bounds the entries read from one scheduler's list.
	maxSchedulerEntries = 1000
)

// GroupSize is one aggregation group and how many tasks it holds.
type GroupSize struct {
	Name string
	Size int64
}

// Groups lists up to limit aggregation groups of queue (DefaultGroupLimit when zero)
// with their sizes, biggest first. It walks the group set with SSCAN for at most two
// seconds, so a queue with a million groups costs bounded work; complete is false when
// the walk stopped before the end. It never writes.
func (s *Source) Groups(ctx context.Context, queue string, limit int) ([]GroupSize, bool,
	error,
) {
	if limit <= 0 {
		limit = DefaultGroupLimit
	}
	deadline := time.Now().Add(groupScanTime)
	seen := map[string]bool{}
	var names []string
	var cursor uint64
	dropped := false
	for {
		keys, next, err := s.rdb.SScan(ctx, groupsKey(queue), cursor, "", groupScanCount).Result()
		if err != nil {
			return nil, false, s.explain(fmt.Sprintf("list groups of queue %q", queue), err)
		}
		for _, k := range keys {
			switch {
			case seen[k]:
			case len(names) < limit:
				seen[k] = true
				names = append(names, k)
			default:
				dropped = true
			}
		}
		cursor = next
		if cursor == 0 || len(names) >= limit || time.Now().After(deadline) {
			break
		}
	}
	// A small set comes whole in one SSCAN reply, so the cursor alone cannot tell.
	complete := cursor == 0 && !dropped

	groups, err := s.groupSizes(ctx, queue, names)
	return groups, complete, err
}

// groupSizes reads the size of each named group in one round trip.
func (s *Source) groupSizes(ctx context.Context, queue string, names []string) (
	[]GroupSize, error,
) {
	if len(names) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	cards := make([]*redis.IntCmd, len(names))
	for i, n := range names {
		cards[i] = pipe.ZCard(ctx, groupKey(queue, n))
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return nil, s.explain(fmt.Sprintf("read groups of queue %q", queue), err)
	}
	out := make([]GroupSize, len(names))
	for i, n := range names {
		out[i] = GroupSize{Name: n, Size: cards[i].Val()}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Size != out[j].Size {
			return out[i].Size > out[j].Size
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// AggregatingCount counts queue's aggregating tasks by walking every group, which costs
// one command per group; the refresh leaves the count unknown above MaxGroupsCounted
// groups and the view calls this on demand. It gives up after timeout
// (DefaultAggregatingTimeout when zero) and then returns the partial sum with known
// false and no error. Each round trip reads the next SSCAN page and the sizes of the
// groups found by the previous one.
func (s *Source) AggregatingCount(ctx context.Context, queue string, timeout time.Duration) (
	int64, bool, error,
) {
	if timeout <= 0 {
		timeout = DefaultAggregatingTimeout
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	seen := map[string]bool{}
	var total int64
	var pending []string
	var cursor uint64
	for started := false; !started || cursor != 0 || len(pending) > 0; started = true {
		pipe := s.rdb.Pipeline()
		var scan *redis.ScanCmd
		if !started || cursor != 0 {
			scan = pipe.SScan(ctx, groupsKey(queue), cursor, "", groupScanCount)
		}
		cards := make([]*redis.IntCmd, len(pending))
		for i, g := range pending {
			cards[i] = pipe.ZCard(ctx, groupKey(queue, g))
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			if ctx.Err() != nil && parent.Err() == nil {
				return total, false, nil
			}
			return total, false, s.explain(fmt.Sprintf("count aggregating tasks of queue %q",
				queue), err)
		}
		for _, c := range cards {
			total += c.Val()
		}
		pending = pending[:0]
		if scan != nil {
			var keys []string
			keys, cursor = scan.Val()
			for _, k := range keys {
				if !seen[k] {
					seen[k] = true
					pending = append(pending, k)
				}
			}
		}
	}
	return total, true, nil
}

// Workers lists the tasks being processed, as live servers' heartbeats record them, in
// two round trips: the worker keys from asynq:workers, then every worker hash. Unlike
// asynq's Inspector it never prunes expired entries: keys whose heartbeat lapsed are
// skipped, not deleted. A record that cannot be decoded is skipped.
func (s *Source) Workers(ctx context.Context) ([]model.Worker, error) {
	_, keys, err := s.liveKeys(ctx, keyWorkers)
	if err != nil {
		return nil, s.explain("read workers", err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	vals := make([]*redis.StringSliceCmd, len(keys))
	for i, k := range keys {
		vals[i] = pipe.HVals(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return nil, s.explain("read workers", err)
	}
	var out []model.Worker
	for _, v := range vals {
		for _, raw := range v.Val() {
			w, err := wire.DecodeWorker([]byte(raw))
			if err != nil {
				continue
			}
			out = append(out, model.Worker{
				Host: w.Host, PID: w.PID, ServerID: w.ServerID, TaskID: w.TaskID,
				TaskType: w.TaskType, Queue: w.Queue, Started: w.Started, Deadline: w.Deadline,
			})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Started.Equal(out[j].Started) {
			return out[i].Started.Before(out[j].Started)
		}
		return out[i].TaskID < out[j].TaskID
	})
	return out, nil
}

// liveKeys reads Redis TIME and the members of the sorted set index whose score (an
// expiry, Unix seconds) has not passed, at most maxRecordKeys of them.
func (s *Source) liveKeys(ctx context.Context, index string) (time.Time, []string, error) {
	pipe := s.rdb.Pipeline()
	clock := pipe.Time(ctx)
	members := pipe.ZRangeWithScores(ctx, index, 0, maxRecordKeys-1)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return time.Time{}, nil, err
	}
	now := clock.Val()
	var keys []string
	for _, z := range members.Val() {
		if float64(now.Unix()) <= z.Score {
			keys = append(keys, memberString(z.Member))
		}
	}
	return now, keys, nil
}

// Schedulers lists the periodic task entries of live asynq Schedulers in at most three
// round trips: the scheduler keys from asynq:schedulers, each scheduler's list of
// entries, and the newest event of each entry's enqueue history (for LastTaskID, and
// Prev when the history is newer). It never writes; lapsed schedulers are skipped and
// undecodable entries dropped.
func (s *Source) Schedulers(ctx context.Context) ([]model.SchedulerEntry, error) {
	_, keys, err := s.liveKeys(ctx, keySchedulers)
	if err != nil {
		return nil, s.explain("read schedulers", err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	lists := make([]*redis.StringSliceCmd, len(keys))
	for i, k := range keys {
		lists[i] = pipe.LRange(ctx, k, 0, maxSchedulerEntries-1)
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return nil, s.explain("read scheduler entries", err)
	}
	var out []model.SchedulerEntry
	for i, k := range keys {
		id := schedulerID(k)
		for _, raw := range lists[i].Val() {
			e, err := wire.DecodeSchedulerEntry([]byte(raw))
			if err != nil {
				continue
			}
			out = append(out, model.SchedulerEntry{SchedulerID: id, ID: e.ID, Spec: e.Spec,
				TaskType: e.TaskType, Options: e.Options, Next: e.Next, Prev: e.Prev})
		}
	}
	if err := s.readLastEnqueues(ctx, out); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].SchedulerID != out[j].SchedulerID {
			return out[i].SchedulerID < out[j].SchedulerID
		}
		return out[i].Next.Before(out[j].Next)
	})
	return out, nil
}

// readLastEnqueues reads the newest event of each entry's history in one round trip.
func (s *Source) readLastEnqueues(ctx context.Context, entries []model.SchedulerEntry) error {
	if len(entries) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	last := make([]*redis.ZSliceCmd, len(entries))
	for i, e := range entries {
		last[i] = pipe.ZRevRangeWithScores(ctx, "asynq:scheduler_history:"+e.ID, 0, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return s.explain("read scheduler history", err)
	}
	for i := range entries {
		zs := last[i].Val()
		if len(zs) == 0 {
			continue
		}
		ev, err := wire.DecodeSchedulerEvent([]byte(memberString(zs[0].Member)))
		if err != nil {
			continue
		}
		entries[i].LastTaskID = ev.TaskID
		when := ev.Enqueued
		if when.IsZero() {
			when = scoreTime(zs[0].Score)
		}
		if when.After(entries[i].Prev) {
			entries[i].Prev = when
		}
	}
	return nil
}

// schedulerID reads the ID out of a key asynq:schedulers:{<id>}.
func schedulerID(key string) string {
	id := strings.TrimPrefix(key, keySchedulers+":")
	if strings.HasPrefix(id, "{") && strings.HasSuffix(id, "}") {
		return id[1 : len(id)-1]
	}
	return id
}
