package source

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/payload"
	"github.com/asynqtop/asynqtop/source/wire"
	"github.com/redis/go-redis/v9"
)

// Bounds on what one read of tasks costs Redis and the network.
const (
	// PageMessageBudget is the most message bytes one page fetches, all its tasks
	// together; a task whose message does not fit is listed with ProblemTooLarge.
	PageMessageBudget = 1 << 20
	// DetailMessageLimit is the largest message, and the largest result, Task reads.
	DetailMessageLimit = 64 << 20
	// DefaultPageSize is the page size when TaskQuery.Limit is zero.
	DefaultPageSize = 50
	// MaxPageSize is the most tasks one page lists.
	MaxPageSize = 200
)

// How far a page looks for its tasks again before reporting that one left its state:
// LPOS on a list costs one comparison per element it passes, so the search is confined
// to the page's window plus some slack for tasks pushed meanwhile, and skipped deep in
// a long list.
const (
	recheckSlack     = 1000
	recheckWindowMax = 10000
	// lposMaxLen bounds the membership search of Task in pending and active.
	lposMaxLen = 1_000_000
)

// ErrTaskNotFound is wrapped by Task when neither a task hash nor any state lists the ID.
var ErrTaskNotFound = errors.New("task not found")

// TaskQuery says which page of a state's tasks Tasks reads.
type TaskQuery struct {
	Queue string
	State model.State
	// Group names the aggregation group; required for Aggregating, ignored otherwise.
	Group string
	// Offset counts tasks from the start of the chosen order; Limit is the page size
	// (DefaultPageSize when zero, at most MaxPageSize).
	Offset, Limit int
	// NewestFirst picks the order. Pending and Active are lists asynq pushes at the head:
	// NewestFirst reads from the head, otherwise from the tail (for Pending the next task
	// to run, as asynq's Inspector lists them). Sorted sets are read by descending score
	// when NewestFirst, ascending otherwise. model.OrderLabel words each case.
	NewestFirst bool
}

// stateKeyInfo is the key that lists a state's tasks and whether it is a list.
type stateKeyInfo struct {
	key  string
	list bool
}

// keyOf finds the key listing state's tasks in queue.
func keyOf(queue string, state model.State, group string) (stateKeyInfo, error) {
	switch state {
	case model.Pending, model.Active:
		return stateKeyInfo{key: stateKey(queue, string(state)), list: true}, nil
	case model.Scheduled, model.Retry, model.Archived, model.Completed:
		return stateKeyInfo{key: stateKey(queue, string(state))}, nil
	case model.Aggregating:
		if group == "" {
			return stateKeyInfo{}, fmt.Errorf("aggregating tasks of queue %q are kept "+
				"per group: choose a group", queue)
		}
		return stateKeyInfo{key: groupKey(queue, group)}, nil
	}
	return stateKeyInfo{}, fmt.Errorf("unknown task state %q", state)
}

// row is what the reads learned about one listed task before it becomes a model.Task.
type row struct {
	id    string
	score float64
	zset  bool

	err                            error // the task hash could not be read
	exists                         bool
	hashState, pendingSince, group string
	msgSize, resultSize            int
	leaseRead, hasLease            bool
	lease                          float64
	// listed is 1 when a re-read found the task still listed, -1 when it did not, 0
	// when not checked.
	listed int

	msg     []byte
	fetched bool
	// legacy is the decoded listing member itself, for asynq < v0.18 data that stored
	// whole messages in the state keys.
	legacy *wire.TaskMessage
}

