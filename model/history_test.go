package model

import (
	"reflect"
	"testing"
	"time"
)

// snap is a snapshot read sec seconds after t0.
func snap(sec float64, queues ...QueueStats) Snapshot {
	return Snapshot{Time: at(sec), Queues: queues}
}

// counters is a queue named q with the given lifetime counters.
func counters(q string, processed, failed int64) QueueStats {
	return QueueStats{Name: q, Registered: true, ProcessedTotal: processed, FailedTotal: failed}
}

func TestHistoryObserve(t *testing.T) {
	waiting := QueueStats{Name: "q", Pending: 3, OldestPending: at(-30), LatencyKnown: true}
	unread := QueueStats{Name: "q", Pending: 3}
	failed := QueueStats{Name: "q", Err: "NOPERM", ProcessedTotal: 1 << 40}

	cases := map[string]struct {
		snaps  []Snapshot
		metric Metric
		want   []float64
	}{
		"counts": {
			snaps: []Snapshot{
				snap(0, QueueStats{Name: "q", Pending: 1, Retry: 4}),
				snap(1, QueueStats{Name: "q", Pending: 2, Retry: 5}),
			},
			metric: MetricPending,
			want:   []float64{1, 2},
		},
		"latency from Redis time": {
			snaps:  []Snapshot{snap(0, waiting), snap(10, waiting)},
			metric: MetricLatency,
			want:   []float64{30, 40},
		},
		"latency unknown is NaN": {
			snaps:  []Snapshot{snap(0, unread), snap(1, waiting)},
			metric: MetricLatency,
			want:   []float64{nan, 31},
		},
		"latency with nothing pending is 0": {
			snaps:  []Snapshot{snap(0, QueueStats{Name: "q"})},
			metric: MetricLatency,
			want:   []float64{0},
		},
		"processed rate from counter deltas": {
			snaps: []Snapshot{
				snap(0, counters("q", 100, 0)),
				snap(2, counters("q", 110, 0)),
				snap(2.5, counters("q", 111, 0)),
			},
			metric: MetricProcessedRate,
			want:   []float64{nan, 5, 2},
		},
		"counter reset is unknown, then resumes": {
			snaps: []Snapshot{
				snap(0, counters("q", 100, 50)),
				snap(1, counters("q", 3, 1)),
				snap(2, counters("q", 5, 2)),
			},
			metric: MetricFailedRate,
			want:   []float64{nan, nan, 1},
		},
		"failure ratio": {
			snaps: []Snapshot{
				snap(0, counters("q", 100, 10)),
				snap(1, counters("q", 120, 15)),
				snap(2, counters("q", 120, 15)),
			},
			metric: MetricFailureRatio,
			want:   []float64{nan, 0.25, 0},
		},
		"failure ratio after a reset": {
			snaps: []Snapshot{
				snap(0, counters("q", 100, 10)),
				snap(1, counters("q", 0, 0)),
			},
			metric: MetricFailureRatio,
			want:   []float64{nan, nan},
		},
		"archived growth never negative": {
			snaps: []Snapshot{
				snap(0, QueueStats{Name: "q", Archived: 10}),
				snap(30, QueueStats{Name: "q", Archived: 15}),
				snap(60, QueueStats{Name: "q", Archived: 0}),
			},
			metric: MetricArchivedGrowth,
			want:   []float64{nan, 10, 0},
		},
		"same snapshot twice is dropped": {
			snaps: []Snapshot{
				snap(0, counters("q", 0, 0)),
				snap(1, counters("q", 10, 0)),
				snap(1, counters("q", 10, 0)),
			},
			metric: MetricProcessedRate,
			want:   []float64{nan, 10},
		},
		"time going back is dropped": {
			snaps: []Snapshot{
				snap(5, counters("q", 0, 0)),
				snap(4, counters("q", 99, 0)),
				snap(6, counters("q", 2, 0)),
			},
			metric: MetricProcessedRate,
			want:   []float64{nan, 2},
		},
		"zero time is dropped": {
			snaps: []Snapshot{
				{Queues: []QueueStats{{Name: "q", Pending: 9}}},
				snap(0, QueueStats{Name: "q", Pending: 1}),
			},
			metric: MetricPending,
			want:   []float64{1},
		},
		"queue error skips its sample; rate spans the gap": {
			snaps: []Snapshot{
				snap(0, counters("q", 0, 0)),
				snap(1, failed),
				snap(4, counters("q", 8, 0)),
			},
			metric: MetricProcessedRate,
			want:   []float64{nan, 2},
		},
		"listed twice in one snapshot keeps the first": {
			snaps: []Snapshot{
				snap(0, QueueStats{Name: "q", Pending: 1}, QueueStats{Name: "q", Pending: 2}),
			},
			metric: MetricPending,
			want:   []float64{1},
		},
		"capacity keeps the newest": {
			snaps: []Snapshot{
				snap(0, QueueStats{Name: "q", Active: 1}),
				snap(1, QueueStats{Name: "q", Active: 2}),
				snap(2, QueueStats{Name: "q", Active: 3}),
				snap(3, QueueStats{Name: "q", Active: 4}),
			},
			metric: MetricActive,
			want:   []float64{2, 3, 4},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := NewHistory(3)
			for _, s := range tc.snaps {
				h.Observe(s)
			}
			if got := h.Series("q", tc.metric); !sameFloats(got, tc.want) {
				t.Errorf("Series(q, %v) = %v, want %v", tc.metric, got, tc.want)
			}
		})
	}
}

