package source_test

import (
	"context"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, where the system has no zoneinfo

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/hibiken/asynq"
)

// The hostile states of issue 5 that concern the queue table's figures.

func refreshed(t *testing.T, src *source.Source, extra ...string) map[string]model.QueueStats {
	t.Helper()
	snap, err := src.Refresh(context.Background(), extra)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.QueueStats{}
	for _, q := range snap.Queues {
		out[q.Name] = q
	}
	return out
}

// Issue 5, case 5: half-registered queues. A name in asynq:queues with no keys at all is
// a zero row without error. A queue removed by asynq's DeleteQueue keeps its paused flag
// (asynq deletes the state keys, not the flag): while it is out of asynq:queues it is not
// a queue and is not listed, as asynq's own Inspector does not list it; once a producer
// re-creates it, it is listed paused since the old pause, which is how asynq's workers
// will treat it. A flag that holds no time is paused with the time unknown.
func TestHostileHalfRegisteredQueues(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: srv.Addr})
	defer insp.Close()
	rdb.SAdd(ctx, "asynq:queues", "bare", "junkflag")
	rdb.Set(ctx, "asynq:{junkflag}:paused", "yes", 0)
	if _, err := client.Enqueue(asynq.NewTask("x", nil), asynq.Queue("phoenix")); err != nil {
		t.Fatal(err)
	}
	if err := insp.PauseQueue("phoenix"); err != nil {
		t.Fatal(err)
	}
	if err := insp.DeleteQueue("phoenix", true); err != nil {
		t.Fatal(err)
	}
	pausedAt := redisNow(t, rdb).Add(-72 * time.Hour).Truncate(time.Second)
	rdb.Set(ctx, "asynq:{phoenix}:paused", pausedAt.Unix(), 0)

	qs := refreshed(t, src)
	if bare := qs["bare"]; bare.Err != "" || bare.Size() != 0 || !bare.Registered ||
		bare.Paused || !bare.AggregatingKnown {
		t.Errorf("bare queue = %+v, want a registered zero row", bare)
	}
	if j := qs["junkflag"]; !j.Paused || !j.PausedSince.IsZero() || j.Err != "" {
		t.Errorf("junk paused flag = %+v, want paused since unknown", j)
	}
	if _, listed := qs["phoenix"]; listed || len(qs) != 2 {
		t.Errorf("deleted queue listed: %v", qs)
	}

	// A new producer: asynq's client registers a queue once per process.
	again := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer again.Close()
	if _, err := again.Enqueue(asynq.NewTask("x", nil), asynq.Queue("phoenix")); err != nil {
		t.Fatal(err)
	}
	p := refreshed(t, src)["phoenix"]
	if !p.Paused || !p.PausedSince.Equal(pausedAt) || p.Pending != 1 || !p.Registered {
		t.Errorf("re-created queue = %+v, want paused since %v with 1 pending", p, pausedAt)
	}
}

// Issue 5, case 7: 20,000 completed tasks kept for their retention and nothing pending
// are neither a backlog nor a breach.
func TestHostileCompletedIsNotBacklog(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src := rawClient(t, srv), openSource(t, srv)
	putCompleted(t, rdb, "reports", 20_000, redisNow(t, rdb))

	snap, err := src.Refresh(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := snap.Queues[0]
	if q.Completed != 20_000 || q.Pending != 0 || q.Err != "" {
		t.Fatalf("queue = %+v, want 20000 completed and 0 pending", q)
	}
	if d, ok := q.Latency(snap.Time); !ok || d != 0 {
		t.Errorf("latency %v known %v, want 0", d, ok)
	}
	h := model.NewHistory(10)
	h.Observe(snap)
	var br model.Breaches
	if active := br.Evaluate(snap.Time, h, model.DefaultRules()); len(active) != 0 {
		t.Errorf("breaches %+v, want none", active)
	}
}

// Issue 5, case 15: asynq keys its daily counters by UTC date; whatever the local time
// zone, Daily returns UTC days with the right counts and the refresh reads today's UTC
// counters. Zones 25 hours apart make sure that at least one of them is on another date
// than UTC whenever the test runs.
func TestHostileDailyInFarZones(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	today := redisNow(t, rdb).UTC().Truncate(24 * time.Hour)
	counts := map[int]int64{0: 7, 1: 11, 2: 13, 5: 17}
	for ago, n := range counts {
		day := today.AddDate(0, 0, -ago).Format("2006-01-02")
		rdb.Set(ctx, "asynq:{tz}:processed:"+day, n, 0)
		rdb.Set(ctx, "asynq:{tz}:failed:"+day, n/2, 0)
	}
	rdb.SAdd(ctx, "asynq:queues", "tz")

	for _, zone := range []string{"Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago",
		"America/Los_Angeles"} {
		t.Run(zone, func(t *testing.T) {
			inZone(t, zone)
			days, err := src.Daily(ctx, "tz", 7)
			if err != nil || len(days) != 7 {
				t.Fatalf("Daily = %d days, %v", len(days), err)
			}
			for i, d := range days {
				ago := 6 - i
				want := today.AddDate(0, 0, -ago)
				if !d.Day.Equal(want) || d.Day.Location() != time.UTC ||
					d.Processed != counts[ago] || d.Failed != counts[ago]/2 {
					t.Errorf("day %d = %v %d/%d, want %v %d/%d", i, d.Day, d.Processed,
						d.Failed, want, counts[ago], counts[ago]/2)
				}
			}
			if q := refreshed(t, src)["tz"]; q.ProcessedToday != 7 || q.FailedToday != 3 {
				t.Errorf("today's counters %d/%d, want 7/3", q.ProcessedToday, q.FailedToday)
			}
		})
	}
}

// inZone sets the local time zone for the rest of the test.
func inZone(t *testing.T, zone string) {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Local
	time.Local = loc
	t.Cleanup(func() { time.Local = saved })
}

// Issue 5, case 15: at the UTC day boundary the daily counters start again from zero
// while the lifetime counters keep growing; rates come from the lifetime counters, so
// processed/s stays right across midnight. The two refreshes are real; their instants
// are set to straddle 00:00 UTC, which a test cannot wait for.
func TestHostileRatesAcrossUTCMidnight(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	inZone(t, "Asia/Shanghai")
	day := redisNow(t, rdb).UTC().Format("2006-01-02")
	rdb.SAdd(ctx, "asynq:queues", "mid")
	rdb.MSet(ctx, "asynq:{mid}:processed", 100_000, "asynq:{mid}:failed", 4_000,
		"asynq:{mid}:processed:"+day, 50_000, "asynq:{mid}:failed:"+day, 2_000)
	before, err := src.Refresh(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rdb.MSet(ctx, "asynq:{mid}:processed", 100_010, "asynq:{mid}:failed", 4_002,
		"asynq:{mid}:processed:"+day, 3, "asynq:{mid}:failed:"+day, 1)
	after, err := src.Refresh(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	midnight := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	before.Time, after.Time = midnight.Add(-time.Second), midnight.Add(time.Second)

	h := model.NewHistory(10)
	h.Observe(before)
	h.Observe(after)
	want := map[model.Metric]float64{model.MetricProcessedRate: 5, model.MetricFailedRate: 1}
	for m, w := range want {
		if got, ok := h.Latest("mid", m); !ok || got != w {
			t.Errorf("%s = %v (known %v), want %v", m, got, ok, w)
		}
	}
	if q := after.Queues[0]; q.ProcessedToday != 3 || q.ProcessedTotal != 100_010 {
		t.Errorf("after midnight: today %d lifetime %d", q.ProcessedToday, q.ProcessedTotal)
	}
}
