package ui

import (
	"context"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
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

func (fixtureSource) Workers(context.Context) ([]model.Worker, error) { return nil, nil }

func (fixtureSource) Schedulers(context.Context) ([]model.SchedulerEntry, error) {
	return nil, nil
}

func (fixtureSource) Tasks(_ context.Context, q source.TaskQuery) (model.TaskPage, error) {
	tasks := fixtureTasks(q.Queue, q.State)
	return model.TaskPage{Queue: q.Queue, State: q.State, Total: len(tasks), Tasks: tasks,
		Time: fixtureTime}, nil
}

func (fixtureSource) Task(_ context.Context, queue, id string) (model.Task, error) {
	for _, st := range model.States() {
		for _, t := range fixtureTasks(queue, st) {
			if t.ID == id {
				return t, nil
			}
		}
	}
	return model.Task{}, source.ErrTaskNotFound
}

func (fixtureSource) Groups(context.Context, string, int) ([]source.GroupSize, bool, error) {
	return []source.GroupSize{{Name: "digest", Size: 4}}, true, nil
}

func (fixtureSource) Find(context.Context, source.FindQuery, func(int, int)) (
	source.FindResult, error,
) {
	return source.FindResult{}, nil
}

func (fixtureSource) TypeCounts(_ context.Context, _ string, _ model.State, _ int) (
	source.TypeCountResult, error,
) {
	return source.TypeCountResult{Counts: map[string]int{"email:send": 3}, Exact: true,
		Sampled: 3, Total: 3}, nil
}

// fixtureTasks are a few archived tasks with the shapes the browser must show: JSON,
// a hostile error message, a missing record, a large one, a sealed payload.
func fixtureTasks(queue string, state model.State) []model.Task {
	if state != model.Archived {
		return nil
	}
	failed := fixtureTime.Add(-3 * time.Minute)
	return []model.Task{
		{ID: "3f9c2d1e-aaaa-4b7e-9c1d-000000000001", Queue: queue, State: state,
			HashState: "archived", Type: "email:send", Retry: 2, Retried: 2,
			LastError: "smtp: 451 temporary failure", LastFailedAt: failed,
			Payload: []byte(`{"to":"ana@example.com","template":"welcome"}`), PayloadSize: 44,
			PayloadFetched: true},
		{ID: "odd id/with spaces", Queue: queue, State: state, HashState: "archived",
			Type: "webhook:deliver", Retry: 1, Retried: 1, LastFailedAt: failed,
			LastError: "boom \x1b]52;c;aGVsbG8=\x07\x1b[2J\x1b[10;10H", PayloadSize: 3,
			Payload: []byte{0xff, 0x00, 0x1b}, PayloadFetched: true},
		{ID: "ghost-0001", Queue: queue, State: state, Problem: model.ProblemMissing,
			Detail: "task data missing (ID ghost-0001)"},
		{ID: "big-0001", Queue: queue, State: state, MsgSize: 8 << 20,
			Problem: model.ProblemTooLarge, Detail: "8.0 MiB: open to read"},
	}
}

func (fixtureSource) Memory(context.Context, string) (model.Memory, error) {
	return model.Memory{Bytes: 12_900_000, Sampled: 120}, nil
}
