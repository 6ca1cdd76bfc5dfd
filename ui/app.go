// Package ui is asynqtop's Bubble Tea front end: a root model that only dispatches, and
// one pane per file (the queue table, a queue's charts, a state's tasks, one task,
// servers, breaches, help) that render plain data from model/. Every string that came
// from Redis is shown through model/text.
package ui

import (
	"context"
	"time"

	"github.com/asynqtop/asynqtop/keystore"
	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Source is what the dashboard reads. *source.Source implements it; none of its methods
// writes to Redis.
type Source interface {
	Target() string
	Refresh(ctx context.Context, extra []string) (model.Snapshot, error)
	Daily(ctx context.Context, queue string, days int) ([]model.DailyStat, error)
	Memory(ctx context.Context, queue string) (model.Memory, error)
	Servers(ctx context.Context) ([]model.Server, error)
	Workers(ctx context.Context) ([]model.Worker, error)
	Schedulers(ctx context.Context) ([]model.SchedulerEntry, error)
	Tasks(ctx context.Context, q source.TaskQuery) (model.TaskPage, error)
	Task(ctx context.Context, queue, id string) (model.Task, error)
	Groups(ctx context.Context, queue string, limit int) ([]source.GroupSize, bool, error)
	Find(ctx context.Context, q source.FindQuery, progress func(scanned, total int)) (
		source.FindResult, error)
	TypeCounts(ctx context.Context, queue string, state model.State, sample int) (
		source.TypeCountResult, error)
}

// Actor performs the operator's actions; *actions.Actor implements it. It refuses every
// mutation itself in read-only mode and audits each one.
type Actor interface {
	Preview(ctx context.Context, op actions.Op) (actions.Impact, error)
	Pause(ctx context.Context, queue string) (actions.Result, error)
	Unpause(ctx context.Context, queue string) (actions.Result, error)
	Run(ctx context.Context, queue string, state model.State, ids []string) (actions.Result, error)
	Delete(ctx context.Context, queue string, state model.State, ids []string) (
		actions.Result, error)
	Archive(ctx context.Context, queue string, state model.State, ids []string) (
		actions.Result, error)
	// Bulk acts on all tasks of a state, up to the count the operator confirmed.
	Bulk(ctx context.Context, op actions.Op, limit int,
		progress func(done, total int)) (actions.Result, error)
	Cancel(ctx context.Context, queue, id string) (actions.Result, error)
	// RemoveDangling removes IDs a state lists whose task data is gone.
	RemoveDangling(ctx context.Context, queue string, state model.State, ids []string) (
		actions.Result, error)
}

// Options configure the dashboard.
type Options struct {
	Source Source
	// Actor performs actions; nil disables them (as read-only does).
	Actor Actor
	// Refresh is the interval between refreshes; ServersEvery between server reads.
	Refresh, ServersEvery time.Duration
	// HistorySize is the number of samples kept per queue and metric.
	HistorySize int
	Rules       model.Rules
	// ContextName and ContextColor label the target in the header (e.g. a red PROD).
	ContextName, ContextColor string
	ReadOnly                  bool
	// RedisVersion is shown in the header when known.
	RedisVersion string
	// Keyring opens sealed payloads on demand; KeyringErr says why there is none.
	Keyring    *keystore.Keyring
	KeyringErr string
	// MaskFields are payload fields masked in decrypted payloads until toggled.
	MaskFields []string
	// AuditDecrypt writes the audit line of a decrypt-view (who, which task; never the
	// content). A decrypt whose line cannot be written is refused. nil refuses decrypts.
	AuditDecrypt func(queue, id string) error
	// Renderer builds the styles; nil means the local terminal's.
	Renderer *lipgloss.Renderer
	// Clock is the local clock, replaced in tests; nil means time.Now.
	Clock func() time.Time
}

type page int

const (
	pageQueues page = iota
	pageQueue
	pageTasks
	pageTask
	pageBreaches
	pageHelp
	pageServers
	pageList
)

// Model is the root of the dashboard: it owns the shared state and dispatches messages
// to the pane in front.
type Model struct {
	opts   Options
	keys   KeyMap
	styles Styles
	width  int
	height int
	page   page
	// stack holds the pages esc returns to.
	stack []page

	gen      int
	frozen   bool
	snap     model.Snapshot
	haveSnap bool
	lastGood time.Time
	lastErr  string
	errSince time.Time
	servers  []model.Server
	history  *model.History
	breaches *model.Breaches

	queues   queuesPane
	detail   queuePane
	tasks    tasksPane
	task     taskPane
	breachV  breachesPane
	help     helpPane
	serversV serversPane
	list     listPane
	status   statusBar
	modal    modal
	quitting bool
}

// New builds the dashboard model.
func New(o Options) Model {
	o = withDefaults(o)
	r := o.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	st := NewStyles(r, DefaultPalette())
	keys := DefaultKeyMap()
	m := Model{
		opts:     o,
		keys:     keys,
		styles:   st,
		history:  model.NewHistory(o.HistorySize),
		breaches: &model.Breaches{},
		queues:   newQueuesPane(st, keys),
		detail:   newQueuePane(st),
		tasks:    newTasksPane(st, keys),
		task:     newTaskPane(st, keys),
		breachV:  newBreachesPane(st),
		help:     newHelpPane(st, keys),
		serversV: newServersPane(st),
		list:     newListPane(st, keys),
		status:   newStatusBar(st, keys),
	}
	m.task.keyring, m.task.keyringErr, m.task.maskFields = o.Keyring, o.KeyringErr, o.MaskFields
	m.tasks.maskFields, m.list.maskFields = o.MaskFields, o.MaskFields
	return m
}

func withDefaults(o Options) Options {
	if o.Refresh <= 0 {
		o.Refresh = time.Second
	}
	if o.ServersEvery <= 0 {
		o.ServersEvery = 5 * time.Second
	}
	if o.HistorySize <= 0 {
		o.HistorySize = model.DefaultRingCapacity
	}
	if o.Rules == nil {
		o.Rules = model.DefaultRules()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o
}

// Init starts the first refresh and the servers' read.
func (m Model) Init() tea.Cmd {
	return tea.Batch(
		fetchSnapshot(m.opts.Source, m.gen, m.extraQueues()),
		fetchServers(m.opts.Source),
	)
}

// Update dispatches each message to its handler.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m.onResize(msg)
	case tea.KeyMsg:
		return m.onKey(msg)
	case tickMsg:
		return m.onTick(msg)
	case snapshotMsg:
		return m.onSnapshot(msg)
	case serversTickMsg:
		return m, fetchServers(m.opts.Source)
	case serversMsg:
		return m.onServers(msg)
	case dailyMsg:
		m.detail = m.detail.setDaily(msg)
	case memoryMsg:
		var cmd tea.Cmd
		m.detail, cmd = m.detail.setMemory(msg)
		return m, cmd
	case memoryTickMsg:
		if m.page == pageQueue && m.detail.memoryDue(msg) {
			return m, fetchMemory(m.opts.Source, msg.queue, msg.gen)
		}
	case tasksMsg:
		m.tasks = m.tasks.setPage(msg)
	case groupsMsg:
		m.tasks = m.tasks.setGroups(msg)
	case taskMsg:
		m.task = m.task.setTask(msg)
	case workersMsg:
		m.serversV = m.serversV.setWorkers(msg)
	case previewMsg:
		return m.onPreview(msg)
	case progressMsg:
		return m.onProgress(msg)
	case actionMsg:
		return m.onAction(msg)
	case typesMsg:
		return m.onTypes(msg)
	case findMsg:
		return m.onFind(msg)
	case auditedMsg:
		return m.onAudited(msg)
	}
	return m, nil
}

