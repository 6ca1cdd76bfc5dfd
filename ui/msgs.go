package ui

import (
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/actions"
)

// tickMsg asks for the next refresh; gen drops ticks made stale by a manual refresh.
type tickMsg struct{ gen int }

// snapshotMsg carries one refresh: the data, the error, and when it was read.
type snapshotMsg struct {
	gen  int
	snap model.Snapshot
	err  error
	at   time.Time
}

// serversTickMsg asks for the next read of the servers' heartbeats.
type serversTickMsg struct{}

// serversMsg carries one read of the servers.
type serversMsg struct {
	servers []model.Server
	err     error
	at      time.Time
}

// dailyMsg carries one queue's daily counters.
type dailyMsg struct {
	queue string
	days  []model.DailyStat
	err   error
	at    time.Time
}

// memoryMsg carries one estimate of a queue's memory; gen drops an estimate asked for
// before the overview was last opened.
type memoryMsg struct {
	queue string
	gen   int
	mem   model.Memory
	err   error
	at    time.Time
}

// memoryTickMsg asks for the next memory estimate of the queue whose overview is open.
type memoryTickMsg struct {
	queue string
	gen   int
}

// tasksMsg carries one page of a state's tasks.
type tasksMsg struct {
	gen   int
	query source.TaskQuery
	page  model.TaskPage
	err   error
	at    time.Time
}

// groupsMsg carries a queue's aggregation groups.
type groupsMsg struct {
	queue    string
	groups   []source.GroupSize
	complete bool
	err      error
	at       time.Time
}

// taskMsg carries one task read in full.
type taskMsg struct {
	queue, id string
	task      model.Task
	err       error
	at        time.Time
}

// previewMsg carries what an action would do, for the confirmation dialog.
type previewMsg struct {
	op     actions.Op
	impact actions.Impact
	err    error
	at     time.Time
}

// progressMsg reports a bulk action's progress; next waits for the following report.
type progressMsg struct {
	done, total int
	next        func() any
}

// actionMsg carries an action's outcome.
type actionMsg struct {
	op     actions.Op
	result actions.Result
	err    error
	at     time.Time
}

// workersMsg carries the workers' and schedulers' state for the servers view.
type workersMsg struct {
	workers    []model.Worker
	schedulers []model.SchedulerEntry
	err        error
	at         time.Time
}

// typesMsg carries a count of tasks by type.
type typesMsg struct {
	queue  string
	state  model.State
	result source.TypeCountResult
	err    error
	at     time.Time
}

// findMsg carries the result of :find.
type findMsg struct {
	query  source.FindQuery
	result source.FindResult
	err    error
	at     time.Time
}

// auditedMsg reports the audit line of a decrypt-view: the plaintext is shown only once
// it is written.
type auditedMsg struct {
	id  string
	err error
}
