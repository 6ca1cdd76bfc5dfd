// Package demo runs a self-contained asynq world for `asynqtop demo`: an embedded Redis
// (miniredis) on loopback, a real asynq client producing a varied workload and a real asynq
// server consuming it, so the dashboard has live numbers with no network and no set-up.
//
// Nothing here writes to stdout or stderr: asynq's own logging is routed to Options.Logger,
// which discards by default, because the terminal belongs to the dashboard.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
)

// SealFunc seals the payload of a task of the given type before it is enqueued; the demo
// uses it for the "billing" queue so the dashboard can show envelopes.
type SealFunc func(taskType string, payload []byte) ([]byte, error)

// Options tune the demo; the zero value gives the defaults.
type Options struct {
	// Seed seeds every random choice (task IDs, payloads, durations, failures); 0 means a
	// fixed default seed, so two demo runs produce the same tasks.
	Seed int64
	// Logger receives asynq's warnings and the demo's own troubles; nil discards them.
	Logger *slog.Logger
	// Seal, when set, seals the payloads of the "billing" queue (listed first, so
	// decrypt-view is a few keys away).
	Seal SealFunc
}

// World is a running demo: an embedded Redis with producers and a server working on it.
type World struct {
	// Addr is the host:port of the embedded Redis, always on 127.0.0.1.
	Addr string

	log    *slog.Logger
	redis  *miniredis.Miniredis
	client *asynq.Client
	server *asynq.Server

	stopProducers context.CancelFunc
	stopHandlers  context.CancelFunc
	producers     sync.WaitGroup // the producers and the clock

	closeOnce sync.Once
	closeErr  error
}

// defaultSeed is used when Options.Seed is 0.
const defaultSeed = 20240611

// Start starts the embedded Redis, fills it with a starting backlog, pauses the "low"
// queue and starts the producers and the asynq server. ctx bounds only the start-up; the
// world runs until Close.
func Start(ctx context.Context, opts Options) (*World, error) {
	return start(ctx, opts, defaultPlan())
}

// start is Start with the timing of the workload spelled out, so tests can shorten it.
func start(ctx context.Context, opts Options, p plan) (*World, error) {
	opts = withDefaults(opts)

	mr := miniredis.NewMiniRedis()
	mr.Seed(int(opts.Seed))
	if err := mr.Start(); err != nil {
		return nil, fmt.Errorf("demo: start embedded Redis on 127.0.0.1: %w", err)
	}

	w := &World{Addr: mr.Addr(), log: opts.Logger, redis: mr}
	w.client = asynq.NewClient(asynq.RedisClientOpt{Addr: w.Addr})
	if err := w.prepare(ctx, opts); err != nil {
		w.client.Close()
		mr.Close()
		return nil, err
	}

	handlerCtx, stopHandlers := context.WithCancel(context.Background())
	w.stopHandlers = stopHandlers
	w.server = asynq.NewServer(asynq.RedisClientOpt{Addr: w.Addr}, serverConfig(handlerCtx, opts))
	if err := w.server.Start(newHandler(opts.Seed)); err != nil {
		stopHandlers()
		w.client.Close()
		mr.Close()
		return nil, fmt.Errorf("demo: start asynq server on %s: %w", w.Addr, err)
	}

	runCtx, stop := context.WithCancel(context.Background())
	w.stopProducers = stop
	w.startProducers(runCtx, opts, p)
	w.startClock(runCtx)
	return w, nil
}

// withDefaults fills the zero fields of opts.
func withDefaults(opts Options) Options {
	if opts.Seed == 0 {
		opts.Seed = defaultSeed
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts
}

// prepare enqueues the starting backlog and pauses "low" before the server runs, so the
// paused queue keeps its backlog instead of racing the workers for it.
func (w *World) prepare(ctx context.Context, opts Options) error {
	g := newGen(opts.Seed, streamBacklog, opts.Seal)
	for _, j := range backlog(g) {
		if j.err != nil {
			return fmt.Errorf("demo: make starting backlog: %w", j.err)
		}
		if _, err := w.client.EnqueueContext(ctx, j.task(), j.opts...); err != nil {
			return fmt.Errorf("demo: enqueue starting backlog on %s: %w", w.Addr, err)
		}
	}

	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: w.Addr})
	defer insp.Close()
	if err := insp.PauseQueue(queueLow); err != nil {
		return fmt.Errorf("demo: pause queue %q on %s: %w", queueLow, w.Addr, err)
	}
	return nil
}

// serverConfig is the asynq server set-up: short retry delays and check intervals so the
// states visibly move, and a quick shutdown so Close returns promptly.
func serverConfig(handlerCtx context.Context, opts Options) asynq.Config {
	// LogLevel is Error because Warn logs every exhausted retry, a normal event here.
	return asynq.Config{
		Concurrency:              10,
		Queues:                   queueWeights(),
		BaseContext:              func() context.Context { return handlerCtx },
		RetryDelayFunc:           retryDelay,
		Logger:                   asynqLogger{log: opts.Logger},
		LogLevel:                 asynq.ErrorLevel,
		ShutdownTimeout:          500 * time.Millisecond,
		TaskCheckInterval:        250 * time.Millisecond,
		DelayedTaskCheckInterval: time.Second,
		GroupGracePeriod:         5 * time.Second,
		GroupMaxDelay:            20 * time.Second,
		GroupMaxSize:             25,
		GroupAggregator:          asynq.GroupAggregatorFunc(aggregateDigest),
	}
}

// Close stops the producers, the asynq server and the embedded Redis. It is safe to call
// more than once and returns within about a second.
func (w *World) Close() error {
	w.closeOnce.Do(func() {
		w.stopProducers() // and the clock
		w.producers.Wait()

		// Stop dequeuing first, then cancel the running handlers, so Shutdown has nothing
		// to wait for; tasks cut short go back to Retry like in a real deploy.
		w.server.Stop()
		w.stopHandlers()
		w.server.Shutdown()

		w.closeErr = errors.Join(w.client.Close())
		w.redis.Close()
	})
	return w.closeErr
}