// View draws the header, the pane in front (or a dialog over it) and the status bar.
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	if m.width == 0 {
		return "starting asynqtop…"
	}
	body := m.bodyView()
	if m.modal.active() {
		body = m.modal.View(m.styles, m.width, m.bodyHeight())
	}
	return lipgloss.JoinVertical(lipgloss.Left, m.headerView(), body, m.statusView())
}

func (m Model) bodyView() string {
	switch m.page {
	case pageQueue:
		return m.tabsLine() + "\n" + m.detail.View()
	case pageTasks:
		return m.tabsLine() + "\n" + m.tasks.View(m.snap.Time)
	case pageTask:
		return m.task.View()
	case pageBreaches:
		return m.breachV.View()
	case pageHelp:
		return m.help.View()
	case pageServers:
		return m.serversV.View(m.snap.Time)
	case pageList:
		return m.list.View()
	}
	return m.queues.View()
}

func (m Model) statusView() string {
	p := m.page
	return m.status.View(m.width, m.keys.shortHelp(p), time.Now())
}

// bodyHeight is the height left for the pane between the header and the status bar.
func (m Model) bodyHeight() int { return max(1, m.height-headerHeight-1) }

func (m Model) onResize(msg tea.WindowSizeMsg) (tea.Model, tea.Cmd) {
	m.width, m.height = msg.Width, msg.Height
	h := m.bodyHeight()
	m.queues = m.queues.SetSize(m.width, h)
	m.detail = m.detail.SetSize(m.width, h-1)
	m.tasks = m.tasks.SetSize(m.width, h-1)
	m.task = m.task.SetSize(m.width, h)
	m.breachV = m.breachV.SetSize(m.width, h)
	m.help = m.help.SetSize(m.width, h)
	m.serversV = m.serversV.SetSize(m.width, h)
	m.list = m.list.SetSize(m.width, h)
	return m, nil
}

