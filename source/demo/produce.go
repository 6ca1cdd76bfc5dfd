package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/hibiken/asynq"
)

// plan is the timing of the surges, apart so tests can make them come sooner.
type plan struct {
	firstSurge  time.Duration // after Start
	surgeEvery  time.Duration // between surges, give or take a tenth
	surgeSpread time.Duration // how long one surge takes to enqueue
	surgeMin    int           // tasks in one surge, at least
	surgeMax    int           // and at most
}

// defaultPlan trips the default pending threshold (1000) on "emails" within a minute of
// start and again every minute, while ten workers drain each surge in about half a minute.
func defaultPlan() plan {
	return plan{
		firstSurge:  20 * time.Second,
		surgeEvery:  60 * time.Second,
		surgeSpread: 3 * time.Second,
		surgeMin:    1800,
		surgeMax:    2600,
	}
}

// surgeBatch is how many surge tasks are enqueued back to back before a short pause.
const surgeBatch = 50

// startProducers starts one producer per queue and the surge producer.
func (w *World) startProducers(ctx context.Context, opts Options, p plan) {
	for i, q := range queues() {
		g := newGen(opts.Seed, streamProducers+uint64(i), opts.Seal)
		w.producers.Add(1)
		go w.produce(ctx, q, g)
	}
	w.producers.Add(1)
	go w.surge(ctx, p, newGen(opts.Seed, streamSurge, opts.Seal))
}

// produce enqueues q's tasks with exponential gaps, a Poisson stream at q's rate.
func (w *World) produce(ctx context.Context, q queue, g *gen) {
	defer w.producers.Done()

	mean := float64(time.Second) / q.perSecond
	for {
		gap := time.Duration(math.Min(g.r.ExpFloat64()*mean, 5*mean))
		if sleep(ctx, gap) != nil {
			return
		}
		w.enqueue(ctx, q.next(g))
	}
}

// surge enqueues a newsletter campaign into "emails" now and then. A surge waits while the
// last one is still mostly pending, so a slow machine never piles surges on surges.
func (w *World) surge(ctx context.Context, p plan, g *gen) {
	defer w.producers.Done()

	wait := p.firstSurge
	for campaign := 1; ; {
		if sleep(ctx, wait) != nil {
			return
		}
		if w.pending(queueEmails) > p.surgeMin/4 {
			wait = p.surgeEvery / 4
			continue
		}
		n := g.between(p.surgeMin, p.surgeMax)
		name := fmt.Sprintf("%s-%02d", pick(g, "spring-sale", "product-update", "webinar"), campaign)
		if w.blast(ctx, g, name, n, p.surgeSpread) != nil {
			return
		}
		campaign++
		tenth := int64(p.surgeEvery / 10)
		wait = p.surgeEvery - time.Duration(tenth) + time.Duration(g.r.Int64N(2*tenth+1))
	}
}

// pending is the number of Pending tasks in queue q, read straight from the embedded Redis.
func (w *World) pending(q string) int {
	tasks, _ := w.redis.List("asynq:{" + q + "}:pending") // a missing list is empty
	return len(tasks)
}

// blast enqueues n newsletter tasks of one campaign in batches spread over spread.
func (w *World) blast(
	ctx context.Context, g *gen, campaign string, n int, spread time.Duration,
) error {
	w.log.Debug("demo: surge", "queue", queueEmails, "tasks", n, "campaign", campaign)
	pause := spread / time.Duration(max(1, n/surgeBatch))
	for i := range n {
		if i > 0 && i%surgeBatch == 0 {
			if err := sleep(ctx, pause); err != nil {
				return err
			}
		}
		w.enqueue(ctx, newsletterJob(g, campaign))
	}
	return nil
}

// enqueue enqueues j, logging a failure unless the world is closing.
func (w *World) enqueue(ctx context.Context, j job) {
	if j.err != nil {
		w.log.Warn("demo: task dropped", "type", j.typeName, "err", j.err)
		return
	}
	_, err := w.client.EnqueueContext(ctx, j.task(), j.opts...)
	switch {
	case err == nil, ctx.Err() != nil:
	case errors.Is(err, asynq.ErrTaskIDConflict):
		// go-redis retried an enqueue that had landed after all: a starved CPU, not a bug.
		w.log.Debug("demo: enqueue retried", "type", j.typeName, "err", err)
	default:
		w.log.Warn("demo: enqueue failed", "type", j.typeName, "addr", w.Addr, "err", err)
	}
}

// clockTick is how often the embedded Redis ages its TTLs.
const clockTick = time.Second

// startClock ages the embedded Redis's TTLs with the wall clock. miniredis only expires
// keys on FastForward; asynq's server heartbeats and Retention rely on keys expiring like in
// a real Redis. miniredis's ClockTTL mode would do this too, but it sorts every key on every
// command, which with thousands of tasks slows the world to a crawl; once a second is cheap.
func (w *World) startClock(ctx context.Context) {
	w.producers.Add(1)
	go func() {
		defer w.producers.Done()
		t := time.NewTicker(clockTick)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				w.redis.FastForward(now.Sub(last))
				last = now
			}
		}
	}()
}
