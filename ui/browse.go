package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// tasksKey handles the task list of a queue's state.
func (m Model) tasksKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if t, ok := m.tabKey(msg, m.currentTab()); ok {
		return m.openQueue(m.tasks.queue, t)
	}
	q, st := m.tasks.queue, m.tasks.state
	switch {
	case key.Matches(msg, m.keys.Open):
		if m.tasks.needsGroup() {
			m.tasks = m.tasks.chooseGroup()
			return m, m.tasksCmd()
		}
		t, ok := m.tasks.selected()
		if !ok {
			return m.noSelection(), nil
		}
		return m.openTask(q, t.ID)
	case key.Matches(msg, m.keys.Filter):
		m.status = m.status.startFilter(m.tasks.filter)
		return m, nil
	case key.Matches(msg, m.keys.Types):
		m.status = m.status.say("counting " + string(st) + " tasks by type…")
		return m, fetchTypes(m.opts.Source, q, st)
	case key.Matches(msg, m.keys.Pause):
		return m.pauseToggle(q)
	case key.Matches(msg, m.keys.RequeueAll):
		return m.askAll(actions.Run)
	case key.Matches(msg, m.keys.Requeue):
		return m.askMarked(actions.Run)
	case key.Matches(msg, m.keys.Delete):
		return m.askMarked(actions.Delete)
	case key.Matches(msg, m.keys.Archive):
		return m.askMarked(actions.Archive)
	case key.Matches(msg, m.keys.Cancel):
		return m.askCancel()
	}
	var reload bool
	m.tasks, _, reload = m.tasks.Update(msg)
	if reload {
		return m, m.tasksCmd()
	}
	return m, nil
}

// askMarked asks to act on the marked tasks, or the one under the cursor.
func (m Model) askMarked(kind actions.Kind) (tea.Model, tea.Cmd) {
	ids := m.tasks.marked()
	if len(ids) == 0 {
		return m.noSelection(), nil
	}
	if t, ok := m.tasks.selected(); ok && len(ids) == 1 && t.Problem == model.ProblemMissing &&
		kind == actions.Delete {
		return m.askRemoveDangling(t)
	}
	if t, ok := m.tasks.selected(); ok && len(ids) == 1 && !t.Actionable() {
		m.status = m.status.fail("this row's record is " + string(t.Problem) +
			": actions that depend on its state are disabled (" + text.Clean(t.Detail) + ")")
		return m, nil
	}
	return m.ask(taskOp(kind, m.tasks.queue, m.tasks.state, ids))
}

// noSelection says why a key that acts on the selected task did nothing.
func (m Model) noSelection() Model {
	if m.tasks.lost != "" {
		m.status = m.status.fail("no task selected: the one you selected left this page; " +
			"j/k selects a task")
		return m
	}
	m.status = m.status.fail("no task selected")
	return m
}

// askRemoveDangling asks to remove an ID whose task data is gone from its state's key:
// the only clean-up such a row allows.
func (m Model) askRemoveDangling(t model.Task) (tea.Model, tea.Cmd) {
	if m.opts.Actor == nil || m.opts.ReadOnly {
		return m.ask(actions.Op{})
	}
	op := taskOp(kindRemoveDangling, m.tasks.queue, m.tasks.state, []string{t.ID})
	m.modal = confirmDialog(op, actions.Impact{Count: 1, Effects: []string{
		"its task data is already gone: this removes only the ID from " +
			string(m.tasks.state) + "; the action is skipped if the task data reappears",
	}})
	return m, nil
}

// askAll asks to act on every task of the state.
func (m Model) askAll(kind actions.Kind) (tea.Model, tea.Cmd) {
	op := taskOp(kind, m.tasks.queue, m.tasks.state, nil)
	op.All = true
	return m.ask(op)
}

// askCancel asks to send the cancel signal to an active task's worker.
func (m Model) askCancel() (tea.Model, tea.Cmd) {
	t, ok := m.tasks.selected()
	if m.page == pageTask {
		t, ok = m.task.task, m.task.loaded
	}
	if !ok || t.State != model.Active {
		m.status = m.status.fail("cancel applies to active tasks: open the active tab")
		return m, nil
	}
	if m.opts.Actor == nil || m.opts.ReadOnly {
		return m.ask(actions.Op{})
	}
	op := taskOp(kindCancel, t.Queue, t.State, []string{t.ID})
	m.modal = confirmDialog(op, actions.Impact{Count: 1, Effects: []string{
		"the signal reaches only workers running now; a cancelled task goes to retry " +
			"(or is archived when out of retries)",
	}})
	return m, nil
}

