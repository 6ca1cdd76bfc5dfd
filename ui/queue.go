package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/barchart"
	tslc "github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/payload"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// memoryEvery is how often the open overview estimates its queue's memory again.
const memoryEvery = 10 * time.Second

// queuePane is one queue opened: its state counts, an estimate of its memory, a larger
// chart of each metric over the kept history, and the last 30 UTC days of processed and
// failed tasks.
type queuePane struct {
	styles Styles
	width  int
	height int
	// opened is false until a queue is shown (a queue may be named "", so name cannot
	// tell); openedAs is the queue whose data the pane holds, which name, set from the
	// task tabs, may have moved away from.
	opened   bool
	openedAs string
	name     string
	data     dash
	days     []model.DailyStat
	daysErr  string
	vp       viewport.Model
	dayCount int

	// mem is the last memory estimate, read when memRead; memErr says why the last one
	// failed. memGen is bumped each time the overview is shown, which ends the previous
	// chain of memory ticks.
	mem     model.Memory
	memRead bool
	memErr  string
	memGen  int
}

// chartedMetrics are the metrics drawn as charts, two per row.
var chartedMetrics = []model.Metric{
	model.MetricProcessedRate, model.MetricFailedRate,
	model.MetricPending, model.MetricLatency,
	model.MetricRetry, model.MetricArchived,
}

func newQueuePane(st Styles) queuePane {
	return queuePane{styles: st, vp: viewport.New(0, 0), dayCount: 30}
}

// SetSize sets the pane's size in cells.
func (p queuePane) SetSize(w, h int) queuePane {
	p.width, p.height = w, h
	p.vp.Width, p.vp.Height = w, h
	return p.render()
}

func (p queuePane) open(name string) queuePane {
	p.opened, p.openedAs, p.name, p.days, p.daysErr = true, name, name, nil, ""
	p.mem, p.memRead, p.memErr = model.Memory{}, false, ""
	p.vp.GotoTop()
	return p
}

// show is called each time the overview comes to the front; it starts a new chain of
// memory estimates, the caller asking for the first.
func (p queuePane) show() queuePane {
	if !p.opened || p.openedAs != p.name {
		p = p.open(p.name)
	}
	p.memGen++
	return p.render()
}

// setMemory applies a memory estimate and asks for the next one in memoryEvery. An
// estimate of another queue or an older chain is dropped. On error the last figure
// stays, marked stale.
func (p queuePane) setMemory(msg memoryMsg) (queuePane, tea.Cmd) {
	if msg.queue != p.name || msg.gen != p.memGen {
		return p, nil
	}
	p.memErr = ""
	if msg.err != nil {
		p.memErr = msg.err.Error()
	} else {
		p.mem, p.memRead = msg.mem, true
	}
	return p.render(), memoryTick(memoryEvery, p.name, p.memGen)
}

// memoryDue reports whether a memory tick belongs to the chain of the overview in front.
func (p queuePane) memoryDue(msg memoryTickMsg) bool {
	return msg.queue == p.name && msg.gen == p.memGen
}

func (p queuePane) setData(d dash) queuePane {
	p.data = d
	return p.render()
}

func (p queuePane) setDaily(msg dailyMsg) queuePane {
	if msg.queue != p.name {
		return p
	}
	if msg.err != nil {
		p.daysErr = msg.err.Error()
		return p.render()
	}
	p.days, p.daysErr = msg.days, ""
	return p.render()
}

// liveDays is the daily series with today's bar taken from the latest refresh, so the
// chart moves with the table without reading the daily keys again.
func (p queuePane) liveDays(q model.QueueStats, ok bool) []model.DailyStat {
	days := append([]model.DailyStat(nil), p.days...)
	if ok && len(days) > 0 && q.Err == "" {
		today := &days[len(days)-1]
		if today.Day.Equal(p.data.snap.Time.UTC().Truncate(24 * time.Hour)) {
			today.Processed, today.Failed = q.ProcessedToday, q.FailedToday
		}
	}
	return days
}

// Update scrolls the pane.
func (p queuePane) Update(msg tea.KeyMsg) (queuePane, tea.Cmd) {
	var cmd tea.Cmd
	p.vp, cmd = p.vp.Update(msg)
	return p, cmd
}

// View draws the visible part of the pane.
func (p queuePane) View() string { return fitBlock(p.vp.View(), p.width, p.height) }

