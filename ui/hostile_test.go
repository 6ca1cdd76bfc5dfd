package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, where the system has no zoneinfo
	"unicode/utf8"

	"github.com/asynqtop/asynqtop/model/text"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/source/wire"
	"github.com/asynqtop/asynqtop/ui/report"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/hibiken/asynq"
	"github.com/muesli/termenv"
	"github.com/redis/go-redis/v9"
)

// The hostile states of issue 5 as the screen shows them: each is built in a real Redis,
// read by a real source.Source, and asserted on the rendered View() of the dashboard,
// drawn in colour so that our own styling is there to tell from anything else.

// liveModel is the dashboard on src at w×h, in true colour, after its first reads.
func liveModel(t *testing.T, src *source.Source, w, h int) Model {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	m := New(Options{Source: src, Renderer: r, Refresh: time.Second})
	var tm tea.Model = m
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return drive(tm, m.Init(), 0).(Model)
}

// openLive opens a source on a test's Redis.
func openLive(t *testing.T, url string) *source.Source {
	t.Helper()
	src, err := source.Open(context.Background(), source.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// press is keys for a model on a real Redis: it waits for every command as long as Redis
// takes (settle gives up after 50 ms) and leaves out only timers, which it knows by name.
func press(m Model, ks ...tea.KeyMsg) Model {
	var tm tea.Model = m
	for _, k := range ks {
		var cmd tea.Cmd
		tm, cmd = tm.Update(k)
		tm = drive(tm, cmd, 0)
	}
	return tm.(Model)
}

func drive(tm tea.Model, cmd tea.Cmd, depth int) tea.Model {
	if cmd == nil || depth > 10 || isTimer(cmd) {
		return tm
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(10 * time.Second):
		return tm
	}
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			tm = drive(tm, c, depth+1)
		}
		return tm
	}
	tm, cmd = tm.Update(msg)
	return drive(tm, cmd, depth+1)
}

// isTimer reports whether cmd is a tea.Tick or tea.Every closure.
func isTimer(cmd tea.Cmd) bool {
	name := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	return strings.HasPrefix(name, "github.com/charmbracelet/bubbletea.Tick.") ||
		strings.HasPrefix(name, "github.com/charmbracelet/bubbletea.Every.")
}

// checkRaw asserts that a raw view holds no byte that could drive a terminal: every ESC
// starts an SGR sequence (ESC [ digits and separators m, our own styling), and no other
// rune is one model/text would escape (C0 and C1 controls, DEL, bidi and other invisible
// characters, invalid UTF-8).
func checkRaw(t *testing.T, what, view string) {
	t.Helper()
	for i := 0; i < len(view); {
		if view[i] == 0x1b {
			j := i + 1
			if j < len(view) && view[j] == '[' {
				j++
				for j < len(view) && strings.IndexByte("0123456789;:", view[j]) >= 0 {
					j++
				}
			}
			if j >= len(view) || view[j] != 'm' || view[i+1] != '[' {
				t.Errorf("%s: ESC that is not SGR at byte %d: %q", what, i,
					view[i:min(len(view), i+24)])
				return
			}
			i = j + 1
			continue
		}
		r, n := utf8.DecodeRuneInString(view[i:])
		if r != '\n' && ((r == utf8.RuneError && n == 1) || text.Clean(string(r)) != string(r)) {
			t.Errorf("%s: raw %q at byte %d", what, view[i:i+n], i)
			return
		}
		i += n
	}
}

// lineWith is the first line of the plain view that contains s.
func lineWith(view, s string) string {
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func mustContain(t *testing.T, what, view string, want ...string) {
	t.Helper()
	plain := ansi.Strip(view)
	for _, w := range want {
		if !strings.Contains(plain, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, plain)
		}
	}
}

// serve runs a real asynq.Server for queues with handler until the test ends.
func serve(t *testing.T, addr string, queues map[string]int, h asynq.HandlerFunc) {
	t.Helper()
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: addr}, asynq.Config{
		Concurrency: 2, Queues: queues, LogLevel: asynq.FatalLevel,
		ShutdownTimeout: time.Second,
	})
	if err := srv.Start(h); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

