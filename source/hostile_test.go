package source_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/asynqtop/asynqtop/source/wire"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// The hostile states of issue 5 that concern the task browser, each built with raw
// commands the way a crash, a bug or an old asynq leaves Redis.

// putTask writes a task hash as asynq v0.26 does, without listing it anywhere.
func putTask(t *testing.T, rdb *redis.Client, queue, id, typ, state string) {
	t.Helper()
	msg := wire.EncodeTask(wire.TaskMessage{Type: typ, ID: id, Queue: queue, Retry: 25,
		Payload: []byte(`{"id":"` + id + `"}`)})
	ctx := context.Background()
	key := "asynq:{" + queue + "}:t:" + id
	if err := rdb.HSet(ctx, key, "msg", msg, "state", state).Err(); err != nil {
		t.Fatal(err)
	}
	rdb.SAdd(ctx, "asynq:queues", queue)
}

func redisNow(t *testing.T, rdb *redis.Client) time.Time {
	t.Helper()
	now, err := rdb.Time(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	return now
}

func pageOf(t *testing.T, src *source.Source, queue string, state model.State) model.TaskPage {
	t.Helper()
	page, err := src.Tasks(context.Background(), source.TaskQuery{Queue: queue, State: state,
		Limit: 100})
	if err != nil {
		t.Fatalf("Tasks(%s, %s): %v", queue, state, err)
	}
	return page
}

// Issue 5, case 1: IDs listed without a task hash are counted and shown, and never hide
// the rest of the page.
func TestHostileMissingTaskData(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	putTask(t, rdb, "h", "good1", "mail", "pending")
	putTask(t, rdb, "h", "good2", "mail", "pending")
	rdb.LPush(ctx, "asynq:{h}:pending", "good1", "ghost", "good2")
	rdb.ZAdd(ctx, "asynq:{h2}:archived", redis.Z{Score: 1700000000, Member: "ghost2"})
	rdb.SAdd(ctx, "asynq:queues", "h2")

	snap, err := src.Refresh(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string][2]int64{}
	for _, q := range snap.Queues {
		counts[q.Name] = [2]int64{q.Pending, q.Archived}
	}
	if counts["h"] != [2]int64{3, 0} || counts["h2"] != [2]int64{0, 1} {
		t.Errorf("counts %v, want h pending 3 and h2 archived 1", counts)
	}

	page := pageOf(t, src, "h", model.Pending)
	if page.Total != 3 || len(page.Tasks) != 3 {
		t.Fatalf("page total %d rows %d, want 3 and 3", page.Total, len(page.Tasks))
	}
	for _, task := range page.Tasks {
		switch task.ID {
		case "ghost":
			if task.Problem != model.ProblemMissing ||
				task.Detail != "task data missing (ID ghost)" {
				t.Errorf("ghost row: %q %q", task.Problem, task.Detail)
			}
		default:
			if task.Problem != model.ProblemNone || task.Type != "mail" {
				t.Errorf("row %s damaged by its neighbour: %+v", task.ID, task)
			}
		}
	}
	other := pageOf(t, src, "h2", model.Archived)
	if len(other.Tasks) != 1 || other.Tasks[0].Problem != model.ProblemMissing ||
		other.Tasks[0].Detail != "task data missing (ID ghost2)" {
		t.Errorf("h2 archived page: %+v", other.Tasks)
	}
	got, err := src.Task(ctx, "h", "ghost")
	if err != nil || got.Problem != model.ProblemMissing ||
		!strings.HasPrefix(got.Detail, "task data missing (ID ghost)") {
		t.Errorf("Task(ghost) = %q %q, %v", got.Problem, got.Detail, err)
	}
}

// Issue 5, case 2: a record whose state no key lists is explained as orphaned.
func TestHostileOrphanedRecord(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: srv.Addr})
	defer insp.Close()
	info, err := client.Enqueue(asynq.NewTask("mail", nil), asynq.Queue("o"))
	if err != nil {
		t.Fatal(err)
	}
	if err := insp.ArchiveTask("o", info.ID); err != nil {
		t.Fatal(err)
	}
	rdb.ZRem(ctx, "asynq:{o}:archived", info.ID)

	got, err := src.Task(ctx, "o", info.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := "record says archived but no state lists it (orphaned)"
	if got.Problem != model.ProblemInconsistent || got.Detail != want || got.Actionable() {
		t.Errorf("orphan: %q %q actionable %v, want %q", got.Problem, got.Detail,
			got.Actionable(), want)
	}
	if got.Type != "mail" || got.State != model.Archived || len(got.ListedIn) != 0 {
		t.Errorf("orphan fields: type %q state %q listed %v", got.Type, got.State, got.ListedIn)
	}
}

