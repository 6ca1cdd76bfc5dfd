package ui

import (
	"context"
	"time"

	"github.com/asynqtop/asynqtop/model"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// fixtureTime is the Redis clock of the first fixture snapshot.
var fixtureTime = time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)

// fixtureSource serves canned data; the panes under test never see Redis.
type fixtureSource struct{}

func (fixtureSource) Target() string { return "10.0.0.7:6379/0" }

func (fixtureSource) Refresh(context.Context, []string) (model.Snapshot, error) {
	return fixtureSnapshot(0), nil
}

func (fixtureSource) Daily(_ context.Context, _ string, n int) ([]model.DailyStat, error) {
	out := make([]model.DailyStat, n)
	for i := range out {
		out[i] = model.DailyStat{
			Day:       fixtureTime.Truncate(24*time.Hour).AddDate(0, 0, i-n+1),
			Processed: int64(1000 + 40*i), Failed: int64(10 * (i % 7)),
		}
	}
	return out, nil
}

func (fixtureSource) Servers(context.Context) ([]model.Server, error) { return nil, nil }

// fixtureSnapshot is the i-th refresh of a small fleet of queues, one second apart.
func fixtureSnapshot(i int) model.Snapshot {
	t := fixtureTime.Add(time.Duration(i) * time.Second)
	n := int64(i)
	return model.Snapshot{Time: t, RoundTrips: 3, Queues: []model.QueueStats{
		{Name: "critical", Registered: true, Pending: 3, Active: 2, Completed: 120,
			ProcessedTotal: 5000 + 20*n, FailedTotal: 10, ProcessedToday: 900 + 20*n,
			OldestPending: t.Add(-2 * time.Second), LatencyKnown: true, AggregatingKnown: true},
		{Name: "default", Registered: true, Pending: 1500 + 40*n, Active: 10, Scheduled: 12,
			Retry: 30 + n, Archived: 4, ProcessedTotal: 90000 + 55*n, FailedTotal: 700 + 2*n,
			ProcessedToday: 30000 + 55*n, FailedToday: 300 + 2*n,
			OldestPending: t.Add(-95 * time.Second), LatencyKnown: true, AggregatingKnown: true},
		{Name: "webhooks", Registered: true, Pending: 2, Active: 1, Retry: 80, Archived: 400 + 5*n,
			ProcessedTotal: 8000 + 12*n, FailedTotal: 3000 + 6*n, ProcessedToday: 2000 + 12*n,
			FailedToday: 900 + 6*n, OldestPending: t.Add(-1 * time.Second), LatencyKnown: true,
			AggregatingKnown: true},
		{Name: "low", Registered: true, Paused: true, PausedSince: fixtureTime.Add(-10 * time.Minute),
			Pending: 240, OldestPending: t.Add(-11 * time.Minute), LatencyKnown: true,
			AggregatingKnown: true},
		{Name: "reports\x1b]0;pwned\x07", Registered: true, Scheduled: 27, AggregatingKnown: true},
		{Name: "configured-only", AggregatingKnown: true},
	}}
}

// fixtureModel is the dashboard after n refreshes of fixture data at size w×h, with
// colours off so golden files hold plain text.
func fixtureModel(w, h, n int) Model {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	clock := func() time.Time { return fixtureTime.Add(time.Duration(n) * time.Second) }
	m := New(Options{Source: fixtureSource{}, Renderer: r, Clock: clock,
		ContextName: "PROD", ContextColor: "1", RedisVersion: "7.0.15"})
	var tm tea.Model = m
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: w, Height: h})
	for i := 0; i < n; i++ {
		at := fixtureTime.Add(time.Duration(i) * time.Second)
		tm, _ = tm.Update(snapshotMsg{gen: 0, snap: fixtureSnapshot(i), at: at})
	}
	return tm.(Model)
}
