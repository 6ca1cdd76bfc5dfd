package audit

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/asynqtop/asynqtop/model/text"
)

// column is one column of the printed table: its heading, the widest it may grow, and
// how to render an entry's cell.
type column struct {
	title string
	max   int
	cell  func(Entry) string
}

// columns is the table Print writes; the last column is never cut.
var columns = []column{
	{"TIME", 19, func(e Entry) string { return timeCell(e) }},
	{"OPERATOR", 28, func(e Entry) string { return e.Operator }},
	{"CONTEXT", 14, func(e Entry) string { return e.Context }},
	{"ACTION", 12, func(e Entry) string { return e.Action }},
	{"QUEUE", 24, func(e Entry) string { return e.Queue }},
	{"STATE", 11, func(e Entry) string { return e.State }},
	{"TASKS", 48, tasksCell},
	{"OUTCOME", 10, func(e Entry) string { return e.Outcome }},
	{"MS", 10, func(e Entry) string { return strconv.FormatFloat(e.DurationMS, 'f', 1, 64) }},
	{"ERROR", 0, func(e Entry) string { return e.Error }},
}

// Print writes entries as a table for a person, one row per entry, in local time. Every
// cell is cleaned with model/text, so a hostile task ID cannot drive the terminal.
func Print(w io.Writer, entries []Entry) {
	rows := make([][]string, len(entries))
	widths := make([]int, len(columns))
	for i, c := range columns {
		widths[i] = text.Width(c.title)
	}
	for r, e := range entries {
		rows[r] = make([]string, len(columns))
		for i, c := range columns {
			cell := text.Clean(c.cell(e))
			if c.max > 0 {
				cell = text.Truncate(cell, c.max)
			}
			rows[r][i] = cell
			widths[i] = max(widths[i], text.Width(cell))
		}
	}

	head := make([]string, len(columns))
	for i, c := range columns {
		head[i] = c.title
	}
	writeRow(w, head, widths)
	for _, row := range rows {
		writeRow(w, row, widths)
	}
}

// writeRow pads every cell but the last to its column's width.
func writeRow(w io.Writer, cells []string, widths []int) {
	var b strings.Builder
	for i, c := range cells {
		if i == len(cells)-1 {
			b.WriteString(c)
			break
		}
		b.WriteString(text.Pad(c, widths[i]))
		b.WriteString("  ")
	}
	fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
}

func timeCell(e Entry) string {
	if e.Time.IsZero() {
		return "-"
	}
	return e.Time.Local().Format("2006-01-02 15:04:05")
}

// tasksCell shows the selected IDs (the first, and how many more) or the bulk count.
func tasksCell(e Entry) string {
	switch len(e.TaskIDs) {
	case 0:
		if e.Outcome == "unreadable" {
			return ""
		}
		return strconv.Itoa(e.Count)
	case 1:
		return text.TruncateMiddle(e.TaskIDs[0], 36)
	default:
		return fmt.Sprintf("%s +%d more", text.TruncateMiddle(e.TaskIDs[0], 36),
			len(e.TaskIDs)-1)
	}
}