// waitUntil polls ok for up to 10 s.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// Issue 5, case 11: an error message carrying an OSC 52 clipboard write, a screen clear,
// a cursor move, a C1 CSI and a bidi override, raised by a real handler; a queue named
// with a window-title sequence, and one with C1 and bidi characters. The queue table, the
// archived list, the task detail and the snapshot output show them as visible escapes
// and carry no control sequence but our own SGR styling.
func TestHostileScreenEscapes(t *testing.T) {
	srv := redistest.Start(t)
	const (
		evilQueue = "q\x1b]0;pwned\x07"
		c1Queue   = "c1\u009b2J\u202ertl"
		evilType  = "mail\x1b[31m"
		evilErr   = "boom \x1b]52;c;aGVsbG8=\x07 \x1b[2J\x1b[5;5H \u009b31m \u202eevil"
	)
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	task := asynq.NewTaskWithHeaders(evilType, []byte(`{"a":1}`),
		map[string]string{"x-evil\x1b]0;t\x07": "v\x1b[2J"})
	if _, err := client.Enqueue(task, asynq.Queue(evilQueue), asynq.MaxRetry(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enqueue(asynq.NewTask("x", nil), asynq.Queue(c1Queue)); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: srv.Addr})
	defer insp.Close()
	serve(t, srv.Addr, map[string]int{evilQueue: 1},
		func(context.Context, *asynq.Task) error { return errors.New(evilErr) })
	waitUntil(t, "the task to be archived", func() bool {
		info, err := insp.GetQueueInfo(evilQueue)
		return err == nil && info.Archived == 1
	})

	src := openLive(t, srv.URL())
	m := liveModel(t, src, 160, 48)
	table := m.View()
	checkScreen(t, table, 160, 48)
	checkRaw(t, "queue table", table)
	mustContain(t, "queue table", table, `q\x1b]0;pwned\x07`, `c1\u009b2J\u202ertl`)

	m = press(m, runes("j"), runes("5"))
	list := m.View()
	checkScreen(t, list, 160, 48)
	checkRaw(t, "archived list", list)
	mustContain(t, "archived list", list, `mail\x1b[31m`, `boom \x1b]52;`)

	m = press(m, enter)
	detail := m.View()
	checkScreen(t, detail, 160, 48)
	checkRaw(t, "task detail", detail)
	mustContain(t, "task detail", detail, `\x1b]52;c;aGVsbG8=\x07`, `\x1b[2J\x1b[5;5H`,
		`\u009b31m`, `\u202eevil`, `task in queue q\x1b]0;pwned\x07`,
		`header x-evil\x1b]0;t\x07 v\x1b[2J`)

	m = press(m, esc, runes("0"))
	overview := m.View()
	checkRaw(t, "overview", overview)
	mustContain(t, "overview", overview, `queue q\x1b]0;pwned\x07`)

	checkSnapshotOutput(t, src, evilQueue, c1Queue)
}

// checkSnapshotOutput asserts that `asynqtop snapshot` prints no ESC at all: the table
// escapes names, and the JSON keeps them exact behind \u escapes.
func checkSnapshotOutput(t *testing.T, src *source.Source, names ...string) {
	t.Helper()
	var table, js bytes.Buffer
	ctx := context.Background()
	if err := report.Snapshot(ctx, &table, src, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := report.Snapshot(ctx, &js, src, report.Options{JSON: true}); err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]string{"table": table.String(), "json": js.String()} {
		for i, r := range out {
			if r != '\n' && text.Clean(string(r)) != string(r) {
				t.Errorf("snapshot %s: raw %q at byte %d", what, r, i)
				break
			}
		}
	}
	mustContain(t, "snapshot table", table.String(), `q\x1b]0;pwned\x07`)
	var doc report.Output
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, q := range doc.Queues {
		got[q.Name] = true
	}
	for _, n := range names {
		if !got[n] {
			t.Errorf("snapshot JSON lost queue %q: %v", n, got)
		}
	}
}

