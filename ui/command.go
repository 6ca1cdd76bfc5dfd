package ui

import (
	"sort"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/actions"
	tea "github.com/charmbracelet/bubbletea"
)

// commandHelp lists the command line's commands for the help screen.
const commandHelp = ":pause QUEUE, :unpause QUEUE, :open QUEUE [STATE], " +
	":requeue QUEUE STATE (all of the state), :delete QUEUE STATE, :archive QUEUE STATE, " +
	":find TEXT (in the open state), :servers, :breaches, :help, :q."

// commands are the command line's verbs, for completion.
var commands = []string{"pause", "unpause", "open", "requeue", "delete", "archive", "find",
	"servers", "scheduler", "breaches", "help", "q", "quit"}

// completions are every full command the command line can suggest: verbs, then verbs
// with each known queue and state. The textinput draws a suggestion as it is, so only
// names that model/text leaves unchanged (nothing to escape) and that are one word are
// suggested; others are opened from the table.
func (m Model) completions() []string {
	out := append([]string(nil), commands...)
	for _, q := range m.snap.Queues {
		if q.Name == "" || strings.Contains(q.Name, " ") || text.Clean(q.Name) != q.Name {
			continue
		}
		for _, v := range []string{"pause", "unpause", "open"} {
			out = append(out, v+" "+q.Name)
		}
		for _, v := range []string{"requeue", "delete", "archive"} {
			// With the trailing space, tab completes the name and stops before the state.
			out = append(out, v+" "+q.Name+" ")
		}
		for _, st := range model.States() {
			out = append(out, "open "+q.Name+" "+string(st))
			for _, v := range []string{"requeue", "delete", "archive"} {
				out = append(out, v+" "+q.Name+" "+string(st))
			}
		}
	}
	sort.Strings(out[len(commands):])
	return out
}

// promptKey handles a key while the filter or command prompt is open. Runes that
// arrived together are typed one by one: as one message "delete" or "left" would read
// as the key of that name.
func (m Model) promptKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
		var tm tea.Model = m
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			var cmd tea.Cmd
			tm, cmd = tm.(Model).promptKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			cmds = append(cmds, cmd)
		}
		return tm, tea.Batch(cmds...)
	}
	mode := m.status.mode
	switch msg.Type {
	case tea.KeyEsc:
		m.status = m.status.close()
		if mode == "/" {
			m = m.applyFilter("")
		}
		return m, nil
	case tea.KeyEnter:
		line := m.status.value()
		m.status = m.status.close()
		if mode == ":" {
			return m.runCommand(line)
		}
		return m.applyFilter(line), nil
	}
	var cmd tea.Cmd
	m.status, cmd = m.status.Update(msg)
	if mode == "/" {
		m = m.applyFilter(m.status.value())
	}
	return m, cmd
}

// applyFilter filters the queue table, or the loaded rows of a task list.
func (m Model) applyFilter(f string) Model {
	if m.page == pageTasks {
		m.tasks.filter = f
		m.tasks.at = 0
		return m
	}
	m.queues = m.queues.setFilter(f)
	return m
}

// runCommand carries out one command line. Every mutation goes through the same
// confirmation dialog as its key.
func (m Model) runCommand(line string) (tea.Model, tea.Cmd) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return m, nil
	}
	verb, args := f[0], f[1:]
	switch verb {
	case "q", "quit":
		m.quitting = true
		return m, tea.Quit
	case "help":
		return m.toggle(pageHelp), nil
	case "breaches":
		return m.toggle(pageBreaches), nil
	case "servers", "scheduler":
		return m.openServers()
	case "find":
		return m.find(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "find")))
	}
	queue, ok := m.knownQueue(args)
	if !ok {
		m.status = m.status.fail("usage: :" + verb + " QUEUE …; queue " + quoteArg(args) +
			" is not in this Redis (tab completes names)")
		return m, nil
	}
	return m.queueCommand(verb, queue, args[1:])
}

func (m Model) queueCommand(verb, queue string, rest []string) (tea.Model, tea.Cmd) {
	switch verb {
	case "pause":
		return m.ask(actions.Op{Kind: actions.Pause, Queue: queue})
	case "unpause":
		return m.ask(actions.Op{Kind: actions.Unpause, Queue: queue})
	case "open":
		state, _ := parseState(rest)
		return m.openQueue(queue, tabOf(state))
	case "requeue", "delete", "archive":
		state, ok := parseState(rest)
		if !ok {
			m.status = m.status.fail(":" + verb + " " + queue + " STATE: name the state " +
				"(pending, scheduled, retry, archived, completed)")
			return m, nil
		}
		kind := map[string]actions.Kind{"requeue": actions.Run, "delete": actions.Delete,
			"archive": actions.Archive}[verb]
		return m.ask(actions.Op{Kind: kind, Queue: queue, State: state, All: true})
	}
	m.status = m.status.fail("unknown command :" + verb + " (" + commandHelp + ")")
	return m, nil
}

// find scans the open state for text, bounded in tasks and time.
func (m Model) find(textArg string) (tea.Model, tea.Cmd) {
	if m.page != pageTasks || m.tasks.needsGroup() {
		m.status = m.status.fail(":find searches the open state: open a queue's state tab first")
		return m, nil
	}
	q := source.FindQuery{Queue: m.tasks.queue, State: m.tasks.state, Group: m.tasks.group,
		Text: textArg, MaxTasks: source.DefaultFindMaxTasks, MaxTime: 10 * time.Second}
	m.status = m.status.say("searching " + string(q.State) + " tasks (at most 100k tasks " +
		"or 10s)…")
	return m, fetchFind(m.opts.Source, q)
}

func (m Model) knownQueue(args []string) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	_, ok := m.queueStats(args[0])
	return args[0], ok
}

func parseState(args []string) (model.State, bool) {
	if len(args) == 0 {
		return "", false
	}
	for _, s := range model.States() {
		if string(s) == args[0] {
			return s, true
		}
	}
	return "", false
}

// tabOf is the queue page's tab for a state; 0 (the overview) when none.
func tabOf(s model.State) int {
	for i, st := range model.States() {
		if st == s {
			return i + 1
		}
	}
	return 0
}

func quoteArg(args []string) string {
	if len(args) == 0 {
		return "(none)"
	}
	return "\"" + args[0] + "\""
}
