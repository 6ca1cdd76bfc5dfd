package model

import (
	"strings"
	"testing"
	"time"
)

func TestStuckReason(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	live := Server{Queues: map[string]int{"q": 1}, Expires: now.Add(10 * time.Second)}
	stale := Server{Queues: map[string]int{"q": 1}, Expires: now.Add(-time.Minute)}
	other := Server{Queues: map[string]int{"other": 1}, Expires: now.Add(10 * time.Second)}
	active := Task{ID: "a", Queue: "q", State: Active, HashState: "active"}
	leased := active
	leased.Leased, leased.LeaseExpires = true, now.Add(20*time.Second)
	expired := active
	expired.LeaseExpires = now.Add(-5 * time.Minute)
	recent := active
	recent.LeaseExpires = now.Add(-10 * time.Second)
	broken := active
	broken.Problem = ProblemInconsistent
	pending := active
	pending.State = Pending

	cases := map[string]struct {
		task    Task
		servers []Server
		want    string // prefix; "" means not stuck
	}{
		"leased":                          {leased, nil, ""},
		"no lease, no server":             {active, nil, "no lease and no live server: the"},
		"no lease, only stale server":     {active, []Server{stale}, "no lease and no live server"},
		"no lease, server of other queue": {active, []Server{other}, "no lease and no live server"},
		"no lease, live server":           {active, []Server{live}, "no lease: asynq's recoverer"},
		"expired, no server":              {expired, nil, "lease expired 5m ago and no live"},
		"expired recently, live server":   {recent, []Server{live}, ""},
		"expired long ago, live server":   {expired, []Server{live}, "lease expired 5m ago and a"},
		"inconsistent record":             {broken, nil, ""},
		"not active":                      {pending, nil, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := StuckReason(c.task, c.servers, now)
			if c.want == "" && got != "" || !strings.HasPrefix(got, c.want) {
				t.Errorf("StuckReason = %q, want prefix %q", got, c.want)
			}
		})
	}
}

func TestLiveServers(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		servers []Server
		want    bool
	}{
		"none":  {nil, false},
		"stale": {[]Server{{Expires: now.Add(-time.Second)}}, false},
		"live": {
			[]Server{{Expires: now.Add(-time.Second)}, {Expires: now.Add(time.Second)}}, true,
		},
	}
	for name, c := range cases {
		if got := LiveServers(c.servers, now); got != c.want {
			t.Errorf("%s: LiveServers = %v, want %v", name, got, c.want)
		}
	}
}
