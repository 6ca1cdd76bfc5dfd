// Package report prints one refresh for scripts and pipes: a plain table for people or
// JSON with every figure for tools. It uses no terminal control at all, and every
// string from Redis passes model/text in the table.
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

// Queue is one queue in the JSON output: every figure the refresh read.
type Queue struct {
	Name            string     `json:"name"`
	Registered      bool       `json:"registered"`
	Paused          bool       `json:"paused"`
	PausedSince     *time.Time `json:"paused_since,omitempty"`
	Size            int64      `json:"size"`
	Pending         int64      `json:"pending"`
	Active          int64      `json:"active"`
	Scheduled       int64      `json:"scheduled"`
	Retry           int64      `json:"retry"`
	Archived        int64      `json:"archived"`
	Completed       int64      `json:"completed"`
	Aggregating     *int64     `json:"aggregating"`
	Groups          int64      `json:"groups"`
	ProcessedToday  int64      `json:"processed_today"`
	FailedToday     int64      `json:"failed_today"`
	ProcessedTotal  int64      `json:"processed_total"`
	FailedTotal     int64      `json:"failed_total"`
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

// Output is the whole JSON document.
type Output struct {
	Target     string         `json:"target"`
	RedisTime  time.Time      `json:"redis_time"`
	RoundTrips int            `json:"round_trips"`
	TookMillis float64        `json:"took_ms"`
	Queues     []Queue        `json:"queues"`
	Servers    []model.Server `json:"servers"`
	// Note explains what a single refresh cannot show.
	Note string `json:"note"`
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
	if o.JSON {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(jsonSafe(b), '\n'))
		return err
	}
	return writeTable(w, out)
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
		TookMillis: float64(snap.Took.Microseconds()) / 1000, Servers: servers,
		Queues: make([]Queue, 0, len(snap.Queues)),
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
	return out
}

func queueJSON(q model.QueueStats, now time.Time, active []model.Breach) Queue {
	j := Queue{
		Name: q.Name, Registered: q.Registered, Paused: q.Paused, Size: q.Size(),
		Pending: q.Pending, Active: q.Active, Scheduled: q.Scheduled, Retry: q.Retry,
		Archived: q.Archived, Completed: q.Completed, Groups: q.Groups,
		ProcessedToday: q.ProcessedToday, FailedToday: q.FailedToday,
		ProcessedTotal: q.ProcessedTotal, FailedTotal: q.FailedTotal, Error: q.Err,
		Breaches: []Breach{},
	}
	if q.Paused && !q.PausedSince.IsZero() {
		t := q.PausedSince.UTC()
		j.PausedSince = &t
	}
	if q.AggregatingKnown {
		n := q.Aggregating
		j.Aggregating = &n
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

func writeTable(w io.Writer, out Output) error {
	fmt.Fprintf(w, "%s at %s UTC (%d round trips, %.1f ms)\n", text.Clean(out.Target),
		out.RedisTime.Format("2006-01-02 15:04:05"), out.RoundTrips, out.TookMillis)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "QUEUE\tSTATE\tPENDING\tACTIVE\tSCHEDULED\tRETRY\tARCHIVED\tCOMPLETED\t"+
		"LATENCY\tPROCESSED TODAY\tFAILED TODAY\tBREACHES\t")
	for _, q := range out.Queues {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%d\t%s\t\n",
			text.Truncate(q.Name, 40), state(q), q.Pending, q.Active, q.Scheduled, q.Retry,
			q.Archived, q.Completed, latency(q), q.ProcessedToday, q.FailedToday, breaches(q))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, q := range out.Queues {
		if q.Error != "" {
			fmt.Fprintf(w, "error in queue %s: %s\n", text.Truncate(q.Name, 40), text.Clean(q.Error))
		}
	}
	_, err := fmt.Fprintf(w, "%d queues, %d servers; %s\n", len(out.Queues),
		len(out.Servers), out.Note)
	return err
}

func state(q Queue) string {
	switch {
	case q.Error != "":
		return "ERROR"
	case q.Paused:
		return "paused"
	case !q.Registered:
		return "unused"
	}
	return "-"
}

func latency(q Queue) string {
	if q.LatencySeconds == nil {
		return "?"
	}
	return strconv.FormatFloat(*q.LatencySeconds, 'f', 1, 64) + "s"
}

func breaches(q Queue) string {
	if len(q.Breaches) == 0 {
		return "-"
	}
	parts := make([]string, len(q.Breaches))
	for i, b := range q.Breaches {
		parts[i] = b.Metric + ":" + b.Level
	}
	return strings.Join(parts, ",")
}
