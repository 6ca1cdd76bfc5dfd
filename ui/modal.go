package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/asynqtop/asynqtop/model/text"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// modalKind is what the dialog over the pane is doing.
type modalKind int

const (
	modalNone modalKind = iota
	modalConfirm
	modalProgress
)

// modal is the confirmation dialog of an action, then its progress bar while it runs.
type modal struct {
	kind   modalKind
	op     actions.Op
	impact actions.Impact
	// name is where the operator types the queue name when the action is large.
	name   textinput.Model
	bar    progress.Model
	done   int
	total  int
	cancel func()
}

func (m modal) active() bool { return m.kind != modalNone }

// confirmDialog opens the dialog for op with what it would do.
func confirmDialog(op actions.Op, impact actions.Impact) modal {
	in := textinput.New()
	in.Prompt = "> "
	in.CharLimit = 1024
	if impact.TypeQueueName {
		in.Focus()
	}
	return modal{kind: modalConfirm, op: op, impact: impact, name: in}
}

// progressDialog shows a bulk action under way; cancel stops it between batches.
func progressDialog(op actions.Op, cancel func()) modal {
	return modal{kind: modalProgress, op: op, bar: progress.New(progress.WithDefaultGradient()),
		cancel: cancel}
}

// confirmed reports whether the dialog's answer lets the action go ahead.
func (m modal) nameMatches() bool { return m.name.Value() == m.op.Queue }

// View draws the dialog in the middle of the body.
func (m modal) View(st Styles, w, h int) string {
	var lines []string
	switch m.kind {
	case modalConfirm:
		lines = m.confirmLines(st, w)
	case modalProgress:
		lines = m.progressLines(st, w)
	}
	box := lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1).
		Width(min(w-4, 96)).Render(strings.Join(lines, "\n"))
	return fitBlock(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box), w, h)
}

func (m modal) confirmLines(st Styles, w int) []string {
	width := min(w-8, 92)
	// Wrapped here at spaces only, so a task ID is never split at its hyphens.
	title := ansi.Wordwrap(describeOp(m.op, m.impact.Count), width, "")
	lines := []string{st.Title.Render(title)}
	for _, e := range m.impact.Effects {
		wrapped := ansi.Wordwrap(text.Clean(e), width-2, "")
		for i, l := range strings.Split(wrapped, "\n") {
			bullet := "  "
			if i == 0 {
				bullet = "• "
			}
			lines = append(lines, st.Warn.Render(bullet+l))
		}
	}
	lines = append(lines, "")
	if m.impact.TypeQueueName {
		lines = append(lines, fmt.Sprintf("more than %s tasks: type the queue name, %s, "+
			"and enter to confirm", thousands(actions.ConfirmByName), text.Clean(m.op.Queue)))
		lines = append(lines, m.name.View(), st.Muted.Render("esc cancels"))
		return lines
	}
	return append(lines, st.Muted.Render("y confirm · n or esc cancel"))
}

func (m modal) progressLines(st Styles, w int) []string {
	pct := 0.0
	if m.total > 0 {
		pct = float64(m.done) / float64(m.total)
	}
	m.bar.Width = min(w-12, 80)
	return []string{
		st.Title.Render(describeOp(m.op, m.total) + " — in batches"),
		m.bar.ViewAs(pct),
		fmt.Sprintf("%s of %s handled", thousands(m.done), thousands(m.total)),
		st.Muted.Render("esc stops after the current batch"),
	}
}

// describeOp says an action in a sentence naming the queue, state and exact count.
func describeOp(op actions.Op, n int) string {
	q := text.Truncate(op.Queue, 40)
	switch op.Kind {
	case actions.Pause:
		return fmt.Sprintf("Pause queue %s?", q)
	case actions.Unpause:
		return fmt.Sprintf("Unpause queue %s?", q)
	}
	verb := map[actions.Kind]string{actions.Run: "Requeue", actions.Delete: "Delete",
		actions.Archive: "Archive", kindCancel: "Send the cancel signal to",
		kindRemoveDangling: "Remove the dangling reference of"}[op.Kind]
	scope := thousands(n)
	if op.All {
		scope = "all " + thousands(n)
	}
	s := fmt.Sprintf("%s %s %s %s in queue %s", verb, scope, op.State, plural(n, "task"), q)
	if !op.All && len(op.IDs) > 0 && len(op.IDs) <= 3 {
		ids := make([]string, len(op.IDs))
		for i, id := range op.IDs {
			ids[i] = text.TruncateMiddle(id, 40)
		}
		s += " (" + strings.Join(ids, ", ") + ")"
	}
	return s + "?"
}

// thousands writes n with comma separators: 40,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// plural is word, with an s (es after ch, s, x) unless n is 1.
func plural(n int, word string) string {
	switch {
	case n == 1:
		return word
	case strings.HasSuffix(word, "ch"), strings.HasSuffix(word, "s"),
		strings.HasSuffix(word, "x"):
		return word + "es"
	}
	return word + "s"
}
