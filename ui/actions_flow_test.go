package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/asynqtop/asynqtop/source/audit"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/ui"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/hibiken/asynq"
)

// TestActionFlow pauses a queue and requeues an archived task through the keys and the
// confirmation dialog, against a real Redis, and checks Redis and the audit log.
func TestActionFlow(t *testing.T) {
	srv := redistest.Start(t)
	opt := asynq.RedisClientOpt{Addr: srv.Addr}
	client := asynq.NewClient(opt)
	defer client.Close()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	info, err := client.Enqueue(asynq.NewTask("email:send", []byte(`{"to":"a"}`)),
		asynq.Queue("mailers"))
	if err != nil {
		t.Fatal(err)
	}
	if err := insp.ArchiveTask("mailers", info.ID); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	src, err := source.Open(ctx, source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	logPath := filepath.Join(t.TempDir(), "audit.log")
	log, err := audit.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	actor := actions.New(src, actions.Options{Audit: log, Operator: "oncall@test",
		Context: "TEST"})
	defer actor.Close()

	m := ui.New(ui.Options{Source: src, Actor: actor, Refresh: 250 * time.Millisecond})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 48))
	waitFor(t, tm, "mailers")

	press(tm, "p")
	waitFor(t, tm, "Pause queue mailers?")
	press(tm, "y")
	eventually(t, "queue paused", func() bool {
		qi, err := insp.GetQueueInfo("mailers")
		return err == nil && qi.Paused
	})

	press(tm, "5")
	waitFor(t, tm, "archived · 1 task")
	press(tm, "r")
	waitFor(t, tm, "Requeue 1 archived task in queue mailers")
	press(tm, "y")
	eventually(t, "task requeued", func() bool {
		ti, err := insp.GetTaskInfo("mailers", info.ID)
		return err == nil && ti.State == asynq.TaskStatePending
	})
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	entries, err := audit.Read(logPath, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Operator != "oncall@test" || e.Context != "TEST" || e.Queue != "mailers" {
			t.Errorf("audit entry %+v lacks who, where or which queue", e)
		}
		got = append(got, e.Action+":"+e.Outcome)
	}
	want := "pause:started pause:ok run:started run:ok"
	if strings.Join(got, " ") != want {
		t.Errorf("audit log = %v, want %s", got, want)
	}
	raw, _ := os.ReadFile(logPath)
	if strings.Contains(string(raw), `"to":"a"`) {
		t.Errorf("audit log holds a payload: %s", raw)
	}
}

// TestReadOnlyRefusesFromTheKeys checks read-only mode refuses at the key, before any
// dialog, and leaves Redis alone.
func TestReadOnlyRefusesFromTheKeys(t *testing.T) {
	srv := redistest.Start(t)
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask("x", nil), asynq.Queue("q1")); err != nil {
		t.Fatal(err)
	}
	src, err := source.Open(context.Background(), source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	actor := actions.New(src, actions.Options{ReadOnly: true})
	defer actor.Close()
	m := ui.New(ui.Options{Source: src, Actor: actor, ReadOnly: true})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 48))
	waitFor(t, tm, "q1", "READ-ONLY")
	press(tm, "p")
	waitFor(t, tm, "read-only mode: actions are disabled")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if n, _ := src.Client().Exists(context.Background(), "asynq:{q1}:paused").Result(); n != 0 {
		t.Errorf("read-only dashboard paused the queue")
	}
}

func press(tm *teatest.TestModel, k string) {
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
