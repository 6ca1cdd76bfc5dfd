package source_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/hibiken/asynq"
)

// TestRatesMatchTheProducer runs a real producer and a real asynq.Server, refreshes every
// 250 ms into a History, and checks that processed/s and failed/s integrated over time
// account for what the producer enqueued, within one refresh's worth of tasks.
func TestRatesMatchTheProducer(t *testing.T) {
	srv := redistest.Start(t)
	opt := asynq.RedisClientOpt{Addr: srv.Addr}
	client := asynq.NewClient(opt)
	defer client.Close()
	worker := asynq.NewServer(opt, asynq.Config{
		Concurrency: 8, Queues: map[string]int{"r": 1}, LogLevel: asynq.FatalLevel,
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return time.Hour },
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc("ok", func(context.Context, *asynq.Task) error { return nil })
	mux.HandleFunc("bad", func(context.Context, *asynq.Task) error { return errors.New("x") })
	if err := worker.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer worker.Shutdown()

	ctx := context.Background()
	src, err := source.Open(ctx, source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	h := model.NewHistory(100)
	refresh := func() model.Snapshot {
		snap, err := src.Refresh(ctx, []string{"r"})
		if err != nil {
			t.Fatal(err)
		}
		h.Observe(snap)
		return snap
	}
	refresh()

	produced, failing := 0, 0
	for tick := 0; tick < 12; tick++ {
		for i := 0; i < 20; i++ {
			typ := "ok"
			if i%5 == 0 {
				typ, failing = "bad", failing+1
			}
			if _, err := client.Enqueue(asynq.NewTask(typ, nil), asynq.Queue("r"),
				asynq.MaxRetry(0)); err != nil {
				t.Fatal(err)
			}
			produced++
		}
		time.Sleep(250 * time.Millisecond)
		refresh()
	}
	deadline := time.Now().Add(10 * time.Second)
	var last model.Snapshot
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		last = refresh()
		if q := last.Queues[0]; q.ProcessedTotal >= int64(produced) && q.Active == 0 {
			break
		}
	}
	q := last.Queues[0]
	if q.ProcessedTotal != int64(produced) || q.FailedTotal != int64(failing) ||
		q.Archived != int64(failing) {
		t.Fatalf("counts: processed %d failed %d archived %d; produced %d, %d failing",
			q.ProcessedTotal, q.FailedTotal, q.Archived, produced, failing)
	}
	perRefresh := float64(20) // the producer's tasks per refresh interval
	for m, want := range map[model.Metric]float64{
		model.MetricProcessedRate: float64(produced),
		model.MetricFailedRate:    float64(failing),
	} {
		got := integrate(h.Samples("r", m))
		if math.Abs(got-want) > perRefresh {
			t.Errorf("%s integrates to %.1f tasks, producer made %.0f", m, got, want)
		}
		for _, s := range h.Samples("r", m) {
			if s.Value < 0 {
				t.Errorf("%s went negative: %v", m, s.Value)
			}
		}
	}
}

// integrate sums rate × interval over a series of per-second rates.
func integrate(samples []model.Sample) float64 {
	total := 0.0
	for i := 1; i < len(samples); i++ {
		if v := samples[i].Value; !math.IsNaN(v) {
			total += v * samples[i].Time.Sub(samples[i-1].Time).Seconds()
		}
	}
	return total
}
