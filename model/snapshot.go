// Package model holds asynqtop's domain data and the pure functions over it: queue
// snapshots, time series, rates and thresholds. It knows nothing of Bubble Tea or Redis;
// source/ fills these types and ui/ renders them.
package model

import "time"

// Snapshot is one refresh of every queue, read at one instant of the Redis clock.
type Snapshot struct {
	// Time is Redis's own TIME when the refresh was read; relative times use it.
	Time time.Time
	// Queues holds one entry per name in asynq:queues, plus queues configured on live
	// servers that are missing from it (see QueueStats.InUse), sorted by name.
	Queues []QueueStats
	// RoundTrips is how many network round trips the refresh took.
	RoundTrips int
	// Took is the wall time the refresh took.
	Took time.Duration
}

// QueueStats is what one refresh read about one queue. Counts come from the sizes of
// asynq's per-state keys, so a dangling ID (listed in a state but without a task hash)
// is counted like any other.
type QueueStats struct {
	Name string

	Paused bool
	// PausedSince is when the queue was paused; zero when unknown or not paused.
	PausedSince time.Time

	Pending     int64
	Active      int64
	Scheduled   int64
	Retry       int64
	Archived    int64
	Completed   int64
	Aggregating int64
	// Groups is the number of aggregation groups; AggregatingKnown is false when the
	// count was not computed (too many groups for a refresh).
	Groups           int64
	AggregatingKnown bool

	// ProcessedTotal and FailedTotal are asynq's lifetime counters.
	ProcessedTotal int64
	FailedTotal    int64
	// ProcessedToday and FailedToday are asynq's counters for the current UTC day.
	ProcessedToday int64
	FailedToday    int64

	// OldestPending is the enqueue time of the oldest pending task; zero when there is
	// no pending task or its time is unknown (see LatencyKnown).
	OldestPending time.Time
	// LatencyKnown reports whether OldestPending could be read.
	LatencyKnown bool

	// Registered is true when the queue is listed in asynq:queues. A queue the refresh
	// found only in live servers' configuration is not; whether it is used anyway (its
	// keys survived a Redis restart that emptied the set, for instance) is InUse.
	Registered bool
	// Err is set when this queue's figures could not be read; other queues are fine.
	Err string
}

// InUse reports whether the queue holds anything in Redis: a task in any state, a
// group, a lifetime or daily counter, or a paused flag. It tells apart, for a queue that
// is not Registered, one that is in use but unlisted (asynq's client adds a queue to
// asynq:queues once per process, so after a Redis restart that lost the set, producers
// and workers carry on with the queue unlisted) from one a live server is configured for
// that was never used. A queue whose figures could not be read (Err) is in use: its
// keys exist, or at least cannot be shown not to.
//
// The three cases, for the UI:
//
//	Registered             listed in asynq:queues
//	!Registered && InUse   unlisted but in use (e.g. after a Redis restart)
//	!Registered && !InUse  configured on a live server, never used
//
// A queue that is neither listed nor configured on a live server is not in a Snapshot
// at all, even with tasks (see source.Refresh).
func (q QueueStats) InUse() bool {
	return q.Err != "" || q.Paused || q.Size() > 0 || q.Groups > 0 ||
		q.ProcessedTotal > 0 || q.FailedTotal > 0 ||
		q.ProcessedToday > 0 || q.FailedToday > 0
}

// Size is the number of tasks the queue holds in every state.
func (q QueueStats) Size() int64 {
	return q.Pending + q.Active + q.Scheduled + q.Retry + q.Archived + q.Completed + q.Aggregating
}

// Latency is how long the oldest pending task has waited at instant now, and whether
// that is known. A queue with no pending task has zero latency, known.
func (q QueueStats) Latency(now time.Time) (time.Duration, bool) {
	if q.Pending == 0 {
		return 0, true
	}
	if !q.LatencyKnown || q.OldestPending.IsZero() {
		return 0, false
	}
	d := now.Sub(q.OldestPending)
	if d < 0 {
		d = 0
	}
	return d, true
}

// DailyStat is one UTC day of asynq's daily processed and failed counters.
type DailyStat struct {
	// Day is midnight UTC of the day.
	Day       time.Time
	Processed int64
	Failed    int64
}

// Server is one asynq worker server as its heartbeat record describes it.
type Server struct {
	Host        string
	PID         int
	ID          string
	Concurrency int
	// Queues maps queue name to priority.
	Queues         map[string]int
	StrictPriority bool
	Status         string
	Started        time.Time
	ActiveWorkers  int
	// Expires is when the heartbeat record lapses; a server past it is stale.
	Expires time.Time
}

// Stale reports whether the server's heartbeat has lapsed at instant now.
func (s Server) Stale(now time.Time) bool { return !s.Expires.IsZero() && now.After(s.Expires) }

// Worker is one task being processed, as a server's heartbeat lists it.
type Worker struct {
	Host     string
	PID      int
	ServerID string
	TaskID   string
	TaskType string
	Queue    string
	Started  time.Time
	Deadline time.Time
}

// SchedulerEntry is one periodic task registered by an asynq Scheduler.
type SchedulerEntry struct {
	SchedulerID string
	ID          string
	Spec        string
	TaskType    string
	Options     []string
	Next, Prev  time.Time
	// LastTaskID is the ID of the task the entry last enqueued, from its history; empty
	// when unknown.
	LastTaskID string
}
