package model

import (
	"math"
	"sort"
	"time"
)

// Metric names one series recorded per queue.
type Metric int

// The metrics History records for every queue. Counts are task counts at the sample
// instant; rates and ratios cover the interval since the queue's previous sample.
const (
	MetricPending Metric = iota
	MetricActive
	MetricScheduled
	MetricRetry
	MetricArchived
	MetricCompleted
	// MetricLatency is how long the oldest pending task has waited, in seconds.
	MetricLatency
	// MetricProcessedRate is tasks processed (succeeded or failed) per second.
	MetricProcessedRate
	// MetricFailedRate is tasks failed per second.
	MetricFailedRate
	// MetricFailureRatio is failed over processed in the interval, 0..1; 0 when nothing
	// was processed.
	MetricFailureRatio
	// MetricArchivedGrowth is archived tasks added per minute, never negative.
	MetricArchivedGrowth

	metricCount // number of metrics; keep last
)

// metricNames are the names config files use, so they stay stable and snake_case.
var metricNames = [metricCount]string{
	MetricPending:        "pending",
	MetricActive:         "active",
	MetricScheduled:      "scheduled",
	MetricRetry:          "retry",
	MetricArchived:       "archived",
	MetricCompleted:      "completed",
	MetricLatency:        "latency",
	MetricProcessedRate:  "processed_rate",
	MetricFailedRate:     "failed_rate",
	MetricFailureRatio:   "failure_ratio",
	MetricArchivedGrowth: "archived_growth",
}

var metricUnits = [metricCount]string{
	MetricLatency:        "s",
	MetricProcessedRate:  "/s",
	MetricFailedRate:     "/s",
	MetricArchivedGrowth: "/min",
}

// String is the metric's name as config files spell it, e.g. "failure_ratio".
func (m Metric) String() string {
	if m < 0 || m >= metricCount {
		return "metric(?)"
	}
	return metricNames[m]
}

// Unit is the metric's unit suffix: "s", "/s", "/min", or "" for counts and the ratio.
func (m Metric) Unit() string {
	if m < 0 || m >= metricCount {
		return ""
	}
	return metricUnits[m]
}

// Metrics lists every metric in declaration order.
func Metrics() []Metric {
	out := make([]Metric, metricCount)
	for i := range out {
		out[i] = Metric(i)
	}
	return out
}

// ParseMetric returns the metric whose String is name.
func ParseMetric(name string) (Metric, bool) {
	for m, n := range metricNames {
		if n == name {
			return Metric(m), true
		}
	}
	return 0, false
}

// ForgetAfter is how many consecutive snapshots a queue may be absent from before History
// drops its series; a blip in asynq:queues should not wipe a chart.
const ForgetAfter = 3

// History keeps a Ring per queue and metric, fed one Snapshot at a time.
//
// Every recorded queue sample pushes one value to each of the queue's metrics, so all of a
// queue's series have the same length and sample times. A value that is unknown at that
// instant is NaN: latency when the oldest pending task could not be read, and the rates,
// ratio and growth on a queue's first sample and on the step where a lifetime counter
// dropped (a reset), since a negative or invented rate would be worse than a gap.
//
// History is not safe for concurrent use; the UI owns it from its update loop.
type History struct {
	capacity int
	last     time.Time
	queues   map[string]*queueHistory
}

// queueHistory is one queue's series and the counters of its previous sample.
type queueHistory struct {
	series   [metricCount]*Ring
	prev     QueueStats
	prevTime time.Time
	absent   int // consecutive snapshots without this queue
}

// NewHistory returns an empty history whose series hold capacity samples each (at least
// 1; see RingCapacity).
func NewHistory(capacity int) *History {
	if capacity < 1 {
		capacity = 1
	}
	return &History{capacity: capacity, queues: map[string]*queueHistory{}}
}

// Observe records one snapshot. A snapshot whose Time is zero or does not advance past the
// last one observed is dropped, so observing the same refresh twice changes nothing. A
// queue with Err set records no sample but keeps its series; a queue absent from
// ForgetAfter consecutive snapshots is forgotten.
func (h *History) Observe(s Snapshot) {
	if s.Time.IsZero() || !s.Time.After(h.last) {
		return
	}
	h.last = s.Time

	seen := make(map[string]bool, len(s.Queues))
	for _, q := range s.Queues {
		seen[q.Name] = true
		qh := h.queue(q.Name)
		qh.absent = 0
		if q.Err == "" {
			qh.record(s.Time, q)
		}
	}

	for name, qh := range h.queues {
		if seen[name] {
			continue
		}
		qh.absent++
		if qh.absent >= ForgetAfter {
			delete(h.queues, name)
		}
	}
}

