// Command benchrefresh measures one asynqtop refresh against asynq's Inspector doing the
// same job (Queues, then GetQueueInfo for each queue) on the same real Redis, in the same
// run, and prints round trips, Redis commands (from INFO commandstats deltas, which count
// the commands Lua scripts run too) and wall time, with ratios. scripts/bench.sh runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/source/wire"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

func main() {
	sizes := flag.String("queues", "200,1000", "queue counts to measure, comma-separated")
	pending := flag.Int("pending", 1000, "pending tasks per queue")
	retry := flag.Int("retry", 200, "retry tasks per queue")
	archived := flag.Int("archived", 500, "archived tasks per queue")
	runs := flag.Int("runs", 3, "refreshes per side; the median wall time is printed")
	flag.Parse()
	if err := run(*sizes, [3]int{*pending, *retry, *archived}, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "benchrefresh: "+err.Error())
		os.Exit(1)
	}
}

func run(sizes string, per [3]int, runs int) error {
	srv, err := redistest.StartProcess()
	if err != nil {
		return err
	}
	defer func() { srv.Stop(); _ = os.RemoveAll(srv.Dir) }()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()

	filled := 0
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("bad -queues %q", sizes)
		}
		start := time.Now()
		if err := fill(ctx, rdb, filled, n, per); err != nil {
			return err
		}
		filled = n
		fmt.Printf("\n%d queues x (%d pending, %d retry, %d archived), filled in %s\n",
			n, per[0], per[1], per[2], time.Since(start).Round(time.Millisecond))
		if err := compare(ctx, srv, rdb, runs); err != nil {
			return err
		}
	}
	return nil
}

// fill adds queues [from, to) in asynq v0.26.0's layout with real encoded messages.
func fill(ctx context.Context, rdb *redis.Client, from, to int, per [3]int) error {
	now := time.Now()
	for q := from; q < to; q++ {
		name := fmt.Sprintf("queue-%04d", q)
		prefix := "asynq:{" + name + "}:"
		pipe := rdb.Pipeline()
		pipe.SAdd(ctx, "asynq:queues", name)
		add := func(state string, i int) {
			id := fmt.Sprintf("%s-%s-%d", name, state, i)
			msg := wire.EncodeTask(wire.TaskMessage{Type: "bench:task", ID: id, Queue: name,
				Payload: []byte(`{"user_id":12345,"template":"welcome"}`), Retry: 25})
			fields := []any{"msg", msg, "state", state}
			if state == "pending" {
				fields = append(fields, "pending_since", now.UnixNano())
				pipe.LPush(ctx, prefix+"pending", id)
			} else {
				pipe.ZAdd(ctx, prefix+state, redis.Z{Score: float64(now.Unix()), Member: id})
			}
			pipe.HSet(ctx, prefix+"t:"+id, fields...)
		}
		for i := 0; i < per[0]; i++ {
			add("pending", i)
		}
		for i := 0; i < per[1]; i++ {
			add("retry", i)
		}
		for i := 0; i < per[2]; i++ {
			add("archived", i)
		}
		pipe.Set(ctx, prefix+"processed", 1000, 0)
		pipe.Set(ctx, prefix+"failed", 10, 0)
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("fill %s: %v", name, err)
		}
	}
	return nil
}

// sample is what one side's refresh cost.
type sample struct {
	trips    int
	commands int64
	wall     time.Duration
}

func compare(ctx context.Context, srv *redistest.Server, rdb *redis.Client, runs int) error {
	src, err := source.Open(ctx, source.Options{URL: srv.URL()})
	if err != nil {
		return err
	}
	defer src.Close()
	ours, err := measure(ctx, rdb, runs, func() (int, error) {
		snap, err := src.Refresh(ctx, nil)
		return snap.RoundTrips, err
	})
	if err != nil {
		return err
	}
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: srv.Addr})
	defer insp.Close()
	theirs, err := measure(ctx, rdb, runs, func() (int, error) {
		qs, err := insp.Queues()
		if err != nil {
			return 0, err
		}
		for _, q := range qs {
			if _, err := insp.GetQueueInfo(q); err != nil {
				return 0, err
			}
		}
		// Inspector sends each call on its own: one for Queues, and per queue SISMEMBER,
		// the stats script, the memory script.
		return 1 + 3*len(qs), nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("  %-22s %12s %14s %12s\n", "", "round trips", "redis commands", "wall time")
	fmt.Printf("  %-22s %12d %14d %12s\n", "asynqtop refresh", ours.trips, ours.commands,
		ours.wall.Round(10*time.Microsecond))
	fmt.Printf("  %-22s %12d %14d %12s\n", "asynq Inspector", theirs.trips, theirs.commands,
		theirs.wall.Round(10*time.Microsecond))
	fmt.Printf("  %-22s %12s %14s %12s\n", "ratio (ours/theirs)",
		ratio(float64(ours.trips), float64(theirs.trips)),
		ratio(float64(ours.commands), float64(theirs.commands)),
		ratio(float64(ours.wall), float64(theirs.wall)))
	fmt.Printf("  targets: round trips <= 3 (%s), commands <= 1/10 of the Inspector's (%s)\n",
		verdict(ours.trips <= 3), verdict(ours.commands*10 <= theirs.commands))
	return nil
}

// measure runs f runs times and returns its round trips, the Redis commands of one run
// (from INFO commandstats, less the INFO call itself) and the median wall time.
func measure(ctx context.Context, rdb *redis.Client, runs int, f func() (int, error)) (
	sample, error,
) {
	var s sample
	walls := make([]time.Duration, 0, runs)
	for i := 0; i < runs; i++ {
		before, err := totalCalls(ctx, rdb)
		if err != nil {
			return s, err
		}
		start := time.Now()
		trips, err := f()
		if err != nil {
			return s, err
		}
		walls = append(walls, time.Since(start))
		after, err := totalCalls(ctx, rdb)
		if err != nil {
			return s, err
		}
		s.trips, s.commands = trips, after-before-1
	}
	for i := range walls { // insertion sort: runs is tiny
		for j := i; j > 0 && walls[j] < walls[j-1]; j-- {
			walls[j], walls[j-1] = walls[j-1], walls[j]
		}
	}
	s.wall = walls[len(walls)/2]
	return s, nil
}

// totalCalls sums calls= over INFO commandstats.
func totalCalls(ctx context.Context, rdb *redis.Client) (int64, error) {
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return 0, err
	}
	var total int64
	for _, line := range strings.Split(info, "\n") {
		i := strings.Index(line, "calls=")
		if !strings.HasPrefix(line, "cmdstat_") || i < 0 {
			continue
		}
		rest := line[i+len("calls="):]
		if j := strings.IndexByte(rest, ','); j >= 0 {
			rest = rest[:j]
		}
		n, _ := strconv.ParseInt(rest, 10, 64)
		total += n
	}
	return total, nil
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return strconv.FormatFloat(a/b, 'f', 4, 64)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
