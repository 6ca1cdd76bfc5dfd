// Package benchbulk measures bulk task moves against a live Redis: it fills a queue with
// real asynq task records fast, watches how long Redis stalls other clients with a PING
// every millisecond, and times asynq's Inspector against asynqtop's batched actions.
// The actions benchmark and scripts/bench-bulk.sh share it.
package benchbulk

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/asynqtop/asynqtop/source/audit"
	"github.com/asynqtop/asynqtop/source/wire"
)

// fillChunk is how many tasks one pipeline writes.
const fillChunk = 2000

// Fill writes n tasks of state (archived or pending) into queue directly in asynq
// v0.26.0's layout, with messages encoded as asynq encodes them and 64 random payload
// bytes each (like a sealed payload), and returns their IDs. asynq's Client enqueues a
// task per round trip; this pipelines thousands.
func Fill(ctx context.Context, rdb redis.UniversalClient, queue string, state model.State,
	n int,
) ([]string, error) {
	prefix := "asynq:{" + queue + "}:"
	now := time.Now()
	ids := make([]string, n)
	for start := 0; start < n; start += fillChunk {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			if start == 0 {
				p.SAdd(ctx, "asynq:queues", queue)
			}
			for i := start; i < min(start+fillChunk, n); i++ {
				ids[i] = fmt.Sprintf("bench-%08d-%s", i, rand.Text()[:8])
				fillOne(ctx, p, prefix, queue, state, ids[i], now)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("fill %s: %w", queue, err)
		}
	}
	return ids, nil
}

func fillOne(ctx context.Context, p redis.Pipeliner, prefix, queue string, state model.State,
	id string, now time.Time,
) {
	payload := make([]byte, 64)
	_, _ = rand.Read(payload)
	m := wire.TaskMessage{Type: "bench:task", Payload: payload, ID: id, Queue: queue,
		Retry: 25, Timeout: 30 * time.Minute}
	if state == model.Archived {
		m.Retried, m.ErrorMsg, m.LastFailedAt = 25, "bench failure", now
	}
	p.HSet(ctx, prefix+"t:"+id, "msg", wire.EncodeTask(m), "state", string(state),
		"pending_since", now.UnixNano())
	if state == model.Pending {
		p.LPush(ctx, prefix+"pending", id)
		return
	}
	p.ZAdd(ctx, prefix+string(state), redis.Z{Score: float64(now.Unix()), Member: id})
}

// Stalls is what the PING probe saw: the worst and the 99th percentile wait.
type Stalls struct {
	Max, P99 time.Duration
	Pings    int
}

// Probe PINGs addr once a millisecond on its own connection until the returned stop is
// called, and then reports the latencies.
func Probe(addr string) (stop func() Stalls) {
	c := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1, Protocol: 2,
		DisableIdentity: true, ReadTimeout: 30 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	var lat []time.Duration
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for ctx.Err() == nil {
			t0 := time.Now()
			if c.Ping(ctx).Err() == nil {
				lat = append(lat, time.Since(t0))
			}
			select {
			case <-tick.C:
			case <-ctx.Done():
			}
		}
	}()
	return func() Stalls {
		cancel()
		wg.Wait()
		_ = c.Close()
		return summarize(lat)
	}
}

func summarize(lat []time.Duration) Stalls {
	if len(lat) == 0 {
		return Stalls{}
	}
	slices.Sort(lat)
	return Stalls{Max: lat[len(lat)-1], P99: lat[len(lat)*99/100], Pings: len(lat)}
}

// Figures are one measured bulk requeue.
type Figures struct {
	Tasks  int
	Took   time.Duration
	Stalls Stalls
	// Longest is the longest command Redis itself logged (SLOWLOG) during the run: the
	// stall without the client machine's scheduling noise.
	Longest time.Duration
}

// PerSecond is the throughput in tasks per second.
func (f Figures) PerSecond() float64 { return float64(f.Tasks) / f.Took.Seconds() }

// Env is a Redis to measure on: its address and a Source opened on it.
type Env struct {
	Addr string
	Src  *source.Source
}

// Open connects to the Redis at addr.
func Open(ctx context.Context, addr string) (*Env, error) {
	src, err := source.Open(ctx, source.Options{URL: "redis://" + addr + "/0"})
	if err != nil {
		return nil, err
	}
	return &Env{Addr: addr, Src: src}, nil
}

