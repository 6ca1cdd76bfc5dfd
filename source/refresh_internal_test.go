package source

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/source/redistest"
)

// TestOldestPendingBothPaths checks the Redis >= 7 path (SORT_RO over a window at the
// tail) and the older one (LINDEX, then HGET) read the same oldest task, and that a
// dangling tail gives "unknown", never zero.
func TestOldestPendingBothPaths(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	for _, sortRO := range []bool{true, false} {
		s, err := Open(ctx, Options{URL: srv.URL()})
		if err != nil {
			t.Fatal(err)
		}
		s.sortRO = sortRO
		rdb := s.Client()
		rdb.FlushAll(ctx)
		rdb.SAdd(ctx, keyQueues, "q", "dangling")
		base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 100; i++ { // LPUSH: the first pushed, the oldest, ends at the tail
			id := "t" + strconv.Itoa(i)
			rdb.HSet(ctx, taskKey("q", id), "pending_since",
				base.Add(time.Duration(i)*time.Second).UnixNano())
			rdb.LPush(ctx, stateKey("q", "pending"), id)
		}
		rdb.LPush(ctx, stateKey("dangling", "pending"), "ghost")

		snap, err := s.Refresh(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range snap.Queues {
			switch q.Name {
			case "q":
				if !q.LatencyKnown || !q.OldestPending.Equal(base) {
					t.Errorf("sortRO=%v: oldest = %v (known %v), want %v", sortRO,
						q.OldestPending, q.LatencyKnown, base)
				}
			case "dangling":
				if _, known := q.Latency(snap.Time); known {
					t.Errorf("sortRO=%v: dangling tail gave a known latency", sortRO)
				}
			}
		}
		s.Close()
	}
}