// Tasks reads one page of a state's tasks in at most three round trips: (1) Redis TIME,
// the page of IDs and the key's size; (2) per task the sizes of its message and result,
// its state, enqueue time and group, whether its hash exists, whether the state key
// still lists it and, for Active, its lease; (3) the messages that fit in
// PageMessageBudget, smallest first. It never writes. A task whose record is missing,
// undecodable, inconsistent or too large is returned with its Problem; it never hides
// the rest of the page.
func (s *Source) Tasks(ctx context.Context, q TaskQuery) (model.TaskPage, error) {
	page := model.TaskPage{Queue: q.Queue, State: q.State, Group: q.Group}
	k, err := keyOf(q.Queue, q.State, q.Group)
	if err != nil {
		return page, err
	}
	offset, limit := clampPage(q.Offset, q.Limit)
	page.Offset = offset

	pipe := s.rdb.Pipeline()
	clock := pipe.Time(ctx)
	rr := addRange(ctx, pipe, k, offset, limit, q.NewestFirst)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return page, s.explain(describe("read", q.Queue, q.State), err)
	}
	page.RoundTrips = 1
	page.Time = clock.Val()
	rows, total, err := rr.rows()
	if err != nil {
		return page, s.explain(describe("read", q.Queue, q.State), err)
	}
	page.Total = total
	if len(rows) == 0 {
		return page, nil
	}

	rc := recheck{key: k, fromHead: q.NewestFirst, within: offset + len(rows) + recheckSlack}
	if err := s.readMeta(ctx, q.Queue, rows, q.State == model.Active, &rc); err != nil {
		return page, err
	}
	page.RoundTrips++

	want := withinBudget(rows, PageMessageBudget)
	if len(want) > 0 {
		if err := s.readMessages(ctx, q.Queue, want); err != nil {
			return page, err
		}
		page.RoundTrips++
	}
	page.Tasks = make([]model.Task, len(rows))
	for i := range rows {
		page.Tasks[i] = rows[i].task(q.Queue, q.State, page.Time)
		page.FetchedBytes += len(rows[i].msg)
		page.PayloadBytes += len(page.Tasks[i].Payload)
	}
	return page, nil
}

// clampPage applies the defaults and bounds of a page.
func clampPage(offset, limit int) (int, int) {
	if offset < 0 {
		offset = 0
	}
	if limit <= 0 {
		limit = DefaultPageSize
	}
	return offset, min(limit, MaxPageSize)
}

// describe names a read for an error message: "read archived tasks of queue \"q\"".
func describe(verb, queue string, state model.State) string {
	return fmt.Sprintf("%s %s tasks of queue %q", verb, state, queue)
}

// rangeReply holds the queued commands that read a range of a state key.
type rangeReply struct {
	size *redis.IntCmd
	list *redis.StringSliceCmd
	zset *redis.ZSliceCmd
	// reverse is set for a list read from the tail, whose LRANGE comes head first.
	reverse bool
}

// addRange queues the size of k and n of its entries from start in the chosen order.
func addRange(ctx context.Context, pipe redis.Pipeliner, k stateKeyInfo, start, n int,
	newestFirst bool,
) rangeReply {
	var r rangeReply
	from, to := int64(start), int64(start+n-1)
	switch {
	case k.list && newestFirst:
		r.size = pipe.LLen(ctx, k.key)
		r.list = pipe.LRange(ctx, k.key, from, to)
	case k.list:
		// From the tail: LRANGE -(to+1) -(from+1), then reversed.
		r.size = pipe.LLen(ctx, k.key)
		r.list = pipe.LRange(ctx, k.key, -(to + 1), -(from + 1))
		r.reverse = true
	case newestFirst:
		r.size = pipe.ZCard(ctx, k.key)
		r.zset = pipe.ZRevRangeWithScores(ctx, k.key, from, to)
	default:
		r.size = pipe.ZCard(ctx, k.key)
		r.zset = pipe.ZRangeWithScores(ctx, k.key, from, to)
	}
	return r
}

