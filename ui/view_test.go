package ui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// keys sends key presses to a model and feeds it what their commands return, as the
// program would, leaving out timers (see drive).
func keys(m Model, ks ...tea.KeyMsg) Model {
	var tm tea.Model = m
	for _, k := range ks {
		var cmd tea.Cmd
		tm, cmd = tm.Update(k)
		tm = drive(tm, cmd, 0)
	}
	return tm.(Model)
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

var (
	enter = tea.KeyMsg{Type: tea.KeyEnter}
	esc   = tea.KeyMsg{Type: tea.KeyEsc}
)

func TestViewGolden(t *testing.T) {
	sizes := map[string][2]int{"80x24": {80, 24}, "160x48": {160, 48}}
	pages := map[string]func(Model) Model{
		"queues": func(m Model) Model { return m },
		"queue": func(m Model) Model {
			m = keys(m, runes("j"), enter)
			d, _ := fixtureSource{}.Daily(context.Background(), "critical", 30)
			var tm tea.Model = m
			tm, _ = tm.Update(dailyMsg{queue: "critical", days: d})
			return tm.(Model)
		},
		"breaches": func(m Model) Model { return keys(m, runes("b")) },
		"help":     func(m Model) Model { return keys(m, runes("?")) },
		"filter":   func(m Model) Model { return keys(m, runes("/"), runes("w"), enter) },
		"tasks":    func(m Model) Model { return keys(m, runes("j"), enter, runes("5")) },
		"task": func(m Model) Model {
			return keys(m, runes("j"), enter, runes("5"), runes("j"), enter)
		},
		"types": func(m Model) Model { return keys(m, runes("j"), enter, runes("5"), runes("t")) },
		"readonly": func(m Model) Model {
			return keys(m, runes("j"), enter, runes("5"), runes("r"))
		},
	}
	for size, wh := range sizes {
		for page, open := range pages {
			t.Run(page+"_"+size, func(t *testing.T) {
				m := open(fixtureModel(wh[0], wh[1], 30))
				view := m.View()
				checkScreen(t, view, wh[0], wh[1])
				golden.RequireEqual(t, []byte(ansi.Strip(view)))
			})
		}
	}
}

// checkScreen asserts that a view fills exactly the screen and carries no control
// sequence other than our own SGR styling.
func checkScreen(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("line %d is %d cells wide, want <= %d: %q", i, got, w, l)
		}
	}
	plain := ansi.Strip(view)
	if strings.ContainsAny(plain, "\x1b\x07\x00\r") {
		t.Errorf("view carries control characters: %q", plain)
	}
}

func TestCursorStaysOnQueueAcrossRefresh(t *testing.T) {
	m := fixtureModel(160, 48, 3)
	m = keys(m, runes("j"), runes("j")) // critical -> default -> low (sorted by name)
	name, _ := m.queues.selected()
	var tm tea.Model = m
	snap := fixtureSnapshot(4)
	snap.Queues = snap.Queues[1:] // "critical", sorted before it, vanishes
	tm, _ = tm.Update(snapshotMsg{snap: snap, at: fixtureTime})
	if got, _ := tm.(Model).queues.selected(); got != name {
		t.Errorf("cursor moved from %q to %q", name, got)
	}
}

func TestStaleDataStaysOnScreen(t *testing.T) {
	m := fixtureModel(160, 48, 3)
	var tm tea.Model = m
	tm, _ = tm.Update(snapshotMsg{err: errString("cannot connect to 10.0.0.7:6379/0: " +
		"connection refused"), at: fixtureTime.Add(5e9)})
	view := ansi.Strip(tm.View())
	for _, want := range []string{"STALE", "DISCONNECTED", "connection refused", "default"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
}

func TestStaleTickIsDropped(t *testing.T) {
	m := fixtureModel(80, 24, 1)
	m.gen = 3
	_, cmd := m.Update(tickMsg{gen: 2})
	if cmd != nil {
		t.Errorf("a stale tick started a refresh")
	}
}

type errString string

func (e errString) Error() string { return string(e) }
