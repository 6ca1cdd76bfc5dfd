package ui

import (
	"github.com/asynqtop/asynqtop/model"
	"github.com/charmbracelet/lipgloss"
)

// Palette names the few colours asynqtop uses; Styles are built from it.
type Palette struct {
	Accent, Muted, OK, Warn, Crit, Paused, Spark, Fail lipgloss.TerminalColor
}

// DefaultPalette is the palette for dark and light terminals alike.
func DefaultPalette() Palette {
	return Palette{
		Accent: lipgloss.AdaptiveColor{Light: "#5A4FCF", Dark: "#A29BFE"},
		Muted:  lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"},
		OK:     lipgloss.AdaptiveColor{Light: "#1E7B34", Dark: "#5FD787"},
		Warn:   lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#FFD75F"},
		Crit:   lipgloss.AdaptiveColor{Light: "#C62828", Dark: "#FF5F5F"},
		Paused: lipgloss.AdaptiveColor{Light: "#0B61A4", Dark: "#5FAFFF"},
		Spark:  lipgloss.AdaptiveColor{Light: "#0B61A4", Dark: "#5FAFFF"},
		Fail:   lipgloss.AdaptiveColor{Light: "#C62828", Dark: "#FF8787"},
	}
}

// Styles are every lipgloss style the panes use. Build them with NewStyles from the
// renderer of the session (a local terminal or one SSH client) so colour support and
// NO_COLOR are those of the person looking.
type Styles struct {
	Title, Context, Header, Muted, Stale   lipgloss.Style
	ColumnHeader, Selected, Paused, Error  lipgloss.Style
	Warn, Crit, OK, Spark, FailSpark, Help lipgloss.Style
	StatusBar, StatusErr, Badge            lipgloss.Style
}

// NewStyles builds Styles from a palette for one renderer.
func NewStyles(r *lipgloss.Renderer, p Palette) Styles {
	s := func() lipgloss.Style { return r.NewStyle() }
	return Styles{
		Title:        s().Bold(true).Foreground(p.Accent),
		Context:      s().Bold(true).Padding(0, 1),
		Header:       s(),
		Muted:        s().Foreground(p.Muted),
		Stale:        s().Bold(true).Foreground(p.Crit),
		ColumnHeader: s().Bold(true).Foreground(p.Muted),
		Selected:     s().Reverse(true),
		Paused:       s().Bold(true).Foreground(p.Paused),
		Error:        s().Foreground(p.Crit),
		Warn:         s().Bold(true).Foreground(p.Warn),
		Crit:         s().Bold(true).Foreground(p.Crit),
		OK:           s().Foreground(p.OK),
		Spark:        s().Foreground(p.Spark),
		FailSpark:    s().Foreground(p.Fail),
		Help:         s().Foreground(p.Muted),
		StatusBar:    s().Foreground(p.Muted),
		StatusErr:    s().Bold(true).Foreground(p.Crit),
		Badge:        s().Bold(true).Reverse(true).Padding(0, 1),
	}
}

// Level returns the style of a cell at a threshold level.
func (s Styles) Level(l model.Level) lipgloss.Style {
	switch l {
	case model.LevelCrit:
		return s.Crit
	case model.LevelWarn:
		return s.Warn
	}
	return lipgloss.Style{}
}

// ContextStyle colours the context badge (e.g. a red PROD) with the configured colour.
func (s Styles) ContextStyle(color string) lipgloss.Style {
	if color == "" {
		return s.Context.Reverse(true)
	}
	return s.Context.Background(lipgloss.Color(color)).Foreground(lipgloss.Color("#FFFFFF"))
}
