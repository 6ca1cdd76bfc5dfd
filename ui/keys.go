package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is asynqtop's one keymap. The help screen and the status bar hints are
// generated from it, so they are always true to what the keys do. Some keys mean one
// thing in the queue table and another in a task list (r refreshes the table and
// requeues a task; space freezes the table and marks a task): help lists them by context.
type KeyMap struct {
	Up, Down, Top, Bottom, PageDown, PageUp key.Binding
	Open, Back, Filter, Command, Help, Quit key.Binding

	Sort, Refresh, Freeze, Breaches, Servers, Scheduler key.Binding

	NextTab, PrevTab, Tab, Order, Mark, Types key.Binding

	Pause, Requeue, RequeueAll, Delete, Archive, Cancel key.Binding

	Decrypt, Mask key.Binding
}

// DefaultKeyMap returns the keys asynqtop ships with, following k9s habits.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b([]string{"k", "up"}, "↑/k", "up"),
		Down:     b([]string{"j", "down"}, "↓/j", "down"),
		Top:      b([]string{"g", "home"}, "g", "first"),
		Bottom:   b([]string{"G", "end"}, "G", "last"),
		PageDown: b([]string{"ctrl+f", "pgdown"}, "ctrl+f", "next page"),
		PageUp:   b([]string{"ctrl+b", "pgup"}, "ctrl+b", "previous page"),
		Open:     b([]string{"enter"}, "enter", "open"),
		Back:     b([]string{"esc"}, "esc", "back"),
		Filter:   b([]string{"/"}, "/", "filter"),
		Command:  b([]string{":"}, ":", "command"),
		Help:     b([]string{"?"}, "?", "help"),
		Quit:     b([]string{"q", "ctrl+c"}, "q", "quit"),

		Sort:      b([]string{"s"}, "s", "sort"),
		Refresh:   b([]string{"r", "ctrl+r"}, "r", "refresh"),
		Freeze:    b([]string{" "}, "space", "freeze"),
		Breaches:  b([]string{"b"}, "b", "breaches"),
		Servers:   b([]string{"S"}, "S", "servers"),
		Scheduler: b([]string{"C"}, "C", "scheduler"),

		NextTab: b([]string{"tab", "l", "right"}, "tab/l", "next state"),
		PrevTab: b([]string{"shift+tab", "h", "left"}, "shift+tab/h", "previous state"),
		Tab: b([]string{"0", "1", "2", "3", "4", "5", "6", "7"}, "0-7",
			"tab: 0 overview 1 pending 2 active 3 scheduled 4 retry 5 archived 6 completed "+
				"7 aggregating"),
		Order: b([]string{"o"}, "o", "newest/oldest first"),
		Mark:  b([]string{" "}, "space", "mark"),
		Types: b([]string{"t"}, "t", "count by type"),

		Pause:      b([]string{"p"}, "p", "pause/unpause queue"),
		Requeue:    b([]string{"r"}, "r", "requeue (marked)"),
		RequeueAll: b([]string{"R"}, "R", "requeue all"),
		Delete:     b([]string{"d"}, "d", "delete"),
		Archive:    b([]string{"a"}, "a", "archive"),
		Cancel:     b([]string{"c"}, "c", "cancel active"),

		Decrypt: b([]string{"x"}, "x", "decrypt payload"),
		Mask:    b([]string{"m"}, "m", "show/mask fields"),
	}
}

// shortHelp lists the keys shown in the status bar for a page.
func (k KeyMap) shortHelp(p page) []key.Binding {
	switch p {
	case pageTasks:
		return []key.Binding{k.Open, k.Back, k.Help, k.NextTab, k.Mark, k.Requeue, k.Delete,
			k.Archive, k.Command}
	case pageTask:
		requeue := key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "requeue"))
		return []key.Binding{k.Back, k.Help, k.Decrypt, k.Mask, requeue, k.Delete}
	case pageQueue:
		return []key.Binding{k.Back, k.Help, k.Quit, k.NextTab, k.Pause, k.Command}
	case pageList:
		return []key.Binding{k.Up, k.Down, k.Open, k.Back, k.Help}
	case pageBreaches, pageHelp, pageServers:
		return []key.Binding{k.Back, k.Help, k.Quit}
	}
	return []key.Binding{k.Open, k.Help, k.Quit, k.Filter, k.Sort, k.Pause, k.Breaches,
		k.Command}
}

// helpGroups lists every key by context for the help screen.
func (k KeyMap) helpGroups() []helpGroup {
	return []helpGroup{
		{"everywhere", []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.Open, k.Back,
			k.Command, k.Breaches, k.Servers, k.Scheduler, k.Help, k.Quit}},
		{"queue table", []key.Binding{k.Filter, k.Sort, k.Refresh, k.Freeze, k.Pause, k.Tab}},
		{"queue", []key.Binding{k.Tab, k.NextTab, k.PrevTab, k.Pause}},
		{"task list", []key.Binding{k.PageDown, k.PageUp, k.Order, k.Mark, k.Filter,
			k.Types, k.Requeue, k.RequeueAll, k.Delete, k.Archive, k.Cancel}},
		{"task", []key.Binding{k.Decrypt, k.Mask, k.Requeue, k.Delete, k.Archive}},
	}
}

// helpGroup is one context's keys on the help screen.
type helpGroup struct {
	title string
	keys  []key.Binding
}
