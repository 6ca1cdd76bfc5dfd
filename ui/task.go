package ui

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/keystore"
	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/payload"
	"github.com/asynqtop/asynqtop/model/text"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
)

// taskPane is one task opened: every field asynq keeps, the payload rendered as JSON,
// text or a hex dump, and the result. A sealed payload stays sealed until x opens it;
// the plaintext lives only in this pane and is dropped when the pane closes.
type taskPane struct {
	styles Styles
	keys   KeyMap
	width  int
	height int
	vp     viewport.Model

	queue, id string
	task      model.Task
	loaded    bool
	err       string
	now       time.Time
	servers   []model.Server

	keyring    *keystore.Keyring
	keyringErr string
	maskFields []string
	plain      []byte
	openErr    string
	unmasked   bool
}

func newTaskPane(st Styles, keys KeyMap) taskPane {
	return taskPane{styles: st, keys: keys, vp: viewport.New(0, 0)}
}

// SetSize sets the pane's size in cells.
func (p taskPane) SetSize(w, h int) taskPane {
	p.width, p.height = w, h
	p.vp.Width, p.vp.Height = w, h
	return p.render()
}

// open starts showing a task; its data arrives in a taskMsg.
func (p taskPane) open(queue, id string) taskPane {
	p.queue, p.id = queue, id
	p.task, p.loaded, p.err = model.Task{}, false, ""
	p = p.forget()
	p.vp.GotoTop()
	return p.render()
}

// forget drops any decrypted plaintext.
func (p taskPane) forget() taskPane {
	p.plain, p.openErr, p.unmasked = nil, "", false
	return p
}

func (p taskPane) setTask(msg taskMsg) taskPane {
	if msg.queue != p.queue || msg.id != p.id {
		return p
	}
	if msg.err != nil {
		p.err = msg.err.Error()
		return p.render()
	}
	changed := p.loaded && string(p.task.Payload) != string(msg.task.Payload)
	p.task, p.loaded, p.err = msg.task, true, ""
	if changed {
		p = p.forget()
	}
	return p.render()
}

// Update scrolls, decrypts and toggles masking.
func (p taskPane) Update(msg tea.KeyMsg) (taskPane, tea.Cmd, bool) {
	switch {
	case key.Matches(msg, p.keys.Decrypt):
		return p.decrypt(), nil, true
	case key.Matches(msg, p.keys.Mask):
		p.unmasked = !p.unmasked
		return p.render(), nil, false
	}
	var cmd tea.Cmd
	p.vp, cmd = p.vp.Update(msg)
	return p, cmd, false
}

// decrypt opens the sealed payload with the keyring; it reports true when the caller
// must write the decrypt-view audit line.
func (p taskPane) decrypt() taskPane {
	switch {
	case !p.loaded:
		return p
	case !keystore.IsSealed(p.task.Payload):
		p.openErr = "not encrypted: the payload is shown as stored"
	case p.keyring == nil:
		p.openErr = "no keyring configured (keyring.file, keyring.env or keyring.command " +
			"in the config)"
		if p.keyringErr != "" {
			p.openErr = "keyring unavailable: " + p.keyringErr
		}
	default:
		plain, _, err := keystore.Open(p.keyring, p.task.Type, p.task.Payload)
		p.plain, p.openErr = plain, openError(err)
	}
	return p.render()
}

// openError names why a payload did not open, per the keystore's error kinds.
func openError(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, keystore.ErrUnknownKey):
		return "unknown key ID: this keyring does not hold the key that sealed it"
	case errors.Is(err, keystore.ErrRetiredKey):
		return "the key that sealed it is retired in this keyring"
	case errors.Is(err, keystore.ErrAuth):
		return "authentication failed: tampered, wrong key, or sealed for another task type"
	case errors.Is(err, keystore.ErrMalformed):
		return "malformed envelope: truncated or an unknown version"
	case errors.Is(err, keystore.ErrNotSealed):
		return "not encrypted"
	}
	return err.Error()
}

// View draws the visible part of the pane.
func (p taskPane) View() string { return fitBlock(p.vp.View(), p.width, p.height) }

func (p taskPane) render() taskPane {
	if p.width == 0 {
		return p
	}
	var lines []string
	switch {
	case p.err != "" && !p.loaded:
		lines = []string{p.styles.Error.Render(text.Clean(p.err))}
	case !p.loaded:
		lines = []string{p.styles.Muted.Render("reading task " + text.TruncateMiddle(p.id, 40) + "…")}
	default:
		lines = p.fields()
		lines = append(lines, "", p.styles.Title.Render("payload"))
		lines = append(lines, p.payloadLines()...)
		if p.task.ResultSize > 0 || len(p.task.Result) > 0 {
			lines = append(lines, "", p.styles.Title.Render("result"))
			lines = append(lines, p.bodyLines(p.task.Result, p.task.ResultSize, nil)...)
		}
	}
	off := p.vp.YOffset
	p.vp.SetContent(strings.Join(lines, "\n"))
	p.vp.SetYOffset(off)
	return p
}

