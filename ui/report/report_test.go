package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/ui/report"
	"github.com/hibiken/asynq"
)

// TestSnapshotJSONAgreesWithInspector checks `asynqtop snapshot --json` against asynq's
// own Inspector on a real Redis.
func TestSnapshotJSONAgreesWithInspector(t *testing.T) {
	srv := redistest.Start(t)
	opt := asynq.RedisClientOpt{Addr: srv.Addr}
	client := asynq.NewClient(opt)
	defer client.Close()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	for i := 0; i < 30; i++ {
		q := []string{"alpha", "beta\x1b[2J", "gamma"}[i%3]
		opts := []asynq.Option{asynq.Queue(q)}
		if i%4 == 0 {
			opts = append(opts, asynq.ProcessIn(3600e9))
		}
		if _, err := client.Enqueue(asynq.NewTask("t", nil), opts...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := insp.ArchiveAllPendingTasks("gamma"); err != nil {
		t.Fatal(err)
	}
	if err := insp.PauseQueue("alpha"); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	src, err := source.Open(ctx, source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out bytes.Buffer
	if err := report.Snapshot(ctx, &out, src, report.Options{JSON: true}); err != nil {
		t.Fatal(err)
	}
	var doc report.Output
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out.String())
	}
	if len(doc.Queues) != 3 {
		t.Fatalf("got %d queues, want 3", len(doc.Queues))
	}
	for _, q := range doc.Queues {
		info, err := insp.GetQueueInfo(q.Name)
		if err != nil {
			t.Fatal(err)
		}
		got := [8]int64{*q.Pending, *q.Active, *q.Scheduled, *q.Retry, *q.Archived,
			*q.Completed, *q.ProcessedTotal, *q.FailedTotal}
		want := [8]int64{int64(info.Pending), int64(info.Active), int64(info.Scheduled),
			int64(info.Retry), int64(info.Archived), int64(info.Completed),
			int64(info.ProcessedTotal), int64(info.FailedTotal)}
		if got != want || q.Paused != info.Paused || *q.Size != int64(info.Size) {
			t.Errorf("queue %q: snapshot %v paused=%v size=%d; Inspector %v paused=%v size=%d",
				q.Name, got, q.Paused, *q.Size, want, info.Paused, info.Size)
		}
	}

	var table bytes.Buffer
	if err := report.Snapshot(ctx, &table, src, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(table.String(), 0x1b) || !strings.Contains(table.String(), `beta\x1b[2J`) {
		t.Errorf("table output does not escape the queue name:\n%q", table.String())
	}
}
