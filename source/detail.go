package source

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/payload"
	"github.com/redis/go-redis/v9"
)

// listStates and zsetStates are the states whose keys Task searches for the ID.
var (
	listStates = []model.State{model.Pending, model.Active}
	zsetStates = []model.State{model.Scheduled, model.Retry, model.Archived, model.Completed}
)

// detailReply holds Task's first round trip.
type detailReply struct {
	clock                  *redis.TimeCmd
	exists, msgLen, resLen *redis.IntCmd
	fields                 *redis.SliceCmd
	llen, lpos             map[model.State]*redis.IntCmd
	zscore                 map[model.State]*redis.FloatCmd
	lease                  *redis.FloatCmd
}

// membership is where Task found the ID listed.
type membership struct {
	listed []model.State
	scores map[model.State]float64
	// unknown is set when a list could not be searched (LPOS needs Redis 6.0.6) or is
	// longer than the search bound, so "listed nowhere" cannot be claimed.
	unknown bool
}

// Task reads one task with everything the detail view shows, in two round trips: (1)
// Redis TIME, the hash's sizes and state fields, and which state keys list the ID (ZSCORE
// in each sorted set, LPOS in pending and active); (2) the message and the result, and
// the group's listing for an aggregating task. It never writes. The message and the
// result are read whole up to DetailMessageLimit each; a bigger message is left unread
// with ProblemTooLarge. A record that no state lists is explained as orphaned. When
// neither a record nor a listing exists the error wraps ErrTaskNotFound.
func (s *Source) Task(ctx context.Context, queue, id string) (model.Task, error) {
	d := newDetailReply()
	pipe := s.rdb.Pipeline()
	d.add(ctx, pipe, queue, id)
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return model.Task{}, s.explain(fmt.Sprintf("read task %s of queue %q", showID(id),
			queue), err)
	}
	if err := d.exists.Err(); err != nil {
		return model.Task{}, s.explain(fmt.Sprintf("read task %s of queue %q", showID(id),
			queue), err)
	}
	now := d.clock.Val()
	vals := d.fields.Val()
	r := row{id: id, exists: d.exists.Val() > 0, hashState: str(vals, 0),
		pendingSince: str(vals, 1), group: str(vals, 2),
		msgSize: int(d.msgLen.Val()), resultSize: int(d.resLen.Val()),
		err: firstErr(d.msgLen.Err(), d.fields.Err(), d.resLen.Err())}
	m := d.membership()
	if !r.exists && len(m.listed) == 0 {
		return model.Task{}, fmt.Errorf("task %s in queue %q: %w (it may have completed "+
			"and been deleted)", showID(id), queue, ErrTaskNotFound)
	}

	t, err := s.readDetailBodies(ctx, queue, &r, &m)
	if err != nil {
		return t, err
	}
	if lease, err := d.lease.Result(); err == nil {
		t.LeaseExpires = scoreTime(lease)
		t.Leased = t.LeaseExpires.After(now)
	}
	return t, nil
}

func newDetailReply() *detailReply {
	return &detailReply{
		llen:   map[model.State]*redis.IntCmd{},
		lpos:   map[model.State]*redis.IntCmd{},
		zscore: map[model.State]*redis.FloatCmd{},
	}
}

// add queues the first round trip.
func (d *detailReply) add(ctx context.Context, pipe redis.Pipeliner, queue, id string) {
	key := taskKey(queue, id)
	d.clock = pipe.Time(ctx)
	d.exists = pipe.Exists(ctx, key)
	d.msgLen = pipe.HStrLen(ctx, key, "msg")
	d.resLen = pipe.HStrLen(ctx, key, "result")
	d.fields = pipe.HMGet(ctx, key, "state", "pending_since", "group")
	for _, st := range listStates {
		k := stateKey(queue, string(st))
		d.llen[st] = pipe.LLen(ctx, k)
		d.lpos[st] = pipe.LPos(ctx, k, id, redis.LPosArgs{MaxLen: lposMaxLen})
	}
	for _, st := range zsetStates {
		d.zscore[st] = pipe.ZScore(ctx, stateKey(queue, string(st)), id)
	}
	d.lease = pipe.ZScore(ctx, leaseKey(queue), id)
}

// membership reads where the first round trip found the ID.
func (d *detailReply) membership() membership {
	m := membership{scores: map[model.State]float64{}}
	for _, st := range listStates {
		err := d.lpos[st].Err()
		switch {
		case err == nil:
			m.listed = append(m.listed, st)
		case !errors.Is(err, redis.Nil) || d.llen[st].Val() > lposMaxLen:
			m.unknown = true
		}
	}
	for _, st := range zsetStates {
		if score, err := d.zscore[st].Result(); err == nil {
			m.listed = append(m.listed, st)
			m.scores[st] = score
		}
	}
	return m
}

