package actions

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/audit"
	"github.com/asynqtop/asynqtop/source/redistest"
)

func TestCommas(t *testing.T) {
	for in, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000",
		100000: "100,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := commas(in); got != want {
			t.Errorf("commas(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestArchiveDrop(t *testing.T) {
	cases := map[string]struct {
		card, old, adding int
		dropped, ofNew    int
	}{
		"room left":             {100, 0, 20, 0, 0},
		"fills exactly":         {9979, 0, 20, 0, 0},
		"9,990 plus 20":         {9990, 0, 20, 11, 0},
		"old ones go first":     {9990, 5, 20, 11, 0},
		"only old":              {50, 7, 10, 7, 0},
		"more than the cap":     {0, 0, 12000, 2001, 2001},
		"over cap, some exist":  {500, 0, 10000, 501, 1},
		"empty archive, one in": {0, 0, 1, 0, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d, n := archiveDrop(tc.card, tc.old, tc.adding)
			if d != tc.dropped || n != tc.ofNew {
				t.Errorf("archiveDrop = %d, %d; want %d, %d", d, n, tc.dropped, tc.ofNew)
			}
		})
	}
}

func TestMoverRefusesStatesInWords(t *testing.T) {
	cases := map[string]struct {
		m    *mover
		s    model.State
		all  bool
		want string
	}{
		"requeue pending": {runMover, model.Pending, false,
			"cannot requeue pending tasks: they are already waiting to run"},
		"requeue active": {runMover, model.Active, false,
			"cannot requeue active tasks: they are being processed (cancel them instead)"},
		"delete active": {deleteMover, model.Active, true,
			"cannot delete active tasks: they are being processed (cancel them instead)"},
		"archive archived": {archiveMover, model.Archived, false,
			"cannot archive archived tasks: they are already archived"},
		"archive completed": {archiveMover, model.Completed, true,
			"cannot archive completed tasks: asynq does not archive completed tasks"},
		"all aggregating": {runMover, model.Aggregating, true, "cannot requeue aggregating " +
			"tasks: select the tasks of a group instead (all at once is not supported yet)"},
		"unknown": {deleteMover, "\x1b[31mred", false,
			`cannot delete \x1b[31mred tasks: that is not a task state asynq has`},
		"allowed": {archiveMover, model.Retry, true, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.m.check(tc.s, tc.all)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestSelectedMessage(t *testing.T) {
	id := "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	cases := map[string]struct {
		m       *mover
		done    int
		skipped []skip
		dropped int
		want    string
	}{
		"all done": {runMover, 3, nil, 0, "queue q: 3 requeued"},
		"one active": {runMover, 1, []skip{{id, "active"}}, 0,
			"queue q: 1 requeued; 1 skipped: task " + id + " is now active (being processed)"},
		"nothing": {deleteMover, 0, []skip{{"a", "missing"}, {"b", "pending"}}, 0,
			"queue q: nothing deleted; 2 skipped: task a no longer exists (deleted, or " +
				"expired after completing), task b is now pending (requeued meanwhile)"},
		"many": {archiveMover, 0, []skip{{"a", "retry"}, {"b", "scheduled"}, {"c", "x"},
			{"d", "archived"}, {"e", "archived"}}, 0,
			`queue q: nothing archived; 5 skipped: task a is now waiting to retry, task b is ` +
				`now scheduled, task c is in an unknown state "x", and 2 more`},
		"hostile id": {runMover, 0, []skip{{"\x1b]52;c;x\x07", "unlisted"}}, 0,
			`queue q: nothing requeued; 1 skipped: task \x1b]52;c;x\x07 is not listed ` +
				`where its record says (inconsistent record)`},
		"dropped": {archiveMover, 2, nil, 11, "queue q: 2 archived; asynq's archive " +
			"limits (9,999 tasks, 90 days) permanently dropped the 11 oldest archived tasks"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := selectedMessage(tc.m, "q", tc.done, tc.skipped, tc.dropped)
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestPaceKeepsBatchesNearTarget(t *testing.T) {
	cases := map[string]struct {
		size  int
		took  time.Duration
		tasks int
		want  int
	}{
		"on target":       {500, 2*time.Millisecond + time.Millisecond, 500, 500},
		"twice too slow":  {500, 4*time.Millisecond + time.Millisecond, 500, 250},
		"very slow":       {500, 40 * time.Millisecond, 500, 250},
		"fast grows 2x":   {300, time.Millisecond + 100*time.Microsecond, 300, 600},
		"never above max": {800, time.Millisecond, 800, maxBatch},
		"never below min": {120, 80 * time.Millisecond, 120, minBatch},
		"empty batch":     {400, 3 * time.Millisecond, 0, 800},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := &drain{size: tc.size, rtt: time.Millisecond}
			d.pace(tc.took, tc.tasks)
			if d.size != tc.want {
				t.Errorf("next size %d, want %d", d.size, tc.want)
			}
		})
	}
}

func TestOutcomeUnknownClassifiesRealErrors(t *testing.T) {
	srv := redistest.Start(t, redistest.WithConfig("busy-reply-threshold 50"),
		redistest.WithConfig("user viewer on >pw ~* +@read +ping"))
	ctx := context.Background()
	// Opening a Source routes go-redis's own logging away from the test output.
	src, err := source.Open(ctx, source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	defer rdb.Close()
	viewer := redis.NewClient(&redis.Options{Addr: srv.Addr, Username: "viewer", Password: "pw",
		MaxRetries: -1})
	defer viewer.Close()
	short := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1,
		ReadTimeout: 100 * time.Millisecond})
	defer short.Close()
	closed := redis.NewClient(&redis.Options{Addr: srv.Addr})
	closed.Close()
	nowhere := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer nowhere.Close()

	// endless runs until SCRIPT KILL; TIME makes it look like a real script to Redis.
	const endless = "local t = redis.call('TIME') while true do end"
	errs := map[string]struct {
		err     error
		unknown bool
	}{
		"NOPERM":           {runScript.Run(ctx, viewer, []string{"k"}).Err(), false},
		"refused to dial":  {nowhere.Ping(ctx).Err(), false},
		"closed client":    {closed.Ping(ctx).Err(), false},
		"script error":     {rdb.Eval(ctx, "return redis.call('NOPE')", nil).Err(), true},
		"timeout on a run": {short.Eval(ctx, endless, nil).Err(), true},
	}
	// The endless script above keeps Redis busy: the next command is refused with BUSY.
	waitBusy(t, rdb)
	errs["BUSY"] = struct {
		err     error
		unknown bool
	}{runScript.Run(ctx, rdb, []string{"k"}).Err(), true}
	if err := rdb.ScriptKill(ctx).Err(); err != nil {
		t.Fatal(err)
	}

	for name, tc := range errs {
		t.Run(name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("no error was produced")
			}
			if got := outcomeUnknown(tc.err); got != tc.unknown {
				t.Errorf("outcomeUnknown(%v) = %v, want %v", tc.err, got, tc.unknown)
			}
		})
	}
}

