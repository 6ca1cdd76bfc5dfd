package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// helpPane is the full key list, generated from the one keymap.
type helpPane struct {
	styles Styles
	keys   KeyMap
	help   help.Model
	width  int
	height int
}

func newHelpPane(st Styles, keys KeyMap) helpPane {
	h := help.New()
	h.ShowAll = true
	h.Styles.FullKey = st.Title
	h.Styles.FullDesc = st.Header
	h.Styles.FullSeparator = st.Muted
	return helpPane{styles: st, keys: keys, help: h}
}

// SetSize sets the pane's size in cells.
func (p helpPane) SetSize(w, h int) helpPane {
	p.width, p.height = w, h
	p.help.Width = w
	return p
}

// Update does nothing: the help fits one screen.
func (p helpPane) Update(tea.KeyMsg) (helpPane, tea.Cmd) { return p, nil }

// View draws every key and what it does.
func (p helpPane) View() string {
	var b strings.Builder
	b.WriteString(p.styles.Title.Render("keys") + p.styles.Muted.Render("  (esc or ? to go back)"))
	b.WriteString("\n\n" + p.help.FullHelpView(p.keys.FullHelp()))
	b.WriteString("\n\n" + p.styles.Muted.Width(max(20, p.width)).Render(
		"Rows marked !! are critical, ! warning (thresholds from the config). "+
			"Counts come from asynq's keys; rates from its lifetime counters. "+
			"Times are Redis's clock; daily bars are UTC days."))
	return fitBlock(b.String(), p.width, p.height)
}
