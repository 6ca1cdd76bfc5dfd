// Package report prints one refresh for scripts and pipes: a plain table for people or
// JSON with every figure for tools. It uses no terminal control at all, and every
// string from Redis passes model/text in the table.
//
// A queue whose keys cannot be read (a key of the wrong type, say) is still printed, with
// its error and without figures: "?" in the table, null in the JSON, never a zero that a
// script would take for an empty queue. Snapshot then returns an *UnreadError after
// writing everything, so that a command can exit non-zero.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/text"
)

// Source is what a snapshot reads.
type Source interface {
	Target() string
	Refresh(ctx context.Context, extra []string) (model.Snapshot, error)
	Servers(ctx context.Context) ([]model.Server, error)
}

// Options choose the output.
type Options struct {
	JSON  bool
	Rules model.Rules
}

// Queue is one queue in the JSON output: every figure the refresh read. The figures are
// null when the queue could not be read (Error is set), and so are those a refresh does
// not know (Aggregating with too many groups, LatencySeconds when the oldest pending
// task's time is unknown).
type Queue struct {
	Name string `json:"name"`
	// Registered: listed in asynq:queues. InUse: holds tasks, counters or a paused flag;
	// a queue neither registered nor in use is only configured on a live server.
	Registered      bool       `json:"registered"`
	InUse           bool       `json:"in_use"`
	Paused          bool       `json:"paused"`
	PausedSince     *time.Time `json:"paused_since,omitempty"`
	Size            *int64     `json:"size"`
	Pending         *int64     `json:"pending"`
	Active          *int64     `json:"active"`
	Scheduled       *int64     `json:"scheduled"`
	Retry           *int64     `json:"retry"`
	Archived        *int64     `json:"archived"`
	Completed       *int64     `json:"completed"`
	Aggregating     *int64     `json:"aggregating"`
	Groups          *int64     `json:"groups"`
	ProcessedToday  *int64     `json:"processed_today"`
	FailedToday     *int64     `json:"failed_today"`
	ProcessedTotal  *int64     `json:"processed_total"`
	FailedTotal     *int64     `json:"failed_total"`
	LatencySeconds  *float64   `json:"latency_seconds"`
	OldestPendingAt *time.Time `json:"oldest_pending_at,omitempty"`
	Breaches        []Breach   `json:"breaches"`
	Error           string     `json:"error,omitempty"`
}

// Breach is a threshold a count-based metric is over at the snapshot instant.
type Breach struct {
	Metric string  `json:"metric"`
	Level  string  `json:"level"`
	Value  float64 `json:"value"`
	Limit  float64 `json:"limit"`
}

// Server is one asynq worker server in the JSON output.
type Server struct {
	Host        string `json:"host"`
	PID         int    `json:"pid"`
	ServerID    string `json:"server_id"`
	Concurrency int    `json:"concurrency"`
	// Queues maps queue name to priority.
	Queues         map[string]int `json:"queues"`
	StrictPriority bool           `json:"strict_priority"`
	Status         string         `json:"status"`
	Started        time.Time      `json:"started"`
	ActiveWorkers  int            `json:"active_workers"`
	// HeartbeatExpires is when the server's heartbeat record lapses; Stale says whether
	// it had at the snapshot instant.
	HeartbeatExpires time.Time `json:"heartbeat_expires"`
	Stale            bool      `json:"stale"`
}

// Output is the whole JSON document.
type Output struct {
	Target     string    `json:"target"`
	RedisTime  time.Time `json:"redis_time"`
	RoundTrips int       `json:"round_trips"`
	TookMillis float64   `json:"took_ms"`
	Queues     []Queue   `json:"queues"`
	Servers    []Server  `json:"servers"`
	// Note explains what a single refresh cannot show.
	Note string `json:"note"`
}

// UnreadError is what Snapshot returns, after writing its whole output, when some queues
// could not be read; the output names each with its error.
type UnreadError struct {
	// Queues is how many queues could not be read.
	Queues int
}

