package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/payload"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/asynqtop/asynqtop/source"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// tasksPane is one state's tasks in a queue, a page at a time. The cursor is anchored on
// the task ID, so rows that move as workers consume do not carry it to another task.
type tasksPane struct {
	styles Styles
	keys   KeyMap
	width  int
	height int

	queue string
	state model.State
	// group is the aggregation group shown in the aggregating tab; groups lists them.
	group          string
	groups         []source.GroupSize
	groupsComplete bool
	newestFirst    bool
	// maskFields are hidden in previews as in the task view.
	maskFields []string
	offset     int
	page       model.TaskPage
	loaded     bool
	err        string
	gen        int

	// cursor is the ID of the selected task; at is its row. When the selected task
	// leaves the page (consumed, moved, pushed to another page), the selection is
	// dropped and lost names it: the cursor never lands silently on another task.
	cursor string
	lost   string
	at     int
	top    int
	marks  map[string]bool
	filter string
	// servers and now say whether a live server forwards due tasks and which active
	// tasks are stuck.
	servers []model.Server
}

func newTasksPane(st Styles, keys KeyMap) tasksPane {
	return tasksPane{styles: st, keys: keys, marks: map[string]bool{}}
}

// SetSize sets the pane's size in cells.
func (p tasksPane) SetSize(w, h int) tasksPane {
	p.width, p.height = w, h
	return p
}

// pageSize is how many rows fit: the pane less its title, column header and footer.
func (p tasksPane) pageSize() int { return max(1, p.height-3) }

// open shows state of queue from its first page, in the order a person expects there:
// the most recent failures first for retry and archived, the next to run otherwise.
func (p tasksPane) open(queue string, state model.State) tasksPane {
	if p.queue != queue || p.state != state {
		p.marks = map[string]bool{}
		p.cursor, p.lost, p.at, p.top, p.offset = "", "", 0, 0, 0
		p.loaded, p.err, p.filter, p.group = false, "", "", ""
		p.newestFirst = state == model.Archived || state == model.Completed
	}
	p.queue, p.state = queue, state
	p.gen++
	return p
}

func (p tasksPane) query() source.TaskQuery {
	return source.TaskQuery{Queue: p.queue, State: p.state, Group: p.group,
		Offset: p.offset, Limit: p.pageSize(), NewestFirst: p.newestFirst}
}

// setPage applies a page read; pages of an older query are dropped.
func (p tasksPane) setPage(msg tasksMsg) tasksPane {
	if msg.gen != p.gen || msg.query.Queue != p.queue || msg.query.State != p.state {
		return p
	}
	if msg.err != nil {
		p.err = msg.err.Error()
		return p
	}
	p.page, p.loaded, p.err = msg.page, true, ""
	return p.reanchor()
}

// reanchor finds the selected task in the rows after they changed. A task that is gone
// is not replaced by whatever now stands in its row: the selection is dropped.
func (p tasksPane) reanchor() tasksPane {
	rows := p.rows()
	switch i := p.indexOf(p.cursor); {
	case i >= 0:
		p.at = i
	case p.cursor != "":
		p.lost, p.cursor = p.cursor, ""
	case p.lost == "" && len(rows) > 0:
		p.at = max(0, min(p.at, len(rows)-1))
		p.cursor = rows[p.at].ID
	}
	return p
}

// rows are the loaded tasks that pass the filter.
func (p tasksPane) rows() []model.Task {
	if p.filter == "" {
		return p.page.Tasks
	}
	f := strings.ToLower(p.filter)
	var out []model.Task
	for _, t := range p.page.Tasks {
		if strings.Contains(strings.ToLower(t.ID+"\x00"+t.Type+"\x00"+t.LastError), f) {
			out = append(out, t)
		}
	}
	return out
}

func (p tasksPane) indexOf(id string) int {
	for i, t := range p.rows() {
		if t.ID == id {
			return i
		}
	}
	return -1
}

// selected is the selected task; false when none is (or it left the page).
func (p tasksPane) selected() (model.Task, bool) {
	if i := p.indexOf(p.cursor); p.cursor != "" && i >= 0 {
		return p.rows()[i], true
	}
	return model.Task{}, false
}

