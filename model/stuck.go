package model

import (
	"strings"
	"time"
)

// recoverGrace is how long after a lease expires asynq's recoverer may take to move the
// task: it skips leases expired less than 30 s ago and runs once a minute.
const recoverGrace = 90 * time.Second

// StuckReason explains why an active task will not finish by itself, or returns "" when
// it is not stuck. asynq's recoverer, which runs inside every server, moves an active
// task to retry (or archives it when out of retries) only once its lease has expired;
// so a task whose lease expired is stuck while no live server serves its queue, and a
// task with no lease entry at all is never recovered. A task with another problem
// (missing or inconsistent record) is explained by that problem instead.
func StuckReason(t Task, servers []Server, now time.Time) string {
	if t.State != Active || !t.Actionable() {
		return ""
	}
	if t.LeaseExpires.After(now) || (t.Leased && t.LeaseExpires.IsZero()) {
		return ""
	}
	live := liveServerFor(t.Queue, servers, now)
	switch {
	case t.LeaseExpires.IsZero() && !live:
		return "no lease and no live server: the worker died; asynq's recoverer only moves " +
			"tasks whose lease expired, so this one stays active until moved by hand"
	case t.LeaseExpires.IsZero():
		return "no lease: asynq's recoverer only moves tasks whose lease expired, so this " +
			"one stays active until moved by hand"
	case !live:
		return "lease expired " + compactDuration(now.Sub(t.LeaseExpires).Round(time.Second)) +
			" ago and no live server: the worker died; asynq's recoverer will move it to " +
			"retry when a server for its queue runs"
	case now.Sub(t.LeaseExpires) > recoverGrace:
		return "lease expired " + compactDuration(now.Sub(t.LeaseExpires).Round(time.Second)) +
			" ago and a live server has not recovered it: check that server's logs"
	}
	return ""
}

// liveServerFor reports whether a server whose heartbeat is current serves queue. A
// server that lists no queues is taken to serve all, since its record cannot say.
func liveServerFor(queue string, servers []Server, now time.Time) bool {
	for _, s := range servers {
		if s.Stale(now) || strings.EqualFold(s.Status, "closed") {
			continue
		}
		if _, ok := s.Queues[queue]; ok || len(s.Queues) == 0 {
			return true
		}
	}
	return false
}

// LiveServers reports whether any server's heartbeat is current at instant now.
func LiveServers(servers []Server, now time.Time) bool {
	for _, s := range servers {
		if !s.Stale(now) {
			return true
		}
	}
	return false
}
