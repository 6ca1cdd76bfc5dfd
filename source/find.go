package source

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/redis/go-redis/v9"
)

// Bounds on Find and TypeCounts.
const (
	// FindMessageLimit is the largest message Find and TypeCounts read; bigger ones are
	// counted in SkippedLarge or under TypeTooLarge.
	FindMessageLimit = 1 << 20
	// MaxFindMatches is the most matches Find returns; it stops once it has them.
	MaxFindMatches = 500
	// DefaultFindMaxTasks and DefaultFindMaxTime bound a Find whose query leaves them zero.
	DefaultFindMaxTasks = 100_000
	DefaultFindMaxTime  = 10 * time.Second
	// DefaultTypeSample is the sample size of TypeCounts when sample is zero.
	DefaultTypeSample = 1000

	scanBatch = 200
	// fetchChunk bounds the message bytes one pipeline of HGETs carries.
	fetchChunk = 8 << 20
	// matchPayloadBudget bounds the payload bytes kept across Find's matches; later
	// matches keep their sizes but not their payloads (open the task to read).
	matchPayloadBudget = 8 << 20
	// typeCountBudget bounds the message bytes one TypeCounts reads.
	typeCountBudget = 64 << 20
	// typeWindows is how many evenly spread stretches of a big state TypeCounts samples.
	typeWindows   = 10
	maxTypeSample = 100_000
)

// The keys of TypeCountResult.Counts for tasks whose type could not be read.
const (
	TypeMissing     = "(task data missing)"
	TypeUndecodable = "(undecodable)"
	TypeTooLarge    = "(too large to read)"
)

// FindQuery says what Find looks for.
type FindQuery struct {
	Queue string
	State model.State
	// Group names the aggregation group; required for Aggregating.
	Group string
	// Text is matched case-insensitively against each task's ID, type, last error and
	// payload; empty matches every task.
	Text string
	// MaxTasks and MaxTime bound the scan (DefaultFindMaxTasks, DefaultFindMaxTime).
	MaxTasks int
	MaxTime  time.Duration
}

// FindResult is what Find found and how much of the state it covered.
type FindResult struct {
	// Matches are the matching tasks in scan order, at most MaxFindMatches.
	Matches []model.Task
	// Scanned is how many listed tasks were examined, of Total listed at the start.
	Scanned, Total int
	// SkippedLarge counts tasks whose message exceeded FindMessageLimit; they were
	// matched on their ID only.
	SkippedLarge int
	// Complete is true when every listed task was examined.
	Complete bool
}

// Find scans a state's tasks in batches of 200 (three round trips each) and returns
// those matching q.Text. It stops at MaxFindMatches matches, at q.MaxTasks examined,
// after q.MaxTime, or when ctx is done; it then returns what it found with Complete
// false and no error. progress, when not nil, is called after each batch. It never
// writes.
//
// Lists are scanned from the head by index, so tasks pushed meanwhile may be seen twice
// (a match is returned once), never skipped; sorted sets are scanned by score, so
// removals do not shift the scan.
func (s *Source) Find(ctx context.Context, q FindQuery, progress func(scanned, total int)) (
	FindResult, error,
) {
	var res FindResult
	k, err := keyOf(q.Queue, q.State, q.Group)
	if err != nil {
		return res, err
	}
	maxTasks, maxTime := q.MaxTasks, q.MaxTime
	if maxTasks <= 0 {
		maxTasks = DefaultFindMaxTasks
	}
	if maxTime <= 0 {
		maxTime = DefaultFindMaxTime
	}
	ctx, cancel := context.WithTimeout(ctx, maxTime)
	defer cancel()

	f := finder{needle: strings.ToLower(q.Text), seen: map[string]bool{}}
	sc := scanner{src: s, key: k, min: "-inf"}
	for !sc.done && res.Scanned < maxTasks && len(res.Matches) < MaxFindMatches {
		rows, total, err := sc.next(ctx, min(scanBatch, maxTasks-res.Scanned))
		if err == nil {
			err = s.readBodies(ctx, q.Queue, rows, &res.SkippedLarge)
		}
		if err != nil {
			if ctx.Err() != nil {
				return res, nil
			}
			return res, err
		}
		if res.Scanned == 0 {
			res.Total = total
		}
		res.Scanned += len(rows)
		f.add(&res, q.Queue, q.State, rows)
		if progress != nil {
			progress(res.Scanned, res.Total)
		}
	}
	// Full matches end the scan; it is complete only if nothing was left.
	res.Complete = sc.done && !f.truncated
	return res, nil
}