// onKey routes a key: an open dialog or prompt takes every key; then the keys that
// mean the same everywhere; then the pane in front.
func (m Model) onKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.status.editing() {
		return m.onKeys(msg)
	}
	switch {
	case m.modal.active():
		return m.modalKey(msg)
	case m.status.editing():
		return m.promptKey(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		m.quitting = true
		return m, tea.Quit
	case key.Matches(msg, m.keys.Help):
		return m.toggle(pageHelp), nil
	case key.Matches(msg, m.keys.Command):
		m.status = m.status.startCommand(m.completions())
		return m, nil
	case key.Matches(msg, m.keys.Back):
		return m.goBack()
	case key.Matches(msg, m.keys.Breaches):
		return m.toggle(pageBreaches), nil
	case key.Matches(msg, m.keys.Servers), key.Matches(msg, m.keys.Scheduler):
		return m.openServers()
	}
	return m.keyToPane(msg)
}

// onKeys splits runes that arrived in one read (fast typing, a terminal multiplexer) into
// single keys, so "/payments" opens the filter and types the rest into it.
func (m Model) onKeys(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	var tm tea.Model = m
	var cmds []tea.Cmd
	for i, r := range msg.Runes {
		if mm := tm.(Model); mm.status.editing() {
			rest := tea.KeyMsg{Type: tea.KeyRunes, Runes: msg.Runes[i:]}
			var cmd tea.Cmd
			tm, cmd = mm.onKey(rest)
			return tm, tea.Batch(append(cmds, cmd)...)
		}
		var cmd tea.Cmd
		tm, cmd = tm.(Model).onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		cmds = append(cmds, cmd)
	}
	return tm, tea.Batch(cmds...)
}

// keyToPane hands keys the root does not own to the pane in front.
func (m Model) keyToPane(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch m.page {
	case pageQueues:
		return m.queuesKey(msg)
	case pageQueue:
		return m.queueKey(msg)
	case pageTasks:
		return m.tasksKey(msg)
	case pageTask:
		return m.taskKey(msg)
	case pageList:
		return m.listKey(msg)
	case pageServers:
		m.serversV = m.serversV.Update(msg, m.keys)
	case pageBreaches, pageHelp:
	}
	return m, nil
}

func (m Model) queuesKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Filter):
		m.status = m.status.startFilter(m.queues.filter)
		return m, nil
	case key.Matches(msg, m.keys.Sort):
		m.queues = m.queues.cycleSort()
		m.status = m.status.say("sorted by " + m.queues.sortName())
		return m, nil
	case key.Matches(msg, m.keys.Open), key.Matches(msg, m.keys.Tab):
		// A digit opens the queue at that state's tab: 5 is its dead (archived) tasks.
		name, ok := m.queues.selected()
		if !ok {
			return m, nil
		}
		t, _ := m.tabKey(msg, 0)
		return m.openQueue(name, t)
	case key.Matches(msg, m.keys.Refresh):
		return m.refreshNow()
	case key.Matches(msg, m.keys.Freeze):
		return m.toggleFreeze()
	case key.Matches(msg, m.keys.Pause):
		name, ok := m.queues.selected()
		if !ok {
			return m, nil
		}
		return m.pauseToggle(name)
	}
	m.queues, _ = m.queues.Update(msg)
	return m, nil
}

// queueKey handles the overview tab of an opened queue.
func (m Model) queueKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if t, ok := m.tabKey(msg, 0); ok {
		return m.openQueue(m.detail.name, t)
	}
	switch {
	case key.Matches(msg, m.keys.Pause):
		return m.pauseToggle(m.detail.name)
	case key.Matches(msg, m.keys.Refresh):
		return m.refreshNow()
	}
	var cmd tea.Cmd
	m.detail, cmd = m.detail.Update(msg)
	return m, cmd
}

// openQueue shows queue at tab t: 0 is the overview with charts, 1..7 the task states.
func (m Model) openQueue(name string, t int) (tea.Model, tea.Cmd) {
	if m.page == pageQueues {
		m.stack = append(m.stack, pageQueues)
	}
	if t == 0 {
		m.page = pageQueue
		if m.detail.name != name {
			m.detail = m.detail.open(name)
		}
		m.detail = m.detail.setData(m.view()).show()
		return m, tea.Batch(fetchDaily(m.opts.Source, name),
			fetchMemory(m.opts.Source, name, m.detail.memGen))
	}
	m.detail.name = name
	m.page = pageTasks
	m.tasks = m.tasks.open(name, model.States()[t-1])
	m.tasks.servers = m.servers
	return m, m.tasksCmd()
}