func (e *UnreadError) Error() string {
	if e.Queues == 1 {
		return "1 queue could not be read"
	}
	return fmt.Sprintf("%d queues could not be read", e.Queues)
}

// Snapshot reads one refresh and the servers and writes them to w.
func Snapshot(ctx context.Context, w io.Writer, src Source, o Options) error {
	if o.Rules == nil {
		o.Rules = model.DefaultRules()
	}
	servers, _ := src.Servers(ctx)
	snap, err := src.Refresh(ctx, configuredQueues(servers, time.Time{}))
	if err != nil {
		return err
	}
	out := build(src.Target(), snap, servers, o.Rules)
	if err := write(w, out, o.JSON); err != nil {
		return err
	}
	if n := unread(out.Queues); n > 0 {
		return &UnreadError{Queues: n}
	}
	return nil
}

func write(w io.Writer, out Output, asJSON bool) error {
	if !asJSON {
		return writeTable(w, out)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(jsonSafe(b), '\n'))
	return err
}

// unread counts the queues that could not be read.
func unread(qs []Queue) int {
	n := 0
	for _, q := range qs {
		if q.Error != "" {
			n++
		}
	}
	return n
}

// jsonSafe rewrites every non-ASCII rune of encoded JSON that model/text would escape
// (C1 controls, bidi and other invisible format characters) as a JSON \u escape: a parser
// reads the same strings, byte for byte, and a terminal the JSON is printed on sees ASCII
// for them. encoding/json already escapes C0 controls and replaces invalid UTF-8, and
// outside strings JSON is ASCII, so every such rune is inside a string.
func jsonSafe(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r < utf8.RuneSelf || text.Clean(string(r)) == string(r) {
			out = append(out, b[i:i+n]...)
		} else if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += n
	}
	return out
}

// configuredQueues lists the queues live servers are configured for.
func configuredQueues(servers []model.Server, now time.Time) []string {
	var out []string
	for _, s := range servers {
		if !now.IsZero() && s.Stale(now) {
			continue
		}
		for q := range s.Queues {
			out = append(out, q)
		}
	}
	return out
}

func build(target string, snap model.Snapshot, servers []model.Server, rules model.Rules) Output {
	out := Output{
		Target: target, RedisTime: snap.Time.UTC(), RoundTrips: snap.RoundTrips,
		TookMillis: float64(snap.Took.Microseconds()) / 1000,
		Servers:    make([]Server, 0, len(servers)),
		Queues:     make([]Queue, 0, len(snap.Queues)),
		Note: "one refresh: rates need two and are not included; " +
			"processed/failed today are UTC-day counters",
	}
	h := model.NewHistory(2)
	h.Observe(snap)
	var br model.Breaches
	br.Evaluate(snap.Time, h, rules)
	for _, q := range snap.Queues {
		out.Queues = append(out.Queues, queueJSON(q, snap.Time, br.Active()))
	}
	for _, s := range servers {
		out.Servers = append(out.Servers, serverJSON(s, snap.Time))
	}
	return out
}

func serverJSON(s model.Server, now time.Time) Server {
	return Server{
		Host: s.Host, PID: s.PID, ServerID: s.ID, Concurrency: s.Concurrency,
		Queues: s.Queues, StrictPriority: s.StrictPriority, Status: s.Status,
		Started: s.Started.UTC(), ActiveWorkers: s.ActiveWorkers,
		HeartbeatExpires: s.Expires.UTC(), Stale: s.Stale(now),
	}
}

