package ui

import (
	"strings"
	"testing"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source"
	"github.com/charmbracelet/lipgloss"
)

// TestTaskCursorNeverJumpsToAnotherTask: when the selected task leaves the page, the
// selection is dropped rather than moved to the task now in its row, so an action can
// never hit a task the person did not choose.
func TestTaskCursorNeverJumpsToAnotherTask(t *testing.T) {
	page := func(ids ...string) tasksMsg {
		tasks := make([]model.Task, len(ids))
		for i, id := range ids {
			tasks[i] = model.Task{ID: id, Type: "t", State: model.Archived}
		}
		return tasksMsg{query: source.TaskQuery{Queue: "q", State: model.Archived},
			page: model.TaskPage{Tasks: tasks, Total: len(ids)}}
	}
	p := newTasksPane(NewStyles(lipgloss.NewRenderer(nil), DefaultPalette()), DefaultKeyMap()).SetSize(120, 20)
	p = p.open("q", model.Archived)
	p = p.setPage(withGen(page("a", "b", "c"), p.gen))
	p, _, _ = p.Update(runes("j"))
	p, _, _ = p.Update(runes("j"))
	if got, _ := p.selected(); got.ID != "c" {
		t.Fatalf("selected %q, want c", got.ID)
	}

	p = p.setPage(withGen(page("x", "a", "b"), p.gen)) // c pushed off the page
	if got, ok := p.selected(); ok {
		t.Fatalf("selection moved to %q after its task left the page", got.ID)
	}
	if ids := p.marked(); len(ids) != 0 {
		t.Fatalf("an action would act on %v", ids)
	}
	p = p.setPage(withGen(page("x", "a", "b", "c"), p.gen)) // c is back: still not chosen
	if _, ok := p.selected(); ok {
		t.Fatalf("selection came back by itself")
	}
	p, _, _ = p.Update(runes("k"))
	if got, ok := p.selected(); !ok || got.ID != "a" {
		t.Fatalf("after k, selected %q, want a (one up from where c was)", got.ID)
	}
}

func withGen(m tasksMsg, gen int) tasksMsg {
	m.gen = gen
	return m
}

// TestListPreviewMasksFields: a list shows no more of a payload than the task view does.
func TestListPreviewMasksFields(t *testing.T) {
	task := model.Task{ID: "a", Type: "t", PayloadFetched: true,
		Payload: []byte(`{"user":"ana","password":"hunter2"}`)}
	got := taskPreviewCell(task, rowEnv{mask: []string{"password"}})
	if strings.Contains(got, "hunter2") || !strings.Contains(got, "ana") {
		t.Errorf("preview %q shows a masked field or hides the rest", got)
	}
}
