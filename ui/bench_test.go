package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
	tea "github.com/charmbracelet/bubbletea"
)

// BenchmarkView200 times View for 200 queues with a full history at 200x60: the target
// is 5 ms per frame.
func BenchmarkView200(b *testing.B) {
	m := New(Options{Source: fixtureSource{}, Clock: func() time.Time { return fixtureTime }})
	var tm tea.Model = m
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	for i := 0; i < model.DefaultRingCapacity; i++ {
		tm, _ = tm.Update(snapshotMsg{snap: bigSnapshot(200, i), at: fixtureTime})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = tm.View()
	}
}

func bigSnapshot(n, i int) model.Snapshot {
	t := fixtureTime.Add(time.Duration(i) * time.Second)
	s := model.Snapshot{Time: t, Queues: make([]model.QueueStats, n)}
	for q := range s.Queues {
		k := int64(i * (q%7 + 1))
		s.Queues[q] = model.QueueStats{
			Name: fmt.Sprintf("queue-%03d", q), Registered: true, AggregatingKnown: true,
			Pending: 100 + k%900, Active: k % 10, Retry: k % 150, Archived: k % 1200,
			ProcessedTotal: 10 * k, FailedTotal: k, LatencyKnown: true,
			OldestPending: t.Add(-time.Duration(k%300) * time.Second),
		}
	}
	return s
}

// BenchmarkRefreshView200 times what one refresh costs the screen: applying a snapshot
// of 200 queues (history, breaches, table rows) and drawing the first frame after it,
// when no row is cached.
func BenchmarkRefreshView200(b *testing.B) {
	m := New(Options{Source: fixtureSource{}, Clock: func() time.Time { return fixtureTime }})
	var tm tea.Model = m
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	snaps := make([]model.Snapshot, model.DefaultRingCapacity+b.N)
	for i := range snaps {
		snaps[i] = bigSnapshot(200, i)
	}
	for i := 0; i < model.DefaultRingCapacity; i++ {
		tm, _ = tm.Update(snapshotMsg{snap: snaps[i], at: fixtureTime})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tm, _ = tm.Update(snapshotMsg{snap: snaps[model.DefaultRingCapacity+i], at: fixtureTime})
		_ = tm.View()
	}
}