func TestHistorySeriesAligned(t *testing.T) {
	h := NewHistory(10)
	h.Observe(snap(0, counters("q", 0, 0)))
	h.Observe(snap(1, QueueStats{Name: "q", Pending: 1}))

	for _, m := range Metrics() {
		s := h.Samples("q", m)
		if len(s) != 2 || !s[0].Time.Equal(at(0)) || !s[1].Time.Equal(at(1)) {
			t.Errorf("Samples(q, %v) = %v, want two samples at t0 and t0+1s", m, s)
		}
	}
}

func TestHistoryForget(t *testing.T) {
	cases := map[string]struct {
		absentFor int
		back      bool // whether "gone" reappears before being checked
		want      []string
	}{
		"absent once is kept": {absentFor: 1, want: []string{"gone", "stays"}},
		"absent just under the limit": {
			absentFor: ForgetAfter - 1, want: []string{"gone", "stays"},
		},
		"absent for the limit is gone": {absentFor: ForgetAfter, want: []string{"stays"}},
		"coming back resets the counter": {
			absentFor: ForgetAfter - 1, back: true, want: []string{"gone", "stays"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := NewHistory(5)
			h.Observe(snap(0, QueueStats{Name: "gone"}, QueueStats{Name: "stays"}))
			sec := 1.0
			for range tc.absentFor {
				h.Observe(snap(sec, QueueStats{Name: "stays"}))
				sec++
			}
			if tc.back {
				h.Observe(snap(sec, QueueStats{Name: "gone"}, QueueStats{Name: "stays"}))
				sec++
				for range ForgetAfter - 1 {
					h.Observe(snap(sec, QueueStats{Name: "stays"}))
					sec++
				}
			}

			if got := h.Queues(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Queues = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHistoryErrorQueueIsPresent(t *testing.T) {
	h := NewHistory(5)
	h.Observe(snap(0, QueueStats{Name: "q", Pending: 4}))
	for i := range ForgetAfter + 1 {
		h.Observe(snap(float64(i+1), QueueStats{Name: "q", Err: "timeout"}))
	}

	if got, ok := h.Latest("q", MetricPending); !ok || got != 4 {
		t.Errorf("Latest(q, pending) = %v, %v; want the last good value 4", got, ok)
	}
}

func TestHistoryLatest(t *testing.T) {
	h := NewHistory(5)
	h.Observe(snap(0, QueueStats{Name: "q", Pending: 4}))

	cases := map[string]struct {
		queue  string
		metric Metric
		want   float64
		wantOK bool
	}{
		"known":          {"q", MetricPending, 4, true},
		"unknown rate":   {"q", MetricProcessedRate, 0, false},
		"unknown queue":  {"other", MetricPending, 0, false},
		"unknown metric": {"q", Metric(99), 0, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := h.Latest(tc.queue, tc.metric)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Latest = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
	if h.Series("other", MetricPending) != nil || h.Samples("q", Metric(-1)) != nil {
		t.Error("Series or Samples of an unknown queue or metric is not nil")
	}
	if !h.Time().Equal(at(0)) || h.Capacity() != 5 {
		t.Errorf("Time = %v, Capacity = %d", h.Time(), h.Capacity())
	}
}

func TestMetricNames(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Metrics() {
		name := m.String()
		if name == "" || seen[name] {
			t.Errorf("metric %d has an empty or duplicate name %q", m, name)
		}
		seen[name] = true
		if back, ok := ParseMetric(name); !ok || back != m {
			t.Errorf("ParseMetric(%q) = %v, %v; want %v", name, back, ok, m)
		}
	}
	if len(seen) != 11 {
		t.Errorf("%d metrics, want 11", len(seen))
	}
	if _, ok := ParseMetric("Pending"); ok {
		t.Error("ParseMetric is case-insensitive; config keys are exact")
	}
	units := map[Metric]string{MetricPending: "", MetricLatency: "s", MetricFailedRate: "/s",
		MetricArchivedGrowth: "/min", MetricFailureRatio: "", Metric(42): ""}
	for m, want := range units {
		if got := m.Unit(); got != want {
			t.Errorf("%v.Unit() = %q, want %q", m, got, want)
		}
	}
	if got := Metric(42).String(); got != "metric(?)" {
		t.Errorf("Metric(42).String() = %q", got)
	}
}

// TestHistoryTimeIsRedisTime guards that rates divide by the snapshots' own clock.
func TestHistoryTimeIsRedisTime(t *testing.T) {
	h := NewHistory(5)
	h.Observe(Snapshot{Time: at(0), Took: time.Hour, Queues: []QueueStats{counters("q", 0, 0)}})
	h.Observe(Snapshot{Time: at(10), Took: time.Hour, Queues: []QueueStats{counters("q", 50, 0)}})
	if got, _ := h.Latest("q", MetricProcessedRate); got != 5 {
		t.Errorf("processed rate = %v, want 5", got)
	}
}
