package source_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/source/wire"
	"github.com/redis/go-redis/v9"
)

// findWorld holds queue "f": 450 pending tasks (300 "alpha", 150 "beta"), seven of them
// with "Needle" in their payload, one 2 MiB message holding it too (skipped, so not
// found), and one ID without data, the last two at the head; and 450 scheduled tasks
// sharing three scores, so that batches end inside ties.
func findWorld(t *testing.T) (*source.Source, *redis.Client) {
	t.Helper()
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	pipe := rdb.Pipeline()
	put := func(id, typ string, payload []byte, state string) {
		msg := wire.EncodeTask(wire.TaskMessage{Type: typ, ID: id, Queue: "f",
			Payload: payload, ErrorMsg: "last: " + typ})
		pipe.HSet(ctx, "asynq:{f}:t:"+id, "msg", msg, "state", state)
	}
	for i := 0; i < 450; i++ {
		typ := "alpha"
		if i%3 == 2 {
			typ = "beta"
		}
		payload := fmt.Sprintf(`{"i":%d}`, i)
		if i%64 == 5 {
			payload = fmt.Sprintf(`{"i":%d,"word":"a Needle here"}`, i)
		}
		id := fmt.Sprintf("p%03d", i)
		put(id, typ, []byte(payload), "pending")
		pipe.LPush(ctx, "asynq:{f}:pending", id)

		sid := fmt.Sprintf("s%03d", i)
		put(sid, "later", []byte("x"), "scheduled")
		pipe.ZAdd(ctx, "asynq:{f}:scheduled", redis.Z{Score: float64(1700000000 + i%3),
			Member: sid})
	}
	put("huge", "alpha", bytes.Repeat([]byte("needle "), 2<<20/7), "pending")
	pipe.LPush(ctx, "asynq:{f}:pending", "huge", "ghost")
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return src, rdb
}

func TestFind(t *testing.T) {
	src, _ := findWorld(t)
	ctx := context.Background()
	cases := map[string]struct {
		q         source.FindQuery
		matches   int
		scanned   int
		complete  bool
		skipped   int
		checkEach func(model.Task) bool
	}{
		"payload, any case": {
			q:       source.FindQuery{Queue: "f", State: model.Pending, Text: "NEEDLE"},
			matches: 7, scanned: 452, complete: true, skipped: 1,
			checkEach: func(task model.Task) bool {
				return bytes.Contains(bytes.ToLower(task.Payload), []byte("needle"))
			},
		},
		"type": {
			q:       source.FindQuery{Queue: "f", State: model.Pending, Text: "Beta"},
			matches: 150, scanned: 452, complete: true, skipped: 1,
			checkEach: func(task model.Task) bool { return task.Type == "beta" },
		},
		"ID of a missing record": {
			q:       source.FindQuery{Queue: "f", State: model.Pending, Text: "ghost"},
			matches: 1, scanned: 452, complete: true, skipped: 1,
			checkEach: func(task model.Task) bool { return task.Problem == model.ProblemMissing },
		},
		"error message": {
			q:       source.FindQuery{Queue: "f", State: model.Scheduled, Text: "LAST: later"},
			matches: 450, scanned: 450, complete: true,
			checkEach: func(task model.Task) bool { return task.Type == "later" },
		},
		"bounded by MaxTasks": {
			q: source.FindQuery{Queue: "f", State: model.Pending, Text: "alpha",
				MaxTasks: 100},
			matches: 65, scanned: 100, complete: false, skipped: 1,
		},
		"empty text matches all": {
			q:       source.FindQuery{Queue: "f", State: model.Scheduled, Text: ""},
			matches: 450, scanned: 450, complete: true,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var calls int
			res, err := src.Find(ctx, c.q, func(scanned, total int) { calls++ })
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Matches) != c.matches || res.Scanned != c.scanned ||
				res.Complete != c.complete || res.SkippedLarge != c.skipped {
				t.Errorf("%d matches, scanned %d of %d, complete %v, skipped %d; want %d, "+
					"%d, %v, %d", len(res.Matches), res.Scanned, res.Total, res.Complete,
					res.SkippedLarge, c.matches, c.scanned, c.complete, c.skipped)
			}
			if calls != (res.Scanned+199)/200 {
				t.Errorf("progress called %d times for %d scanned", calls, res.Scanned)
			}
			seen := map[string]bool{}
			for _, task := range res.Matches {
				if seen[task.ID] || (c.checkEach != nil && !c.checkEach(task)) {
					t.Errorf("match %s (%s) duplicated or wrong", task.ID, task.Type)
				}
				seen[task.ID] = true
			}
		})
	}
}

func TestFindStopsAtMaxTimeAndContext(t *testing.T) {
	src, _ := findWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	res, err := src.Find(ctx, source.FindQuery{Queue: "f", State: model.Pending, Text: "x"},
		func(int, int) { cancel() })
	if err != nil || res.Complete || res.Scanned != 200 {
		t.Errorf("after cancel: scanned %d complete %v, %v", res.Scanned, res.Complete, err)
	}
	res, err = src.Find(context.Background(), source.FindQuery{Queue: "f",
		State: model.Pending, MaxTime: time.Nanosecond}, nil)
	if err != nil || res.Complete {
		t.Errorf("MaxTime 1ns: scanned %d complete %v, %v", res.Scanned, res.Complete, err)
	}
}

func TestFindCapsMatches(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	pipe := rdb.Pipeline()
	for i := 0; i < 700; i++ {
		id := fmt.Sprintf("c%03d", i)
		msg := wire.EncodeTask(wire.TaskMessage{Type: "same", ID: id, Queue: "c"})
		pipe.HSet(ctx, "asynq:{c}:t:"+id, "msg", msg, "state", "archived")
		pipe.ZAdd(ctx, "asynq:{c}:archived", redis.Z{Score: 1700000000, Member: id})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := src.Find(ctx, source.FindQuery{Queue: "c", State: model.Archived,
		Text: "SAME"}, nil)
	if err != nil || len(res.Matches) != source.MaxFindMatches || res.Complete ||
		res.Total != 700 {
		t.Errorf("%d matches of %d, complete %v, %v", len(res.Matches), res.Total,
			res.Complete, err)
	}
}

func TestTypeCounts(t *testing.T) {
	src, _ := findWorld(t)
	ctx := context.Background()
	exact, err := src.TypeCounts(ctx, "f", model.Pending, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"alpha": 300, "beta": 150, source.TypeMissing: 1,
		source.TypeTooLarge: 1}
	if !exact.Exact || exact.Sampled != 452 || exact.Total != 452 ||
		fmt.Sprint(exact.Counts) != fmt.Sprint(want) {
		t.Errorf("exact counts %+v, want %v", exact, want)
	}

	sampled, err := src.TypeCounts(ctx, "f", model.Pending, 100)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, n := range sampled.Counts {
		sum += n
	}
	if sampled.Exact || sampled.Sampled != 100 || sampled.Total != 452 || sum != 100 ||
		sampled.Counts["alpha"] == 0 || sampled.Counts["beta"] == 0 {
		t.Errorf("sampled counts %+v", sampled)
	}
	if _, err := src.TypeCounts(ctx, "f", model.Aggregating, 0); err == nil ||
		!strings.Contains(err.Error(), "aggregating") {
		t.Errorf("aggregating type counts: %v", err)
	}
}
