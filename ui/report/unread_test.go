package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/ui/report"
)

// snapshot runs report.Snapshot on a real Redis and returns its output and error.
func snapshot(t *testing.T, src *source.Source, asJSON bool) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := report.Snapshot(context.Background(), &out, src, report.Options{JSON: asJSON})
	return out.String(), err
}

func open(t *testing.T, srv *redistest.Server) *source.Source {
	t.Helper()
	src, err := source.Open(context.Background(), source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// TestSnapshotOfUnreadableQueue has a queue whose state keys hold strings: every figure
// of it is unknown ("?", null), never zero, and Snapshot says how many queues it could
// not read after writing everything.
func TestSnapshotOfUnreadableQueue(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	ctx := context.Background()
	rdb.Set(ctx, "asynq:{broken}:pending", "oops", 0)
	rdb.Set(ctx, "asynq:{broken}:retry", "oops", 0)
	rdb.SAdd(ctx, "asynq:queues", "broken", "fine")
	rdb.LPush(ctx, "asynq:{fine}:pending", "t1")
	src := open(t, srv)

	table, err := snapshot(t, src, false)
	var ue *report.UnreadError
	if !errors.As(err, &ue) || ue.Queues != 1 || err.Error() != "1 queue could not be read" {
		t.Fatalf("err = %v, want 1 queue could not be read", err)
	}
	row := lineStarting(table, "broken")
	if got := strings.Fields(row); !slices.Equal(got[1:], []string{"ERROR", "?", "?", "?",
		"?", "?", "?", "?", "?", "?", "?"}) {
		t.Errorf("broken row %q, want ERROR and ? for every figure", row)
	}
	if !strings.Contains(table, "error in queue broken: cannot read queue") {
		t.Errorf("table does not give the error:\n%s", table)
	}
	if got := strings.Fields(lineStarting(table, "fine")); got[2] != "1" {
		t.Errorf("fine row %q, want 1 pending", got)
	}

	js, err := snapshot(t, src, true)
	if !errors.As(err, &ue) {
		t.Fatalf("JSON err = %v, want an UnreadError", err)
	}
	var doc struct{ Queues []map[string]any }
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	broken := doc.Queues[0]
	for _, k := range []string{"size", "pending", "active", "scheduled", "retry", "archived",
		"completed", "aggregating", "groups", "processed_today", "failed_today",
		"processed_total", "failed_total", "latency_seconds"} {
		if v, ok := broken[k]; !ok || v != nil {
			t.Errorf("broken %s = %v (present %v), want null", k, v, ok)
		}
	}
	if e, _ := broken["error"].(string); !strings.HasPrefix(e, "cannot read queue") {
		t.Errorf("broken error = %q", e)
	}
	if p := doc.Queues[1]["pending"]; p != 1.0 {
		t.Errorf("fine pending = %v, want 1", p)
	}
}

func lineStarting(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix+" ") {
			return l
		}
	}
	return ""
}

// TestSnapshotJSONServersAndUnlisted checks the JSON keys of a live asynq server, and
// the states of a queue it is configured for that is missing from asynq:queues: unused
// when empty, unlisted once it has tasks.
func TestSnapshotJSONServersAndUnlisted(t *testing.T) {
	srv := redistest.Start(t)
	opt := asynq.RedisClientOpt{Addr: srv.Addr}
	worker := asynq.NewServer(opt, asynq.Config{Queues: map[string]int{"standby": 1},
		Logger: quiet{}})
	if err := worker.Start(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	defer worker.Shutdown()
	src := open(t, srv)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if s, err := src.Servers(context.Background()); err == nil && len(s) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no heartbeat from the asynq server")
		}
	}

	js, err := snapshot(t, src, true)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Servers []map[string]any }
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	want := []string{"active_workers", "concurrency", "heartbeat_expires", "host", "pid",
		"queues", "server_id", "stale", "started", "status", "strict_priority"}
	var keys []string
	for k := range doc.Servers[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, want) || doc.Servers[0]["stale"] != false {
		t.Errorf("server %v\nwant keys %v, not stale", doc.Servers[0], want)
	}

	table, _ := snapshot(t, src, false)
	if got := strings.Fields(lineStarting(table, "standby")); len(got) < 2 || got[1] != "unused" {
		t.Errorf("standby row %q, want unused", got)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	rdb.ZAdd(context.Background(), "asynq:{standby}:scheduled",
		redis.Z{Score: float64(time.Now().Add(time.Hour).Unix()), Member: "t1"})
	table, _ = snapshot(t, src, false)
	if got := strings.Fields(lineStarting(table, "standby")); len(got) < 2 || got[1] != "unlisted" {
		t.Errorf("standby row %q, want unlisted", got)
	}
}

type quiet struct{}

func (quiet) Debug(...any) {}
func (quiet) Info(...any)  {}
func (quiet) Warn(...any)  {}
func (quiet) Error(...any) {}
func (quiet) Fatal(...any) {}
