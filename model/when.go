package model

import (
	"strconv"
	"time"
)

// NextRun says when a scheduled or retry task whose score is score runs, seen at instant
// now: "in 3m", "overdue 3m" once its time has passed (never "in -3m"), or "due now"
// within the second. When liveServers is false it adds "(no live server to forward it)":
// only a running asynq server's forwarder moves due tasks to pending.
func NextRun(score, now time.Time, liveServers bool) string {
	d := score.Sub(now).Round(time.Second)
	var s string
	switch {
	case d > 0:
		s = "in " + compactDuration(d)
	case d < 0:
		s = "overdue " + compactDuration(-d)
	default:
		s = "due now"
	}
	if !liveServers {
		s += " (no live server to forward it)"
	}
	return s
}

// compactDuration writes a non-negative duration for a glance: seconds under a minute,
// whole minutes under an hour, then the two largest units with the second left out when
// zero: "45s", "3m", "2h5m", "3d4h". Smaller units are dropped, not rounded, so a figure
// never claims more time than has passed; scores are whole seconds, so seconds beside
// minutes would only show the clock's jitter.
func compactDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d < day:
		return twoUnits(d, time.Hour, "h", time.Minute, "m")
	}
	return twoUnits(d, day, "d", time.Hour, "h")
}

// twoUnits writes d in whole units of big, then of small when the rest has any.
func twoUnits(d, big time.Duration, bigName string, small time.Duration, smallName string) string {
	s := strconv.FormatInt(int64(d/big), 10) + bigName
	if rest := (d % big) / small; rest > 0 {
		s += strconv.FormatInt(int64(rest), 10) + smallName
	}
	return s
}