// marked lists the marked task IDs, or the cursor's task when none is marked.
// Marks are kept by ID, also for tasks that have since left the page: the action
// re-checks each one and says which changed.
func (p tasksPane) marked() []string {
	ids := make([]string, 0, len(p.marks))
	for id := range p.marks {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		if t, ok := p.selected(); ok {
			ids = []string{t.ID}
		}
	}
	return ids
}

// Update moves the cursor and the page, marks rows and flips the order. It returns a
// command when the page must be read again.
func (p tasksPane) Update(msg tea.KeyMsg) (tasksPane, tea.Cmd, bool) {
	rows := p.rows()
	reload := false
	switch {
	case key.Matches(msg, p.keys.Up):
		p.at--
	case key.Matches(msg, p.keys.Down):
		p.at++
	case key.Matches(msg, p.keys.Top):
		p.at, p.offset, reload = 0, 0, p.offset != 0
	case key.Matches(msg, p.keys.Bottom):
		last := max(0, (p.page.Total-1)/p.pageSize()*p.pageSize())
		p.at, reload, p.offset = p.pageSize(), p.offset != last, last
	case key.Matches(msg, p.keys.PageDown):
		if p.offset+p.pageSize() < p.page.Total {
			p.offset += p.pageSize()
			p.at, reload = 0, true
		}
	case key.Matches(msg, p.keys.PageUp):
		if p.offset > 0 {
			p.offset = max(0, p.offset-p.pageSize())
			p.at, reload = 0, true
		}
	case key.Matches(msg, p.keys.Order):
		p.newestFirst, p.offset, p.at, reload = !p.newestFirst, 0, 0, true
	case key.Matches(msg, p.keys.Mark):
		t, ok := p.selected()
		if !ok {
			return p, nil, false
		}
		p.marks[t.ID] = !p.marks[t.ID]
		if !p.marks[t.ID] {
			delete(p.marks, t.ID)
		}
		p.at++
	default:
		return p, nil, false
	}
	p.lost = ""
	p.at = max(0, min(p.at, len(rows)-1))
	p.cursor = ""
	if len(rows) > 0 && !reload {
		p.cursor = rows[p.at].ID
	}
	if reload {
		p.gen++
	}
	return p, nil, reload
}

// View draws the title, the column header, the rows and a footer.
func (p tasksPane) View(now time.Time) string {
	var b strings.Builder
	b.WriteString(p.title())
	cols := taskColumns(p.width)
	b.WriteString("\n" + p.styles.ColumnHeader.Render(taskHeader(cols)))
	rows := p.rows()
	switch {
	case p.err != "" && !p.loaded:
		b.WriteString("\n" + p.styles.Error.Render(text.Clean(p.err)))
	case !p.loaded:
		b.WriteString("\n" + p.styles.Muted.Render("reading tasks…"))
	case len(rows) == 0 && p.filter != "":
		b.WriteString("\n" + p.styles.Muted.Render("no loaded task matches /"+
			text.Clean(p.filter)+" (esc clears; :find searches the whole state)"))
	case len(rows) == 0:
		b.WriteString("\n" + p.styles.Muted.Render("no "+string(p.state)+" tasks"))
	}
	env := rowEnv{now: now, servers: p.servers, mask: p.maskFields}
	for _, t := range rows {
		line := p.row(cols, t, env)
		if t.ID == p.cursor {
			line = p.styles.Selected.Render(ansi.Strip(line))
		}
		b.WriteString("\n" + line)
	}
	body := fitBlock(b.String(), p.width, p.height-1)
	return body + "\n" + fit(p.footer(), p.width)
}

