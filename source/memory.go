package source

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/asynqtop/asynqtop/model"
	"github.com/redis/go-redis/v9"
)

// Bounds on what one memory estimate costs Redis: at most MemorySample task hashes per
// state, memoryGroups aggregation groups and MemorySample aggregating tasks across them,
// in at most three round trips and under two hundred commands whatever the queue's size.
const (
	// MemorySample is how many task hashes per state Memory measures, from the start of
	// the state's list or sorted set.
	MemorySample = 20
	memoryGroups = 8
)

// Reasons Memory gives for having no figure.
const (
	memoryDisabled = "MEMORY command disabled on this server"
	memoryDenied   = "no permission for MEMORY"
)

// sampledState is one state's reads: its size, the IDs at its start, and the MEMORY
// USAGE of each of their task hashes.
type sampledState struct {
	size   *redis.IntCmd
	ids    *redis.StringSliceCmd
	hashes []*redis.IntCmd
}

// sampledGroup is one aggregation group's reads, like sampledState plus its own key.
type sampledGroup struct {
	sampledState
	usage *redis.IntCmd
}

// memoryReads are every reply Memory needs.
type memoryReads struct {
	keys       []*redis.IntCmd
	states     []sampledState
	groupCount *redis.IntCmd
	groupNames *redis.StringSliceCmd
	groups     []sampledGroup
}

// Memory estimates how much Redis memory queue takes: MEMORY USAGE of its state keys,
// flags and counters, plus the task hashes, of which up to MemorySample per state are
// measured and the rest extrapolated from their mean. It is meant to be called on demand
// (a person looking at the queue), not on every refresh. When the server has MEMORY
// disabled, or the user may not run it, the result says so in Unavailable and the error
// is nil: that is a fact about the server, not a failure. It never writes.
//
// TODO(memory): unique-task locks and the daily counters are not counted; both are
// small next to the task hashes, and finding the locks would need a SCAN.
func (s *Source) Memory(ctx context.Context, queue string) (model.Memory, error) {
	r := s.readMemoryKeys(ctx, queue)
	if err := r.keys[0].Err(); err != nil && isConnError(err) {
		return model.Memory{}, s.explain("estimate memory of queue "+strconv.Quote(queue), err)
	}
	if why := memoryRefusal(r.keys); why != "" {
		return model.Memory{Unavailable: why}, nil
	}
	if err := s.readMemorySamples(ctx, queue, &r); err != nil {
		return model.Memory{}, s.explain("estimate memory of queue "+strconv.Quote(queue), err)
	}
	return r.estimate(), nil
}

// readMemoryKeys is the first round trip: the queue's own keys, each state's size and
// first IDs, and a few of its aggregation groups. A connection failure shows as the error
// of every reply.
func (s *Source) readMemoryKeys(ctx context.Context, queue string) memoryReads {
	var r memoryReads
	pipe := s.rdb.Pipeline()
	for _, k := range queueKeys(queue) {
		r.keys = append(r.keys, pipe.MemoryUsage(ctx, k))
	}
	for _, st := range model.States() {
		k, err := keyOf(queue, st, "")
		if err != nil {
			continue // aggregating tasks live in the groups, read below
		}
		r.states = append(r.states, sampleKey(ctx, pipe, k))
	}
	r.groupCount = pipe.SCard(ctx, groupsKey(queue))
	r.groupNames = pipe.SRandMemberN(ctx, groupsKey(queue), memoryGroups)
	_, _ = pipe.Exec(ctx)
	return r
}

// queueKeys are the keys of a queue that are neither tasks nor aggregation groups; the
// state keys come first.
func queueKeys(q string) []string {
	keys := []string{}
	for _, st := range model.States() {
		if k, err := keyOf(q, st, ""); err == nil {
			keys = append(keys, k.key)
		}
	}
	return append(keys, pausedKey(q), processedTotalKey(q), failedTotalKey(q), leaseKey(q),
		groupsKey(q))
}

// sampleKey queues the size and the first MemorySample IDs of a list or sorted set.
func sampleKey(ctx context.Context, pipe redis.Pipeliner, k stateKeyInfo) sampledState {
	if k.list {
		return sampledState{size: pipe.LLen(ctx, k.key),
			ids: pipe.LRange(ctx, k.key, 0, MemorySample-1)}
	}
	return sampledState{size: pipe.ZCard(ctx, k.key),
		ids: pipe.ZRange(ctx, k.key, 0, MemorySample-1)}
}