// queueJSON is one queue's figures; only its name, flags and error when it could not be
// read, since its counts would be zeros standing for "unknown".
func queueJSON(q model.QueueStats, now time.Time, active []model.Breach) Queue {
	j := Queue{
		Name: q.Name, Registered: q.Registered, InUse: q.InUse(), Paused: q.Paused,
		Error: q.Err, Breaches: []Breach{},
	}
	if q.Paused && !q.PausedSince.IsZero() {
		t := q.PausedSince.UTC()
		j.PausedSince = &t
	}
	if q.Err != "" {
		return j
	}
	j.Size, j.Pending, j.Active = ptr(q.Size()), ptr(q.Pending), ptr(q.Active)
	j.Scheduled, j.Retry, j.Archived = ptr(q.Scheduled), ptr(q.Retry), ptr(q.Archived)
	j.Completed, j.Groups = ptr(q.Completed), ptr(q.Groups)
	j.ProcessedToday, j.FailedToday = ptr(q.ProcessedToday), ptr(q.FailedToday)
	j.ProcessedTotal, j.FailedTotal = ptr(q.ProcessedTotal), ptr(q.FailedTotal)
	if q.AggregatingKnown {
		j.Aggregating = ptr(q.Aggregating)
	}
	if d, ok := q.Latency(now); ok {
		s := d.Seconds()
		j.LatencySeconds = &s
	}
	if q.LatencyKnown && !q.OldestPending.IsZero() {
		t := q.OldestPending.UTC()
		j.OldestPendingAt = &t
	}
	for _, b := range active {
		if b.Queue == q.Name {
			j.Breaches = append(j.Breaches, Breach{
				Metric: b.Metric.String(), Level: b.Level.String(), Value: b.Value, Limit: b.Limit,
			})
		}
	}
	return j
}

func ptr(n int64) *int64 { return &n }

func writeTable(w io.Writer, out Output) error {
	fmt.Fprintf(w, "%s at %s UTC (%d round trips, %.1f ms)\n", text.Clean(out.Target),
		out.RedisTime.Format("2006-01-02 15:04:05"), out.RoundTrips, out.TookMillis)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "QUEUE\tSTATE\tPENDING\tACTIVE\tSCHEDULED\tRETRY\tARCHIVED\tCOMPLETED\t"+
		"LATENCY\tPROCESSED TODAY\tFAILED TODAY\tBREACHES\t")
	for _, q := range out.Queues {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			text.Truncate(q.Name, 40), state(q), count(q.Pending), count(q.Active),
			count(q.Scheduled), count(q.Retry), count(q.Archived), count(q.Completed),
			latency(q), count(q.ProcessedToday), count(q.FailedToday), breaches(q))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, q := range out.Queues {
		if q.Error != "" {
			fmt.Fprintf(w, "error in queue %s: %s\n", text.Truncate(q.Name, 40), text.Clean(q.Error))
		}
	}
	_, err := fmt.Fprintf(w, "%s, %s; %s\n", countOf(len(out.Queues), "queue"),
		countOf(len(out.Servers), "server"), out.Note)
	return err
}

// state names what the figures do not show: an unreadable queue, a paused one, one
// missing from asynq:queues though in use (after a Redis restart, say), and one only
// configured on a live server.
func state(q Queue) string {
	switch {
	case q.Error != "":
		return "ERROR"
	case q.Paused:
		return "paused"
	case !q.Registered && q.InUse:
		return "unlisted"
	case !q.Registered:
		return "unused"
	}
	return "-"
}

// count is a figure for the table: "?" when unknown.
func count(n *int64) string {
	if n == nil {
		return "?"
	}
	return strconv.FormatInt(*n, 10)
}

func latency(q Queue) string {
	if q.LatencySeconds == nil {
		return "?"
	}
	return strconv.FormatFloat(*q.LatencySeconds, 'f', 1, 64) + "s"
}

func breaches(q Queue) string {
	if q.Error != "" {
		return "?"
	}
	if len(q.Breaches) == 0 {
		return "-"
	}
	parts := make([]string, len(q.Breaches))
	for i, b := range q.Breaches {
		parts[i] = b.Metric + ":" + b.Level
	}
	return strings.Join(parts, ",")
}

// countOf is n and the noun, plural unless n is 1.
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
