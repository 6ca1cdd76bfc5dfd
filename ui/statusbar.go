package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// headerHeight is the number of lines the header takes.
const headerHeight = 2

// headerView draws the target, context, refresh state and breach count on the first
// line, and on the second what is wrong with the connection, if anything.
func (m Model) headerView() string {
	st := m.styles
	parts := []string{st.Title.Render("asynqtop")}
	if m.opts.ContextName != "" {
		parts = append(parts, st.ContextStyle(m.opts.ContextColor).
			Render(text.Clean(m.opts.ContextName)))
	}
	target := text.Clean(m.opts.Source.Target())
	if m.opts.RedisVersion != "" {
		target += " redis " + text.Clean(m.opts.RedisVersion)
	}
	// Breaches and freshness come before the target so a narrow screen keeps them.
	parts = append(parts, m.breachSummary(), m.freshness(), target,
		"every "+shortDuration(m.opts.Refresh))
	if m.opts.ReadOnly {
		parts = append(parts, st.Badge.Render("READ-ONLY"))
	}
	if m.frozen {
		// No refresh runs while frozen, so an age would stop counting: say when instead.
		parts = append(parts, st.Badge.Render("FROZEN at "+m.lastGood.Format("15:04:05")))
	}
	kept := parts[:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	line1 := fit(strings.Join(kept, st.Muted.Render(" │ ")), m.width)
	return line1 + "\n" + fit(m.problemLine(), m.width)
}

// freshness says how old the data on screen is.
func (m Model) freshness() string {
	if !m.haveSnap {
		return m.styles.Muted.Render("connecting…")
	}
	if m.frozen {
		return ""
	}
	age := m.opts.Clock().Sub(m.lastGood)
	s := "updated " + shortDuration(age) + " ago"
	if m.lastErr != "" {
		return m.styles.Stale.Render("STALE " + s)
	}
	return m.styles.Muted.Render(s)
}

func (m Model) breachSummary() string {
	active := m.breaches.Active()
	if len(active) == 0 {
		return m.styles.OK.Render("no breaches")
	}
	crit := 0
	for _, b := range active {
		if b.Level == model.LevelCrit {
			crit++
		}
	}
	s := fmt.Sprintf("%d %s (%d crit) b:list", len(active), plural(len(active), "breach"),
		crit)
	if crit > 0 {
		return m.styles.Crit.Render(s)
	}
	return m.styles.Warn.Render(s)
}

// problemLine names a connection problem and for how long it has lasted.
func (m Model) problemLine() string {
	if m.lastErr == "" {
		return ""
	}
	since := shortDuration(m.opts.Clock().Sub(m.errSince))
	msg := "DISCONNECTED " + since + ": " + text.Clean(m.lastErr) +
		" — showing last good data; retrying every " + shortDuration(m.opts.Refresh)
	return m.styles.Stale.Render(msg)
}

// statusBar is the bottom line: the filter or command prompt while one is open, else
// the last message, else the short help generated from the keymap for the page.
type statusBar struct {
	styles Styles
	help   help.Model
	input  textinput.Model
	// mode is "" when no prompt is open, "/" while filtering, ":" for a command.
	mode string
	msg  string
	bad  bool
	// at is when msg was said; it fades after msgLife so an old error does not stay.
	at time.Time
}

// msgLife is how long a status message stays on screen.
const msgLife = 15 * time.Second

func newStatusBar(st Styles, _ KeyMap) statusBar {
	in := textinput.New()
	in.CharLimit = 1024
	in.ShowSuggestions = true
	h := help.New()
	h.Styles.ShortKey = st.Help.Bold(true)
	h.Styles.ShortDesc = st.Help
	h.Styles.ShortSeparator = st.Help
	return statusBar{styles: st, help: h, input: in}
}

func (s statusBar) editing() bool { return s.mode != "" }

func (s statusBar) startFilter(current string) statusBar {
	s.mode, s.input.Prompt, s.input.Placeholder = "/", "/", "filter"
	s.input.SetSuggestions(nil)
	s.input.SetValue(current)
	s.input.CursorEnd()
	s.input.Focus()
	return s
}

// startCommand opens the command line with completions (tab accepts one).
func (s statusBar) startCommand(suggestions []string) statusBar {
	s.mode, s.input.Prompt = ":", ":"
	s.input.Placeholder = "pause QUEUE, requeue QUEUE archived, find TEXT…"
	s.input.SetSuggestions(suggestions)
	s.input.SetValue("")
	s.input.Focus()
	return s
}

func (s statusBar) value() string { return s.input.Value() }

// close ends the prompt.
func (s statusBar) close() statusBar {
	s.mode = ""
	s.input.Blur()
	return s
}

// Update edits the prompt.
func (s statusBar) Update(msg tea.KeyMsg) (statusBar, tea.Cmd) {
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return s, cmd
}

func (s statusBar) say(msg string) statusBar {
	s.msg, s.bad, s.at = msg, false, time.Now()
	return s
}

// fail shows an error the person should read, in the error colour.
func (s statusBar) fail(msg string) statusBar {
	s.msg, s.bad, s.at = msg, true, time.Now()
	return s
}

// View renders the status bar at width w with the page's keys; now fades old messages.
func (s statusBar) View(w int, keys []key.Binding, now time.Time) string {
	if now.Sub(s.at) > msgLife {
		s.msg = ""
	}
	if s.mode != "" {
		hint := "  enter run · tab complete · esc cancel"
		if s.mode == "/" {
			hint = "  enter keep · esc clear"
		}
		return fit(s.input.View()+s.styles.Muted.Render(hint), w)
	}
	s.help.Width = w
	hint := s.help.ShortHelpView(keys)
	switch {
	case s.msg != "" && s.bad:
		return fit(s.styles.StatusErr.Render(text.Clean(s.msg)), w)
	case s.msg != "":
		hint = s.styles.StatusBar.Render(text.Clean(s.msg)) + "  " + hint
	}
	return fit(hint, w)
}

// shortDuration formats a duration the way a person reads a dashboard: 350ms, 4s, 3m,
// 2h5m, 3d.
func shortDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d == 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		h := int(d.Hours())
		return fmt.Sprintf("%dh%dm", h, int(d.Minutes())-60*h)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