// waitBusy waits until Redis answers BUSY (a script has run past busy-reply-threshold).
func waitBusy(t *testing.T, rdb *redis.Client) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if err := rdb.Ping(context.Background()).Err(); err != nil &&
			strings.HasPrefix(err.Error(), "BUSY") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("Redis never became BUSY")
}

// fillArchived writes n archived task records directly; the moves only read "state".
func fillArchived(t *testing.T, rdb *redis.Client, q string, n int) {
	t.Helper()
	ctx := context.Background()
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, keyQueues, q)
		for i := range n {
			id := fmt.Sprintf("task-%05d", i)
			p.HSet(ctx, taskKey(q, id), "msg", "m", "state", "archived")
			p.ZAdd(ctx, stateKey(q, model.Archived), redis.Z{Score: float64(i), Member: id})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func actorOn(t *testing.T, srv *redistest.Server, batchTimeout time.Duration) (*Actor, string) {
	t.Helper()
	src, err := source.Open(context.Background(), source.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	a := newActor(src, Options{Audit: l, Operator: "t@h"}, batchTimeout)
	t.Cleanup(func() {
		a.Close()
		l.Close()
		src.Close()
	})
	return a, path
}

// TestBulkOutcomeUnknown makes the second batch of a RunAll fail in the two ways that
// leave its outcome unknown, and checks that the confirmed count is still right.
func TestBulkOutcomeUnknown(t *testing.T) {
	cases := map[string]func(t *testing.T, rdb *redis.Client){
		// CLIENT PAUSE WRITE holds the script past the client's read timeout.
		"timeout": func(t *testing.T, rdb *redis.Client) {
			err := rdb.Do(context.Background(), "CLIENT", "PAUSE", 1000, "WRITE").Err()
			if err != nil {
				t.Fatal(err)
			}
		},
		// Another client's endless script makes Redis answer BUSY.
		"busy": func(t *testing.T, rdb *redis.Client) {
			go rdb.Eval(context.Background(), "while true do end", nil)
			waitBusy(t, rdb)
		},
	}
	for name, interfere := range cases {
		t.Run(name, func(t *testing.T) {
			srv := redistest.Start(t, redistest.WithConfig("busy-reply-threshold 50"))
			a, logPath := actorOn(t, srv, 300*time.Millisecond)
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1,
				ReadTimeout: 10 * time.Second})
			defer rdb.Close()
			fillArchived(t, rdb, "q", 3000)

			var once sync.Once
			res, err := a.RunAll(context.Background(), "q", model.Archived, func(int, int) {
				once.Do(func() { interfere(t, rdb) })
			})
			_ = rdb.ScriptKill(context.Background()).Err()

			if !errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
			}
			if res.Done == 0 || res.Done >= 3000 {
				t.Fatalf("Done = %d, want the first batch only", res.Done)
			}
			want := fmt.Sprintf("queue q: outcome unknown after 1 confirmed batch (%s tasks "+
				"requeued)", commas(res.Done))
			if !strings.HasPrefix(err.Error(), want) ||
				!strings.HasSuffix(err.Error(), "re-read the queue before acting again") {
				t.Errorf("message %q\nwant prefix %q", err, want)
			}
			checkUnknownAftermath(t, rdb, res.Done, logPath)
		})
	}
}

// checkUnknownAftermath waits until Redis settles and checks that nothing was lost: the
// tasks are pending or archived, at least the confirmed ones pending, and the audit log
// says "unknown" with the confirmed count.
func checkUnknownAftermath(t *testing.T, rdb *redis.Client, done int, logPath string) {
	t.Helper()
	ctx := context.Background()
	var pending, archived int64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		p, err1 := rdb.LLen(ctx, stateKey("q", model.Pending)).Result()
		a, err2 := rdb.ZCard(ctx, stateKey("q", model.Archived)).Result()
		if err1 == nil && err2 == nil {
			pending, archived = p, a
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if pending+archived != 3000 || int(pending) < done {
		t.Errorf("pending %d + archived %d: want 3000 with at least %d pending",
			pending, archived, done)
	}
	entries, err := audit.Read(logPath, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Outcome != "unknown" || last.Count != done ||
		!strings.Contains(last.Error, "outcome unknown") {
		t.Errorf("last audit line %+v", last)
	}
}
