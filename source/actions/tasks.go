package actions

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
)

// mover is one kind of task move: its audit name, how a person says it, its script, and
// the states it may take tasks from (one by one, and all at once).
type mover struct {
	name, verb, infinitive string
	script                 *redis.Script
	from, bulk             []model.State
}

var (
	runMover = &mover{name: "run", verb: "requeued", infinitive: "requeue",
		script: runScript,
		from: []model.State{model.Scheduled, model.Retry, model.Archived, model.Completed,
			model.Aggregating},
		bulk: []model.State{model.Scheduled, model.Retry, model.Archived, model.Completed},
	}
	deleteMover = &mover{name: "delete", verb: "deleted", infinitive: "delete",
		script: deleteScript,
		from: []model.State{model.Pending, model.Scheduled, model.Retry, model.Archived,
			model.Completed, model.Aggregating},
		bulk: []model.State{model.Pending, model.Scheduled, model.Retry, model.Archived,
			model.Completed},
	}
	archiveMover = &mover{name: "archive", verb: "archived", infinitive: "archive",
		script: archiveScript,
		from:   []model.State{model.Pending, model.Scheduled, model.Retry, model.Aggregating},
		bulk:   []model.State{model.Pending, model.Scheduled, model.Retry},
	}
)

// refusals say why a state cannot be a move's source, by move name ("" for any move).
var refusals = map[string]map[model.State]string{
	"": {
		model.Active: "they are being processed (cancel them instead)",
	},
	"run": {
		model.Pending: "they are already waiting to run",
	},
	"archive": {
		model.Archived:  "they are already archived",
		model.Completed: "asynq does not archive completed tasks",
	},
}

// check refuses a source state the move cannot take, in words for a person.
func (m *mover) check(s model.State, all bool) error {
	allowed := m.from
	if all {
		allowed = m.bulk
	}
	if slices.Contains(allowed, s) {
		return nil
	}
	why := refusals[m.name][s]
	if why == "" {
		why = refusals[""][s]
	}
	switch {
	case why != "":
	case all && slices.Contains(m.from, s):
		// TODO(actions): all aggregating tasks means every group; select them instead.
		why = "select the tasks of a group instead (all at once is not supported yet)"
	default:
		why = "that is not a task state asynq has"
	}
	return fmt.Errorf("cannot %s %s tasks: %s", m.infinitive, showState(s), why)
}

// Run requeues the selected tasks of state in queue: each goes to pending with its
// stored message unchanged. Tasks no longer in state are skipped and explained.
func (a *Actor) Run(ctx context.Context, queue string, state model.State, ids []string) (
	Result, error,
) {
	return a.moveIDs(ctx, runMover, queue, state, ids)
}

// Delete deletes the selected tasks of state in queue, releasing the unique locks they
// hold. Tasks no longer in state are skipped and explained.
func (a *Actor) Delete(ctx context.Context, queue string, state model.State, ids []string) (
	Result, error,
) {
	return a.moveIDs(ctx, deleteMover, queue, state, ids)
}

// Archive archives the selected tasks of state in queue; asynq's archive limits then
// apply (see Preview). Tasks no longer in state are skipped and explained.
func (a *Actor) Archive(ctx context.Context, queue string, state model.State, ids []string) (
	Result, error,
) {
	return a.moveIDs(ctx, archiveMover, queue, state, ids)
}

func (a *Actor) moveIDs(ctx context.Context, m *mover, q string, s model.State,
	ids []string,
) (Result, error) {
	if a.opts.ReadOnly {
		return Result{}, ErrReadOnly
	}
	ids, err := selection(ids)
	if err != nil {
		return Result{}, err
	}
	if err := m.check(s, false); err != nil {
		return Result{}, err
	}
	if err := a.queueExists(ctx, q); err != nil {
		return Result{}, err
	}

	rec, err := a.begin(m.name, q, s, ids, len(ids))
	if err != nil {
		return Result{}, err
	}
	res, err := a.moveSelected(ctx, m, q, s, ids)
	return res, rec.finish(res, outcomeOf(res, err), err)
}

// selection drops duplicate IDs, keeping the operator's order, and refuses an empty one.
func selection(ids []string) ([]string, error) {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id == "" {
			return nil, errors.New("an empty task ID was selected: nothing was changed")
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no task selected: nothing was changed")
	}
	return out, nil
}

// Batch sizes for selected tasks. Finding a task in a pending list is a scan (LREM), so
// for pending the batch shrinks as the list grows to keep one call near 5 ms (a scan
// costs about 80 ns per list entry).
const (
	selectedBatch = 500
	listScanItems = 60000
)

func (a *Actor) moveSelected(ctx context.Context, m *mover, q string, s model.State,
	ids []string,
) (Result, error) {
	res := Result{Action: m.name, Queue: q}
	clock, size, err := a.prepareSelected(ctx, q, s)
	if err != nil {
		return res, err
	}

	var skipped []skip
	dropped, batches := 0, 0
	for start := 0; start < len(ids); start += size {
		if err := ctx.Err(); err != nil {
			res.Message = stoppedMessage(m, q, s, res.Done, len(ids))
			return res, &personError{kind: err, msg: res.Message}
		}
		r, err := a.call(ctx, m, q, s, clock, batch{ids: ids[start:min(start+size, len(ids))]})
		if err != nil {
			res.Skipped = len(skipped)
			return res, a.batchErr(m, q, batches, res.Done, err)
		}
		batches++
		res.Done += r.moved
		dropped += r.dropped
		skipped = append(skipped, r.skipped...)
	}
	res.Skipped = len(skipped)
	res.Message = selectedMessage(m, q, res.Done, skipped, dropped)
	return res, nil
}

// prepareSelected reads the clock for archive scores and sizes the batches.
func (a *Actor) prepareSelected(ctx context.Context, q string, s model.State) (
	archiveClock, int, error,
) {
	now, err := a.redisNow(ctx)
	if err != nil {
		return archiveClock{}, 0, err
	}
	size := selectedBatch
	if s == model.Pending {
		n, err := a.rdb.LLen(ctx, stateKey(q, s)).Result()
		if err != nil {
			return archiveClock{}, 0, a.src.Explain("read", err)
		}
		size = max(1, min(selectedBatch, listScanItems/max(1, int(n))))
	}
	// TODO(actions): a selected pending task deep in a list of over ~250,000 entries
	// still costs one LREM scan of more than 20 ms; asynq's own DeleteTask scans the
	// whole list every time, so this is never worse than asynq.
	return newArchiveClock(now), size, nil
}

// batchErr explains a failed batch: outcome unknown, or refused before it ran (then what
// earlier batches did is confirmed).
func (a *Actor) batchErr(m *mover, q string, batches, done int, err error) error {
	if outcomeUnknown(err) {
		return a.unknownErr(m, q, batches, done, err)
	}
	cause := a.src.Explain("write", err)
	msg := fmt.Sprintf("queue %s: %v", showQueue(q), cause)
	if done > 0 {
		msg = fmt.Sprintf("queue %s: %s tasks %s, then Redis refused the rest: %v",
			showQueue(q), commas(done), m.verb, cause)
	}
	return &personError{kind: cause, cause: err, msg: msg}
}