// Asynq fills queue with n archived tasks and times Inspector.RunAllArchivedTasks.
func (e *Env) Asynq(ctx context.Context, queue string, n int) (Figures, error) {
	if _, err := Fill(ctx, e.Src.Client(), queue, model.Archived, n); err != nil {
		return Figures{}, err
	}
	ins := asynq.NewInspectorFromRedisClient(e.Src.Client())
	if err := e.resetSlowlog(ctx); err != nil {
		return Figures{}, err
	}
	stop := Probe(e.Addr)
	t0 := time.Now()
	moved, err := ins.RunAllArchivedTasks(queue)
	took := time.Since(t0)
	st := stop()
	if err != nil {
		return Figures{}, err
	}
	f := Figures{Tasks: moved, Took: took, Stalls: st, Longest: e.longest(ctx)}
	return f, e.check(ctx, queue, n)
}

// Ours fills queue with n archived tasks and times actions' RunAll, auditing to a
// temporary file.
func (e *Env) Ours(ctx context.Context, queue string, n int) (Figures, error) {
	if _, err := Fill(ctx, e.Src.Client(), queue, model.Archived, n); err != nil {
		return Figures{}, err
	}
	dir, err := os.MkdirTemp("", "benchbulk")
	if err != nil {
		return Figures{}, err
	}
	defer os.RemoveAll(dir)
	log, err := audit.Open(filepath.Join(dir, "audit.log"))
	if err != nil {
		return Figures{}, err
	}
	defer log.Close()
	act := actions.New(e.Src, actions.Options{Audit: log, Operator: "bench"})
	defer act.Close()

	if err := e.resetSlowlog(ctx); err != nil {
		return Figures{}, err
	}
	stop := Probe(e.Addr)
	t0 := time.Now()
	res, err := act.RunAll(ctx, queue, model.Archived, nil)
	took := time.Since(t0)
	st := stop()
	if err != nil {
		return Figures{}, err
	}
	f := Figures{Tasks: res.Done, Took: took, Stalls: st, Longest: e.longest(ctx)}
	return f, e.check(ctx, queue, n)
}

// resetSlowlog makes Redis log every command over 1 ms, and forgets earlier ones.
func (e *Env) resetSlowlog(ctx context.Context) error {
	c := e.Src.Client()
	if err := c.ConfigSet(ctx, "slowlog-log-slower-than", "1000").Err(); err != nil {
		return err
	}
	if err := c.ConfigSet(ctx, "slowlog-max-len", "100000").Err(); err != nil {
		return err
	}
	return c.SlowLogReset(ctx).Err()
}

// longest is the longest command in the slow log; zero when it cannot be read.
func (e *Env) longest(ctx context.Context) time.Duration {
	logs, err := e.Src.Client().SlowLogGet(ctx, -1).Result()
	if err != nil {
		return 0
	}
	var d time.Duration
	for _, l := range logs {
		d = max(d, l.Duration)
	}
	return d
}

// check confirms the run moved every task: n pending, none archived.
func (e *Env) check(ctx context.Context, queue string, n int) error {
	prefix := "asynq:{" + queue + "}:"
	p, err := e.Src.Client().LLen(ctx, prefix+"pending").Result()
	if err != nil {
		return err
	}
	a, err := e.Src.Client().ZCard(ctx, prefix+"archived").Result()
	if err != nil {
		return err
	}
	if int(p) != n || a != 0 {
		return fmt.Errorf("after the run %s has %d pending and %d archived, want %d and 0",
			queue, p, a, n)
	}
	return nil
}

// Report formats the comparison of asynq's run and ours.
func Report(n int, theirs, ours Figures) string {
	row := func(name string, f Figures) string {
		return fmt.Sprintf("%-22s %8.2f s %10s %10s %10s %12s\n", name, f.Took.Seconds(),
			group(int(f.PerSecond())), ms(f.Stalls.Max), ms(f.Stalls.P99), ms(f.Longest))
	}
	s := fmt.Sprintf("requeue of %s archived tasks, PING every 1 ms on another connection\n\n",
		group(n))
	s += fmt.Sprintf("%-22s %10s %10s %10s %10s %12s\n", "", "took", "tasks/s",
		"max PING", "p99 PING", "longest cmd")
	s += row("asynq RunAllArchived", theirs)
	s += row("asynqtop RunAll", ours)
	s += fmt.Sprintf("\nasynqtop / asynq: throughput %.2fx, max PING %.3fx, p99 PING %.3fx, "+
		"longest command %.3fx\n", ours.PerSecond()/theirs.PerSecond(),
		ratio(ours.Stalls.Max, theirs.Stalls.Max), ratio(ours.Stalls.P99, theirs.Stalls.P99),
		ratio(ours.Longest, theirs.Longest))
	s += "(PING waits include this machine's scheduling; the longest command is what " +
		"Redis itself logged in SLOWLOG)\n"
	return s
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return a.Seconds() / b.Seconds()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", d.Seconds()*1000) }

func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
