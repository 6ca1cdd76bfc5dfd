package ui

import (
	"sort"
	"strings"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// queuesPane is the queue table: one row per queue with counts, latency, rates and
// sparklines, breaching cells coloured and marked, columns dropped on narrow screens.
type queuesPane struct {
	styles Styles
	keys   KeyMap
	width  int
	height int
	data   dash
	rows   []model.QueueStats
	cursor string
	// at is the cursor's last row, where it stays when its queue disappears.
	at int
	// moved is false until the person moves the cursor: till then it stays on the first
	// row, whichever queue that is as queues appear.
	moved  bool
	offset int
	filter string
	sortBy int
	// lines caches each row's rendering by queue name; rebuild clears it.
	lines map[string]string
}

func newQueuesPane(st Styles, keys KeyMap) queuesPane {
	return queuesPane{styles: st, keys: keys}
}

// SetSize sets the pane's size in cells.
func (p queuesPane) SetSize(w, h int) queuesPane {
	p.width, p.height = w, h
	return p.rebuild()
}

func (p queuesPane) setData(d dash) queuesPane {
	p.data = d
	return p.rebuild()
}

func (p queuesPane) setFilter(f string) queuesPane {
	p.filter = f
	return p.rebuild()
}

func (p queuesPane) cycleSort() queuesPane {
	p.sortBy = (p.sortBy + 1) % len(queueSorts)
	return p.rebuild()
}

func (p queuesPane) sortName() string { return queueSorts[p.sortBy].name }

// selected is the queue under the cursor.
func (p queuesPane) selected() (string, bool) {
	if len(p.rows) == 0 {
		return "", false
	}
	return p.rows[p.index()].Name, true
}

// Update moves the cursor. The cursor is anchored on the queue name, so rows that move
// on refresh do not carry it to another queue.
func (p queuesPane) Update(msg tea.KeyMsg) (queuesPane, tea.Cmd) {
	if len(p.rows) == 0 {
		return p, nil
	}
	i := p.index()
	switch {
	case key.Matches(msg, p.keys.Up):
		i--
	case key.Matches(msg, p.keys.Down):
		i++
	case key.Matches(msg, p.keys.Top):
		i = 0
	case key.Matches(msg, p.keys.Bottom):
		i = len(p.rows) - 1
	}
	i = max(0, min(i, len(p.rows)-1))
	p.cursor, p.at, p.moved = p.rows[i].Name, i, true
	return p.clamp(), nil
}

// index is the row of the cursor; when the cursor's queue is gone, the row it was on.
func (p queuesPane) index() int {
	for i, r := range p.rows {
		if r.Name == p.cursor {
			return i
		}
	}
	return max(0, min(p.at, len(p.rows)-1))
}

// rebuild filters and sorts the snapshot's queues into rows.
func (p queuesPane) rebuild() queuesPane {
	p.rows = p.rows[:0:0]
	f := strings.ToLower(p.filter)
	for _, q := range p.data.snap.Queues {
		if f == "" || strings.Contains(strings.ToLower(q.Name), f) {
			p.rows = append(p.rows, q)
		}
	}
	less := queueSorts[p.sortBy].less
	sort.SliceStable(p.rows, func(i, j int) bool { return less(p.data, p.rows[i], p.rows[j]) })
	p.lines = make(map[string]string, len(p.rows))
	if len(p.rows) > 0 {
		p.at = p.index()
		if !p.moved {
			p.at = 0
		}
		p.cursor = p.rows[p.at].Name
	}
	return p.clamp()
}

// clamp scrolls so the cursor's row is visible.
func (p queuesPane) clamp() queuesPane {
	visible := max(1, p.height-1)
	i := p.index()
	if i < p.offset {
		p.offset = i
	}
	if i >= p.offset+visible {
		p.offset = i - visible + 1
	}
	p.offset = max(0, min(p.offset, max(0, len(p.rows)-visible)))
	return p
}

// View draws the column headers and the visible rows.
func (p queuesPane) View() string {
	cols := layoutColumns(p.width)
	var b strings.Builder
	b.WriteString(p.headerRow(cols))
	visible := max(1, p.height-1)
	if len(p.rows) == 0 {
		b.WriteString("\n" + p.emptyMessage())
	}
	cur := p.index()
	for i := p.offset; i < len(p.rows) && i < p.offset+visible; i++ {
		b.WriteString("\n" + p.line(cols, p.rows[i], i == cur))
	}
	return fitBlock(b.String(), p.width, p.height)
}

// line is a row's rendering, from the cache when the data has not changed since it was
// drawn; the selection is applied on top.
func (p queuesPane) line(cols []column, q model.QueueStats, selected bool) string {
	l, ok := p.lines[q.Name]
	if !ok {
		l = p.row(cols, q)
		if p.lines != nil {
			p.lines[q.Name] = l
		}
	}
	if selected {
		return p.styles.Selected.Render(ansi.Strip(l))
	}
	return l
}

func (p queuesPane) emptyMessage() string {
	switch {
	case p.filter != "":
		return p.styles.Muted.Render("no queue matches /" + text.Clean(p.filter) + " (esc clears)")
	case p.data.snap.Time.IsZero():
		return p.styles.Muted.Render("reading queues…")
	}
	return p.styles.Muted.Render("no asynq queues in this Redis database (asynq:queues is empty)")
}

func (p queuesPane) headerRow(cols []column) string {
	cells := make([]string, 0, len(cols)+1)
	cells = append(cells, "  ")
	for _, c := range cols {
		cells = append(cells, alignCell(c, c.title))
	}
	return p.styles.ColumnHeader.Render(strings.Join(cells, " "))
}

func (p queuesPane) row(cols []column, q model.QueueStats) string {
	rc := rowCtx{q: q, d: p.data, st: p.styles}
	worst := p.data.breaches.WorstLevel(q.Name)
	cells := make([]string, 0, len(cols)+1)
	cells = append(cells, p.styles.Level(worst).Render(levelMark(worst)))
	for _, c := range cols {
		cells = append(cells, c.render(rc))
	}
	return strings.Join(cells, " ")
}

// levelMark is the two-cell mark at the start of a row, readable without colour.
func levelMark(l model.Level) string {
	switch l {
	case model.LevelCrit:
		return "!!"
	case model.LevelWarn:
		return "! "
	}
	return "  "
}

// rowCtx is what a column needs to draw one queue's cell.
type rowCtx struct {
	q  model.QueueStats
	d  dash
	st Styles
}

func (r rowCtx) level(m model.Metric) model.Level { return r.d.breaches.Level(r.q.Name, m) }

func (r rowCtx) latest(m model.Metric) (float64, bool) { return r.d.history.Latest(r.q.Name, m) }

// column is one column of the queue table. prio orders which columns survive a narrow
// screen (lower survives longer).
type column struct {
	title string
	width int
	right bool
	prio  int
	cell  func(r rowCtx) (string, model.Level)
	spark func(r rowCtx, w int) string
}

func (c column) render(r rowCtx) string {
	if c.spark != nil {
		return fit(c.spark(r, c.width), c.width)
	}
	s, lvl := c.cell(r)
	return r.st.Level(lvl).Render(alignCell(c, s))
}

func alignCell(c column, s string) string {
	if c.right {
		return text.PadLeft(s, c.width)
	}
	return text.Pad(s, c.width)
}

// layoutColumns picks the columns that fit width w, in table order, and gives the name
// column what is left.
func layoutColumns(w int) []column {
	all := queueColumns()
	const markW = 2
	used := markW + all[0].width + 1
	keep := map[int]bool{0: true}
	order := make([]int, 0, len(all))
	for i := 1; i < len(all); i++ {
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool { return all[order[a]].prio < all[order[b]].prio })
	for _, i := range order {
		if used+all[i].width+1 <= w {
			used += all[i].width + 1
			keep[i] = true
		}
	}
	cols := make([]column, 0, len(keep))
	for i, c := range all {
		if keep[i] {
			cols = append(cols, c)
		}
	}
	spare := max(0, w-used)
	grow := min(spare, 12)
	cols[0].width += grow
	spare -= grow
	// What is left widens the sparklines, the more history the better.
	var sparks []int
	for i, c := range cols {
		if c.spark != nil {
			sparks = append(sparks, i)
		}
	}
	for _, i := range sparks {
		cols[i].width += spare / len(sparks)
	}
	return cols
}
