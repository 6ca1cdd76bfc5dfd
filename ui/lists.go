package ui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// listPane shows a result as a list: counts by type (t) or the tasks :find matched.
type listPane struct {
	styles Styles
	keys   KeyMap
	width  int
	height int
	title  string
	note   string
	lines  []string
	tasks  []model.Task
	at     int
	top    int
	// maskFields are hidden in previews.
	maskFields []string
}

func newListPane(st Styles, keys KeyMap) listPane { return listPane{styles: st, keys: keys} }

// SetSize sets the pane's size in cells.
func (p listPane) SetSize(w, h int) listPane {
	p.width, p.height = w, h
	return p
}

// showTypes lists a state's tasks by type, saying whether the count is exact or a
// sample and of how many.
func (p listPane) showTypes(msg typesMsg) listPane {
	r := msg.result
	p.title = fmt.Sprintf("%s tasks in queue %s by type", msg.state, text.Truncate(msg.queue, 40))
	p.note = fmt.Sprintf("exact count of all %d tasks", r.Total)
	if !r.Exact {
		p.note = fmt.Sprintf("estimate from a sample of %d of %d tasks", r.Sampled, r.Total)
	}
	types := make([]string, 0, len(r.Counts))
	for t := range r.Counts {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool { return r.Counts[types[i]] > r.Counts[types[j]] })
	p.lines, p.tasks, p.at, p.top = nil, nil, 0, 0
	for _, t := range types {
		p.lines = append(p.lines, fmt.Sprintf("%10d  %s", r.Counts[t], text.Clean(t)))
	}
	return p
}

// showFind lists the tasks :find matched; enter opens one.
func (p listPane) showFind(msg findMsg) listPane {
	r, q := msg.result, msg.query
	p.title = fmt.Sprintf("find %q in %s tasks of queue %s", text.Truncate(q.Text, 40), q.State,
		text.Truncate(q.Queue, 40))
	p.note = fmt.Sprintf("%d matches; scanned %d of %d", len(r.Matches), r.Scanned, r.Total)
	if !r.Complete {
		p.note += " (stopped at the task or time bound: not every task was searched)"
	}
	if r.SkippedLarge > 0 {
		p.note += fmt.Sprintf("; %d large tasks matched on ID only", r.SkippedLarge)
	}
	if msg.err != nil {
		p.note += "; " + text.Clean(msg.err.Error())
	}
	p.tasks, p.lines, p.at, p.top = r.Matches, nil, 0, 0
	for _, t := range r.Matches {
		p.lines = append(p.lines, fmt.Sprintf("%s  %s  %s  %s",
			text.Pad(text.TruncateMiddle(t.ID, 20), 20), text.Pad(t.Type, 20),
			text.Pad(t.LastError, 30), maskedPreview(t.Payload, p.maskFields, 60)))
	}
	return p
}

func (p listPane) selectedTask() (model.Task, bool) {
	if p.at < 0 || p.at >= len(p.tasks) {
		return model.Task{}, false
	}
	return p.tasks[p.at], true
}

// Update moves the cursor.
func (p listPane) Update(msg tea.KeyMsg) listPane {
	switch {
	case key.Matches(msg, p.keys.Up):
		p.at--
	case key.Matches(msg, p.keys.Down):
		p.at++
	case key.Matches(msg, p.keys.Top):
		p.at = 0
	case key.Matches(msg, p.keys.Bottom):
		p.at = len(p.lines) - 1
	}
	p.at = max(0, min(p.at, len(p.lines)-1))
	visible := max(1, p.height-3)
	p.top = max(0, min(p.top, p.at))
	if p.at >= p.top+visible {
		p.top = p.at - visible + 1
	}
	return p
}

// View draws the list.
func (p listPane) View() string {
	var b strings.Builder
	b.WriteString(p.styles.Title.Render(p.title) + p.styles.Muted.Render("  (esc back)"))
	b.WriteString("\n" + p.styles.Muted.Render(p.note) + "\n")
	visible := max(1, p.height-3)
	for i := p.top; i < len(p.lines) && i < p.top+visible; i++ {
		line := p.lines[i]
		if i == p.at && len(p.tasks) > 0 {
			line = p.styles.Selected.Render(ansi.Strip(fit(line, p.width)))
		}
		b.WriteString("\n" + line)
	}
	return fitBlock(b.String(), p.width, p.height)
}