// fields lists every field asynq keeps, the ID in full (escaped and wrapped) so that it
// can be read and copied whatever it holds.
func (p taskPane) fields() []string {
	t := p.task
	var out []string
	add := func(name, value string) {
		if value == "" {
			return
		}
		wrapped := text.Wrap(text.Clean(value), max(10, p.width-16))
		for i, w := range wrapped {
			label := ""
			if i == 0 {
				label = text.Clean(name) // a header's name comes from Redis
			}
			label += strings.Repeat(" ", max(0, 15-text.Width(label)))
			out = append(out, p.styles.Muted.Render(label)+" "+w)
		}
	}
	out = append(out, p.styles.Title.Render("task in queue "+text.Clean(p.queue)))
	add("ID", t.ID)
	add("type", t.Type)
	add("state", p.stateText())
	if t.Problem != model.ProblemNone {
		out = append(out, p.styles.Warn.Render(fit("problem: "+text.Clean(t.Detail), p.width)))
	}
	if r := model.StuckReason(t, p.servers, p.now); r != "" {
		out = append(out, p.styles.Crit.Render(fit("STUCK: "+r, p.width)))
	}
	add("retried", fmt.Sprintf("%d of max %d", t.Retried, t.Retry))
	add("last error", t.LastError)
	add("last failed", p.when(t.LastFailedAt))
	add("pending since", p.when(t.PendingSince))
	add("next run", p.nextRun())
	add("timeout", durationText(t.Timeout))
	add("deadline", p.when(t.Deadline))
	add("unique key", t.UniqueKey)
	add("group", t.Group)
	add("retention", durationText(t.Retention))
	add("completed at", p.when(t.CompletedAt))
	for _, h := range sortedKeys(t.Headers) {
		add("header "+h, t.Headers[h])
	}
	if t.Legacy {
		add("format", "legacy JSON message (asynq before v0.18)")
	}
	return out
}

func (p taskPane) stateText() string {
	t := p.task
	s := string(t.State)
	if t.HashState != "" && t.HashState != string(t.State) {
		s += " (its record says " + t.HashState + ")"
	}
	if len(t.ListedIn) > 0 && !(len(t.ListedIn) == 1 && t.ListedIn[0] == t.State) {
		names := make([]string, len(t.ListedIn))
		for i, st := range t.ListedIn {
			names[i] = string(st)
		}
		s += "; listed in " + strings.Join(names, ", ")
	}
	return s
}

func (p taskPane) nextRun() string {
	t := p.task
	if (t.State != model.Scheduled && t.State != model.Retry) || t.Score.IsZero() {
		return ""
	}
	return model.NextRun(t.Score, p.now, model.LiveServers(p.servers, p.now))
}

// when formats an instant as UTC with its age on Redis's clock.
func (p taskPane) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := p.now.Sub(t)
	rel := shortDuration(d) + " ago"
	if d < 0 {
		rel = "in " + shortDuration(-d)
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC (" + rel + ")"
}

func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// payloadLines shows the payload: a sealed one as its envelope header until x opens it,
// then the plaintext like any payload, masked fields hidden until m.
func (p taskPane) payloadLines() []string {
	t := p.task
	if !keystore.IsSealed(t.Payload) {
		return p.bodyLines(t.Payload, t.PayloadSize, p.maskFields)
	}
	head := "sealed with key " + sealedKey(t.Payload) + " · press x to decrypt"
	if p.plain != nil {
		head = "decrypted with key " + sealedKey(t.Payload) + " (leaving this view drops it)"
	}
	out := []string{p.styles.Paused.Render(head)}
	if p.openErr != "" {
		out = append(out, p.styles.Error.Render(fit("cannot decrypt: "+text.Clean(p.openErr),
			p.width)))
	}
	if p.plain == nil {
		return out
	}
	return append(out, p.bodyLines(p.plain, len(p.plain), p.maskFields)...)
}

// bodyLines renders bytes for a person; mask names JSON fields to hide unless unmasked.
func (p taskPane) bodyLines(b []byte, size int, mask []string) []string {
	var out []string
	if len(b) == 0 {
		if size > 0 {
			return []string{p.styles.Muted.Render(payload.Size(size) + " not read")}
		}
		return []string{p.styles.Muted.Render("(empty)")}
	}
	if len(mask) > 0 && !p.unmasked {
		masked, n := payload.Mask(b, mask)
		if n > 0 {
			b = masked
			out = append(out, p.styles.Muted.Render(fmt.Sprintf(
				"%d %s masked (%s); m shows them", n, plural(n, "field"),
				strings.Join(mask, ", "))))
		}
	}
	r := payload.Render(b, payload.Options{Width: p.width, Decompress: true})
	if r.Note != "" {
		out = append(out, p.styles.Muted.Render(fit(text.Clean(r.Note), p.width)))
	}
	return append(out, r.Lines...)
}

// sealed reports whether a payload is a keystore envelope.
func sealed(b []byte) bool { return keystore.IsSealed(b) }

// sealedKey names the key that sealed a payload, or says the envelope is malformed.
func sealedKey(b []byte) string {
	h, err := keystore.Inspect(b)
	if err != nil {
		return "(malformed envelope)"
	}
	return text.Clean(string(h.KeyID))
}

// maskStatus says what m did, so the key never seems to do nothing.
func (p taskPane) maskStatus() string {
	if len(p.maskFields) == 0 {
		return "no mask_fields configured"
	}
	if p.unmasked {
		return "masked fields shown (m hides them again)"
	}
	return "fields named " + strings.Join(p.maskFields, ", ") + " are masked"
}
