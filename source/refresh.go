package source

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/redis/go-redis/v9"
)

// MaxGroupsCounted is the number of aggregation groups above which a refresh does not
// count aggregating tasks (that would cost one command per group); the count is then
// shown as unavailable and computed on demand.
const MaxGroupsCounted = 64

// The third round trip reads the pending list from tailBehind places before the tail
// seen one round trip earlier, up to tailAhead places past it: between the two round
// trips workers consume from the tail and producers push at the head, which moves the
// tail's index. SORT stops at the list's end, so the usual reply is tailBehind+1 values.
const (
	tailBehind = 16
	tailAhead  = 4096
)

// queueReads are the replies of the second round trip for one queue.
type queueReads struct {
	pending, active                   *redis.IntCmd
	scheduled, retry, archived, compl *redis.IntCmd
	// flags holds paused, processed, failed, processed:<day>, failed:<day>.
	flags  *redis.SliceCmd
	groups *redis.IntCmd
	// oldest is the tail ID, read here only when SORT_RO is unavailable (Redis < 7).
	oldest *redis.StringCmd
	// groupNames is read only for queues that had groups at the previous refresh.
	groupNames *redis.StringSliceCmd
}

// Refresh reads every queue in one snapshot using at most three round trips whatever the
// number of queues: (1) Redis TIME and the queue set, (2) the sizes, flags and counters of
// every queue, (3) the oldest pending task's enqueue time and small groups' sizes. extra
// names queues known from live servers' configuration that may be missing from the set.
// It never writes. A failure of one queue's reads marks that queue; only a failure of the
// whole exchange returns an error.
//
// TODO(refresh): a queue missing from asynq:queues (a Redis restart empties the set, and
// asynq's client registers a queue once per process) that no live server is configured
// for is not found, even with tasks: finding it needs a SCAN of the whole keyspace, far
// too costly for every refresh. An on-demand scan could offer it.
func (s *Source) Refresh(ctx context.Context, extra []string) (model.Snapshot, error) {
	start := time.Now()
	var snap model.Snapshot

	now, names, err := s.readClockAndQueues(ctx)
	if err != nil {
		return snap, err
	}
	snap.Time = now
	snap.RoundTrips = 1
	registered := make(map[string]bool, len(names))
	for _, n := range names {
		registered[n] = true
	}
	seen := make(map[string]bool, len(extra))
	for _, n := range extra {
		// Several servers list the same queues: each name once.
		if !registered[n] && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)

	reads, err := s.readQueues(ctx, names, now)
	if err != nil {
		return snap, err
	}
	snap.RoundTrips++
	snap.Queues = make([]model.QueueStats, len(names))
	for i, n := range names {
		snap.Queues[i] = decodeQueue(n, registered[n], reads[i])
	}

	trips, err := s.readDetails(ctx, snap.Queues, reads)
	if err != nil {
		return snap, err
	}
	snap.RoundTrips += trips
	snap.Took = time.Since(start)
	return snap, nil
}

func (s *Source) readClockAndQueues(ctx context.Context) (time.Time, []string, error) {
	pipe := s.rdb.Pipeline()
	clock := pipe.Time(ctx)
	members := pipe.SMembers(ctx, keyQueues)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return time.Time{}, nil, s.explain("read queues", err)
	}
	return clock.Val(), members.Val(), nil
}

func (s *Source) readQueues(ctx context.Context, names []string, now time.Time) (
	[]queueReads, error,
) {
	reads := make([]queueReads, len(names))
	if len(names) == 0 {
		return reads, nil
	}
	pipe := s.rdb.Pipeline()
	for i, q := range names {
		r := &reads[i]
		r.pending = pipe.LLen(ctx, stateKey(q, "pending"))
		r.active = pipe.LLen(ctx, stateKey(q, "active"))
		r.scheduled = pipe.ZCard(ctx, stateKey(q, "scheduled"))
		r.retry = pipe.ZCard(ctx, stateKey(q, "retry"))
		r.archived = pipe.ZCard(ctx, stateKey(q, "archived"))
		r.compl = pipe.ZCard(ctx, stateKey(q, "completed"))
		// One MGET: every key shares the queue's hash tag, so this holds on Cluster too.
		r.flags = pipe.MGet(ctx, pausedKey(q), processedTotalKey(q), failedTotalKey(q),
			processedDayKey(q, now), failedDayKey(q, now))
		r.groups = pipe.SCard(ctx, groupsKey(q))
		if !s.sortRO {
			// asynq LPUSHes new tasks and RPOPLPUSHes work, so the oldest is at the tail.
			r.oldest = pipe.LIndex(ctx, stateKey(q, "pending"), -1)
		}
		if s.hadGroups(q) {
			// SRANDMEMBER with a positive count returns every member of a small set.
			r.groupNames = pipe.SRandMemberN(ctx, groupsKey(q), MaxGroupsCounted)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return nil, s.explain("read queue stats", err)
	}
	return reads, nil
}

// readDetails runs the third round trip, when any queue needs it: the oldest pending
// task's pending_since and the sizes of small aggregation groups.
func (s *Source) readDetails(ctx context.Context, qs []model.QueueStats, reads []queueReads) (
	int, error,
) {
	since := make([]sinceReply, len(qs))
	groups := make([][]*redis.IntCmd, len(qs))
	pipe := s.rdb.Pipeline()
	queued := 0
	for i := range qs {
		q := &qs[i]
		if q.Err != "" {
			continue
		}
		if q.Pending > 0 {
			since[i] = s.queueOldest(ctx, pipe, q, reads[i])
			queued++
		}
		if q.Groups > 0 && q.Groups <= MaxGroupsCounted && reads[i].groupNames != nil {
			for _, g := range reads[i].groupNames.Val() {
				groups[i] = append(groups[i], pipe.ZCard(ctx, groupKey(q.Name, g)))
				queued++
			}
		}
	}
	trips := 0
	if queued > 0 {
		trips = 1
		if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
			return 1, s.explain("read queue details", err)
		}
	}
	for i := range qs {
		applyDetails(&qs[i], since[i], groups[i])
		s.remember(&qs[i])
	}
	return trips, nil
}