// Issue 5, case 5: half-registered queues on screen. A name in asynq:queues with no keys
// (and one that is the empty string) is a zero row whose overview opens; a queue a live
// server is configured for but that was never used says so; a queue re-created after
// asynq's DeleteQueue kept its old pause shows paused, and its overview says since when.
func TestHostileScreenHalfRegistered(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	ctx := context.Background()
	rdb.SAdd(ctx, "asynq:queues", "", "bare", "phoenix")
	rdb.LPush(ctx, "asynq:{phoenix}:pending", "t1")
	now, _ := rdb.Time(ctx).Result()
	pausedAt := now.Add(-75 * time.Hour)
	rdb.Set(ctx, "asynq:{phoenix}:paused", pausedAt.Unix(), 0)
	serve(t, srv.Addr, map[string]int{"standby": 1}, func(context.Context, *asynq.Task) error {
		return nil
	})

	src := openLive(t, srv.URL())
	waitUntil(t, "the server's heartbeat", func() bool {
		s, err := src.Servers(ctx)
		return err == nil && len(s) == 1
	})
	m := press(liveModel(t, src, 160, 48), runes("r"))
	table := m.View()
	checkScreen(t, table, 160, 48)
	checkRaw(t, "queue table", table)
	rows := map[string][]string{
		"bare":    strings.Fields(lineWith(table, "bare")),
		"phoenix": strings.Fields(lineWith(table, "phoenix")),
		"standby": strings.Fields(lineWith(table, "standby")),
	}
	wantRows := map[string]string{
		"bare": "bare 0 0 0 0 0 0 0s", "phoenix": "phoenix paused 1 0 0 0 0 0 ?",
		"standby": "standby unused 0 0 0 0 0 0 0s",
	}
	for name, want := range wantRows {
		if got := strings.Join(rows[name][:min(len(rows[name]), len(strings.Fields(want)))],
			" "); got != want {
			t.Errorf("row %s = %q, want it to start %q\n%s", name, got, want, ansi.Strip(table))
		}
	}
	if strings.Contains(ansi.Strip(table), "ERROR") {
		t.Errorf("a half-registered queue shows as an error:\n%s", ansi.Strip(table))
	}

	// The rows sort by name: "", bare, phoenix, standby; the cursor starts on "".
	empty := press(m, enter).View()
	checkRaw(t, "empty name overview", empty)
	mustContain(t, "empty name overview", empty, "pending 0 · active 0", "memory")
	m = press(m, runes("j"), runes("j"), enter)
	mustContain(t, "phoenix overview", m.View(), "PAUSED for 3d", "(since "+
		pausedAt.UTC().Format("2006-01-02 15:04")+" UTC)")
	m = press(m, esc, runes("j"), enter)
	mustContain(t, "standby overview", m.View(), "configured on a server, never used",
		"pending 0")
}

