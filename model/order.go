package model

// OrderLabel says in a person's words how a page of state's tasks is sorted, for the
// browser's header. newestFirst has the meaning source.TaskQuery gives it:
//
//   - Pending and Active are lists that asynq pushes at the head: newest first reads
//     from the head (most recently enqueued or started); otherwise from the tail, which
//     for Pending is the next task to run and for Active the longest running.
//   - Scheduled and Retry are scored by when the task next runs: ascending is soonest
//     first; newest first is latest first.
//   - Archived is scored by when the task was archived, Aggregating by when it joined
//     its group: ascending is oldest first.
//   - Completed is scored by when the record expires: ascending is expiring soonest.
func OrderLabel(state State, newestFirst bool) string {
	labels := map[State][2]string{
		Pending:     {"oldest first (next to run)", "newest first"},
		Active:      {"longest running first", "most recently started first"},
		Scheduled:   {"soonest first", "latest first"},
		Retry:       {"next retry first", "latest retry first"},
		Archived:    {"oldest archived first", "most recently archived first"},
		Completed:   {"expiring soonest first", "expiring latest first"},
		Aggregating: {"oldest first", "newest first"},
	}
	l, ok := labels[state]
	if !ok {
		return ""
	}
	if newestFirst {
		return l[1]
	}
	return l[0]
}