// Time is the Redis time of the last snapshot observed; zero before the first.
func (h *History) Time() time.Time { return h.last }

// Capacity is how many samples each series holds.
func (h *History) Capacity() int { return h.capacity }

// Queues lists the names of the queues with series, sorted.
func (h *History) Queues() []string {
	names := make([]string, 0, len(h.queues))
	for name := range h.queues {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Series returns a copy of the queue's values of metric m, oldest first, NaN where
// unknown; nil for an unknown queue or metric.
func (h *History) Series(queue string, m Metric) []float64 {
	r := h.ring(queue, m)
	if r == nil {
		return nil
	}
	return r.Values()
}

// Samples is Series with the Redis time of each value.
func (h *History) Samples(queue string, m Metric) []Sample {
	r := h.ring(queue, m)
	if r == nil {
		return nil
	}
	return r.Samples()
}

// Latest returns the newest value of the queue's metric m, and false when there is none
// or it is unknown (NaN).
func (h *History) Latest(queue string, m Metric) (float64, bool) {
	r := h.ring(queue, m)
	if r == nil {
		return 0, false
	}
	s, ok := r.Last()
	if !ok || math.IsNaN(s.Value) {
		return 0, false
	}
	return s.Value, true
}

// ring returns the queue's ring for metric m, or nil.
func (h *History) ring(queue string, m Metric) *Ring {
	qh, ok := h.queues[queue]
	if !ok || m < 0 || m >= metricCount {
		return nil
	}
	return qh.series[m]
}

// queue returns the queue's history, creating it.
func (h *History) queue(name string) *queueHistory {
	qh, ok := h.queues[name]
	if !ok {
		qh = &queueHistory{}
		for m := range qh.series {
			qh.series[m] = NewRing(h.capacity)
		}
		h.queues[name] = qh
	}
	return qh
}

// record pushes one sample of every metric for q read at instant t.
func (qh *queueHistory) record(t time.Time, q QueueStats) {
	if !qh.prevTime.IsZero() && !t.After(qh.prevTime) {
		// The same queue listed twice in one snapshot: keep the first.
		return
	}

	v := qh.values(t, q)
	for m, r := range qh.series {
		r.Push(t, v[m])
	}
	qh.prev, qh.prevTime = q, t
}

// values computes every metric for q at instant t from the previous sample.
func (qh *queueHistory) values(t time.Time, q QueueStats) [metricCount]float64 {
	var v [metricCount]float64
	v[MetricPending] = float64(q.Pending)
	v[MetricActive] = float64(q.Active)
	v[MetricScheduled] = float64(q.Scheduled)
	v[MetricRetry] = float64(q.Retry)
	v[MetricArchived] = float64(q.Archived)
	v[MetricCompleted] = float64(q.Completed)
	v[MetricLatency] = known(latencySeconds(t, q))

	v[MetricProcessedRate] = math.NaN()
	v[MetricFailedRate] = math.NaN()
	v[MetricFailureRatio] = math.NaN()
	v[MetricArchivedGrowth] = math.NaN()
	if qh.prevTime.IsZero() {
		return v
	}
	p, dt := qh.prev, t.Sub(qh.prevTime)
	v[MetricProcessedRate] = known(Rate(p.ProcessedTotal, q.ProcessedTotal, dt))
	v[MetricFailedRate] = known(Rate(p.FailedTotal, q.FailedTotal, dt))
	v[MetricFailureRatio] = known(failureRatio(
		p.ProcessedTotal, q.ProcessedTotal, p.FailedTotal, q.FailedTotal))
	v[MetricArchivedGrowth] = known(growthPerMinute(p.Archived, q.Archived, dt))
	return v
}

// latencySeconds is q's latency at t in seconds, and whether it is known.
func latencySeconds(t time.Time, q QueueStats) (float64, bool) {
	d, ok := q.Latency(t)
	return d.Seconds(), ok
}

// known turns an unknown value into NaN.
func known(v float64, ok bool) float64 {
	if !ok {
		return math.NaN()
	}
	return v
}