// openTask shows one task; its data arrives with the next taskMsg.
func (m Model) openTask(queue, id string) (tea.Model, tea.Cmd) {
	m.stack = append(m.stack, m.page)
	m.page = pageTask
	m.task = m.task.open(queue, id)
	m.task.servers, m.task.now = m.servers, m.snap.Time
	return m, fetchTask(m.opts.Source, queue, id)
}

// taskKey handles one opened task.
func (m Model) taskKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	t := m.task.task
	switch {
	case key.Matches(msg, m.keys.Requeue), key.Matches(msg, m.keys.Delete),
		key.Matches(msg, m.keys.Archive):
		if !m.task.loaded {
			return m, nil
		}
		if !t.Actionable() {
			m.status = m.status.fail("this record is " + string(t.Problem) +
				": actions that depend on its state are disabled")
			return m, nil
		}
		kind := actions.Run
		if key.Matches(msg, m.keys.Delete) {
			kind = actions.Delete
		} else if key.Matches(msg, m.keys.Archive) {
			kind = actions.Archive
		}
		return m.ask(taskOp(kind, t.Queue, t.State, []string{t.ID}))
	case key.Matches(msg, m.keys.Cancel):
		return m.askCancel()
	case key.Matches(msg, m.keys.Decrypt):
		return m.decryptView()
	case key.Matches(msg, m.keys.Mask):
		m.task, _, _ = m.task.Update(msg)
		m.status = m.status.say(m.task.maskStatus())
		return m, nil
	}
	var cmd tea.Cmd
	m.task, cmd, _ = m.task.Update(msg)
	return m, cmd
}

// decryptView writes the audit line first and opens the payload once it is written.
func (m Model) decryptView() (tea.Model, tea.Cmd) {
	if !m.task.loaded {
		return m, nil
	}
	if !sealed(m.task.task.Payload) {
		m.status = m.status.say("not encrypted: the payload is shown as stored")
		return m, nil
	}
	if m.opts.AuditDecrypt == nil {
		m.status = m.status.fail("decrypt refused: no audit log to record it")
		return m, nil
	}
	audit, q, id := m.opts.AuditDecrypt, m.task.queue, m.task.id
	return m, func() tea.Msg { return auditedMsg{id: id, err: audit(q, id)} }
}

func (m Model) onAudited(msg auditedMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.task.id || m.page != pageTask {
		return m, nil
	}
	if msg.err != nil {
		m.status = m.status.fail("decrypt refused: cannot write the audit log: " +
			msg.err.Error())
		return m, nil
	}
	m.task = m.task.decrypt()
	if m.task.openErr == "" {
		m.status = m.status.say("decrypted; the plaintext is dropped when you leave this view")
	}
	return m, nil
}

// tasksCmd reads the task list's current page (or, for aggregating without a group
// chosen, the queue's groups).
func (m Model) tasksCmd() tea.Cmd {
	if m.tasks.needsGroup() {
		return fetchGroups(m.opts.Source, m.tasks.queue)
	}
	return fetchTasks(m.opts.Source, m.tasks.query(), m.tasks.gen)
}

func fetchTasks(src Source, q source.TaskQuery, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		page, err := src.Tasks(ctx, q)
		return tasksMsg{gen: gen, query: q, page: page, err: err, at: time.Now()}
	}
}

func fetchGroups(src Source, queue string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		g, complete, err := src.Groups(ctx, queue, 200)
		return groupsMsg{queue: queue, groups: g, complete: complete, err: err, at: time.Now()}
	}
}

func fetchTask(src Source, queue, id string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		t, err := src.Task(ctx, queue, id)
		return taskMsg{queue: queue, id: id, task: t, err: err, at: time.Now()}
	}
}

func fetchTypes(src Source, queue string, state model.State) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := src.TypeCounts(ctx, queue, state, 0)
		return typesMsg{queue: queue, state: state, result: r, err: err, at: time.Now()}
	}
}