// putCompletedTasks writes n completed tasks kept for a day, as asynq v0.26 does.
func putCompletedTasks(t *testing.T, rdb *redis.Client, queue string, n int) {
	t.Helper()
	ctx := context.Background()
	now, _ := rdb.Time(ctx).Result()
	rdb.SAdd(ctx, "asynq:queues", queue)
	for start := 0; start < n; start += 1000 {
		pipe := rdb.Pipeline()
		for i := start; i < min(n, start+1000); i++ {
			id := fmt.Sprintf("done-%06d", i)
			msg := wire.EncodeTask(wire.TaskMessage{Type: "report", ID: id, Queue: queue,
				Retention: 24 * time.Hour, CompletedAt: now, Payload: []byte(`{"n":1}`)})
			pipe.HSet(ctx, "asynq:{"+queue+"}:t:"+id, "msg", msg, "state", "completed")
			pipe.ZAdd(ctx, "asynq:{"+queue+"}:completed",
				redis.Z{Score: float64(now.Unix() + 86400), Member: id})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// Issue 5, case 7: 20,000 completed tasks with retention and nothing pending: no pending
// breach, the row shows DONE 20.0k and PEND 0, and the overview's memory figure reads as
// an estimate.
func TestHostileScreenCompleted(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	putCompletedTasks(t, rdb, "reports", 20_000)

	m := liveModel(t, openLive(t, srv.URL()), 160, 48)
	table := m.View()
	checkRaw(t, "queue table", table)
	mustContain(t, "queue table", table, "no breaches")
	row := strings.Fields(lineWith(table, "reports"))
	if len(row) < 7 || row[0] != "reports" || row[1] != "0" || row[6] != "20.0k" {
		t.Errorf("row = %q, want reports PEND 0 … DONE 20.0k", row)
	}
	m = press(m, enter)
	mustContain(t, "overview", m.View(), "completed 20.0k", "memory ≈ ",
		fmt.Sprintf("(estimate from %d sampled tasks)", source.MemorySample))
}

// Issue 5, case 10: with MEMORY renamed away or denied, every other figure is on screen
// and the memory line says why it is missing.
func TestHostileScreenMemoryUnavailable(t *testing.T) {
	want := map[string]string{
		redistest.MemoryRenamed: "memory: unavailable — MEMORY command disabled on this server",
		redistest.MemoryDenied:  "memory: unavailable — no permission for MEMORY",
	}
	for name, setup := range redistest.MemoryOff() {
		t.Run(name, func(t *testing.T) {
			srv := redistest.Start(t, setup.Options...)
			client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
			defer client.Close()
			for i := 0; i < 3; i++ {
				if _, err := client.Enqueue(asynq.NewTask("x", nil),
					asynq.Queue("mailers")); err != nil {
					t.Fatal(err)
				}
			}
			m := press(liveModel(t, openLive(t, setup.URL(srv)), 120, 40), enter)
			view := m.View()
			checkScreen(t, view, 120, 40)
			mustContain(t, "overview", view, "queue mailers", "pending 3 · active 0",
				"latency ", want[name])
			if p := ansi.Strip(view); strings.Contains(p, "STALE") ||
				strings.Contains(p, "DISCONNECTED") {
				t.Errorf("overview marked stale:\n%s", p)
			}
		})
	}
}

// Issue 5, case 15: far from UTC, the daily chart is labelled as UTC days and names the
// UTC dates, and processed/s on the table stays right across 00:00 UTC, where the daily
// counters start again and the lifetime counters keep growing.
func TestHostileScreenUTCDays(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	ctx := context.Background()
	now, _ := rdb.Time(ctx).Result()
	today := now.UTC().Truncate(24 * time.Hour)
	for ago, n := range map[int]int{0: 7, 1: 11, 29: 13} {
		day := today.AddDate(0, 0, -ago).Format("2006-01-02")
		rdb.Set(ctx, "asynq:{tz}:processed:"+day, n, 0)
	}
	rdb.SAdd(ctx, "asynq:queues", "tz")
	rdb.Set(ctx, "asynq:{tz}:processed", 100_000, 0)
	src := openLive(t, srv.URL())

	for _, zone := range []string{"Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		t.Run(zone, func(t *testing.T) {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Fatal(err)
			}
			saved := time.Local
			time.Local = loc
			defer func() { time.Local = saved }()

			view := press(liveModel(t, src, 160, 48), enter).View()
			mustContain(t, "overview", view, "UTC days",
				today.AddDate(0, 0, -29).Format("Jan 02"), today.Format("Jan 02")+" UTC",
				"today "+today.Format("2006-01-02")+" UTC: processed 7")
		})
	}

	before, err := src.Refresh(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rdb.Set(ctx, "asynq:{tz}:processed", 100_010, 0)
	rdb.Set(ctx, "asynq:{tz}:processed:"+today.Format("2006-01-02"), 0, 0)
	after, err := src.Refresh(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	midnight := today.Add(24 * time.Hour)
	before.Time, after.Time = midnight.Add(-time.Second), midnight.Add(time.Second)
	var tm tea.Model = liveModel(t, src, 160, 48)
	tm, _ = tm.Update(snapshotMsg{gen: tm.(Model).gen, snap: before, at: time.Now()})
	tm, _ = tm.Update(snapshotMsg{gen: tm.(Model).gen, snap: after, at: time.Now()})
	row := strings.Fields(lineWith(tm.View(), "tz"))
	if len(row) < 9 || row[8] != "5.0" {
		t.Errorf("row = %q, want PROC/s 5.0 across midnight", row)
	}
}

// The memory estimate is asked for when the overview opens and then on its own slow
// timer, only while that overview is in front; a tick of an earlier opening is dropped.
func TestMemoryTicks(t *testing.T) {
	open := press(fixtureModel(120, 40, 3), runes("j"), enter)
	gen := open.detail.memGen
	cases := map[string]struct {
		m     Model
		tick  memoryTickMsg
		fetch bool
	}{
		"overview in front":  {open, memoryTickMsg{queue: "critical", gen: gen}, true},
		"earlier opening":    {open, memoryTickMsg{queue: "critical", gen: gen - 1}, false},
		"another queue":      {open, memoryTickMsg{queue: "default", gen: gen}, false},
		"left for the tasks": {press(open, runes("5")), memoryTickMsg{"critical", gen}, false},
		"back on the table":  {press(open, esc), memoryTickMsg{"critical", gen}, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, cmd := c.m.Update(c.tick)
			if (cmd != nil) != c.fetch {
				t.Errorf("tick started a fetch: %v, want %v", cmd != nil, c.fetch)
			}
		})
	}
	if !strings.Contains(ansi.Strip(open.View()), "memory ≈ 12.3 MiB (estimate from 120") {
		t.Errorf("overview lacks the memory estimate:\n%s", ansi.Strip(open.View()))
	}
}