// tabKey reads a tab switch from a key: a digit, or next and previous.
func (m Model) tabKey(msg tea.KeyMsg, current int) (int, bool) {
	switch {
	case key.Matches(msg, m.keys.Tab):
		return int(msg.Runes[0] - '0'), true
	case key.Matches(msg, m.keys.NextTab):
		return (current + 1) % 8, true
	case key.Matches(msg, m.keys.PrevTab):
		return (current + 7) % 8, true
	}
	return 0, false
}

func (m Model) currentTab() int {
	if m.page != pageTasks {
		return 0
	}
	for i, s := range model.States() {
		if s == m.tasks.state {
			return i + 1
		}
	}
	return 0
}

// toggle shows page p, or goes back when it is already in front.
func (m Model) toggle(p page) Model {
	if m.page == p {
		mm, _ := m.goBack()
		return mm.(Model)
	}
	m.stack = append(m.stack, m.page)
	m.page = p
	return m
}

// goBack returns to the page before; on the queue table it clears the filter.
func (m Model) goBack() (tea.Model, tea.Cmd) {
	if m.page == pageTask {
		m.task = m.task.forget().render()
	}
	if len(m.stack) == 0 {
		if m.queues.filter != "" {
			m.queues = m.queues.setFilter("")
			m.status = m.status.say("filter cleared")
		}
		m.page = pageQueues
		return m, nil
	}
	m.page = m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	if m.page == pageTasks {
		return m, m.tasksCmd()
	}
	return m, nil
}

func (m Model) refreshNow() (tea.Model, tea.Cmd) {
	m.gen++
	m.status = m.status.say("refreshing…")
	cmds := []tea.Cmd{fetchSnapshot(m.opts.Source, m.gen, m.extraQueues())}
	if m.page == pageQueue {
		cmds = append(cmds, fetchDaily(m.opts.Source, m.detail.name))
	}
	return m, tea.Batch(cmds...)
}

func (m Model) toggleFreeze() (tea.Model, tea.Cmd) {
	m.frozen = !m.frozen
	if m.frozen {
		m.status = m.status.say("frozen: live updates paused (space to resume)")
		return m, nil
	}
	m.status = m.status.say("live")
	return m.refreshNow()
}

func (m Model) onTick(msg tickMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.gen || m.frozen {
		return m, nil
	}
	return m, fetchSnapshot(m.opts.Source, m.gen, m.extraQueues())
}

// onSnapshot applies a refresh. On error the last good data stays on screen, marked
// stale, and the status bar says why. An open task list and task follow the refresh.
func (m Model) onSnapshot(msg snapshotMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	if m.frozen {
		return m, nil
	}
	cmds := []tea.Cmd{tick(m.opts.Refresh, m.gen)}
	if msg.err != nil {
		if m.lastErr == "" {
			m.errSince = msg.at
		}
		m.lastErr = msg.err.Error()
		return m, cmds[0]
	}
	m.lastErr = ""
	m.snap, m.haveSnap, m.lastGood = msg.snap, true, msg.at
	m.history.Observe(msg.snap)
	m.breaches.Evaluate(msg.snap.Time, m.history, m.opts.Rules)
	switch {
	case m.page == pageTasks && !m.modal.active():
		cmds = append(cmds, m.tasksCmd())
	case m.page == pageTask && !m.modal.active():
		cmds = append(cmds, fetchTask(m.opts.Source, m.task.queue, m.task.id))
	}
	return m.pushData(), tea.Batch(cmds...)
}

func (m Model) onServers(msg serversMsg) (tea.Model, tea.Cmd) {
	if msg.err == nil {
		m.servers = msg.servers
		m.tasks.servers, m.task.servers = msg.servers, msg.servers
		m.serversV = m.serversV.setServers(msg.servers)
	}
	return m, tea.Tick(m.opts.ServersEvery, func(time.Time) tea.Msg { return serversTickMsg{} })
}

// extraQueues lists queues that live servers are configured for.
func (m Model) extraQueues() []string {
	var out []string
	for _, s := range m.servers {
		if s.Stale(m.snap.Time) {
			continue
		}
		for q := range s.Queues {
			out = append(out, q)
		}
	}
	return out
}

// dash is the read-only view of the shared state that panes render.
type dash struct {
	snap     model.Snapshot
	history  *model.History
	breaches *model.Breaches
	rules    model.Rules
}

func (m Model) view() dash {
	return dash{snap: m.snap, history: m.history, breaches: m.breaches, rules: m.opts.Rules}
}

func (m Model) pushData() Model {
	d := m.view()
	m.queues = m.queues.setData(d)
	m.detail = m.detail.setData(d)
	m.breachV = m.breachV.setData(d)
	m.task.now = d.snap.Time
	m.task = m.task.render()
	return m
}

// queueStats is the latest refresh's figures for a queue.
func (m Model) queueStats(name string) (model.QueueStats, bool) {
	for _, q := range m.snap.Queues {
		if q.Name == name {
			return q, true
		}
	}
	return model.QueueStats{}, false
}