// render rebuilds the pane's content; the viewport keeps its scroll position.
func (p queuePane) render() queuePane {
	if p.width == 0 || !p.opened {
		return p
	}
	q, ok := p.queue()
	var b strings.Builder
	if !ok {
		b.WriteString(p.styles.Muted.Render("queue " + text.Clean(p.name) +
			" is not in the latest refresh (deleted?)"))
	} else {
		b.WriteString(p.summary(q))
	}
	b.WriteString("\n" + p.charts())
	b.WriteString("\n" + p.dailyChart(p.liveDays(q, ok)))
	p.vp.SetContent(b.String())
	return p
}

func (p queuePane) queue() (model.QueueStats, bool) {
	for _, q := range p.data.snap.Queues {
		if q.Name == p.name {
			return q, true
		}
	}
	return model.QueueStats{}, false
}

// summary is the queue's title line, state counts and headline figures.
func (p queuePane) summary(q model.QueueStats) string {
	st := p.styles
	now := p.data.snap.Time
	title := st.Title.Render("queue "+text.Clean(q.Name)) + "  " + p.badges(q, now)
	agg := count(q.Aggregating)
	if !q.AggregatingKnown {
		agg = "n/a (too many groups to count on refresh)"
	}
	counts := fmt.Sprintf("pending %s · active %s · scheduled %s · retry %s · archived %s · "+
		"completed %s · aggregating %s in %d groups",
		count(q.Pending), count(q.Active), count(q.Scheduled), count(q.Retry),
		count(q.Archived), count(q.Completed), agg, q.Groups)
	if q.Err != "" {
		counts = "counts, latency and counters unavailable: this queue's keys could not be " +
			"read (see below)"
	}
	lat := "unknown"
	if d, ok := q.Latency(now); ok {
		lat = latencyText(d)
	}
	ratio := ""
	if q.ProcessedToday > 0 {
		ratio = fmt.Sprintf(" (%.1f%%)", 100*float64(q.FailedToday)/float64(q.ProcessedToday))
	}
	figures := fmt.Sprintf("latency %s · today (UTC) processed %s, failed %s%s · "+
		"lifetime processed %s, failed %s", lat, count(q.ProcessedToday),
		count(q.FailedToday), ratio, count(q.ProcessedTotal), count(q.FailedTotal))
	lines := []string{fit(title, p.width), fit(counts, p.width), fit(figures, p.width),
		fit(p.memoryLine(), p.width)}
	if q.Err != "" {
		lines = []string{fit(title, p.width), fit(counts, p.width),
			fit(st.Error.Render(text.Clean(q.Err)), p.width)}
	}
	return strings.Join(lines, "\n")
}

// memoryLine words the memory estimate so that it reads as one: ≈ and the sample size,
// or why there is no figure.
func (p queuePane) memoryLine() string {
	st := p.styles
	var s string
	switch {
	case !p.memRead && p.memErr != "":
		return st.Error.Render("memory: cannot estimate — " + text.Clean(p.memErr))
	case !p.memRead:
		return st.Muted.Render("memory: estimating…")
	case p.mem.Unavailable != "":
		return st.Muted.Render("memory: unavailable — " + text.Clean(p.mem.Unavailable))
	case p.mem.Exact:
		s = fmt.Sprintf("memory ≈ %s (all %d tasks measured)", payload.Size(int(p.mem.Bytes)),
			p.mem.Sampled)
	default:
		s = fmt.Sprintf("memory ≈ %s (estimate from %d sampled tasks)",
			payload.Size(int(p.mem.Bytes)), p.mem.Sampled)
	}
	if p.memErr != "" {
		s += "  " + st.Stale.Render("STALE: "+text.Clean(p.memErr))
	}
	return s
}

// badges say what is special about the queue: paused (for how long and since when, a
// pause can outlive the queue it was set on), only configured, in breach.
func (p queuePane) badges(q model.QueueStats, now time.Time) string {
	var out []string
	if q.Paused {
		s := "PAUSED"
		if !q.PausedSince.IsZero() {
			s += " for " + shortDuration(now.Sub(q.PausedSince)) + " (since " +
				q.PausedSince.UTC().Format("2006-01-02 15:04") + " UTC)"
		}
		out = append(out, p.styles.Paused.Render(s))
	}
	switch {
	case !q.Registered && q.InUse():
		out = append(out, p.styles.Warn.Render("not listed in asynq:queues but in use (Redis "+
			"restarted or flushed? asynq lists it again when a producer restarts)"))
	case !q.Registered:
		out = append(out, p.styles.Muted.Render("configured on a server, never used"))
	}
	if l := p.data.breaches.WorstLevel(q.Name); l != model.LevelOK {
		out = append(out, p.styles.Level(l).Render(strings.ToUpper(l.String())))
	}
	return strings.Join(out, " ")
}

