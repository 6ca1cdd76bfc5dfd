package ui_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/ui"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/hibiken/asynq"
)

// TestFlow runs the whole dashboard against a real Redis holding a real asynq queue:
// start, the queue appears, open it, go back, quit.
func TestFlow(t *testing.T) {
	srv := redistest.Start(t)
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	for i := 0; i < 42; i++ {
		task := asynq.NewTask("email:send", []byte(`{"to":"a@example.com"}`))
		if _, err := client.Enqueue(task, asynq.Queue("mailers")); err != nil {
			t.Fatal(err)
		}
	}
	src, err := source.Open(context.Background(), source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	m := ui.New(ui.Options{Source: src, Refresh: 250 * time.Millisecond})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 48))
	waitFor(t, tm, "mailers", "42")

	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "queue mailers", "pending 42")

	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitFor(t, tm, "PEND", "PROC/s")

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(50*time.Millisecond))
}
