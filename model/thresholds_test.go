package model

import (
	"reflect"
	"testing"
	"time"
)

func TestThresholdLevel(t *testing.T) {
	cases := map[string]struct {
		th   Threshold
		v    float64
		want Level
	}{
		"below warn":      {Threshold{Warn: 10, Crit: 20}, 9, LevelOK},
		"at warn":         {Threshold{Warn: 10, Crit: 20}, 10, LevelWarn},
		"between":         {Threshold{Warn: 10, Crit: 20}, 19.9, LevelWarn},
		"at crit":         {Threshold{Warn: 10, Crit: 20}, 20, LevelCrit},
		"NaN value":       {Threshold{Warn: 10, Crit: 20}, nan, LevelOK},
		"warn unset":      {Threshold{Crit: 20}, 15, LevelOK},
		"warn NaN":        {Threshold{Warn: nan, Crit: 20}, 25, LevelCrit},
		"crit unset":      {Threshold{Warn: 10}, 1e9, LevelWarn},
		"both unset":      {Threshold{}, 1e9, LevelOK},
		"zero value":      {Threshold{Warn: 10, Crit: 20}, 0, LevelOK},
		"crit below warn": {Threshold{Warn: 20, Crit: 10}, 15, LevelCrit},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.th.Level(tc.v); got != tc.want {
				t.Errorf("%+v.Level(%v) = %v, want %v", tc.th, tc.v, got, tc.want)
			}
		})
	}
}

func TestThresholdLimit(t *testing.T) {
	th := Threshold{Warn: 1, Crit: 2}
	got := []float64{th.Limit(LevelOK), th.Limit(LevelWarn), th.Limit(LevelCrit)}
	if !reflect.DeepEqual(got, []float64{0, 1, 2}) {
		t.Errorf("limits = %v", got)
	}
}

func TestLevelString(t *testing.T) {
	got := []string{LevelOK.String(), LevelWarn.String(), LevelCrit.String(), Level(7).String()}
	if !reflect.DeepEqual(got, []string{"ok", "warn", "crit", "level(?)"}) {
		t.Errorf("level names = %v", got)
	}
}

func TestRulesResolve(t *testing.T) {
	pending := func(warn, crit float64) Threshold {
		return Threshold{Metric: MetricPending, Warn: warn, Crit: crit}
	}
	rules := Rules{
		{Pattern: "*", Thresholds: []Threshold{
			pending(1000, 10000), {Metric: MetricRetry, Warn: 100, Crit: 1000},
		}},
		{Pattern: "critical*", Thresholds: []Threshold{pending(100, 1000)}},
		{Pattern: "critical-payments", Thresholds: []Threshold{pending(10, 0)}},
		{Pattern: "[", Thresholds: []Threshold{pending(1, 1)}},
	}
	retry := Threshold{Metric: MetricRetry, Warn: 100, Crit: 1000}

	cases := map[string]struct {
		queue string
		want  map[Metric]Threshold
	}{
		"default only": {"default", map[Metric]Threshold{
			MetricPending: pending(1000, 10000), MetricRetry: retry,
		}},
		"glob overrides one metric": {"critical", map[Metric]Threshold{
			MetricPending: pending(100, 1000), MetricRetry: retry,
		}},
		"last match wins": {"critical-payments", map[Metric]Threshold{
			MetricPending: pending(10, 0), MetricRetry: retry,
		}},
		"star matches a slash": {"team/a", map[Metric]Threshold{
			MetricPending: pending(1000, 10000), MetricRetry: retry,
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := rules.Resolve(tc.queue); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Resolve(%q) = %v, want %v", tc.queue, got, tc.want)
			}
		})
	}
}

func TestDefaultRules(t *testing.T) {
	got := DefaultRules().Resolve("anything")
	want := map[Metric][2]float64{
		MetricPending:        {1000, 10000},
		MetricLatency:        {60, 300},
		MetricFailedRate:     {1, 10},
		MetricFailureRatio:   {0.05, 0.25},
		MetricRetry:          {100, 1000},
		MetricArchived:       {100, 1000},
		MetricArchivedGrowth: {10, 100},
	}
	if len(got) != len(want) {
		t.Errorf("DefaultRules resolve to %d metrics, want %d", len(got), len(want))
	}
	for m, w := range want {
		if th := got[m]; th.Metric != m || th.Warn != w[0] || th.Crit != w[1] {
			t.Errorf("default %v = %+v, want warn %v crit %v", m, th, w[0], w[1])
		}
	}
	if err := DefaultRules().Validate(); err != nil {
		t.Errorf("DefaultRules().Validate() = %v", err)
	}
}