// rows turns the replies into rows in the chosen order, and returns the key's size.
func (r rangeReply) rows() ([]row, int, error) {
	size, err := r.size.Result()
	if err != nil {
		return nil, 0, err
	}
	if r.list != nil {
		ids, err := r.list.Result()
		if err != nil {
			return nil, 0, err
		}
		rows := make([]row, len(ids))
		for i, id := range ids {
			j := i
			if r.reverse {
				j = len(ids) - 1 - i
			}
			rows[j] = row{id: id}
		}
		return rows, int(size), nil
	}
	zs, err := r.zset.Result()
	if err != nil {
		return nil, 0, err
	}
	return zsetRows(zs), int(size), nil
}

func zsetRows(zs []redis.Z) []row {
	rows := make([]row, len(zs))
	for i, z := range zs {
		rows[i] = row{id: memberString(z.Member), score: z.Score, zset: true}
	}
	return rows
}

// recheck says how the second round trip confirms that the state key still lists a
// task, so that a task that moved between the reads is not taken for a broken record.
type recheck struct {
	key      stateKeyInfo
	fromHead bool
	within   int
}

// metaReply holds the second round trip's commands for one row.
type metaReply struct {
	exists, msgLen, resLen *redis.IntCmd
	fields                 *redis.SliceCmd
	lease                  *redis.FloatCmd
	lpos                   *redis.IntCmd
	zscore                 *redis.FloatCmd
}

// readMeta runs the second round trip for rows: sizes, state fields, existence and,
// when asked, the lease and the re-check of the listing.
func (s *Source) readMeta(ctx context.Context, queue string, rows []row, lease bool,
	rc *recheck,
) error {
	replies := make([]metaReply, len(rows))
	pipe := s.rdb.Pipeline()
	for i := range rows {
		replies[i] = addMeta(ctx, pipe, queue, rows[i].id, lease, rc)
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return s.explain(fmt.Sprintf("read tasks of queue %q", queue), err)
	}
	for i := range rows {
		replies[i].apply(&rows[i])
	}
	return nil
}

func addMeta(ctx context.Context, pipe redis.Pipeliner, queue, id string, lease bool,
	rc *recheck,
) metaReply {
	key := taskKey(queue, id)
	m := metaReply{
		exists: pipe.Exists(ctx, key),
		msgLen: pipe.HStrLen(ctx, key, "msg"),
		fields: pipe.HMGet(ctx, key, "state", "pending_since", "group"),
		resLen: pipe.HStrLen(ctx, key, "result"),
	}
	if lease {
		m.lease = pipe.ZScore(ctx, leaseKey(queue), id)
	}
	switch {
	case rc == nil:
	case !rc.key.list:
		m.zscore = pipe.ZScore(ctx, rc.key.key, id)
	case rc.within <= recheckWindowMax:
		rank := int64(1)
		if !rc.fromHead {
			rank = -1
		}
		m.lpos = pipe.LPos(ctx, rc.key.key, id, redis.LPosArgs{Rank: rank,
			MaxLen: int64(rc.within)})
	}
	return m
}

// apply copies the replies into r. A reply error other than nil (WRONGTYPE on a task
// key, a denied command) is kept on the row, which then shows it.
func (m metaReply) apply(r *row) {
	n, err := m.exists.Result()
	if err != nil {
		r.err = err
		return
	}
	r.exists = n > 0
	r.msgSize = int(m.msgLen.Val())
	r.resultSize = int(m.resLen.Val())
	if err := firstErr(m.msgLen.Err(), m.fields.Err(), m.resLen.Err()); err != nil {
		r.err = err
		return
	}
	vals := m.fields.Val()
	r.hashState, r.pendingSince, r.group = str(vals, 0), str(vals, 1), str(vals, 2)
	if m.lease != nil {
		r.leaseRead = true
		r.lease, err = m.lease.Result()
		r.hasLease = err == nil
	}
	r.listed = relisted(m.lpos, m.zscore)
}

// relisted reads the re-check: 1 still listed, -1 gone, 0 unknown (not checked, or
// LPOS unsupported before Redis 6.0.6).
func relisted(lpos *redis.IntCmd, zscore *redis.FloatCmd) int {
	var err error
	switch {
	case lpos != nil:
		err = lpos.Err()
	case zscore != nil:
		err = zscore.Err()
	default:
		return 0
	}
	switch {
	case err == nil:
		return 1
	case errors.Is(err, redis.Nil):
		return -1
	}
	return 0
}

