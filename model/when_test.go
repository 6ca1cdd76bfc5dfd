package model

import (
	"testing"
	"time"
)

func TestNextRun(t *testing.T) {
	const noServer = " (no live server to forward it)"
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		in   time.Duration // score - now
		live bool
		want string
	}{
		"in three minutes":     {3 * time.Minute, true, "in 3m"},
		"in under a minute":    {45 * time.Second, true, "in 45s"},
		"seconds dropped":      {3*time.Minute + 20*time.Second, true, "in 3m"},
		"in hours":             {2*time.Hour + 5*time.Minute + 59*time.Second, true, "in 2h5m"},
		"in days":              {76 * time.Hour, true, "in 3d4h"},
		"whole days":           {48 * time.Hour, true, "in 2d"},
		"overdue":              {-3 * time.Minute, true, "overdue 3m"},
		"overdue, rounded":     {-3*time.Minute + 300*time.Millisecond, true, "overdue 3m"},
		"in, rounded up":       {3*time.Minute - 300*time.Millisecond, true, "in 3m"},
		"due now":              {200 * time.Millisecond, true, "due now"},
		"overdue, no server":   {-3 * time.Minute, false, "overdue 3m" + noServer},
		"in future, no server": {time.Hour, false, "in 1h" + noServer},
		"overdue, fraction":    {-3*time.Minute - 700*time.Millisecond, false, "overdue 3m" + noServer},
		"long overdue":         {-50 * time.Hour, true, "overdue 2d2h"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := NextRun(now.Add(c.in), now, c.live); got != c.want {
				t.Errorf("NextRun = %q, want %q", got, c.want)
			}
		})
	}
}