func TestRulesValidate(t *testing.T) {
	cases := map[string]struct {
		pattern string
		wantErr bool
	}{
		"star":          {"*", false},
		"empty":         {"", false},
		"class":         {"q[0-9]", false},
		"open class":    {"q[", true},
		"trailing back": {`q\`, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := Rules{{Pattern: "*"}, {Pattern: tc.pattern}}.Validate()
			if (err != nil) != tc.wantErr {
				t.Errorf("Validate(%q) = %v, want error %v", tc.pattern, err, tc.wantErr)
			}
		})
	}
}

// step is one snapshot fed to History then Breaches.
type step struct {
	sec   float64
	queue []QueueStats
	want  []Breach
}

func TestBreachesEvaluate(t *testing.T) {
	rules := Rules{{Pattern: "*", Thresholds: []Threshold{
		{Metric: MetricPending, Warn: 10, Crit: 100},
		{Metric: MetricLatency, Warn: 60, Crit: 300},
	}}}
	pending := func(n int64) []QueueStats { return []QueueStats{{Name: "q", Pending: n}} }
	breach := func(l Level, v, limit, since float64) Breach {
		return Breach{"q", MetricPending, l, v, limit, at(since)}
	}

	cases := map[string][]step{
		"warn then crit keeps since": {
			{0, pending(5), nil},
			{1, pending(10), []Breach{breach(LevelWarn, 10, 10, 1)}},
			{2, pending(150), []Breach{breach(LevelCrit, 150, 100, 1)}},
			{3, pending(50), []Breach{breach(LevelWarn, 50, 10, 1)}},
		},
		"back to ok clears; a new breach starts again": {
			{0, pending(20), []Breach{breach(LevelWarn, 20, 10, 0)}},
			{1, pending(0), nil},
			{2, pending(20), []Breach{breach(LevelWarn, 20, 10, 2)}},
		},
		"unknown value keeps the breach": {
			{0, []QueueStats{{Name: "q", Pending: 1, OldestPending: at(-100), LatencyKnown: true}},
				[]Breach{{"q", MetricLatency, LevelWarn, 100, 60, at(0)}}},
			{1, []QueueStats{{Name: "q", Pending: 1}},
				[]Breach{{"q", MetricLatency, LevelWarn, 100, 60, at(0)}}},
		},
		"queue error keeps the breach": {
			{0, pending(20), []Breach{breach(LevelWarn, 20, 10, 0)}},
			{1, []QueueStats{{Name: "q", Err: "boom"}}, []Breach{breach(LevelWarn, 20, 10, 0)}},
		},
		"forgotten queue clears": {
			{0, pending(20), []Breach{breach(LevelWarn, 20, 10, 0)}},
			{1, nil, []Breach{breach(LevelWarn, 20, 10, 0)}},
			{2, nil, []Breach{breach(LevelWarn, 20, 10, 0)}},
			{3, nil, nil},
		},
	}
	for name, steps := range cases {
		t.Run(name, func(t *testing.T) {
			h, b := NewHistory(10), &Breaches{}
			for i, s := range steps {
				h.Observe(snap(s.sec, s.queue...))
				got := b.Evaluate(at(s.sec), h, rules)
				if len(got) == 0 && len(s.want) == 0 {
					continue
				}
				if !reflect.DeepEqual(got, s.want) {
					t.Errorf("step %d: Evaluate = %+v, want %+v", i, got, s.want)
				}
			}
		})
	}
}

func TestBreachesThresholdRemovedClears(t *testing.T) {
	h, b := NewHistory(10), &Breaches{}
	h.Observe(snap(0, QueueStats{Name: "q", Pending: 50}))
	b.Evaluate(at(0), h, Rules{{Thresholds: []Threshold{{Metric: MetricPending, Warn: 1}}}})

	if got := b.Evaluate(at(0), h, nil); len(got) != 0 {
		t.Errorf("Evaluate with no rules = %v, want none", got)
	}
}

func TestBreachesOrderAndLevels(t *testing.T) {
	rules := Rules{{Pattern: "*", Thresholds: []Threshold{
		{Metric: MetricPending, Warn: 10, Crit: 100},
		{Metric: MetricRetry, Warn: 10, Crit: 100},
	}}}
	h, b := NewHistory(10), &Breaches{}
	h.Observe(snap(0, QueueStats{Name: "b", Retry: 20}))
	b.Evaluate(at(0), h, rules)
	h.Observe(snap(1,
		QueueStats{Name: "a", Pending: 20, Retry: 200},
		QueueStats{Name: "b", Pending: 500, Retry: 20},
		QueueStats{Name: "c", Pending: 20},
		QueueStats{Name: "ok"},
	))
	got := b.Evaluate(at(1), h, rules)

	type key struct {
		queue string
		m     Metric
		l     Level
		since time.Time
	}
	var keys []key
	for _, br := range got {
		keys = append(keys, key{br.Queue, br.Metric, br.Level, br.Since})
	}
	want := []key{
		{"a", MetricRetry, LevelCrit, at(1)},
		{"b", MetricPending, LevelCrit, at(1)},
		{"b", MetricRetry, LevelWarn, at(0)},
		{"a", MetricPending, LevelWarn, at(1)},
		{"c", MetricPending, LevelWarn, at(1)},
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("Active order = %v, want %v", keys, want)
	}
	if !reflect.DeepEqual(b.Active(), got) {
		t.Error("Active differs from what Evaluate returned")
	}

	levels := map[string]struct {
		queue       string
		metric      Metric
		level, wrst Level
	}{
		"crit queue":    {"a", MetricPending, LevelWarn, LevelCrit},
		"warn queue":    {"c", MetricPending, LevelWarn, LevelWarn},
		"ok queue":      {"ok", MetricPending, LevelOK, LevelOK},
		"unknown queue": {"zzz", MetricRetry, LevelOK, LevelOK},
	}
	for name, tc := range levels {
		t.Run(name, func(t *testing.T) {
			if got := b.Level(tc.queue, tc.metric); got != tc.level {
				t.Errorf("Level(%s, %v) = %v, want %v", tc.queue, tc.metric, got, tc.level)
			}
			if got := b.WorstLevel(tc.queue); got != tc.wrst {
				t.Errorf("WorstLevel(%s) = %v, want %v", tc.queue, got, tc.wrst)
			}
		})
	}
}
