package audit_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/source/audit"
)

func openLog(t *testing.T) (*audit.Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "asynqtop", "audit.log")
	l, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l, path
}

func TestOpenCreatesPrivateFileAndDirs(t *testing.T) {
	l, path := openLog(t)
	if l.Path() != path {
		t.Errorf("Path() = %q, want %q", l.Path(), path)
	}
	checkMode(t, path, 0o600)
	checkMode(t, filepath.Dir(path), 0o700|os.ModeDir)
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != want {
		t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
	}
}

func TestAppendWritesOneJSONLinePerEntry(t *testing.T) {
	l, path := openLog(t)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	e := audit.Entry{Time: at, Operator: "ana@box", Context: "prod", Action: "run",
		Queue: "emails", State: "retry", TaskIDs: []string{"a\x1b[2J", "b"}, Count: 2,
		Outcome: "ok", DurationMS: 1.23456}
	if err := l.Append(e); err != nil {
		t.Fatal(err)
	}

	// Read straight from disk with another descriptor: the line is there on return.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(raw, []byte("\n")) != 1 || bytes.Contains(raw, []byte("\x1b")) {
		t.Fatalf("want one escaped line, got %q", raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"time": "2026-03-01T09:00:00Z", "operator": "ana@box",
		"context": "prod", "action": "run", "queue": "emails", "state": "retry",
		"task_ids": []any{"a\x1b[2J", "b"}, "count": 2.0, "outcome": "ok",
		"duration_ms": 1.235}
	for k, v := range want {
		if got, _ := json.Marshal(m[k]); string(got) != mustJSON(t, v) {
			t.Errorf("%s = %s, want %s", k, got, mustJSON(t, v))
		}
	}
	if _, ok := m["error"]; ok {
		t.Error("empty error should be omitted")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAppendIsSafeForConcurrentUse(t *testing.T) {
	l, path := openLog(t)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := l.Append(audit.Entry{Action: "pause", Queue: "q", Outcome: "ok"})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := audit.Read(path, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 {
		t.Fatalf("read %d entries, want 50", len(got))
	}
	for _, e := range got {
		if e.Outcome != "ok" || e.Time.IsZero() {
			t.Fatalf("bad entry %+v", e)
		}
	}
}

func TestOpenAndAppendFailures(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"path is a directory":  dir,
		"parent is a file":     filepath.Join(file, "audit.log"),
		"empty path":           "",
		"parent not creatable": filepath.Join(file, "sub", "audit.log"),
	} {
		t.Run(name, func(t *testing.T) {
			if l, err := audit.Open(path); err == nil {
				l.Close()
				t.Fatalf("Open(%q) succeeded", path)
			}
		})
	}

	t.Run("device full", func(t *testing.T) {
		l, err := audit.Open("/dev/full")
		if err != nil {
			t.Fatalf("open /dev/full: %v", err)
		}
		defer l.Close()
		if err := l.Append(audit.Entry{Action: "run"}); err == nil {
			t.Fatal("Append to /dev/full succeeded")
		}
	})

	t.Run("closed", func(t *testing.T) {
		l, _ := openLog(t)
		l.Close()
		if err := l.Append(audit.Entry{Action: "run"}); err == nil {
			t.Fatal("Append after Close succeeded")
		}
	})
}

func TestReadFiltersBySinceAndKeepsBadLinesVisible(t *testing.T) {
	l, path := openLog(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, a := range []string{"pause", "run", "unpause"} {
		e := audit.Entry{Time: t0.Add(time.Duration(i) * time.Hour), Action: a, Outcome: "ok"}
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("not json\n{\"action\":\"run\",\"outc")
	f.Close()

	cases := map[string]struct {
		since time.Time
		want  []string
	}{
		"all":        {time.Time{}, []string{"pause", "run", "unpause", "?", "?"}},
		"since 1h":   {t0.Add(time.Hour), []string{"run", "unpause", "?", "?"}},
		"in future":  {t0.Add(24 * time.Hour), []string{"?", "?"}},
		"exact edge": {t0.Add(2 * time.Hour), []string{"unpause", "?", "?"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := audit.Read(path, tc.since)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range got {
				actions = append(actions, e.Action)
			}
			if strings.Join(actions, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("actions %v, want %v", actions, tc.want)
			}
			n := len(got)
			if got[n-2].Error != "line 4 is not an audit entry" ||
				got[n-1].Error != "line 5 is incomplete (interrupted write?)" {
				t.Errorf("bad-line entries: %+v %+v", got[n-2], got[n-1])
			}
		})
	}

	if _, err := audit.Read(filepath.Join(t.TempDir(), "none"), time.Time{}); err == nil {
		t.Error("Read of a missing file succeeded")
	}
}

func TestPrintCleansAndAligns(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)
	entries := []audit.Entry{
		{Time: at, Operator: "ana@box", Context: "prod", Action: "run", Queue: "emails",
			State: "retry", TaskIDs: []string{"id-\x1b]52;c;evil\x07", "b", "c"}, Count: 3,
			Outcome: "ok", DurationMS: 12.5},
		{Time: at, Operator: "bo@box", Action: "delete_all", Queue: "q\u202e", State: "archived",
			Count: 100000, Outcome: "cancelled", DurationMS: 900,
			Error: "stopped\nby operator"},
		{Action: "?", Outcome: "unreadable", Error: "line 9 is not an audit entry"},
	}
	var b bytes.Buffer
	audit.Print(&b, entries)
	out := b.String()

	for _, bad := range []string{"\x1b", "\x07", "\u202e", "stopped\nby"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%s", bad, out)
		}
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("want header + 3 rows, got:\n%s", out)
	}
	for _, want := range []string{"2026-01-02 03:04:05", "+2 more", "100000", `\u202e`,
		`stopped\nby operator`, "line 9"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	col := strings.Index(lines[0], "ACTION")
	for _, l := range lines[1:3] {
		if !strings.HasPrefix(l[col:], "run") && !strings.HasPrefix(l[col:], "delete_all") {
			t.Errorf("ACTION column misaligned:\n%s", out)
		}
	}
}

func TestOperatorIsUserAtHost(t *testing.T) {
	op := audit.Operator()
	user, host, ok := strings.Cut(op, "@")
	if !ok || user == "" || host == "" {
		t.Fatalf("Operator() = %q, want user@host", op)
	}
}
