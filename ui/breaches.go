package ui

import (
	"fmt"
	"strings"

	"github.com/asynqtop/asynqtop/model/text"
	tea "github.com/charmbracelet/bubbletea"
)

// breachesPane lists the active threshold breaches, critical first, with since when.
type breachesPane struct {
	styles Styles
	width  int
	height int
	data   dash
}

func newBreachesPane(st Styles) breachesPane { return breachesPane{styles: st} }

// SetSize sets the pane's size in cells.
func (p breachesPane) SetSize(w, h int) breachesPane {
	p.width, p.height = w, h
	return p
}

func (p breachesPane) setData(d dash) breachesPane {
	p.data = d
	return p
}

// Update does nothing yet: the list fits a screen in any incident we have seen.
// TODO(breaches): scroll the list, not needed until someone has more breaches than rows.
func (p breachesPane) Update(tea.KeyMsg) (breachesPane, tea.Cmd) { return p, nil }

// View draws the breach list.
func (p breachesPane) View() string {
	active := p.data.breaches.Active()
	var b strings.Builder
	b.WriteString(p.styles.Title.Render(fmt.Sprintf("active breaches: %d", len(active))))
	b.WriteString(p.styles.Muted.Render("  (esc or b to go back)"))
	if len(active) == 0 {
		b.WriteString("\n" + p.styles.OK.Render("every queue is within its thresholds"))
	}
	now := p.data.snap.Time
	header := fmt.Sprintf("%-5s %-24s %-16s %10s %10s  %s",
		"LEVEL", "QUEUE", "METRIC", "VALUE", "LIMIT", "SINCE")
	if len(active) > 0 {
		b.WriteString("\n" + p.styles.ColumnHeader.Render(header))
	}
	for _, br := range active {
		line := fmt.Sprintf("%-5s %s %-16s %10s %10s  %s ago (%s UTC)",
			strings.ToUpper(br.Level.String()), text.Pad(br.Queue, 24), metricLabel(br.Metric),
			metricValue(br.Metric, br.Value, true), metricValue(br.Metric, br.Limit, true),
			shortDuration(now.Sub(br.Since)), br.Since.UTC().Format("15:04:05"))
		b.WriteString("\n" + p.styles.Level(br.Level).Render(line))
	}
	return fitBlock(b.String(), p.width, p.height)
}