func (p tasksPane) title() string {
	if p.needsGroup() {
		s := fmt.Sprintf("aggregating · %d groups · enter lists a group's tasks", len(p.groups))
		if !p.groupsComplete {
			s += " (first groups only: too many to list in time)"
		}
		return p.styles.Title.Render(s)
	}
	pages := max(1, (p.page.Total+p.pageSize()-1)/p.pageSize())
	cur := p.offset/p.pageSize() + 1
	state := string(p.state)
	if p.group != "" {
		state += " in group " + text.Truncate(p.group, 30)
	}
	s := fmt.Sprintf("%s · %s %s · %s (o flips) · page %d/%d", state,
		thousands(p.page.Total), plural(p.page.Total, "task"),
		model.OrderLabel(p.state, p.newestFirst), cur, pages)
	if n := len(p.marks); n > 0 {
		s += fmt.Sprintf(" · %d marked", n)
	}
	if p.filter != "" {
		s += " · filter /" + text.Clean(p.filter)
	}
	if p.lost != "" {
		s = "selection lost: task " + text.TruncateMiddle(p.lost, 14) + " left the page; " +
			"j/k selects · " + s
	}
	if p.err != "" && p.loaded {
		return p.styles.Title.Render(s) + "  " + p.styles.Stale.Render("STALE: "+text.Clean(p.err))
	}
	return p.styles.Title.Render(s)
}

func (p tasksPane) footer() string {
	if !p.loaded {
		return ""
	}
	s := fmt.Sprintf("fetched %s of messages for this page (limit 1 MiB); larger tasks "+
		"show their size until opened", payload.Size(p.page.FetchedBytes))
	return p.styles.Muted.Render(s)
}

func (p tasksPane) row(cols []taskColumn, t model.Task, e rowEnv) string {
	mark := " "
	if p.marks[t.ID] {
		mark = "*"
	}
	cells := []string{mark}
	for _, c := range cols {
		cells = append(cells, text.Pad(c.cell(t, e), c.width))
	}
	line := strings.Join(cells, " ")
	if t.Problem != model.ProblemNone && t.Problem != model.ProblemTooLarge {
		return p.styles.Warn.Render(line)
	}
	return line
}

// taskColumn is one column of the task list; the preview column takes what is left.
type taskColumn struct {
	title string
	width int
	cell  func(t model.Task, e rowEnv) string
}

// forwardGrace is how long past due a task may be while a live server runs before it
// counts as overdue: asynq's forwarder checks every five seconds.
const forwardGrace = 15 * time.Second

// rowEnv is what a task row's cells need beyond the task: Redis's clock and the servers,
// to say when a due task runs and whether an active one is stuck.
type rowEnv struct {
	now     time.Time
	servers []model.Server
	mask    []string
}

func taskColumns(w int) []taskColumn {
	cols := []taskColumn{
		{"ID", 14, func(t model.Task, _ rowEnv) string {
			return text.TruncateMiddle(t.ID, 14)
		}},
		{"TYPE", 16, taskTypeCell},
		{"AGE", 6, taskAgeCell},
		{"RETRY", 5, func(t model.Task, _ rowEnv) string {
			if t.Problem != model.ProblemNone || t.Type == "" {
				return "?"
			}
			return fmt.Sprintf("%d/%d", t.Retried, t.Retry)
		}},
		{"NEXT", 11, taskNextCell},
		{"SIZE", 8, func(t model.Task, _ rowEnv) string { return taskSize(t) }},
		{"LAST ERROR", 24, func(t model.Task, _ rowEnv) string { return t.LastError }},
	}
	used := 1
	for _, c := range cols {
		used += c.width + 1
	}
	rest := w - used - 1
	if rest < 20 { // narrow: drop NEXT, shrink the type and the error
		cols = append(cols[:4], cols[5:]...)
		cols[1].width, cols[len(cols)-1].width = 14, 14
		rest += 12 + 2 + 10
	}
	if rest > 60 { // wide: the error gets a share of the room, up to 60 cells
		grow := min(rest/3, 60-cols[len(cols)-1].width)
		cols[len(cols)-1].width += grow
		rest -= grow
	}
	cols = append(cols, taskColumn{"PAYLOAD", max(8, rest), taskPreviewCell})
	return cols
}

func taskHeader(cols []taskColumn) string {
	cells := []string{" "}
	for _, c := range cols {
		cells = append(cells, text.Pad(c.title, c.width))
	}
	return strings.Join(cells, " ")
}

func taskTypeCell(t model.Task, _ rowEnv) string {
	switch t.Problem {
	case model.ProblemMissing:
		return "(missing)"
	case model.ProblemTooLarge:
		return "(large)"
	case model.ProblemUndecodable:
		return "(undecodable)"
	}
	if t.Legacy {
		return "(legacy) " + t.Type
	}
	return t.Type
}

