// Package actions is asynqtop's write path: pausing queues, requeueing, deleting and
// archiving tasks, cancelling active ones. The UI calls it with queue names, states and
// task IDs and gets back one line for a person; it needs no Redis knowledge.
//
// Every mutation goes through the same gate, in this order:
//
//  1. ReadOnly refuses it with ErrReadOnly (here, not only in the UI).
//  2. An "attempt" line (Outcome "started") is appended to the audit log and synced; if
//     that fails the action is refused with ErrAuditUnavailable and Redis is not touched.
//  3. The action runs.
//  4. A final line with the outcome, the count and the duration is appended and synced;
//     only then is success reported. If that last write fails the action has happened:
//     the Result says what was done and the error wraps ErrAuditUnavailable.
//
// Task moves do not use asynq's Inspector: its scripts act on whatever state a task is in
// now, and its "all" scripts move a whole state in one call, blocking Redis for seconds.
// Ours re-check, in the same small Lua script that moves them, that each task is still in
// the state the operator saw, and move at most a couple of thousand tasks per call, the
// way asynq v0.26.0's internal/rdb does (same keys, same fields, the stored message bytes
// untouched). A task that changed meanwhile is skipped and explained, never acted on.
package actions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/audit"
)

// Errors a caller can test with errors.Is. Each error returned is one line for a person
// that names the queue; these sentinels only classify it.
var (
	// ErrReadOnly refuses every mutation in read-only mode.
	ErrReadOnly = errors.New(
		"read-only mode: actions are disabled (--read-only or context read_only)")
	// ErrAuditUnavailable refuses an action whose audit line cannot be written.
	ErrAuditUnavailable = errors.New("audit log unavailable")
	// ErrOutcomeUnknown means Redis may or may not have applied the last batch (a timeout
	// or a BUSY reply): re-read the counts before acting again.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrQueueNotFound means asynq knows nothing of the queue: it is not in asynq:queues
	// and has no tasks, groups or paused flag in Redis.
	ErrQueueNotFound = errors.New("queue not found")
)

// personError is an error whose text is written for a person; kind is the sentinel it
// matches and cause the underlying error, if any.
type personError struct {
	msg   string
	kind  error
	cause error
}

func (e *personError) Error() string { return e.msg }