// Issue 5, case 3: an archived set listing a task whose record says active.
func TestHostileStateMismatch(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	putTask(t, rdb, "m", "twisted", "mail", "active")
	putTask(t, rdb, "m", "fine", "mail", "archived")
	rdb.ZAdd(ctx, "asynq:{m}:archived", redis.Z{Score: 1700000000, Member: "twisted"},
		redis.Z{Score: 1700000001, Member: "fine"})

	page := pageOf(t, src, "m", model.Archived)
	if len(page.Tasks) != 2 {
		t.Fatalf("%d rows, want 2", len(page.Tasks))
	}
	bad, good := page.Tasks[0], page.Tasks[1]
	if bad.Problem != model.ProblemInconsistent || bad.Actionable() ||
		bad.Detail != "listed in archived but its record says active" || bad.Type != "mail" {
		t.Errorf("mismatch row: %q %q actionable %v type %q", bad.Problem, bad.Detail,
			bad.Actionable(), bad.Type)
	}
	if good.Problem != model.ProblemNone || !good.Actionable() {
		t.Errorf("neighbour row: %q %q", good.Problem, good.Detail)
	}
	got, err := src.Task(ctx, "m", "twisted")
	if err != nil || got.Problem != model.ProblemInconsistent ||
		got.Detail != "record says active but it is listed in archived" {
		t.Errorf("Task(twisted) = %q %q, %v", got.Problem, got.Detail, err)
	}
}

// legacyJSON is a task message as asynq v0.17.0's base.EncodeMessage wrote it:
// json.Marshal of its TaskMessage (untagged Go field names, Payload a map, ID a UUID,
// Timeout and Deadline in seconds).
const legacyJSON = `{"Type":"email:welcome","Payload":{"to":"ann@example.com","n":3},` +
	`"ID":"5f9d4a1e-7c2b-4e8a-9a51-0d3c2b1a0f77","Queue":"legacy","Retry":25,"Retried":2,` +
	`"ErrorMsg":"smtp: timeout","Timeout":1800,"Deadline":0,"UniqueKey":""}`

// Issue 5, case 4: messages written by asynq before v0.18, both in a task hash and whole
// in a state key as v0.17 stored them, are shown as Legacy with their fields read.
func TestHostileLegacyMessages(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	const id = "5f9d4a1e-7c2b-4e8a-9a51-0d3c2b1a0f77"
	rdb.HSet(ctx, "asynq:{legacy}:t:"+id, "msg", legacyJSON, "state", "pending")
	rdb.LPush(ctx, "asynq:{legacy}:pending", id)
	rdb.ZAdd(ctx, "asynq:{legacy}:archived", redis.Z{Score: 1600000000, Member: legacyJSON})

	check := func(name string, task model.Task) {
		t.Helper()
		if !task.Legacy || task.ID != id || task.Type != "email:welcome" || task.Retry != 25 ||
			task.Retried != 2 || task.LastError != "smtp: timeout" ||
			task.Timeout != 30*time.Minute ||
			string(task.Payload) != `{"to":"ann@example.com","n":3}` {
			t.Errorf("%s: %+v", name, task)
		}
	}
	pending := pageOf(t, src, "legacy", model.Pending)
	if len(pending.Tasks) != 1 || pending.Tasks[0].Problem != model.ProblemNone {
		t.Fatalf("legacy hash page: %+v", pending.Tasks)
	}
	check("hash", pending.Tasks[0])
	detail, err := src.Task(ctx, "legacy", id)
	if err != nil {
		t.Fatal(err)
	}
	check("detail", detail)

	archived := pageOf(t, src, "legacy", model.Archived)
	if len(archived.Tasks) != 1 || !strings.Contains(archived.Tasks[0].Detail, "before v0.18") {
		t.Fatalf("legacy member page: %+v", archived.Tasks)
	}
	check("member", archived.Tasks[0])
}

