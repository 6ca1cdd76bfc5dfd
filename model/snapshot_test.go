package model

import "testing"

func TestQueueStatsInUse(t *testing.T) {
	cases := map[string]struct {
		q    QueueStats
		want bool
	}{
		"configured, never used": {QueueStats{Name: "q"}, false},
		"listed and empty":       {QueueStats{Name: "q", Registered: true}, false},
		"pending":                {QueueStats{Pending: 1}, true},
		"active":                 {QueueStats{Active: 1}, true},
		"scheduled":              {QueueStats{Scheduled: 1}, true},
		"retry":                  {QueueStats{Retry: 1}, true},
		"archived":               {QueueStats{Archived: 1}, true},
		"completed":              {QueueStats{Completed: 1}, true},
		"aggregating":            {QueueStats{Aggregating: 1}, true},
		"groups":                 {QueueStats{Groups: 1}, true},
		"processed total":        {QueueStats{ProcessedTotal: 1}, true},
		"failed total":           {QueueStats{FailedTotal: 1}, true},
		"processed today":        {QueueStats{ProcessedToday: 1}, true},
		"failed today":           {QueueStats{FailedToday: 1}, true},
		"paused":                 {QueueStats{Paused: true}, true},
		"unreadable":             {QueueStats{Err: "WRONGTYPE"}, true},
	}
	for name, c := range cases {
		if got := c.q.InUse(); got != c.want {
			t.Errorf("%s: InUse() = %v, want %v", name, got, c.want)
		}
	}
}
