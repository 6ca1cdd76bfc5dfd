package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is asynqtop's one keymap. The help screen and the status bar hints are
// generated from it, so they are always true to what the keys do.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Open     key.Binding
	Back     key.Binding
	Filter   key.Binding
	Sort     key.Binding
	Refresh  key.Binding
	Freeze   key.Binding
	Breaches key.Binding
	Help     key.Binding
	Quit     key.Binding
}

// DefaultKeyMap returns the keys asynqtop ships with, following k9s habits.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Refresh:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Freeze:   key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "freeze")),
		Breaches: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "breaches")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp lists the keys shown in the status bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Back, k.Filter, k.Sort, k.Breaches, k.Freeze, k.Help, k.Quit}
}

// FullHelp lists every key, in columns, for the help screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom},
		{k.Open, k.Back, k.Filter, k.Sort},
		{k.Refresh, k.Freeze, k.Breaches, k.Help, k.Quit},
	}
}