// taskAgeCell is how long the task has been in its state, as far as asynq records it.
func taskAgeCell(t model.Task, e rowEnv) string {
	var since time.Time
	switch t.State {
	case model.Pending:
		since = t.PendingSince
	case model.Archived:
		// The archived set's score is when it was archived, whoever archived it.
		since = t.Score
		if since.IsZero() {
			since = t.LastFailedAt
		}
	case model.Retry:
		since = t.LastFailedAt
	case model.Completed:
		since = t.CompletedAt
	}
	if since.IsZero() {
		return "?"
	}
	return shortDuration(e.now.Sub(since).Round(time.Second))
}

func taskNextCell(t model.Task, e rowEnv) string {
	switch t.State {
	case model.Scheduled, model.Retry:
		if t.Score.IsZero() {
			return "?"
		}
		live := model.LiveServers(e.servers, e.now)
		if live && t.Score.Before(e.now) && e.now.Sub(t.Score) < forwardGrace {
			return "due now" // a live server's forwarder moves due tasks every few seconds
		}
		s := model.NextRun(t.Score, e.now, true)
		if !live && t.Score.Before(e.now) {
			s += " (no server)"
		}
		return s
	case model.Active:
		if model.StuckReason(t, e.servers, e.now) != "" {
			return "STUCK"
		}
	}
	return ""
}

// taskPreviewCell is a one-line look at the payload, or what is wrong with the record.
func taskPreviewCell(t model.Task, e rowEnv) string {
	switch {
	case t.Problem == model.ProblemMissing:
		return "task data missing (ID " + t.ID + ")"
	case t.Problem != model.ProblemNone && t.Problem != model.ProblemTooLarge:
		return t.Detail
	case !t.PayloadFetched:
		return "not fetched (" + taskSize(t) + "): enter to open"
	case sealed(t.Payload):
		return "sealed " + sealedKey(t.Payload) + " (open and press x to decrypt)"
	}
	return maskedPreview(t.Payload, e.mask, 200)
}

// maskedPreview is a payload's one-line preview with the mask_fields hidden: a list
// shows no more than the task view does before m.
func maskedPreview(b []byte, mask []string, w int) string {
	if masked, n := payload.Mask(b, mask); n > 0 {
		b = masked
	}
	return payload.Preview(b, w)
}

// needsGroup reports whether the aggregating tab still has to pick a group: aggregating
// tasks are listed per group.
func (p tasksPane) needsGroup() bool { return p.state == model.Aggregating && p.group == "" }

// setGroups shows the queue's groups to choose from.
func (p tasksPane) setGroups(msg groupsMsg) tasksPane {
	if msg.queue != p.queue || !p.needsGroup() {
		return p
	}
	if msg.err != nil {
		p.err = msg.err.Error()
		return p
	}
	p.groups, p.groupsComplete, p.loaded, p.err = msg.groups, msg.complete, true, ""
	tasks := make([]model.Task, len(msg.groups))
	for i, g := range msg.groups {
		tasks[i] = model.Task{ID: g.Name, Queue: p.queue, State: model.Aggregating,
			Type: fmt.Sprintf("group · %d tasks", g.Size), PayloadFetched: true}
	}
	p.page = model.TaskPage{Queue: p.queue, State: model.Aggregating, Total: len(tasks),
		Tasks: tasks}
	p.at = max(0, min(p.at, len(tasks)-1))
	return p
}

// chooseGroup lists the tasks of the group under the cursor.
func (p tasksPane) chooseGroup() tasksPane {
	t, ok := p.selected()
	if !ok {
		return p
	}
	p.group, p.loaded, p.at, p.offset, p.cursor, p.lost = t.ID, false, 0, 0, "", ""
	p.gen++
	return p
}

// taskSize is the payload's size, or the whole message's when the payload was not read.
func taskSize(t model.Task) string {
	if t.PayloadSize == 0 && t.MsgSize > 0 {
		return payload.Size(t.MsgSize)
	}
	return payload.Size(t.PayloadSize)
}