// charts draws the charted metrics two per row.
func (p queuePane) charts() string {
	colW := max(20, (p.width-1)/2)
	h := max(5, min(10, (p.height-16)/3))
	var rows []string
	for i := 0; i+1 < len(chartedMetrics); i += 2 {
		left := p.chart(chartedMetrics[i], colW, h)
		right := p.chart(chartedMetrics[i+1], colW, h)
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, left, " ", right))
	}
	return strings.Join(rows, "\n")
}

// chart is one metric's time series over the history, labelled with its latest value,
// its threshold level, and times in UTC (they come from Redis's clock).
func (p queuePane) chart(m model.Metric, w, h int) string {
	samples := p.data.history.Samples(p.name, m)
	last, ok := p.data.history.Latest(p.name, m)
	lvl := p.data.breaches.Level(p.name, m)
	label := metricLabel(m) + " " + metricValue(m, last, ok)
	head := p.styles.Level(lvl).Render(fit(label, w))
	if len(samples) < 2 {
		return head + "\n" + fitBlock(p.styles.Muted.Render("collecting…"), w, h-1)
	}
	c := tslc.New(w, h-1,
		tslc.WithXLabelFormatter(tslc.HourTimeLabelFormatter()),
		tslc.WithXYSteps(2, 2),
		tslc.WithTimeRange(samples[0].Time, samples[len(samples)-1].Time),
		tslc.WithStyle(p.lineStyle(m)),
		tslc.WithAxesStyles(p.styles.Muted, p.styles.Muted),
	)
	for _, s := range samples {
		if !math.IsNaN(s.Value) {
			c.Push(tslc.TimePoint{Time: s.Time, Value: s.Value})
		}
	}
	c.DrawBraille()
	return head + "\n" + fitBlock(c.View(), w, h-1)
}

func (p queuePane) lineStyle(m model.Metric) lipgloss.Style {
	switch m {
	case model.MetricFailedRate, model.MetricRetry, model.MetricArchived:
		return p.styles.FailSpark
	}
	return p.styles.Spark
}

// metricValue formats a metric's latest value for a chart label.
func metricValue(m model.Metric, v float64, ok bool) string {
	if !ok || math.IsNaN(v) {
		return "–"
	}
	switch m {
	case model.MetricProcessedRate, model.MetricFailedRate, model.MetricArchivedGrowth:
		return rate(v, true)
	case model.MetricLatency:
		return latencyText(time.Duration(v * float64(time.Second)))
	case model.MetricFailureRatio:
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return count(int64(v))
}

// dailyChart draws asynq's daily counters as stacked bars, labelled as UTC days because
// asynq keys them by UTC date.
func (p queuePane) dailyChart(days []model.DailyStat) string {
	title := p.styles.Title.Render(fmt.Sprintf("last %d days, processed (failed in red), "+
		"UTC days", p.dayCount))
	switch {
	case p.daysErr != "":
		return title + "\n" + p.styles.Error.Render(fit(text.Clean(p.daysErr), p.width))
	case len(days) == 0:
		return title + "\n" + p.styles.Muted.Render("reading daily counters…")
	}
	barW := max(1, min(3, (p.width-2)/len(days)-1))
	w := len(days)*(barW+1) + 1
	bc := barchart.New(w, 8, barchart.WithNoAxis())
	bc.SetBarWidth(barW)
	bc.SetBarGap(1)
	for _, d := range days {
		ok := max(0, d.Processed-d.Failed)
		bc.Push(barchart.BarData{Values: []barchart.BarValue{
			{Name: "ok", Value: float64(ok), Style: p.styles.Spark},
			{Name: "failed", Value: float64(d.Failed), Style: p.styles.FailSpark},
		}})
	}
	bc.Draw()
	first, last := days[0], days[len(days)-1]
	axis := first.Day.Format("Jan 02")
	end := last.Day.Format("Jan 02") + " UTC"
	axis += strings.Repeat(" ", max(1, w-len(axis)-len(end))) + end
	today := fmt.Sprintf("today %s UTC: processed %s, failed %s · peak %s/day",
		last.Day.Format("2006-01-02"), count(last.Processed), count(last.Failed),
		count(peakDay(days)))
	return title + "\n" + bc.View() + "\n" + p.styles.Muted.Render(axis) + "\n" + today
}

func peakDay(days []model.DailyStat) int64 {
	var peak int64
	for _, d := range days {
		peak = max(peak, d.Processed)
	}
	return peak
}
