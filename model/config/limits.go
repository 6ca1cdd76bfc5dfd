package config

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/asynqtop/asynqtop/model"
)

// Duration is a time.Duration written in the file as a Go duration string ("500ms",
// "1m30s"). A bare number other than 0 is refused: it would be nanoseconds, never what
// was meant.
type Duration struct{ time.Duration }

// UnmarshalTOML reads a duration string.
func (d *Duration) UnmarshalTOML(v any) error {
	parsed, err := parseDuration(v)
	if err != nil {
		return err
	}
	d.Duration = parsed
	return nil
}

// parseDuration reads a TOML value as a duration string, or 0.
func parseDuration(v any) (time.Duration, error) {
	if n, ok := v.(int64); ok && n == 0 {
		return 0, nil
	}
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf(
			"%v is not a duration: write a string such as \"500ms\", \"1s\" or \"5m\"", v)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf(
			"%q is not a duration: use a form such as \"500ms\", \"1s\" or \"5m\"", s)
	}
	return d, nil
}

// Thresholds is the [thresholds] table.
type Thresholds struct {
	// Default applies to every queue; a metric left out keeps asynqtop's built-in limits.
	Default MetricLimits `toml:"default"`
	// Queue lists overrides for queues whose names match a glob, applied in order.
	Queue []QueueLimits `toml:"queue"`
}

// QueueLimits is one [[thresholds.queue]] table.
type QueueLimits struct {
	// Match is a path.Match glob over queue names, e.g. "critical*".
	Match string `toml:"match"`
	MetricLimits
}

// MetricLimits has one entry per metric; a nil entry leaves the metric as it was. Each
// entry replaces both levels: a level it leaves out is off. The keys are the
// model.Metric names.
type MetricLimits struct {
	Pending        *Limits        `toml:"pending"`
	Active         *Limits        `toml:"active"`
	Scheduled      *Limits        `toml:"scheduled"`
	Retry          *Limits        `toml:"retry"`
	Archived       *Limits        `toml:"archived"`
	Completed      *Limits        `toml:"completed"`
	Latency        *LatencyLimits `toml:"latency"`
	ProcessedRate  *Limits        `toml:"processed_rate"`
	FailedRate     *Limits        `toml:"failed_rate"`
	FailureRatio   *Limits        `toml:"failure_ratio"`
	ArchivedGrowth *Limits        `toml:"archived_growth"`
}

// Limits is { warn = N, crit = N } for a count, rate or ratio; 0 turns a level off.
type Limits struct {
	Warn, Crit float64
}

// LatencyLimits is { warn = "1m", crit = "5m" }; 0 turns a level off.
type LatencyLimits struct {
	Warn, Crit Duration
}

// UnmarshalTOML reads an inline table of numbers.
func (l *Limits) UnmarshalTOML(v any) error {
	*l = Limits{}
	return eachLevel(v, "{ warn = 100, crit = 1000 }", func(level string, x any) error {
		n, err := number(x)
		if level == "warn" {
			l.Warn = n
		} else {
			l.Crit = n
		}
		return err
	})
}

// UnmarshalTOML reads an inline table of duration strings.
func (l *LatencyLimits) UnmarshalTOML(v any) error {
	*l = LatencyLimits{}
	return eachLevel(v, `{ warn = "1m", crit = "5m" }`, func(level string, x any) error {
		d, err := parseDuration(x)
		if level == "warn" {
			l.Warn.Duration = d
		} else {
			l.Crit.Duration = d
		}
		return err
	})
}

// eachLevel calls set for the warn and crit keys of a TOML table, in that order, and
// refuses anything else; example shows the expected form in errors.
func eachLevel(v any, example string, set func(level string, x any) error) error {
	table, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("want a table such as %s", example)
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(keys))) // "warn" before "crit"

	for _, k := range keys {
		if k != "warn" && k != "crit" {
			return fmt.Errorf("unknown key %q: want only warn and crit, as in %s", k, example)
		}
		if err := set(k, table[k]); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// number reads a TOML integer or float.
func number(x any) (float64, error) {
	switch n := x.(type) {
	case int64:
		return float64(n), nil
	case float64:
		return n, nil
	}
	return 0, fmt.Errorf("%v is not a number", x)
}

// defaultLimits is model.DefaultRules as a table with every metric present, so that the
// built-in numbers live in one place and the example file can list every metric.
func defaultLimits() MetricLimits {
	var m MetricLimits
	for _, metric := range model.Metrics() {
		switch metric {
		case model.MetricLatency:
			m.Latency = &LatencyLimits{}
		default:
			*m.slot(metric) = &Limits{}
		}
	}
	for _, t := range model.DefaultRules().Resolve("") {
		m.set(t)
	}
	return m
}

// set stores t in its metric's entry.
func (m *MetricLimits) set(t model.Threshold) {
	if t.Metric == model.MetricLatency {
		m.Latency = &LatencyLimits{Warn: seconds(t.Warn), Crit: seconds(t.Crit)}
		return
	}
	if slot := m.slot(t.Metric); slot != nil {
		*slot = &Limits{Warn: t.Warn, Crit: t.Crit}
	}
}

// thresholds lists the entries that are present as model thresholds, latency in seconds.
func (m MetricLimits) thresholds() []model.Threshold {
	var out []model.Threshold
	for _, metric := range model.Metrics() {
		if metric == model.MetricLatency {
			if m.Latency != nil {
				out = append(out, model.Threshold{Metric: metric,
					Warn: m.Latency.Warn.Seconds(), Crit: m.Latency.Crit.Seconds()})
			}
			continue
		}
		if l := *m.slot(metric); l != nil {
			out = append(out, model.Threshold{Metric: metric, Warn: l.Warn, Crit: l.Crit})
		}
	}
	return out
}

// slot is the entry of a count or rate metric; nil for latency, which has its own type.
func (m *MetricLimits) slot(metric model.Metric) **Limits {
	switch metric {
	case model.MetricPending:
		return &m.Pending
	case model.MetricActive:
		return &m.Active
	case model.MetricScheduled:
		return &m.Scheduled
	case model.MetricRetry:
		return &m.Retry
	case model.MetricArchived:
		return &m.Archived
	case model.MetricCompleted:
		return &m.Completed
	case model.MetricProcessedRate:
		return &m.ProcessedRate
	case model.MetricFailedRate:
		return &m.FailedRate
	case model.MetricFailureRatio:
		return &m.FailureRatio
	case model.MetricArchivedGrowth:
		return &m.ArchivedGrowth
	}
	return nil
}

// seconds is a number of seconds as a Duration.
func seconds(s float64) Duration {
	return Duration{time.Duration(math.Round(s * float64(time.Second)))}
}