// readDetailBodies runs Task's second round trip and builds the task.
func (s *Source) readDetailBodies(ctx context.Context, queue string, r *row, m *membership) (
	model.Task, error,
) {
	pipe := s.rdb.Pipeline()
	key := taskKey(queue, r.id)
	var msg, result *redis.StringCmd
	var inGroup *redis.FloatCmd
	readable := r.exists && r.err == nil
	if readable && r.msgSize > 0 && r.msgSize <= DetailMessageLimit {
		msg = pipe.HGet(ctx, key, "msg")
	}
	if readable && r.resultSize > 0 && r.resultSize <= DetailMessageLimit {
		result = pipe.HGet(ctx, key, "result")
	}
	if r.group != "" {
		inGroup = pipe.ZScore(ctx, groupKey(queue, r.group), r.id)
	}
	if msg != nil || result != nil || inGroup != nil {
		if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
			return model.Task{}, s.explain(fmt.Sprintf("read task %s of queue %q",
				showID(r.id), queue), err)
		}
	}
	if inGroup != nil {
		if score, err := inGroup.Result(); err == nil {
			m.listed = append(m.listed, model.Aggregating)
			m.scores[model.Aggregating] = score
		}
	}
	if msg != nil {
		r.msg, _ = msg.Bytes()
		r.fetched = msg.Err() == nil
	}

	t := detailTask(queue, r, m)
	if result != nil {
		t.Result, _ = result.Bytes()
	}
	return t, nil
}

// detailTask builds the task Task returns and explains any disagreement between its
// record and the keys that list it.
func detailTask(queue string, r *row, m *membership) model.Task {
	state := pickState(r.hashState, m.listed)
	t := model.Task{
		ID: r.id, Queue: queue, State: state, HashState: r.hashState, Group: r.group,
		MsgSize: r.msgSize, ResultSize: r.resultSize, PendingSince: nanoTime(r.pendingSince),
		ListedIn: m.listed,
	}
	if score, ok := m.scores[state]; ok {
		t.Score = scoreTime(score)
	}
	switch {
	case r.err != nil:
		setProblem(&t, model.ProblemUndecodable, "cannot read the task record: "+r.err.Error())
	case !r.exists:
		setProblem(&t, model.ProblemMissing, "task data missing (ID "+showID(r.id)+
			"), yet "+joinStates(m.listed)+" lists it")
	case r.fetched:
		applyMessage(&t, r.msg)
	case r.msgSize > DetailMessageLimit:
		setProblem(&t, model.ProblemTooLarge, fmt.Sprintf("message is %s, over the %s the "+
			"detail view reads", payload.Size(r.msgSize), payload.Size(DetailMessageLimit)))
	}
	if r.exists && r.err == nil {
		explainListing(&t, r.hashState, m)
	}
	return t
}

// pickState is the state the detail view files the task under: the one both its
// record and a key agree on, else the first key listing it, else what its record says.
func pickState(hashState string, listed []model.State) model.State {
	for _, st := range listed {
		if string(st) == hashState {
			return st
		}
	}
	if len(listed) > 0 {
		return listed[0]
	}
	for _, st := range model.States() {
		if string(st) == hashState {
			return st
		}
	}
	return ""
}

// explainListing sets ProblemInconsistent when the record's state and the keys that list
// the task disagree: orphaned, listed elsewhere, or listed twice.
func explainListing(t *model.Task, hashState string, m *membership) {
	says := "record says " + showState(hashState)
	agrees := false
	for _, st := range m.listed {
		agrees = agrees || string(st) == hashState
	}
	switch {
	case len(m.listed) == 0 && hashState == string(model.Aggregating):
		// TODO(groups): look in asynq:{q}:aggregation_sets too; one more round trip for
		// a state that lasts seconds, so the detail hedges instead.
		setProblem(t, model.ProblemInconsistent, says+" but its group "+showID(t.Group)+
			" does not list it (it may be in an aggregation set being combined)")
	case len(m.listed) == 0 && m.unknown:
		// Not provable: a list could not be searched.
		t.Detail = says + "; no sorted set lists it and pending and active could not be " +
			"searched"
	case len(m.listed) == 0:
		setProblem(t, model.ProblemInconsistent, says+" but no state lists it (orphaned)")
	case !agrees:
		setProblem(t, model.ProblemInconsistent, says+" but it is listed in "+
			joinStates(m.listed))
	case len(m.listed) > 1:
		setProblem(t, model.ProblemInconsistent, "listed in "+joinStates(m.listed)+
			" at once ("+says+")")
	}
}

func joinStates(states []model.State) string {
	names := make([]string, len(states))
	for i, st := range states {
		names[i] = string(st)
	}
	return strings.Join(names, " and ")
}