// sinceReply is the third round trip's answer about the oldest pending task: a window
// of pending_since values ending at the tail (SORT_RO), or the tail's own (HGET).
type sinceReply struct {
	window *redis.StringSliceCmd
	one    *redis.StringCmd
}

// queueOldest queues the read of the oldest pending task's enqueue time. With SORT_RO
// (Redis 7) that is one command over a window around the tail seen in the second round
// trip; the last element SORT returns is the tail now. Before Redis 7 it is an HGET of
// the tail ID read in the second round trip.
func (s *Source) queueOldest(ctx context.Context, pipe redis.Pipeliner, q *model.QueueStats,
	r queueReads,
) sinceReply {
	if !s.sortRO {
		id, err := r.oldest.Result()
		if err != nil {
			return sinceReply{}
		}
		return sinceReply{one: pipe.HGet(ctx, taskKey(q.Name, id), "pending_since")}
	}
	off := max(0, q.Pending-1-tailBehind)
	return sinceReply{window: pipe.SortRO(ctx, stateKey(q.Name, "pending"), &redis.Sort{
		By: "nosort", Offset: off, Count: tailBehind + 1 + tailAhead,
		Get: []string{taskKeyPrefix(q.Name) + "*->pending_since"},
	})}
}

// oldestNanos is the enqueue time the reply carries, in Unix nanoseconds; 0 when unknown
// (no reply, a dangling ID, a task hash without pending_since).
func (r sinceReply) oldestNanos() int64 {
	var v string
	switch {
	case r.window != nil:
		vals, err := r.window.Result()
		if err != nil || len(vals) == 0 {
			return 0
		}
		v = vals[len(vals)-1]
	case r.one != nil:
		v = r.one.Val()
	}
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ns <= 0 {
		return 0
	}
	return ns
}

func applyDetails(q *model.QueueStats, since sinceReply, groups []*redis.IntCmd) {
	if ns := since.oldestNanos(); ns > 0 {
		q.OldestPending = time.Unix(0, ns)
		q.LatencyKnown = true
	}
	if q.Groups > 0 && q.Groups <= MaxGroupsCounted && groups != nil {
		var n int64
		for _, g := range groups {
			if g.Err() != nil {
				return
			}
			n += g.Val()
		}
		q.Aggregating = n
		q.AggregatingKnown = true
	}
}

// decodeQueue turns one queue's replies into figures. A wrong-type key or any other
// per-command error marks the queue with the first such error.
func decodeQueue(name string, registered bool, r queueReads) model.QueueStats {
	q := model.QueueStats{Name: name, Registered: registered}
	var firstErr error
	count := func(c *redis.IntCmd) int64 {
		n, err := c.Result()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return n
	}
	q.Pending, q.Active = count(r.pending), count(r.active)
	q.Scheduled, q.Retry = count(r.scheduled), count(r.retry)
	q.Archived, q.Completed = count(r.archived), count(r.compl)
	q.Groups = count(r.groups)
	q.AggregatingKnown = q.Groups == 0
	flags, err := r.flags.Result()
	if err != nil && firstErr == nil {
		firstErr = err
	}
	if len(flags) == 5 {
		decodePaused(&q, flags[0])
		q.ProcessedTotal, q.FailedTotal = counterValue(flags[1]), counterValue(flags[2])
		q.ProcessedToday, q.FailedToday = counterValue(flags[3]), counterValue(flags[4])
	}
	if firstErr != nil {
		q.Err = fmt.Sprintf("cannot read queue %q: %v", name, firstErr)
	}
	return q
}

// decodePaused reads asynq's paused flag, whose value is the Unix time of the pause.
func decodePaused(q *model.QueueStats, v any) {
	if v == nil {
		return
	}
	q.Paused = true
	if sec := counterValue(v); sec > 0 {
		q.PausedSince = time.Unix(sec, 0)
	}
}

// counterValue reads one MGET value as an integer; a missing key or junk is zero.
func counterValue(v any) int64 {
	s, ok := v.(string)
	if !ok {
		return 0
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// isConnError tells a failure of the exchange itself from a per-command reply error such
// as WRONGTYPE, which only concerns one queue.
func isConnError(err error) bool {
	if err == nil || errors.Is(err, redis.Nil) {
		return false
	}
	var re redis.Error
	return !errors.As(err, &re)
}
