package source_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/source/wire"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// putCompleted writes n completed tasks of queue as asynq v0.26 leaves them when they
// have a retention: a task hash with the message and completed_at, and an entry in the
// completed set scored by when it expires. One pipeline per thousand tasks.
func putCompleted(t *testing.T, rdb *redis.Client, queue string, n int, now time.Time) {
	t.Helper()
	ctx := context.Background()
	rdb.SAdd(ctx, "asynq:queues", queue)
	for start := 0; start < n; start += 1000 {
		pipe := rdb.Pipeline()
		for i := start; i < min(n, start+1000); i++ {
			id := fmt.Sprintf("done-%06d", i)
			msg := wire.EncodeTask(wire.TaskMessage{Type: "report:daily", ID: id, Queue: queue,
				Retry: 25, Retention: 24 * time.Hour, CompletedAt: now,
				Payload: []byte(`{"account":` + fmt.Sprint(i) + `,"format":"pdf"}`)})
			pipe.HSet(ctx, "asynq:{"+queue+"}:t:"+id, "msg", msg, "state", "completed",
				"completed_at", now.Unix())
			pipe.ZAdd(ctx, "asynq:{"+queue+"}:completed",
				redis.Z{Score: float64(now.Add(24 * time.Hour).Unix()), Member: id})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// trueMemory is what every key of queue takes, each measured: the figure Memory
// estimates.
func trueMemory(t *testing.T, rdb *redis.Client, queue string) int64 {
	t.Helper()
	ctx := context.Background()
	var keys []string
	iter := rdb.Scan(ctx, 0, "asynq:{"+queue+"}:*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	pipe := rdb.Pipeline()
	cmds := make([]*redis.IntCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.MemoryUsage(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, c := range cmds {
		sum += c.Val()
	}
	return sum
}

// commandsProcessed reads how many commands Redis has run, INFO included.
func commandsProcessed(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "stats").Result()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(field(info, "total_commands_processed"), &n)
	return n
}

// A small queue is measured whole: every task hash, so the figure is exact and equals
// the sum over every key of the queue.
func TestMemoryExactForSmallQueue(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	for i := 0; i < 3; i++ {
		if _, err := client.Enqueue(asynq.NewTask("mail", []byte(`{"n":1}`)),
			asynq.Queue("tiny")); err != nil {
			t.Fatal(err)
		}
	}
	got, err := src.Memory(ctx, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	want := trueMemory(t, rdb, "tiny")
	if !got.Exact || got.Sampled != 3 || got.Bytes != want || got.Unavailable != "" {
		t.Errorf("Memory = %+v, want exact %d bytes from 3 tasks", got, want)
	}
}

// A large queue with every kind of key is estimated from bounded samples, close to the
// measured truth, in at most three round trips and a bounded number of commands.
func TestMemoryEstimateIsBounded(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	putCompleted(t, rdb, "big", 20_000, redisNow(t, rdb))
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	for i := 0; i < 60; i++ {
		opts := []asynq.Option{asynq.Queue("big")}
		switch i % 3 {
		case 1:
			opts = append(opts, asynq.Group(fmt.Sprintf("g%d", i%12)))
		case 2:
			opts = append(opts, asynq.ProcessIn(time.Hour))
		}
		task := asynq.NewTask("mail", []byte(strings.Repeat("x", 200)))
		if _, err := client.Enqueue(task, opts...); err != nil {
			t.Fatal(err)
		}
	}
	var trips tripCounter
	src.Client().AddHook(&trips)
	before := commandsProcessed(t, rdb)

	got, err := src.Memory(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	commands := commandsProcessed(t, rdb) - before - 1
	want := trueMemory(t, rdb, "big")
	if n := trips.n.Load(); n > 3 {
		t.Errorf("Memory took %d round trips, want <= 3", n)
	}
	if commands > 200 {
		t.Errorf("Memory ran %d commands, want <= 200", commands)
	}
	if got.Exact || got.Sampled < 60 || got.Sampled > 6*source.MemorySample+24 {
		t.Errorf("Memory = %+v: want an estimate from a bounded sample", got)
	}
	if off := math.Abs(float64(got.Bytes-want)) / float64(want); off > 0.1 {
		t.Errorf("Memory = %d bytes, truth %d: off by %.0f%%", got.Bytes, want, 100*off)
	}
}

// Issue 5, cases 7 and 10: MEMORY renamed away or denied by ACL leaves the memory figure
// unavailable with the reason, never an error, and every refresh figure intact.
func TestMemoryUnavailable(t *testing.T) {
	want := map[string]string{
		redistest.MemoryRenamed: "MEMORY command disabled on this server",
		redistest.MemoryDenied:  "no permission for MEMORY",
	}
	for name, setup := range redistest.MemoryOff() {
		t.Run(name, func(t *testing.T) {
			srv := redistest.Start(t, setup.Options...)
			client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
			defer client.Close()
			for i := 0; i < 4; i++ {
				if _, err := client.Enqueue(asynq.NewTask("mail", nil),
					asynq.Queue("q")); err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.Background()
			src, err := source.Open(ctx, source.Options{URL: setup.URL(srv)})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()

			got, err := src.Memory(ctx, "q")
			if err != nil || got != (model.Memory{Unavailable: want[name]}) {
				t.Errorf("Memory = %+v, %v; want unavailable %q and no error", got, err,
					want[name])
			}
			snap, err := src.Refresh(ctx, nil)
			if err != nil || len(snap.Queues) != 1 || snap.Queues[0].Pending != 4 ||
				snap.Queues[0].Err != "" || !snap.Queues[0].LatencyKnown {
				t.Errorf("Refresh = %+v, %v; want queue q with 4 pending", snap.Queues, err)
			}
		})
	}
}