// str reads element i of an HMGET reply; a missing field is "".
func str(vals []any, i int) string {
	if i >= len(vals) {
		return ""
	}
	v, _ := vals[i].(string)
	return v
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

// withinBudget picks the rows whose messages a page fetches: smallest first, so the most
// rows become readable, while their sum stays within budget. A listing member that is
// itself a pre-v0.18 message is decoded here and needs no fetch.
func withinBudget(rows []row, budget int) []*row {
	var cands []*row
	for i := range rows {
		r := &rows[i]
		if !r.exists && r.err == nil {
			r.legacy = legacyMember(r.id)
		}
		if r.exists && r.err == nil && r.msgSize > 0 {
			cands = append(cands, r)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].msgSize < cands[j].msgSize })
	used := 0
	for i, r := range cands {
		if used+r.msgSize > budget {
			return cands[:i]
		}
		used += r.msgSize
	}
	return cands
}

// legacyMember decodes a listing member that is a whole asynq < v0.18 JSON message.
//
// TODO(legacy): v0.17 kept pending tasks in the list asynq:{q}, not asynq:{q}:pending,
// and Task cannot open a member-only task by ID; not read because no live deployment
// is known to hold un-migrated data, and asynq's own migrate command converts it.
func legacyMember(member string) *wire.TaskMessage {
	if !strings.HasPrefix(member, "{") {
		return nil
	}
	m, err := wire.DecodeTask([]byte(member))
	if err != nil || !m.Legacy {
		return nil
	}
	return &m
}

// readMessages fetches the msg field of rows in one round trip. A message that vanished
// since its size was read stays unfetched.
func (s *Source) readMessages(ctx context.Context, queue string, rows []*row) error {
	pipe := s.rdb.Pipeline()
	gets := make([]*redis.StringCmd, len(rows))
	for i, r := range rows {
		gets[i] = pipe.HGet(ctx, taskKey(queue, r.id), "msg")
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return s.explain(fmt.Sprintf("read task messages of queue %q", queue), err)
	}
	for i, r := range rows {
		if b, err := gets[i].Bytes(); err == nil {
			r.msg, r.fetched = b, true
		}
	}
	return nil
}

// task builds the model.Task of a row listed in state, as of Redis time now.
func (r *row) task(queue string, state model.State, now time.Time) model.Task {
	t := model.Task{
		ID: r.id, Queue: queue, State: state, HashState: r.hashState, Group: r.group,
		MsgSize: r.msgSize, ResultSize: r.resultSize, PendingSince: nanoTime(r.pendingSince),
	}
	if r.zset {
		t.Score = scoreTime(r.score)
	}
	if r.leaseRead && r.hasLease {
		t.LeaseExpires = scoreTime(r.lease)
		t.Leased = t.LeaseExpires.After(now)
	}
	switch {
	case r.err != nil:
		setProblem(&t, model.ProblemUndecodable, "cannot read the task record: "+r.err.Error())
	case r.legacy != nil:
		applyLegacyMember(&t, r)
	case !r.exists:
		setProblem(&t, model.ProblemMissing, "task data missing (ID "+showID(r.id)+")")
	case r.fetched:
		applyMessage(&t, r.msg)
	case r.msgSize > 0:
		setProblem(&t, model.ProblemTooLarge, fmt.Sprintf("message of %s not read in the "+
			"list: open the task to read it", payload.Size(r.msgSize)))
	}
	checkPageState(&t, r)
	return t
}

