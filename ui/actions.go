package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// errNoActor is shown when actions are off for this session.
var errNoActor = errors.New("actions are disabled in this session (read-only)")

// ask starts an action: it reads what the action would do, and the confirmation dialog
// opens with that. Read-only mode refuses here already, and again in the action path.
func (m Model) ask(op actions.Op) (tea.Model, tea.Cmd) {
	if m.opts.Actor == nil || m.opts.ReadOnly {
		m.status = m.status.fail("read-only mode: actions are disabled " +
			"(--read-only or context read_only)")
		return m, nil
	}
	m.status = m.status.say("checking what this would do…")
	return m, previewOp(m.opts.Actor, op)
}

func (m Model) pauseToggle(queue string) (tea.Model, tea.Cmd) {
	q, _ := m.queueStats(queue)
	kind := actions.Pause
	if q.Paused {
		kind = actions.Unpause
	}
	return m.ask(actions.Op{Kind: kind, Queue: queue})
}

func (m Model) onPreview(msg previewMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.status = m.status.fail(msg.err.Error())
		return m, nil
	}
	m.modal = confirmDialog(msg.op, msg.impact)
	m.status = m.status.say("")
	return m, nil
}

// modalKey answers the dialog: y or enter (with the typed name when asked) runs the
// action, n or esc cancels; during a bulk action esc stops it after the batch.
func (m Model) modalKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.modal.kind == modalProgress {
		if key.Matches(msg, m.keys.Back) && m.modal.cancel != nil {
			m.modal.cancel()
			m.status = m.status.say("stopping after the current batch…")
		}
		return m, nil
	}
	if msg.Type == tea.KeyEsc || (!m.modal.impact.TypeQueueName && msg.String() == "n") {
		m.modal = modal{}
		m.status = m.status.say("cancelled; nothing changed")
		return m, nil
	}
	if m.modal.impact.TypeQueueName {
		if msg.Type != tea.KeyEnter {
			var cmd tea.Cmd
			m.modal.name, cmd = m.modal.name.Update(msg)
			return m, cmd
		}
		if !m.modal.nameMatches() {
			m.status = m.status.fail("the name typed is not the queue's; nothing changed")
			return m, nil
		}
		return m.run(m.modal.op)
	}
	if msg.String() == "y" || msg.Type == tea.KeyEnter {
		return m.run(m.modal.op)
	}
	return m, nil
}

// run performs a confirmed action. A bulk action reports progress through a channel the
// program reads one message at a time.
func (m Model) run(op actions.Op) (tea.Model, tea.Cmd) {
	if !op.All {
		m.modal = modal{}
		m.status = m.status.say("working…")
		return m, doAction(m.opts.Actor, op)
	}
	ctx, cancel := context.WithCancel(context.Background())
	limit := m.modal.impact.Count
	m.modal = progressDialog(op, cancel)
	return m, doBulk(ctx, m.opts.Actor, op, limit)
}

func (m Model) onProgress(msg progressMsg) (tea.Model, tea.Cmd) {
	if m.modal.kind == modalProgress {
		m.modal.done, m.modal.total = msg.done, msg.total
	}
	return m, func() tea.Msg { return msg.next() }
}

// onAction shows an action's outcome and reads again what it changed. An outcome that
// is unknown (a timeout, BUSY) is said as such, never as a number.
func (m Model) onAction(msg actionMsg) (tea.Model, tea.Cmd) {
	if m.modal.cancel != nil {
		m.modal.cancel()
	}
	m.modal = modal{}
	if m.page == pageTasks {
		m.tasks.marks = map[string]bool{}
	}
	mm, cmd := m.refreshNow()
	m = mm.(Model)
	switch {
	case errors.Is(msg.err, actions.ErrOutcomeUnknown):
		m.status = m.status.fail(msg.err.Error() + " — re-reading counts")
	case msg.err != nil && msg.result.Message != "" &&
		!strings.Contains(msg.err.Error(), msg.result.Message):
		m.status = m.status.fail(msg.result.Message + "; " + msg.err.Error())
	case msg.err != nil:
		m.status = m.status.fail(msg.err.Error())
	default:
		m.status = m.status.say(msg.result.Message)
	}
	cmds := []tea.Cmd{cmd}
	switch m.page {
	case pageTasks:
		cmds = append(cmds, m.tasksCmd())
	case pageTask:
		cmds = append(cmds, fetchTask(m.opts.Source, m.task.queue, m.task.id))
	}
	return m, tea.Batch(cmds...)
}

func previewOp(a Actor, op actions.Op) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		impact, err := a.Preview(ctx, op)
		return previewMsg{op: op, impact: impact, err: err, at: time.Now()}
	}
}

func doAction(a Actor, op actions.Op) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, err := perform(ctx, a, op)
		return actionMsg{op: op, result: res, err: err, at: time.Now()}
	}
}

// perform calls the Actor method for a single (non-bulk) operation.
func perform(ctx context.Context, a Actor, op actions.Op) (actions.Result, error) {
	switch op.Kind {
	case actions.Pause:
		return a.Pause(ctx, op.Queue)
	case actions.Unpause:
		return a.Unpause(ctx, op.Queue)
	case actions.Run:
		return a.Run(ctx, op.Queue, op.State, op.IDs)
	case actions.Delete:
		return a.Delete(ctx, op.Queue, op.State, op.IDs)
	case actions.Archive:
		return a.Archive(ctx, op.Queue, op.State, op.IDs)
	case kindCancel:
		return a.Cancel(ctx, op.Queue, op.IDs[0])
	case kindRemoveDangling:
		return a.RemoveDangling(ctx, op.Queue, op.State, op.IDs)
	}
	return actions.Result{}, errors.New("unknown action")
}

// kindCancel is the cancel signal for an active task, kindRemoveDangling the clean-up of
// IDs whose task data is gone; Preview has no such kinds, so their dialogs are built
// without asking the Actor.
const (
	kindCancel         actions.Kind = "cancel"
	kindRemoveDangling actions.Kind = "remove_dangling"
)

// doBulk runs a bulk action in the background, sending progress and then the outcome.
func doBulk(ctx context.Context, a Actor, op actions.Op, limit int) tea.Cmd {
	ch := make(chan tea.Msg, 1)
	var next func() any
	next = func() any { return <-ch }
	go func() {
		report := func(done, total int) {
			select {
			case ch <- progressMsg{done: done, total: total, next: next}:
			default: // the screen has not read the last report yet: skip this one
			}
		}
		res, err := a.Bulk(ctx, op, limit, report)
		final := actionMsg{op: op, result: res, err: err, at: time.Now()}
		for {
			select {
			case ch <- final:
				return
			case <-ch: // drop a stale progress report to make room
			}
		}
	}()
	return func() tea.Msg { return <-ch }
}

// taskOp builds the operation a key asks for in the task list or a task.
func taskOp(kind actions.Kind, queue string, state model.State, ids []string) actions.Op {
	return actions.Op{Kind: kind, Queue: queue, State: state, IDs: ids}
}
