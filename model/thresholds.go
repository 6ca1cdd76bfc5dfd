package model

import (
	"fmt"
	"math"
	"path"
	"sort"
	"time"
)

// Level is how bad a value is against its threshold.
type Level int

// The levels, in increasing severity, so that levels compare with < and >.
const (
	LevelOK Level = iota
	LevelWarn
	LevelCrit
)

// String is "ok", "warn" or "crit".
func (l Level) String() string {
	switch l {
	case LevelOK:
		return "ok"
	case LevelWarn:
		return "warn"
	case LevelCrit:
		return "crit"
	}
	return "level(?)"
}

// Threshold holds the limits of one metric. A limit of 0 or NaN is unset: that level is
// never reached. Latency limits are in seconds, like MetricLatency.
type Threshold struct {
	Metric Metric
	Warn   float64
	Crit   float64
}

// Level is the level value v reaches: a value at or above a limit reaches it. An unknown
// (NaN) value is LevelOK.
func (t Threshold) Level(v float64) Level {
	switch {
	case math.IsNaN(v):
		return LevelOK
	case limitSet(t.Crit) && v >= t.Crit:
		return LevelCrit
	case limitSet(t.Warn) && v >= t.Warn:
		return LevelWarn
	}
	return LevelOK
}

// Limit is the limit that level l means, 0 for LevelOK.
func (t Threshold) Limit(l Level) float64 {
	switch l {
	case LevelWarn:
		return t.Warn
	case LevelCrit:
		return t.Crit
	}
	return 0
}

// limitSet reports whether a limit is in force.
func limitSet(v float64) bool { return v != 0 && !math.IsNaN(v) }

// Rule sets thresholds for the queues whose names match Pattern.
type Rule struct {
	// Pattern is a path.Match glob over queue names. "*" and "" match every queue, even
	// names holding a "/", which path.Match's "*" would not.
	Pattern    string
	Thresholds []Threshold
}

// Match reports whether the rule applies to the queue; a malformed pattern matches nothing
// (see Rules.Validate).
func (r Rule) Match(queue string) bool {
	if r.Pattern == "" || r.Pattern == "*" {
		return true
	}
	ok, err := path.Match(r.Pattern, queue)
	return ok && err == nil
}

// Rules is an ordered list of rules. For a queue, every matching rule applies in order
// and each threshold replaces the one before it for the same metric, so the last match
// wins: put defaults ("*") first and the most specific patterns last.
type Rules []Rule

// DefaultRules returns asynqtop's built-in thresholds as one rule for every queue.
func DefaultRules() Rules {
	return Rules{{Pattern: "*", Thresholds: []Threshold{
		{Metric: MetricPending, Warn: 1000, Crit: 10000},
		{Metric: MetricLatency, Warn: 60, Crit: 300},
		{Metric: MetricFailedRate, Warn: 1, Crit: 10},
		{Metric: MetricFailureRatio, Warn: 0.05, Crit: 0.25},
		{Metric: MetricRetry, Warn: 100, Crit: 1000},
		{Metric: MetricArchived, Warn: 100, Crit: 1000},
		{Metric: MetricArchivedGrowth, Warn: 10, Crit: 100},
	}}}
}

// Resolve returns the thresholds in force for the queue, by metric. A metric absent from
// the map has no threshold.
func (rs Rules) Resolve(queue string) map[Metric]Threshold {
	out := map[Metric]Threshold{}
	for _, r := range rs {
		if !r.Match(queue) {
			continue
		}
		for _, t := range r.Thresholds {
			out[t.Metric] = t
		}
	}
	return out
}

// Validate reports the first malformed pattern.
func (rs Rules) Validate() error {
	for i, r := range rs {
		if _, err := path.Match(r.Pattern, ""); err != nil {
			return fmt.Errorf("threshold rule %d: pattern %q: %w", i+1, r.Pattern, err)
		}
	}
	return nil
}

// Breach is one queue metric above OK.
type Breach struct {
	Queue  string
	Metric Metric
	Level  Level
	// Value is the latest known value; Limit is the limit of Level that it reached.
	Value, Limit float64
	// Since is when the metric first left OK in this breach; it stays through changes
	// between warn and crit and resets only once the metric is back to OK.
	Since time.Time
}

// breachKey identifies a breach.
type breachKey struct {
	queue  string
	metric Metric
}

// Breaches tracks which queue metrics are above OK and since when. The zero value is
// ready to use. It is not safe for concurrent use.
type Breaches struct {
	active map[breachKey]Breach
	// sorted and worst are derived from active by Evaluate: the screen asks for them on
	// every frame and for every row.
	sorted []Breach
	worst  map[string]Level
}

// Evaluate compares the latest value of every metric of every queue in h with the rules
// and returns the active breaches, as Active does. now, best the snapshot's Redis time,
// starts new breaches. A metric whose latest value is unknown (NaN, or the queue failed to
// read) keeps the breach it had: an unknown value is no sign of recovery. A breach clears
// when its value is back to OK, its threshold is gone, or its queue left the history.
func (b *Breaches) Evaluate(now time.Time, h *History, rules Rules) []Breach {
	next := make(map[breachKey]Breach, len(b.active))
	for _, queue := range h.Queues() {
		for m, t := range rules.Resolve(queue) {
			k := breachKey{queue, m}
			if br, ok := b.evaluate(now, k, t, h); ok {
				next[k] = br
			}
		}
	}
	b.active = next
	b.derive()
	return b.Active()
}

// derive rebuilds the sorted list and the per-queue worst levels from active.
func (b *Breaches) derive() {
	b.sorted = make([]Breach, 0, len(b.active))
	b.worst = make(map[string]Level, len(b.active))
	for k, br := range b.active {
		b.sorted = append(b.sorted, br)
		if br.Level > b.worst[k.queue] {
			b.worst[k.queue] = br.Level
		}
	}
	sort.Slice(b.sorted, func(i, j int) bool { return breachLess(b.sorted[i], b.sorted[j]) })
}

// evaluate returns the breach for one queue metric, if any.
func (b *Breaches) evaluate(now time.Time, k breachKey, t Threshold, h *History) (Breach, bool) {
	old, was := b.active[k]
	v, known := h.Latest(k.queue, k.metric)
	if !known {
		return old, was
	}

	level := t.Level(v)
	if level == LevelOK {
		return Breach{}, false
	}
	since := now
	if was {
		since = old.Since
	}
	return Breach{
		Queue: k.queue, Metric: k.metric, Level: level,
		Value: v, Limit: t.Limit(level), Since: since,
	}, true
}

// Level is the level of the queue's metric after the last Evaluate.
func (b *Breaches) Level(queue string, m Metric) Level {
	return b.active[breachKey{queue, m}].Level
}

// WorstLevel is the highest level of any of the queue's metrics.
func (b *Breaches) WorstLevel(queue string) Level {
	return b.worst[queue]
}

// Active returns the breaches in force: crit before warn, then oldest first, then by
// queue and metric so that the order is stable.
func (b *Breaches) Active() []Breach {
	return append([]Breach(nil), b.sorted...)
}

// breachLess orders breaches for Active.
func breachLess(a, b Breach) bool {
	switch {
	case a.Level != b.Level:
		return a.Level > b.Level
	case !a.Since.Equal(b.Since):
		return a.Since.Before(b.Since)
	case a.Queue != b.Queue:
		return a.Queue < b.Queue
	}
	return a.Metric < b.Metric
}