// memoryRefusal says why the server would not run MEMORY USAGE, or "" when it did. A
// missing key's nil reply is not a refusal.
func memoryRefusal(usage []*redis.IntCmd) string {
	for _, c := range usage {
		err := c.Err()
		if err == nil || errors.Is(err, redis.Nil) {
			continue
		}
		msg := err.Error()
		switch {
		case strings.HasPrefix(msg, "NOPERM"):
			return memoryDenied
		case strings.HasPrefix(msg, "ERR unknown command"):
			return memoryDisabled
		}
		return "MEMORY USAGE refused: " + msg
	}
	return ""
}

// readMemorySamples measures the sampled task hashes and the sampled groups (second
// round trip), then the sampled aggregating tasks (a third, only when there are groups).
func (s *Source) readMemorySamples(ctx context.Context, queue string, r *memoryReads) error {
	pipe := s.rdb.Pipeline()
	for i := range r.states {
		r.states[i].hashes = measureTasks(ctx, pipe, queue, r.states[i].ids)
	}
	names, _ := r.groupNames.Result()
	perGroup := int64(0)
	if len(names) > 0 {
		perGroup = int64((MemorySample + len(names) - 1) / len(names))
	}
	for _, g := range names {
		key := groupKey(queue, g)
		r.groups = append(r.groups, sampledGroup{usage: pipe.MemoryUsage(ctx, key),
			sampledState: sampledState{size: pipe.ZCard(ctx, key),
				ids: pipe.ZRange(ctx, key, 0, perGroup-1)}})
	}
	if err := execReads(ctx, pipe); err != nil || len(r.groups) == 0 {
		return err
	}
	pipe = s.rdb.Pipeline()
	for i := range r.groups {
		r.groups[i].hashes = measureTasks(ctx, pipe, queue, r.groups[i].ids)
	}
	return execReads(ctx, pipe)
}

// measureTasks queues MEMORY USAGE of the task hash of every ID a read returned.
func measureTasks(ctx context.Context, pipe redis.Pipeliner, queue string,
	ids *redis.StringSliceCmd,
) []*redis.IntCmd {
	list, _ := ids.Result()
	out := make([]*redis.IntCmd, len(list))
	for i, id := range list {
		out[i] = pipe.MemoryUsage(ctx, taskKey(queue, id))
	}
	return out
}

// execReads runs a pipeline of reads; only a failure of the exchange is an error, since
// per-command replies (a wrong-type key) are judged one by one.
func execReads(ctx context.Context, pipe redis.Pipeliner) error {
	if pipe.Len() == 0 {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return err
	}
	return nil
}

// estimate adds up the replies: the measured keys as they are, each state's tasks as
// its sample's mean times its size, the groups scaled from the sampled ones.
func (r memoryReads) estimate() model.Memory {
	var m model.Memory
	m.Exact = true
	for _, k := range r.keys {
		m.Bytes += k.Val()
	}
	for _, st := range r.states {
		m.Bytes += st.tasks(&m)
	}
	groups := r.groupCount.Val()
	if len(r.groups) == 0 || groups <= 0 {
		return m
	}
	m.Exact = m.Exact && groups <= int64(len(r.groups))
	keyBytes := make([]int64, len(r.groups))
	sizes := make([]int64, len(r.groups))
	var sample []int64
	for i, g := range r.groups {
		keyBytes[i], sizes[i] = g.usage.Val(), g.size.Val()
		sample = append(sample, usages(g.hashes)...)
		m.Sampled += len(g.hashes)
		m.Exact = m.Exact && sizes[i] <= int64(len(g.hashes))
	}
	m.Bytes += model.Extrapolate(keyBytes, groups)
	m.Bytes += model.Extrapolate(sample, model.Extrapolate(sizes, groups))
	return m
}

// tasks is the estimated size of a state's task hashes; it counts the sample into m.
func (st sampledState) tasks(m *model.Memory) int64 {
	size := st.size.Val()
	m.Sampled += len(st.hashes)
	m.Exact = m.Exact && size <= int64(len(st.hashes))
	return model.Extrapolate(usages(st.hashes), size)
}

// usages are the byte counts of MEMORY USAGE replies; a task hash that is gone (nil
// reply) or unreadable counts as zero.
func usages(cmds []*redis.IntCmd) []int64 {
	out := make([]int64, len(cmds))
	for i, c := range cmds {
		out[i] = c.Val()
	}
	return out
}