// Issue 5, case 6: custom task IDs with spaces, slashes, 4 KiB of characters and escape
// sequences are listed and opened byte-exact.
func TestHostileCustomIDs(t *testing.T) {
	srv := redistest.Start(t)
	src, ctx := openSource(t, srv), context.Background()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	ids := map[string]bool{
		"with spaces  inside":                     true,
		"a/b/../c\\d":                             true,
		strings.Repeat("long-ID-é-", 410):         true,
		"esc \x1b[31mred\x1b[0m \x1b]0;title\x07": true,
		"tab\tnew\nline\r\x00nul":                 true,
		`{"looks":"like json"}`:                   true,
		"unicode ☃ 🚀 \u202e rtl":                  true,
		"star*?[glob]{q}":                         true,
	}
	for id := range ids {
		if _, err := client.Enqueue(asynq.NewTask("odd", []byte("p")), asynq.Queue("ids"),
			asynq.TaskID(id)); err != nil {
			t.Fatalf("enqueue %q: %v", id, err)
		}
	}
	page := pageOf(t, src, "ids", model.Pending)
	if len(page.Tasks) != len(ids) {
		t.Fatalf("%d rows, want %d", len(page.Tasks), len(ids))
	}
	for _, task := range page.Tasks {
		if !ids[task.ID] || task.Problem != model.ProblemNone || task.Type != "odd" {
			t.Errorf("row %q: %q %q", task.ID, task.Problem, task.Detail)
			continue
		}
		got, err := src.Task(ctx, "ids", task.ID)
		if err != nil || got.ID != task.ID || got.Problem != model.ProblemNone ||
			string(got.Payload) != "p" {
			t.Errorf("Task(%q) = %q %q %v", task.ID, got.Problem, got.Detail, err)
		}
	}
}

// Issue 5, case 9: a page of tasks with 8 MiB payloads fetches no bodies; opening one
// reads its payload.
func TestHostileHugePayloads(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	big := bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16)
	var bigID string
	for i := 0; i < 20; i++ {
		info, err := client.Enqueue(asynq.NewTask("huge", big), asynq.Queue("big"))
		if err != nil {
			t.Fatal(err)
		}
		bigID = info.ID
	}
	for i := 0; i < 3; i++ {
		small := asynq.NewTask("small", []byte("s"))
		if _, err := client.Enqueue(small, asynq.Queue("big")); err != nil {
			t.Fatal(err)
		}
	}

	before := netOutput(t, rdb)
	page := pageOf(t, src, "big", model.Pending)
	sent := netOutput(t, rdb) - before
	if sent > 1<<20+64<<10 {
		t.Errorf("Redis sent %d bytes for the page, want about 1 MiB at most", sent)
	}
	if page.FetchedBytes > source.PageMessageBudget || page.PayloadBytes > 1<<20 {
		t.Errorf("page fetched %d message bytes, %d payload bytes", page.FetchedBytes,
			page.PayloadBytes)
	}
	large, small := 0, 0
	for _, task := range page.Tasks {
		switch {
		case task.Problem == model.ProblemTooLarge && task.MsgSize > 8<<20 &&
			task.Payload == nil && task.Actionable():
			large++
		case task.Problem == model.ProblemNone && task.Type == "small":
			small++
		default:
			t.Errorf("row %s: %q %q size %d", task.ID, task.Problem, task.Detail, task.MsgSize)
		}
	}
	if large != 20 || small != 3 {
		t.Errorf("%d large rows and %d small, want 20 and 3", large, small)
	}

	got, err := src.Task(ctx, "big", bigID)
	if err != nil || !bytes.Equal(got.Payload, big) || got.Problem != model.ProblemNone {
		t.Errorf("Task(big) = %d payload bytes, %q %q, %v", len(got.Payload), got.Problem,
			got.Detail, err)
	}
}

// netOutput reads how many bytes Redis has sent to clients.
func netOutput(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "stats").Result()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(field(info, "total_net_output_bytes"))
	return n
}

