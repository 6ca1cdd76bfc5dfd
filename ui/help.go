package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
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
	for _, g := range p.keys.helpGroups() {
		b.WriteString("\n\n" + p.styles.Title.Render(g.title) + "\n")
		p.help.Width = p.width
		b.WriteString(p.help.FullHelpView(chunk(g.keys, 4)))
	}
	b.WriteString("\n\n" + p.styles.Muted.Width(max(20, p.width)).Render(
		"Rows marked !! are critical, ! warning (thresholds from the config). "+
			"Counts come from asynq's keys; rates from its lifetime counters. "+
			"Times are Redis's clock; daily bars are UTC days. Commands: "+commandHelp))
	return fitBlock(b.String(), p.width, p.height)
}

// chunk splits keys into help columns of n.
func chunk(keys []key.Binding, n int) [][]key.Binding {
	var out [][]key.Binding
	for len(keys) > n {
		out = append(out, keys[:n])
		keys = keys[n:]
	}
	return append(out, keys)
}
