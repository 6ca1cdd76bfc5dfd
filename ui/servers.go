package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// serversPane shows asynq's worker servers, what their workers run, and the scheduler's
// periodic tasks, all read without writing to Redis.
type serversPane struct {
	styles     Styles
	width      int
	height     int
	top        int
	servers    []model.Server
	workers    []model.Worker
	schedulers []model.SchedulerEntry
	err        string
}

func newServersPane(st Styles) serversPane { return serversPane{styles: st} }

// SetSize sets the pane's size in cells.
func (p serversPane) SetSize(w, h int) serversPane {
	p.width, p.height = w, h
	return p
}

func (p serversPane) setServers(s []model.Server) serversPane {
	p.servers = s
	return p
}

func (p serversPane) setWorkers(msg workersMsg) serversPane {
	p.err = ""
	if msg.err != nil {
		p.err = msg.err.Error()
	}
	p.workers, p.schedulers = msg.workers, msg.schedulers
	return p
}

// Update scrolls.
func (p serversPane) Update(msg tea.KeyMsg, keys KeyMap) serversPane {
	switch {
	case key.Matches(msg, keys.Down):
		p.top++
	case key.Matches(msg, keys.Up):
		p.top = max(0, p.top-1)
	case key.Matches(msg, keys.Top):
		p.top = 0
	}
	return p
}

// View draws servers, then workers, then scheduler entries.
func (p serversPane) View(now time.Time) string {
	lines := p.serverLines(now)
	lines = append(lines, "", p.styles.Title.Render(fmt.Sprintf("workers: %d tasks running",
		len(p.workers))))
	for _, w := range p.workers {
		lines = append(lines, fmt.Sprintf("  %s  %s  %s  started %s ago  on %s:%d",
			text.Pad(text.TruncateMiddle(w.TaskID, 20), 20), text.Pad(w.TaskType, 20),
			text.Pad(w.Queue, 14), shortDuration(now.Sub(w.Started)), text.Truncate(w.Host, 30),
			w.PID))
	}
	lines = append(lines, "", p.styles.Title.Render(fmt.Sprintf("scheduler: %d periodic tasks",
		len(p.schedulers))))
	for _, e := range p.schedulers {
		lines = append(lines, fmt.Sprintf("  %s  %s  next %s  previous %s",
			text.Pad(e.Spec, 16), text.Pad(e.TaskType, 24), relTime(e.Next, now),
			relTime(e.Prev, now)))
	}
	if p.err != "" {
		lines = append(lines, "", p.styles.Error.Render(text.Clean(p.err)))
	}
	if p.top < len(lines) {
		lines = lines[p.top:]
	}
	return fitBlock(strings.Join(lines, "\n"), p.width, p.height)
}

func (p serversPane) serverLines(now time.Time) []string {
	out := []string{p.styles.Title.Render(fmt.Sprintf("servers: %d", len(p.servers))) +
		p.styles.Muted.Render("  (heartbeats read every few seconds; esc back)"),
		p.styles.ColumnHeader.Render(fmt.Sprintf("  %-28s %7s %6s %5s  %-9s %-10s %s",
			"HOST", "PID", "CONC", "BUSY", "STARTED", "HEARTBEAT", "QUEUES (priority)"))}
	for _, s := range p.servers {
		beat := "ok"
		if s.Stale(now) {
			beat = "STALE " + shortDuration(now.Sub(s.Expires))
		}
		line := fmt.Sprintf("  %s %7d %6d %5d  %-9s %-10s %s", text.Pad(s.Host, 28), s.PID,
			s.Concurrency, s.ActiveWorkers, shortDuration(now.Sub(s.Started)), beat,
			queueList(s.Queues, s.StrictPriority))
		if s.Stale(now) {
			line = p.styles.Warn.Render(line)
		}
		out = append(out, line)
	}
	if len(p.servers) == 0 {
		out = append(out, p.styles.Muted.Render("  no asynq server has a current heartbeat"))
	}
	return out
}

func queueList(qs map[string]int, strict bool) string {
	names := make([]string, 0, len(qs))
	for q := range qs {
		names = append(names, q)
	}
	sort.Slice(names, func(i, j int) bool { return qs[names[i]] > qs[names[j]] })
	parts := make([]string, len(names))
	for i, q := range names {
		parts[i] = fmt.Sprintf("%s(%d)", text.Truncate(q, 24), qs[q])
	}
	s := strings.Join(parts, " ")
	if strict {
		s += " strict"
	}
	return s
}

func relTime(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	if t.After(now) {
		return "in " + shortDuration(t.Sub(now))
	}
	return shortDuration(now.Sub(t)) + " ago"
}