// Issue 5, case 12: binary payloads are listed and opened as raw bytes.
func TestHostileBinaryPayloads(t *testing.T) {
	srv := redistest.Start(t)
	src, ctx := openSource(t, srv), context.Background()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	random := make([]byte, 64<<10)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	fmt.Fprint(zw, `{"user":42,"items":["a","b"]}`)
	zw.Close()
	payloads := map[string][]byte{
		"protobuf": wire.EncodeTask(wire.TaskMessage{Type: "inner", ID: "x", Retry: 3}),
		"gzip":     gz.Bytes(),
		"random":   random,
		"nul":      {0, 0, 0, 0xff, 0xfe},
	}
	ids := map[string]string{}
	for name, p := range payloads {
		info, err := client.Enqueue(asynq.NewTask(name, p), asynq.Queue("bin"))
		if err != nil {
			t.Fatal(err)
		}
		ids[info.ID] = name
	}
	page := pageOf(t, src, "bin", model.Pending)
	if len(page.Tasks) != len(payloads) {
		t.Fatalf("%d rows, want %d", len(page.Tasks), len(payloads))
	}
	for _, task := range page.Tasks {
		want := payloads[ids[task.ID]]
		if task.Problem != model.ProblemNone || !bytes.Equal(task.Payload, want) ||
			task.PayloadSize != len(want) {
			t.Errorf("%s: %q %q, %d bytes", task.Type, task.Problem, task.Detail, len(task.Payload))
		}
		got, err := src.Task(ctx, "bin", task.ID)
		if err != nil || !bytes.Equal(got.Payload, want) {
			t.Errorf("Task(%s): %v", task.Type, err)
		}
	}
}

// Issue 5, case 13: an active task with no lease and no live server is stuck, and so is
// one whose lease expired; the explanation says why.
func TestHostileStuckActive(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	putTask(t, rdb, "s", "noLease", "work", "active")
	putTask(t, rdb, "s", "expired", "work", "active")
	rdb.LPush(ctx, "asynq:{s}:active", "noLease", "expired")
	now := redisNow(t, rdb)
	rdb.ZAdd(ctx, "asynq:{s}:lease", redis.Z{Score: float64(now.Unix() - 300), Member: "expired"})

	page := pageOf(t, src, "s", model.Active)
	servers, err := src.Servers(ctx)
	if err != nil || len(servers) != 0 {
		t.Fatalf("servers %v, %v", servers, err)
	}
	want := map[string]string{
		"noLease": "no lease and no live server: the worker died",
		"expired": "lease expired 5m ago and no live server: the worker died",
	}
	for _, task := range page.Tasks {
		if task.Leased {
			t.Errorf("%s leased", task.ID)
		}
		why := model.StuckReason(task, servers, page.Time)
		if !strings.HasPrefix(why, want[task.ID]) {
			t.Errorf("StuckReason(%s) = %q, want prefix %q", task.ID, why, want[task.ID])
		}
	}
}

// Issue 5, case 14: a scheduled task due 3 minutes ago with no live server.
func TestHostileOverdueScheduled(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	putTask(t, rdb, "late", "late1", "report", "scheduled")
	now := redisNow(t, rdb)
	rdb.ZAdd(ctx, "asynq:{late}:scheduled", redis.Z{Score: float64(now.Unix() - 180),
		Member: "late1"})

	page := pageOf(t, src, "late", model.Scheduled)
	servers, err := src.Servers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tasks) != 1 {
		t.Fatalf("%d rows", len(page.Tasks))
	}
	got := model.NextRun(page.Tasks[0].Score, page.Time, model.LiveServers(servers, page.Time))
	if want := "overdue 3m (no live server to forward it)"; got != want {
		t.Errorf("NextRun = %q, want %q", got, want)
	}
}

// Undecodable messages and records of the wrong type are rows with a problem, and keep
// what is known.
func TestHostileUndecodableRows(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	putTask(t, rdb, "u", "ok", "mail", "pending")
	rdb.HSet(ctx, "asynq:{u}:t:junk", "msg", "\xff\xfe not a message", "state", "pending",
		"result", "r")
	rdb.Set(ctx, "asynq:{u}:t:string", "wrong type", 0)
	rdb.LPush(ctx, "asynq:{u}:pending", "ok", "junk", "string")

	page := pageOf(t, src, "u", model.Pending)
	byID := map[string]model.Task{}
	for _, task := range page.Tasks {
		byID[task.ID] = task
	}
	if junk := byID["junk"]; junk.Problem != model.ProblemUndecodable ||
		junk.HashState != "pending" || junk.MsgSize != 16 || junk.ResultSize != 1 {
		t.Errorf("junk row: %+v", junk)
	}
	if str := byID["string"]; str.Problem != model.ProblemUndecodable ||
		!strings.Contains(str.Detail, "WRONGTYPE") {
		t.Errorf("string row: %q %q", str.Problem, str.Detail)
	}
	if ok := byID["ok"]; ok.Problem != model.ProblemNone {
		t.Errorf("ok row: %q %q", ok.Problem, ok.Detail)
	}
	if _, err := src.Task(ctx, "u", "string"); err != nil {
		t.Errorf("Task(string): %v", err)
	}
}