func fetchFind(src Source, q source.FindQuery) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), q.MaxTime+5*time.Second)
		defer cancel()
		r, err := src.Find(ctx, q, nil)
		return findMsg{query: q, result: r, err: err, at: time.Now()}
	}
}

func fetchWorkers(src Source) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		w, err := src.Workers(ctx)
		s, serr := src.Schedulers(ctx)
		if err == nil {
			err = serr
		}
		return workersMsg{workers: w, schedulers: s, err: err, at: time.Now()}
	}
}

func (m Model) openServers() (tea.Model, tea.Cmd) {
	if m.page != pageServers {
		m.stack = append(m.stack, m.page)
		m.page = pageServers
	}
	return m, fetchWorkers(m.opts.Source)
}

func (m Model) onTypes(msg typesMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.status = m.status.fail(msg.err.Error())
		return m, nil
	}
	m.status = m.status.say("")
	m.list = m.list.showTypes(msg)
	m.stack = append(m.stack, m.page)
	m.page = pageList
	return m, nil
}

func (m Model) onFind(msg findMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil && len(msg.result.Matches) == 0 {
		m.status = m.status.fail(msg.err.Error())
		return m, nil
	}
	r := msg.result
	m.status = m.status.say(fmt.Sprintf("find: %d matches in %d of %d tasks scanned",
		len(r.Matches), r.Scanned, r.Total))
	m.list = m.list.showFind(msg)
	if m.page != pageList {
		m.stack = append(m.stack, m.page)
	}
	m.page = pageList
	return m, nil
}

// listKey moves in a result list; enter opens a found task.
func (m Model) listKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.Open) {
		if t, ok := m.list.selectedTask(); ok {
			return m.openTask(t.Queue, t.ID)
		}
		return m, nil
	}
	m.list = m.list.Update(msg)
	return m, nil
}

func fetchSnapshot(src Source, gen int, extra []string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		snap, err := src.Refresh(ctx, extra)
		return snapshotMsg{gen: gen, snap: snap, err: err, at: time.Now()}
	}
}

func fetchServers(src Source) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s, err := src.Servers(ctx)
		return serversMsg{servers: s, err: err, at: time.Now()}
	}
}

func fetchDaily(src Source, queue string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d, err := src.Daily(ctx, queue, 30)
		return dailyMsg{queue: queue, days: d, err: err, at: time.Now()}
	}
}

// fetchMemory estimates a queue's memory; it is asked for when the queue's overview
// opens and then every memoryEvery while it stays open, never on every refresh, since
// it costs Redis a few hundred commands.
func fetchMemory(src Source, queue string, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		mem, err := src.Memory(ctx, queue)
		return memoryMsg{queue: queue, gen: gen, mem: mem, err: err, at: time.Now()}
	}
}

func memoryTick(every time.Duration, queue string, gen int) tea.Cmd {
	return tea.Tick(every, func(time.Time) tea.Msg {
		return memoryTickMsg{queue: queue, gen: gen}
	})
}

func tick(every time.Duration, gen int) tea.Cmd {
	return tea.Tick(every, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// tabsLine names the opened queue's tabs, the current one highlighted, with counts.
func (m Model) tabsLine() string {
	q, _ := m.queueStats(m.detail.name)
	counts := []int64{q.Pending, q.Active, q.Scheduled, q.Retry, q.Archived, q.Completed,
		q.Aggregating}
	cur := m.currentTab()
	names := []string{"pending", "active", "scheduled", "retry", "archived", "completed",
		"aggregating"}
	if m.width < 140 {
		names = []string{"pend", "act", "sched", "retry", "arch", "done", "agg"}
	}
	parts := []string{m.tabLabel(0, "0 overview", cur)}
	for i := range model.States() {
		n := count(counts[i])
		if q.Err != "" || (i == 6 && !q.AggregatingKnown) {
			n = "?"
		}
		label := fmt.Sprintf("%d %s %s", i+1, names[i], n)
		parts = append(parts, m.tabLabel(i+1, label, cur))
	}
	head := m.styles.Title.Render(text.Truncate(m.detail.name, max(8, m.width/8))) + " "
	return fit(head+strings.Join(parts, " "), m.width)
}

func (m Model) tabLabel(i int, label string, cur int) string {
	if i == cur {
		return m.styles.Selected.Render(" " + label + " ")
	}
	return m.styles.Muted.Render(" " + label + " ")
}
