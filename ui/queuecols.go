package ui

import (
	"math"

	"github.com/asynqtop/asynqtop/model"
)

// queueColumns is the queue table's column set, in display order; the first column (the
// name) is always kept.
func queueColumns() []column {
	return []column{
		{title: "QUEUE", width: 12, prio: 0, cell: nameCell},
		{title: "STATE", width: 8, prio: 1, cell: stateCell},
		countColumn("PEND", 7, 1, model.MetricPending, func(q model.QueueStats) int64 {
			return q.Pending
		}),
		countColumn("ACT", 5, 5, model.MetricActive, func(q model.QueueStats) int64 {
			return q.Active
		}),
		countColumn("SCHED", 6, 5, model.MetricScheduled, func(q model.QueueStats) int64 {
			return q.Scheduled
		}),
		countColumn("RETRY", 6, 2, model.MetricRetry, func(q model.QueueStats) int64 {
			return q.Retry
		}),
		countColumn("ARCH", 6, 1, model.MetricArchived, func(q model.QueueStats) int64 {
			return q.Archived
		}),
		countColumn("DONE", 7, 7, model.MetricCompleted, func(q model.QueueStats) int64 {
			return q.Completed
		}),
		{title: "LAT", width: 6, right: true, prio: 2, cell: latencyCell},
		rateColumn("PROC/s", 2, model.MetricProcessedRate),
		sparkColumn("proc", 8, 6, model.MetricProcessedRate, false),
		rateColumn("FAIL/s", 2, model.MetricFailedRate),
		sparkColumn("fail", 8, 4, model.MetricFailedRate, true),
		sparkColumn("retry", 10, 8, model.MetricRetry, true),
		sparkColumn("arch", 10, 8, model.MetricArchived, true),
	}
}

func nameCell(r rowCtx) (string, model.Level) { return r.q.Name, model.LevelOK }

// stateCell names what is special about a queue: an error reading it, paused, or only
// configured on a live server and never used.
func stateCell(r rowCtx) (string, model.Level) {
	switch {
	case r.q.Err != "":
		return "ERROR", model.LevelCrit
	case r.q.Paused:
		return "paused", model.LevelOK
	case !r.q.Registered && r.q.InUse():
		return "unlisted", model.LevelOK
	case !r.q.Registered:
		return "unused", model.LevelOK
	}
	return "", model.LevelOK
}

func countColumn(title string, w, prio int, m model.Metric,
	get func(model.QueueStats) int64,
) column {
	return column{title: title, width: w, right: true, prio: prio,
		cell: func(r rowCtx) (string, model.Level) {
			if r.q.Err != "" {
				return "?", model.LevelOK
			}
			return count(get(r.q)), r.level(m)
		}}
}

func latencyCell(r rowCtx) (string, model.Level) {
	d, known := r.q.Latency(r.d.snap.Time)
	if !known || r.q.Err != "" {
		return "?", model.LevelOK
	}
	return latencyText(d), r.level(model.MetricLatency)
}

func rateColumn(title string, prio int, m model.Metric) column {
	return column{title: title, width: 7, right: true, prio: prio,
		cell: func(r rowCtx) (string, model.Level) {
			v, ok := r.latest(m)
			return rate(v, ok && !math.IsNaN(v)), r.level(m)
		}}
}

func sparkColumn(title string, w, prio int, m model.Metric, failure bool) column {
	return column{title: title, width: w, prio: prio,
		spark: func(r rowCtx, w int) string {
			st := r.st.Spark
			if failure {
				st = r.st.FailSpark
			}
			return spark(r.d.history.Series(r.q.Name, m), w, st)
		}}
}

// queueSort is one order of the queue table.
type queueSort struct {
	name string
	less func(d dash, a, b model.QueueStats) bool
}

// queueSorts are the orders `s` cycles through.
var queueSorts = []queueSort{
	{"name", func(_ dash, a, b model.QueueStats) bool { return a.Name < b.Name }},
	{"worst breach", func(d dash, a, b model.QueueStats) bool {
		return d.breaches.WorstLevel(a.Name) > d.breaches.WorstLevel(b.Name)
	}},
	{"pending", func(_ dash, a, b model.QueueStats) bool { return a.Pending > b.Pending }},
	{"latency", func(d dash, a, b model.QueueStats) bool {
		la, _ := a.Latency(d.snap.Time)
		lb, _ := b.Latency(d.snap.Time)
		return la > lb
	}},
	{"failed/s", func(d dash, a, b model.QueueStats) bool {
		fa, _ := d.history.Latest(a.Name, model.MetricFailedRate)
		fb, _ := d.history.Latest(b.Name, model.MetricFailedRate)
		return fa > fb
	}},
	{"archived", func(_ dash, a, b model.QueueStats) bool { return a.Archived > b.Archived }},
}
