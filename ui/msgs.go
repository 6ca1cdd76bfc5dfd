package ui

import (
	"time"

	"github.com/asynqtop/asynqtop/model"
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
