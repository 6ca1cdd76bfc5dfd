package actions

import (
	"context"
	"fmt"
	"time"

	"github.com/asynqtop/asynqtop/model"
)

// Bulk pacing. Each batch is one script call that takes the next tasks of the state's key
// and moves them; the pacer sizes batches so one call keeps Redis busy for about
// batchTarget, far under the 20 ms that other clients may wait, while thousands of tasks
// move per call.
const (
	batchTarget = 2 * time.Millisecond
	minBatch    = 100
	startBatch  = 250
	maxBatch    = 1000
	// maxStuck bounds the pending tasks left at the head of the list (records that are
	// inconsistent): each batch re-reads them, so past this many the run stops.
	maxStuck = 1000
)

// RunAll requeues every task of state in queue, in batches. progress, when not nil, is
// called after each batch with how many tasks were handled (moved or left alone) out
// of the total counted at the start. Cancelling ctx stops between batches: the Result
// then says what was done, and the error wraps ctx.Err().
func (a *Actor) RunAll(ctx context.Context, queue string, state model.State,
	progress func(done, total int),
) (Result, error) {
	return a.moveAll(ctx, runMover, queue, state, progress)
}

// DeleteAll deletes every task of state in queue, in batches, as RunAll does.
func (a *Actor) DeleteAll(ctx context.Context, queue string, state model.State,
	progress func(done, total int),
) (Result, error) {
	return a.moveAll(ctx, deleteMover, queue, state, progress)
}

// ArchiveAll archives every task of state (pending, scheduled or retry) in queue, in
// batches, as RunAll does.
func (a *Actor) ArchiveAll(ctx context.Context, queue string, state model.State,
	progress func(done, total int),
) (Result, error) {
	return a.moveAll(ctx, archiveMover, queue, state, progress)
}

// Bulk moves up to limit tasks of op's state (op.Kind Run, Delete or Archive; op.All),
// in batches as RunAll does. limit is the count the operator confirmed: tasks that
// arrived since are left alone, so the action never touches more than was shown. The
// tasks taken are those first in the state's key order (the oldest for pending and
// archived). limit <= 0 means all.
func (a *Actor) Bulk(ctx context.Context, op Op, limit int, progress func(done, total int)) (
	Result, error,
) {
	m := map[Kind]*mover{Run: runMover, Delete: deleteMover, Archive: archiveMover}[op.Kind]
	if m == nil {
		return Result{}, fmt.Errorf("%s is not a bulk action", op.Kind)
	}
	return a.moveUpTo(ctx, m, op.Queue, op.State, limit, progress)
}

func (a *Actor) moveAll(ctx context.Context, m *mover, q string, s model.State,
	progress func(done, total int),
) (Result, error) {
	return a.moveUpTo(ctx, m, q, s, 0, progress)
}

func (a *Actor) moveUpTo(ctx context.Context, m *mover, q string, s model.State, limit int,
	progress func(done, total int),
) (Result, error) {
	if a.opts.ReadOnly {
		return Result{}, ErrReadOnly
	}
	if err := m.check(s, true); err != nil {
		return Result{}, err
	}
	if err := a.queueExists(ctx, q); err != nil {
		return Result{}, err
	}
	total, err := a.size(ctx, q, s)
	if err != nil {
		return Result{}, err
	}
	arrived := 0
	if limit > 0 && total > limit {
		arrived, total = total-limit, limit
	}

	rec, err := a.begin(m.name+"_all", q, s, nil, total)
	if err != nil {
		return Result{}, err
	}
	d := &drain{a: a, m: m, q: q, s: s, total: total, progress: progress,
		skipped: map[string]string{}, arrived: arrived}
	res, err := d.run(ctx)
	return res, rec.finish(res, outcomeOf(res, err), err)
}

// size counts the tasks of a state.
func (a *Actor) size(ctx context.Context, q string, s model.State) (int, error) {
	var n int64
	var err error
	if s == model.Pending {
		n, err = a.rdb.LLen(ctx, stateKey(q, s)).Result()
	} else {
		n, err = a.rdb.ZCard(ctx, stateKey(q, s)).Result()
	}
	if err != nil {
		return 0, a.src.Explain("read", err)
	}
	return int(n), nil
}

// drain is one bulk move in progress.
type drain struct {
	a        *Actor
	m        *mover
	q        string
	s        model.State
	total    int
	progress func(done, total int)

	moved, dropped, batches, offset int
	// arrived counts tasks beyond the confirmed count, left alone.
	arrived int
	// skipped holds the tasks left in place, by ID, with why; a pending list re-reports
	// them every batch.
	skipped map[string]string
	size    int
	rtt     time.Duration
	began   time.Time
}

func (d *drain) run(ctx context.Context) (Result, error) {
	d.began, d.size = time.Now(), startBatch
	now, err := d.a.redisNow(ctx)
	if err != nil {
		return d.result(""), err
	}
	clock := newArchiveClock(now)
	d.rtt = d.a.baseRTT(ctx)

	for d.handled() < d.total {
		if err := ctx.Err(); err != nil {
			msg := stoppedMessage(d.m, d.q, d.s, d.moved, d.total)
			return d.result(msg), &personError{kind: err, msg: msg}
		}
		n := min(d.size, d.total-d.handled())
		t0 := time.Now()
		r, err := d.a.call(ctx, d.m, d.q, d.s, clock, batch{offset: d.offset, size: n})
		if err != nil {
			return d.result(""), d.a.batchErr(d.m, d.q, d.batches, d.moved, err)
		}
		d.pace(time.Since(t0), r.moved+len(r.skipped))
		fresh := d.add(r)
		if d.progress != nil {
			d.progress(d.handled(), d.total)
		}
		if r.moved == 0 && fresh == 0 {
			break // the key ran out: the rest were moved or processed by others
		}
		if d.s == model.Pending && len(d.skipped) >= maxStuck {
			break
		}
	}
	return d.result(bulkMessage(d)), nil
}

// add counts one batch's reply and returns how many tasks it left alone for the first
// time.
func (d *drain) add(r reply) int {
	d.batches++
	d.moved += r.moved
	d.dropped += r.dropped
	d.offset = r.offset
	fresh := 0
	for _, sk := range r.skipped {
		if _, ok := d.skipped[sk.id]; !ok {
			fresh++
		}
		d.skipped[sk.id] = sk.why
	}
	return fresh
}

func (d *drain) handled() int { return d.moved + len(d.skipped) }

func (d *drain) result(msg string) Result {
	return Result{Action: d.m.name + "_all", Queue: d.q, Done: d.moved,
		Skipped: len(d.skipped), Message: msg}
}

// pace sizes the next batch from how long Redis spent on this one: the call's time less
// the network round trip, per task, aimed at batchTarget, changing at most twofold.
func (d *drain) pace(took time.Duration, tasks int) {
	busy := took - d.rtt
	next := maxBatch
	if tasks > 0 && busy > 0 {
		next = int(batchTarget * time.Duration(tasks) / busy)
	}
	d.size = max(minBatch, min(maxBatch, d.size*2, max(d.size/2, next)))
}

// baseRTT is the shortest of a few PINGs: the network's share of a script call's time.
func (a *Actor) baseRTT(ctx context.Context) time.Duration {
	best := time.Duration(0)
	for range 3 {
		t0 := time.Now()
		if err := a.rdb.Ping(ctx).Err(); err != nil {
			return best
		}
		if d := time.Since(t0); best == 0 || d < best {
			best = d
		}
	}
	return best
}