// checkPageState flags a row whose record disagrees with the key it was listed in, or
// that left that key between the page's reads (then it is stale, not broken).
func checkPageState(t *model.Task, r *row) {
	if r.legacy != nil || r.err != nil {
		return
	}
	switch {
	case r.listed < 0 && !r.exists:
		t.Problem, t.Detail = model.ProblemInconsistent, fmt.Sprintf("left %s while the "+
			"page was read and its record is gone: refresh", t.State)
	case r.listed < 0:
		t.Problem, t.Detail = model.ProblemInconsistent, fmt.Sprintf("left %s while the "+
			"page was read (its record now says %s): refresh", t.State, showState(r.hashState))
	case r.exists && r.hashState != string(t.State):
		setProblem(t, model.ProblemInconsistent, fmt.Sprintf("listed in %s but its record "+
			"says %s", t.State, showState(r.hashState)))
	}
}

// applyLegacyMember fills t from a listing member that is itself a message, as asynq
// before v0.18 stored tasks; there is no task hash, so actions by ID cannot reach it.
func applyLegacyMember(t *model.Task, r *row) {
	fillFromMessage(t, *r.legacy)
	t.ID = r.legacy.ID
	t.MsgSize = len(r.id)
	t.Detail = "stored whole in the " + string(t.State) + " key by asynq before v0.18 " +
		"(never migrated): read-only"
}

// applyMessage decodes a fetched msg field into t, or marks t undecodable with what is
// known (ID, state, sizes).
func applyMessage(t *model.Task, raw []byte) {
	m, err := wire.DecodeTask(raw)
	if err != nil {
		setProblem(t, model.ProblemUndecodable, fmt.Sprintf("message of %s cannot be "+
			"decoded: %v", payload.Size(len(raw)), err))
		return
	}
	fillFromMessage(t, m)
	if !m.Legacy && m.ID != "" && m.ID != t.ID {
		setProblem(t, model.ProblemInconsistent, "its record's message carries another ID ("+
			showID(m.ID)+")")
	}
}

func fillFromMessage(t *model.Task, m wire.TaskMessage) {
	t.Type, t.Payload, t.Headers = m.Type, m.Payload, m.Headers
	t.PayloadSize, t.PayloadFetched = len(m.Payload), true
	t.Retry, t.Retried, t.LastError, t.LastFailedAt = m.Retry, m.Retried, m.ErrorMsg, m.LastFailedAt
	t.Timeout, t.Deadline, t.UniqueKey = m.Timeout, m.Deadline, m.UniqueKey
	t.Retention, t.CompletedAt, t.Legacy = m.Retention, m.CompletedAt, m.Legacy
	if t.Group == "" {
		t.Group = m.GroupKey
	}
}

// problemRank orders problems so that the most serious one is the one shown.
var problemRank = map[model.Problem]int{
	model.ProblemNone: 0, model.ProblemTooLarge: 1, model.ProblemUndecodable: 2,
	model.ProblemInconsistent: 3, model.ProblemMissing: 4,
}

func setProblem(t *model.Task, p model.Problem, detail string) {
	if problemRank[p] > problemRank[t.Problem] {
		t.Problem, t.Detail = p, detail
	}
}

// showID writes an ID for a detail line: as is when plain, quoted when it has spaces,
// quotes, parentheses or anything unprintable, so its bounds stay visible.
func showID(id string) string {
	if id != "" && !strings.ContainsAny(id, " ()\"\\") && strconv.CanBackquote(id) {
		return id
	}
	return strconv.Quote(id)
}

// showState writes a hash's state for a detail line.
func showState(s string) string {
	if s == "" {
		return "no state"
	}
	return showID(s)
}

// nanoTime reads asynq's pending_since, Unix nanoseconds; zero when absent or junk.
func nanoTime(v string) time.Time {
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ns <= 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// scoreTime reads a sorted-set score holding Unix seconds.
func scoreTime(score float64) time.Time {
	const maxSec = 1 << 40 // year ~36800: beyond it a hostile score would overflow
	if score <= 0 || score > maxSec {
		return time.Time{}
	}
	return time.Unix(int64(score), 0)
}