func (e *personError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// Options configure an Actor.
type Options struct {
	// ReadOnly refuses every mutation with ErrReadOnly.
	ReadOnly bool
	// Audit records every mutation; required unless ReadOnly.
	Audit *audit.Log
	// Operator is who acts, for the audit log; empty means audit.Operator().
	Operator string
	// Context names the configured context (which Redis), for the audit log.
	Context string
}

// Actor performs operator actions on one Source. It is safe for concurrent use.
type Actor struct {
	src  *source.Source
	opts Options
	// rdb runs the moves: a client that never retries a command by itself, because a
	// resent script after a timeout would make the reported count wrong.
	rdb    redis.UniversalClient
	closer func() error
}

// New returns an Actor acting on src. Close it when done.
func New(src *source.Source, o Options) *Actor { return newActor(src, o, 0) }

// newActor is New with the read timeout of one move script (zero: the source's).
func newActor(src *source.Source, o Options, batchTimeout time.Duration) *Actor {
	if o.Operator == "" {
		o.Operator = audit.Operator()
	}
	a := &Actor{src: src, opts: o, rdb: src.Client(), closer: func() error { return nil }}
	if c, ok := src.Client().(*redis.Client); ok {
		opt := *c.Options()
		opt.MaxRetries = -1
		opt.PoolSize = 2
		if batchTimeout > 0 {
			opt.ReadTimeout = batchTimeout
		}
		nc := redis.NewClient(&opt)
		a.rdb, a.closer = nc, nc.Close
	}
	// TODO(actions): a Cluster or Sentinel client keeps its retries; Source only opens a
	// plain client today.
	return a
}

// Close releases the Actor's own connections (not the Source's).
func (a *Actor) Close() error { return a.closer() }

// Result says what an action did, for a person and for the UI's counters.
type Result struct {
	// Action names the operation as the audit log does ("run", "delete_all", ...).
	Action string
	Queue  string
	// Done is how many tasks were moved; for Pause and Unpause 1 when the queue changed,
	// for Cancel how many asynq servers the signal reached.
	Done int
	// Skipped is how many selected tasks were left alone because they had changed.
	Skipped int
	// Message is one line for a person.
	Message string
}

// record is one action's pair of audit lines.
type record struct {
	a     *Actor
	e     audit.Entry
	start time.Time
}

// begin refuses in read-only mode, then writes the "started" line; an error means Redis
// must not be touched.
func (a *Actor) begin(action, queue string, state model.State, ids []string,
	count int,
) (*record, error) {
	if a.opts.ReadOnly {
		return nil, ErrReadOnly
	}
	r := &record{a: a, start: time.Now(), e: audit.Entry{
		Operator: a.opts.Operator, Context: a.opts.Context, Action: action,
		Queue: queue, State: string(state), TaskIDs: ids, Count: count,
		Outcome: "started",
	}}
	if a.opts.Audit == nil {
		return nil, &personError{kind: ErrAuditUnavailable, msg: "no audit log is open, " +
			"so actions are refused (set audit_log in the config, or use --read-only)"}
	}
	if err := a.opts.Audit.Append(r.e); err != nil {
		return nil, a.auditErr(err, "action refused")
	}
	return r, nil
}

func (a *Actor) auditErr(err error, then string) error {
	return &personError{kind: ErrAuditUnavailable, cause: err, msg: fmt.Sprintf(
		"cannot write the audit log %s: %v; %s", text.Clean(a.opts.Audit.Path()), err, then)}
}

// finish writes the final line. It returns err, or an audit error that still tells what
// was done when the line cannot be written.
func (r *record) finish(res Result, outcome string, err error) error {
	r.e.Time = time.Time{}
	r.e.Count = res.Done
	r.e.Outcome = outcome
	r.e.DurationMS = float64(time.Since(r.start).Microseconds()) / 1000
	if err != nil {
		r.e.Error = err.Error()
	}
	if aerr := r.a.opts.Audit.Append(r.e); aerr != nil {
		done := res.Message
		if err != nil {
			done = err.Error()
		}
		lost := r.a.auditErr(aerr, "it was NOT recorded, but this happened: "+done)
		if err != nil {
			// Keep the action's own error testable (errors.Is ErrOutcomeUnknown).
			lost.(*personError).cause = errors.Join(aerr, err)
		}
		return lost
	}
	return err
}

// outcomeOf names a finished task action for the audit log.
func outcomeOf(res Result, err error) string {
	switch {
	case errors.Is(err, ErrOutcomeUnknown):
		return "unknown"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "cancelled"
	case err != nil:
		return "failed"
	case res.Done == 0:
		return "noop"
	case res.Skipped > 0:
		return "partial"
	}
	return "ok"
}

// queueExists refuses, with ErrQueueNotFound, a queue that asynq knows nothing of: not
// in asynq:queues and without any task or paused flag in Redis. asynq's Inspector
// refuses every queue missing from asynq:queues, but asynq's client adds a queue there
// only once per process, so after a Redis restart that lost the set, queues in full use
// are missing from it; their keys are what shows they exist. One round trip.
func (a *Actor) queueExists(ctx context.Context, queue string) error {
	var member *redis.BoolCmd
	var keys *redis.IntCmd
	_, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		member = p.SIsMember(ctx, keyQueues, queue)
		keys = p.Exists(ctx, queueKeys(queue)...)
		return nil
	})
	if err != nil {
		return a.src.Explain("read", err)
	}
	if !member.Val() && keys.Val() == 0 {
		return &personError{kind: ErrQueueNotFound, msg: fmt.Sprintf(
			"queue %s not found: it has no tasks and is not in asynq:queues (never used, "+
				"or deleted); nothing was changed", showQueue(queue))}
	}
	return nil
}

// redisNow reads Redis's clock, which archive scores and pause times use so that an
// operator laptop's clock skew cannot shift them.
func (a *Actor) redisNow(ctx context.Context) (time.Time, error) {
	t, err := a.rdb.Time(ctx).Result()
	if err != nil {
		return time.Time{}, a.src.Explain("read", err)
	}
	return t, nil
}
