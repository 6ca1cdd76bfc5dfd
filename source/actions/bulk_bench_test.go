package actions_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/source/actions/internal/benchbulk"
	"github.com/asynqtop/asynqtop/source/redistest"
)

// benchTasks is how many archived tasks each benchmark iteration requeues.
const benchTasks = 100000

// BenchmarkRunAllArchived requeues 100,000 archived tasks with asynq's
// Inspector.RunAllArchivedTasks and with our RunAll while a PING goes out every
// millisecond on another connection. Filling the queue is not timed. Besides ns/op
// (the run alone) it reports tasks/s, the worst and p99 PING wait, and the longest
// command Redis logged. scripts/bench-bulk.sh prints the same comparison as a table.
func BenchmarkRunAllArchived(b *testing.B) {
	srv := redistest.Start(b)
	ctx := context.Background()
	env, err := benchbulk.Open(ctx, srv.Addr)
	if err != nil {
		b.Fatal(err)
	}
	defer env.Src.Close()

	variants := []struct {
		name string
		run  func(context.Context, string, int) (benchbulk.Figures, error)
	}{
		{"asynq", env.Asynq},
		{"asynqtop", env.Ours},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			var took time.Duration
			var worst benchbulk.Stalls
			var longest time.Duration
			for i := 0; i < b.N; i++ {
				if err := env.Src.Client().FlushDB(ctx).Err(); err != nil {
					b.Fatal(err)
				}
				f, err := v.run(ctx, fmt.Sprintf("bench-%d", i), benchTasks)
				if err != nil {
					b.Fatal(err)
				}
				took += f.Took
				worst.Max = max(worst.Max, f.Stalls.Max)
				worst.P99 = max(worst.P99, f.Stalls.P99)
				longest = max(longest, f.Longest)
			}
			b.ReportMetric(float64(took.Nanoseconds())/float64(b.N), "ns/op")
			b.ReportMetric(float64(benchTasks*b.N)/took.Seconds(), "tasks/s")
			b.ReportMetric(worst.Max.Seconds()*1000, "max-ping-ms")
			b.ReportMetric(worst.P99.Seconds()*1000, "p99-ping-ms")
			b.ReportMetric(longest.Seconds()*1000, "longest-cmd-ms")
		})
	}
}