// readBodies reads the metadata of rows, then their messages up to FindMessageLimit
// each, in pipelines of at most fetchChunk bytes; skipped counts the bigger ones.
func (s *Source) readBodies(ctx context.Context, queue string, rows []row, skipped *int) error {
	if len(rows) == 0 {
		return nil
	}
	if err := s.readMeta(ctx, queue, rows, false, nil); err != nil {
		return err
	}
	var chunk []*row
	size := 0
	for i := range rows {
		r := &rows[i]
		if !r.exists && r.err == nil {
			r.legacy = legacyMember(r.id)
		}
		if !r.exists || r.err != nil || r.msgSize == 0 {
			continue
		}
		if r.msgSize > FindMessageLimit {
			*skipped++
			continue
		}
		if size+r.msgSize > fetchChunk && len(chunk) > 0 {
			if err := s.readMessages(ctx, queue, chunk); err != nil {
				return err
			}
			chunk, size = nil, 0
		}
		chunk, size = append(chunk, r), size+r.msgSize
	}
	if len(chunk) == 0 {
		return nil
	}
	return s.readMessages(ctx, queue, chunk)
}

// finder collects Find's matches.
type finder struct {
	needle string
	seen   map[string]bool
	kept   int
	// truncated is set when rows were left unexamined because the matches were full.
	truncated bool
}

func (f *finder) add(res *FindResult, queue string, state model.State, rows []row) {
	for i := range rows {
		if len(res.Matches) >= MaxFindMatches {
			f.truncated = true
			return
		}
		t := rows[i].task(queue, state, time.Time{})
		if f.seen[t.ID] || !matches(t, f.needle) {
			continue
		}
		f.seen[t.ID] = true
		if f.kept+len(t.Payload) > matchPayloadBudget {
			t.Payload, t.PayloadFetched = nil, false
		}
		f.kept += len(t.Payload)
		res.Matches = append(res.Matches, t)
	}
}

// matches reports whether needle (lower case) occurs in the task's ID, type, last error
// or payload, ignoring case.
func matches(t model.Task, needle string) bool {
	if needle == "" {
		return true
	}
	for _, s := range []string{t.ID, t.Type, t.LastError} {
		if strings.Contains(strings.ToLower(s), needle) {
			return true
		}
	}
	return bytes.Contains(bytes.ToLower(t.Payload), []byte(needle))
}

// scanner walks a state key in batches: a list by index from the head, a sorted set by
// score with a cursor of (last score, entries seen at that score).
type scanner struct {
	src  *Source
	key  stateKeyInfo
	done bool

	index int
	min   string
	skip  int64
}

// next reads up to n more entries and the key's current size.
func (sc *scanner) next(ctx context.Context, n int) ([]row, int, error) {
	pipe := sc.src.rdb.Pipeline()
	var size *redis.IntCmd
	var list *redis.StringSliceCmd
	var zs *redis.ZSliceCmd
	if sc.key.list {
		size = pipe.LLen(ctx, sc.key.key)
		list = pipe.LRange(ctx, sc.key.key, int64(sc.index), int64(sc.index+n-1))
	} else {
		size = pipe.ZCard(ctx, sc.key.key)
		zs = pipe.ZRangeByScoreWithScores(ctx, sc.key.key, &redis.ZRangeBy{
			Min: sc.min, Max: "+inf", Offset: sc.skip, Count: int64(n)})
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, sc.src.explain("scan "+sc.key.key, err)
	}
	if sc.key.list {
		ids := list.Val()
		rows := make([]row, len(ids))
		for i, id := range ids {
			rows[i] = row{id: id}
		}
		sc.index += len(ids)
		sc.done = len(ids) < n
		return rows, int(size.Val()), nil
	}
	rows := zsetRows(zs.Val())
	sc.advance(rows)
	sc.done = len(rows) < n
	return rows, int(size.Val()), nil
}

