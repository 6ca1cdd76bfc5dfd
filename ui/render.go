package ui

import (
	"math"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"strconv"
	"strings"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// fit cuts a styled line (our own styles around already-cleaned text) to w cells and
// pads it to exactly w, so panes never wrap.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// fitBlock fits every line of a block to w cells and the block to h lines.
func fitBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

// spark draws the last w values as a one-line ntcharts sparkline. Unknown values (NaN)
// draw as zero. The sparkline is drawn unstyled and st colours the whole line at once:
// one style render instead of one per cell, and the colours of this session's renderer
// rather than the library's global one.
func spark(values []float64, w int, st lipgloss.Style) string {
	if w <= 0 {
		return ""
	}
	if len(values) > w {
		values = values[len(values)-w:]
	}
	sl := sparkline.New(w, 1)
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			v = 0
		}
		sl.Push(v)
	}
	sl.Draw()
	return st.Render(sl.View())
}

// count formats a task count compactly: 999, 12.3k, 4.5M.
func count(n int64) string {
	switch {
	case n < 10_000:
		return thousands(int(n))
	case n < 1_000_000:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + "M"
}

// rate formats a per-second rate: 0, 0.3, 12, 1.2k.
func rate(v float64, ok bool) string {
	switch {
	case !ok || math.IsNaN(v):
		return "–"
	case v == 0:
		return "0"
	case v < 9.95: // 9.96 would print as "10.0" beside a "10"
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v < 10_000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
}

// latencyText formats a queue latency to the second: 0s, 42s, 3m, 1h5m.
func latencyText(d time.Duration) string { return shortDuration(d.Round(time.Second)) }

// metricLabels are the names charts and lists give the metrics.
var metricLabels = map[model.Metric]string{
	model.MetricProcessedRate:  "processed/s",
	model.MetricFailedRate:     "failed/s",
	model.MetricFailureRatio:   "failure ratio",
	model.MetricArchivedGrowth: "archived/min",
}

// metricLabel names a metric for a person.
func metricLabel(m model.Metric) string {
	if l, ok := metricLabels[m]; ok {
		return l
	}
	return m.String()
}
