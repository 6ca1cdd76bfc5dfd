// Package ui is asynqtop's Bubble Tea front end: a root model that only dispatches, and
// one pane per file (the queue table, a queue's charts, breaches, help) that render plain
// data from model/. Every string that came from Redis is shown through model/text.
package ui

import (
	"context"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Source is what the dashboard reads. *source.Source implements it; its methods must
// not write to Redis.
type Source interface {
	Target() string
	Refresh(ctx context.Context, extra []string) (model.Snapshot, error)
	Daily(ctx context.Context, queue string, days int) ([]model.DailyStat, error)
	Servers(ctx context.Context) ([]model.Server, error)
}

// Options configure the dashboard.
type Options struct {
	Source Source
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
	// Renderer builds the styles; nil means the local terminal's.
	Renderer *lipgloss.Renderer
	// Clock is the local clock, replaced in tests; nil means time.Now.
	Clock func() time.Time
}

type page int

const (
	pageQueues page = iota
	pageQueue
	pageBreaches
	pageHelp
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
	back   page

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
	breachV  breachesPane
	help     helpPane
	status   statusBar
	quitting bool
}

// New builds the dashboard model.
func New(o Options) Model {
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
	r := o.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	st := NewStyles(r, DefaultPalette())
	keys := DefaultKeyMap()
	return Model{
		opts:     o,
		keys:     keys,
		styles:   st,
		history:  model.NewHistory(o.HistorySize),
		breaches: &model.Breaches{},
		queues:   newQueuesPane(st, keys),
		detail:   newQueuePane(st),
		breachV:  newBreachesPane(st),
		help:     newHelpPane(st, keys),
		status:   newStatusBar(st, keys),
	}
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
		return m, nil
	}
	return m, nil
}

// View draws the header, the pane in front and the status bar.
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	if m.width == 0 {
		return "starting asynqtop…"
	}
	return lipgloss.JoinVertical(lipgloss.Left,
		m.headerView(),
		m.bodyView(),
		m.status.View(m.width),
	)
}

func (m Model) bodyView() string {
	switch m.page {
	case pageQueue:
		return m.detail.View()
	case pageBreaches:
		return m.breachV.View()
	case pageHelp:
		return m.help.View()
	}
	return m.queues.View()
}

// bodyHeight is the height left for the pane between the header and the status bar.
func (m Model) bodyHeight() int { return max(1, m.height-headerHeight-1) }

func (m Model) onResize(msg tea.WindowSizeMsg) (tea.Model, tea.Cmd) {
	m.width, m.height = msg.Width, msg.Height
	h := m.bodyHeight()
	m.queues = m.queues.SetSize(m.width, h)
	m.detail = m.detail.SetSize(m.width, h)
	m.breachV = m.breachV.SetSize(m.width, h)
	m.help = m.help.SetSize(m.width, h)
	return m, nil
}

func (m Model) onKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.status.filtering {
		return m.onFilterKey(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		m.quitting = true
		return m, tea.Quit
	case key.Matches(msg, m.keys.Help):
		return m.toggle(pageHelp), nil
	case key.Matches(msg, m.keys.Breaches):
		return m.toggle(pageBreaches), nil
	case key.Matches(msg, m.keys.Refresh):
		return m.refreshNow()
	case key.Matches(msg, m.keys.Freeze):
		return m.toggleFreeze()
	case key.Matches(msg, m.keys.Back):
		return m.goBack(), nil
	}
	return m.keyToPane(msg)
}

// keyToPane hands keys the root does not own to the pane in front.
func (m Model) keyToPane(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch m.page {
	case pageQueues:
		return m.queuesKey(msg)
	case pageQueue:
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Update(msg)
		return m, cmd
	case pageBreaches:
		m.breachV, _ = m.breachV.Update(msg)
	case pageHelp:
		m.help, _ = m.help.Update(msg)
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
	case key.Matches(msg, m.keys.Open):
		return m.openQueue()
	}
	var cmd tea.Cmd
	m.queues, cmd = m.queues.Update(msg)
	return m, cmd
}

func (m Model) onFilterKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	m.status, cmd = m.status.Update(msg)
	m.queues = m.queues.setFilter(m.status.filterValue())
	return m, cmd
}

func (m Model) openQueue() (tea.Model, tea.Cmd) {
	name, ok := m.queues.selected()
	if !ok {
		return m, nil
	}
	m.detail = m.detail.open(name)
	m.detail = m.detail.setData(m.view())
	m.page = pageQueue
	return m, fetchDaily(m.opts.Source, name)
}

// toggle shows page p, or goes back when it is already in front.
func (m Model) toggle(p page) Model {
	if m.page == p {
		return m.goBack()
	}
	if m.page != pageHelp && m.page != pageBreaches {
		m.back = m.page
	}
	m.page = p
	return m
}

func (m Model) goBack() Model {
	switch m.page {
	case pageHelp, pageBreaches:
		m.page = m.back
	case pageQueue:
		m.page = pageQueues
	default:
		if m.queues.filter != "" {
			m.queues = m.queues.setFilter("")
			m.status = m.status.say("filter cleared")
		}
	}
	return m
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
// stale, and the status bar says why.
func (m Model) onSnapshot(msg snapshotMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	next := tick(m.opts.Refresh, m.gen)
	if m.frozen {
		return m, nil
	}
	if msg.err != nil {
		if m.lastErr == "" {
			m.errSince = msg.at
		}
		m.lastErr = msg.err.Error()
		return m, next
	}
	m.lastErr = ""
	m.snap, m.haveSnap, m.lastGood = msg.snap, true, msg.at
	m.history.Observe(msg.snap)
	m.breaches.Evaluate(msg.snap.Time, m.history, m.opts.Rules)
	return m.pushData(), next
}

func (m Model) onServers(msg serversMsg) (tea.Model, tea.Cmd) {
	if msg.err == nil {
		m.servers = msg.servers
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
	return m
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

func tick(every time.Duration, gen int) tea.Cmd {
	return tea.Tick(every, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}