// advance moves the sorted-set cursor past rows: the next read starts at the last score,
// skipping the entries at that score already seen.
func (sc *scanner) advance(rows []row) {
	if len(rows) == 0 {
		return
	}
	last := rows[len(rows)-1].score
	same := int64(0)
	for _, r := range rows {
		if r.score == last {
			same++
		}
	}
	next := strconv.FormatFloat(last, 'g', -1, 64)
	if next == sc.min {
		sc.skip += same
	} else {
		sc.min, sc.skip = next, same
	}
}

// TypeCountResult counts a state's tasks by type.
type TypeCountResult struct {
	// Counts maps task type to tasks; unreadable tasks count under TypeMissing,
	// TypeUndecodable or TypeTooLarge.
	Counts map[string]int
	// Exact is true when every listed task was read; otherwise Counts is a sample of
	// Sampled tasks spread evenly over the state's Total.
	Exact          bool
	Sampled, Total int
}

// TypeCounts counts the tasks of a state by type: exactly when the state lists at most
// sample tasks (DefaultTypeSample when zero), else over a sample of that many taken in
// ten evenly spread stretches. It reads at most 64 MiB of messages and never one over
// FindMessageLimit. Aggregating tasks are counted per group and are not supported.
func (s *Source) TypeCounts(ctx context.Context, queue string, state model.State,
	sample int,
) (TypeCountResult, error) {
	res := TypeCountResult{Counts: map[string]int{}}
	if state == model.Aggregating {
		return res, errors.New("type counts are not available for aggregating tasks")
	}
	k, err := keyOf(queue, state, "")
	if err != nil {
		return res, err
	}
	if sample <= 0 {
		sample = DefaultTypeSample
	}
	sample = min(sample, maxTypeSample)

	rows, total, err := s.sampleRows(ctx, k, sample)
	if err != nil {
		return res, s.explain(describe("count", queue, state), err)
	}
	res.Total = total
	read := 0
	for start := 0; start < len(rows) && read < typeCountBudget; start += scanBatch {
		batch := rows[start:min(start+scanBatch, len(rows))]
		var skipped int
		if err := s.readBodies(ctx, queue, batch, &skipped); err != nil {
			return res, err
		}
		for i := range batch {
			read += len(batch[i].msg)
			res.Counts[typeOf(batch[i].task(queue, state, time.Time{}))]++
		}
		res.Sampled += len(batch)
	}
	res.Exact = res.Sampled == total
	return res, nil
}

// typeOf is the key a task counts under in TypeCounts.
func typeOf(t model.Task) string {
	switch {
	case t.Problem == model.ProblemMissing:
		return TypeMissing
	case t.Type != "" || t.PayloadFetched:
		return t.Type
	case t.Problem == model.ProblemUndecodable:
		return TypeUndecodable
	}
	return TypeTooLarge
}

// sampleRows reads the IDs to count in two round trips: the key's size, then either
// every entry or typeWindows evenly spread stretches adding up to sample.
func (s *Source) sampleRows(ctx context.Context, k stateKeyInfo, sample int) (
	[]row, int, error,
) {
	var size *redis.IntCmd
	if k.list {
		size = s.rdb.LLen(ctx, k.key)
	} else {
		size = s.rdb.ZCard(ctx, k.key)
	}
	if err := size.Err(); err != nil {
		return nil, 0, err
	}
	total := int(size.Val())
	if total == 0 {
		return nil, 0, nil
	}
	windows := [][2]int{{0, total}}
	if total > sample {
		windows = spread(total, sample, typeWindows)
	}
	pipe := s.rdb.Pipeline()
	replies := make([]rangeReply, len(windows))
	for i, w := range windows {
		replies[i] = addRange(ctx, pipe, k, w[0], w[1], true)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, err
	}
	var rows []row
	for _, r := range replies {
		part, _, err := r.rows()
		if err != nil {
			return nil, 0, err
		}
		rows = append(rows, part...)
	}
	return rows, total, nil
}

// spread splits a sample of n out of total into w stretches [start, length) spread
// evenly over the index range.
func spread(total, n, w int) [][2]int {
	w = min(w, n)
	out := make([][2]int, w)
	for i := range out {
		length := n / w
		if i < n%w {
			length++
		}
		out[i] = [2]int{i * total / w, length}
	}
	return out
}
