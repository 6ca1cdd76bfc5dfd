package actions_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/asynqtop/asynqtop/source/audit"
	"github.com/asynqtop/asynqtop/source/redistest"
)

// mutations calls every mutation once, on tasks that may or may not exist.
func mutations(e *env, ids []string) map[string]func() error {
	ctx := context.Background()
	res := func(_ actions.Result, err error) error { return err }
	imp := func(_ actions.Impact, err error) error { return err }
	return map[string]func() error{
		"pause":       func() error { return res(e.act.Pause(ctx, "q")) },
		"unpause":     func() error { return res(e.act.Unpause(ctx, "q")) },
		"run":         func() error { return res(e.act.Run(ctx, "q", model.Archived, ids)) },
		"delete":      func() error { return res(e.act.Delete(ctx, "q", model.Archived, ids)) },
		"archive":     func() error { return res(e.act.Archive(ctx, "q", model.Pending, ids)) },
		"cancel":      func() error { return res(e.act.Cancel(ctx, "q", ids[0])) },
		"run all":     func() error { return res(e.act.RunAll(ctx, "q", model.Archived, nil)) },
		"delete all":  func() error { return res(e.act.DeleteAll(ctx, "q", model.Archived, nil)) },
		"archive all": func() error { return res(e.act.ArchiveAll(ctx, "q", model.Pending, nil)) },
		"preview": func() error {
			return imp(e.act.Preview(ctx, actions.Op{Kind: actions.Run, Queue: "q",
				State: model.Archived, All: true}))
		},
	}
}

func TestReadOnlyRefusesEveryActionAndLeavesRedisAlone(t *testing.T) {
	e := newEnv(t, func(o *actions.Options) { o.ReadOnly = true; o.Audit = nil })
	ids := e.archived("q", 2)
	e.pending("q", 2)
	before := e.dump()

	for name, do := range mutations(e, ids) {
		err := do()
		if !errors.Is(err, actions.ErrReadOnly) || err.Error() != "read-only mode: actions "+
			"are disabled (--read-only or context read_only)" {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	e.sameDump(before)
}

func TestActionsAreRefusedWithoutAWritableAuditLog(t *testing.T) {
	dir := t.TempDir()
	if _, err := audit.Open(dir); err == nil {
		t.Fatal("audit.Open on a directory succeeded")
	}
	full, err := audit.Open("/dev/full")
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	closed, err := audit.Open(filepath.Join(dir, "closed.log"))
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()

	cases := map[string]struct {
		log  *audit.Log
		want string
	}{
		"no log (path was a directory)": {nil, "no audit log is open, so actions are " +
			"refused (set audit_log in the config, or use --read-only)"},
		"disk full": {full, "cannot write the audit log /dev/full: write /dev/full: no " +
			"space left on device; action refused"},
		"log closed": {closed, "cannot write the audit log " + closed.Path() +
			": the audit log is closed; action refused"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(o *actions.Options) { o.Audit = tc.log })
			ids := e.archived("q", 2)
			e.pending("q", 2)
			before := e.dump()
			for op, do := range mutations(e, ids) {
				if op == "preview" {
					continue
				}
				err := do()
				if !errors.Is(err, actions.ErrAuditUnavailable) || err.Error() != tc.want {
					t.Errorf("%s: err = %v\nwant %q", op, err, tc.want)
				}
			}
			e.sameDump(before)
		})
	}
}

// TestAuditLogRecordsEachActionTwice runs actions against a Redis with a password and
// reads the log line by line: a started line, then the outcome; never a payload or the
// password.
func TestAuditLogRecordsEachActionTwice(t *testing.T) {
	const pw = "s3cret-Redis-pw"
	srv := redistest.Start(t, redistest.WithPassword(pw))
	e := envOn(t, srv, "redis://:"+pw+"@"+srv.Addr+"/0", pw)
	ctx := context.Background()
	ids := e.archived("q", 3)
	e.scheduled("q", 4)

	start := time.Now().Add(-time.Second)
	steps := []func() (actions.Result, error){
		func() (actions.Result, error) { return e.act.Pause(ctx, "q") },
		func() (actions.Result, error) { return e.act.Run(ctx, "q", model.Archived, ids[:2]) },
		func() (actions.Result, error) { return e.act.RunAll(ctx, "q", model.Scheduled, nil) },
		func() (actions.Result, error) { return e.act.Cancel(ctx, "q", ids[2]) },
	}
	for i, s := range steps {
		if _, err := s(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}

	raw, err := os.ReadFile(e.log)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{secret, pw} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("audit log contains %q", bad)
		}
	}
	want := []audit.Entry{
		{Action: "pause", Queue: "q", Outcome: "started"},
		{Action: "pause", Queue: "q", Count: 1, Outcome: "ok"},
		{Action: "run", Queue: "q", State: "archived", TaskIDs: ids[:2], Count: 2,
			Outcome: "started"},
		{Action: "run", Queue: "q", State: "archived", TaskIDs: ids[:2], Count: 2,
			Outcome: "ok"},
		{Action: "run_all", Queue: "q", State: "scheduled", Count: 4, Outcome: "started"},
		{Action: "run_all", Queue: "q", State: "scheduled", Count: 4, Outcome: "ok"},
		{Action: "cancel", Queue: "q", State: "active", TaskIDs: ids[2:], Count: 1, Outcome: "started"},
		{Action: "cancel", Queue: "q", State: "active", TaskIDs: ids[2:], Count: 0, Outcome: "noop"},
	}
	checkLines(t, raw, want, start)
}

func checkLines(t *testing.T, raw []byte, want []audit.Entry, start time.Time) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	prev := start
	for i := 0; sc.Scan(); i++ {
		if i >= len(want) {
			t.Fatalf("extra line %q", sc.Text())
		}
		var got audit.Entry
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		w := want[i]
		if got.Operator != "tester@box" || got.Context != "test" || got.Action != w.Action ||
			got.Queue != w.Queue || got.State != w.State || got.Count != w.Count ||
			got.Outcome != w.Outcome || !slices.Equal(got.TaskIDs, w.TaskIDs) ||
			got.Error != "" {
			t.Errorf("line %d: %s\nwant %+v", i+1, sc.Text(), w)
		}
		if got.Time.Before(prev) || got.Time.After(time.Now()) {
			t.Errorf("line %d: time %v out of order", i+1, got.Time)
		}
		if (w.Outcome == "started") != (got.DurationMS == 0) {
			t.Errorf("line %d: duration %v", i+1, got.DurationMS)
		}
		prev = got.Time
	}
	if n := strings.Count(string(raw), "\n"); n != len(want) {
		t.Errorf("%d lines, want %d", n, len(want))
	}
}

// TestLostFinalAuditLineStillSaysWhatHappened closes the log while a bulk move runs: the
// move happened, so the Result says what was done and the error says it was not recorded.
func TestLostFinalAuditLineStillSaysWhatHappened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *actions.Options) { o.Audit = l })
	e.archived("q", 3)

	res, err := e.act.RunAll(context.Background(), "q", model.Archived,
		func(int, int) { l.Close() })
	if res.Done != 3 || e.count("q", model.Pending) != 3 {
		t.Errorf("result %+v: the move itself must have happened", res)
	}
	want := "cannot write the audit log " + path + ": the audit log is closed; it was NOT " +
		"recorded, but this happened: queue q: 3 archived tasks requeued in "
	if !errors.Is(err, actions.ErrAuditUnavailable) || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v\nwant prefix %q", err, want)
	}
	got, _ := audit.Read(path, time.Time{})
	if len(got) != 1 || got[0].Outcome != "started" {
		t.Errorf("log holds %+v, want only the started line", got)
	}
}
