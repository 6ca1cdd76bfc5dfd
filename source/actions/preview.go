package actions

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
)

// Kind names an operation for Preview.
type Kind string

// The operations Preview knows.
const (
	Run     Kind = "run"
	Delete  Kind = "delete"
	Archive Kind = "archive"
	Pause   Kind = "pause"
	Unpause Kind = "unpause"
)

// Op is an action the operator is about to confirm: the selected IDs of a state, or All
// of them, or a queue action.
type Op struct {
	Kind  Kind
	Queue string
	State model.State
	IDs   []string
	All   bool
}

// Impact is what Op would do, for the confirmation dialog.
type Impact struct {
	// Count is how many tasks it touches (for Pause and Unpause: the pending tasks).
	Count int
	// TypeQueueName is true when more than ConfirmByName tasks would change: the
	// operator must type the queue name to confirm.
	TypeQueueName bool
	// Effects are side effects asynq does not show, one sentence each.
	Effects []string
}

// ConfirmByName is the task count above which an action needs the queue name typed.
const ConfirmByName = 1000

// maxLockChecks bounds how many tasks Preview reads unique locks of; for more, it says
// how many of the first ones it checked.
const maxLockChecks = 10000

// Preview says what op would do without doing it. It refuses in read-only mode, so that
// the dialog says so before the operator confirms anything.
func (a *Actor) Preview(ctx context.Context, op Op) (Impact, error) {
	if a.opts.ReadOnly {
		return Impact{}, ErrReadOnly
	}
	if op.Queue == "" {
		return Impact{}, errors.New("no queue given")
	}
	switch op.Kind {
	case Pause, Unpause:
		return a.previewQueue(ctx, op)
	case Run:
		return a.previewTasks(ctx, runMover, op)
	case Delete:
		return a.previewTasks(ctx, deleteMover, op)
	case Archive:
		return a.previewTasks(ctx, archiveMover, op)
	}
	return Impact{}, fmt.Errorf("unknown action %q", op.Kind)
}

func (a *Actor) previewQueue(ctx context.Context, op Op) (Impact, error) {
	var paused *redis.StringCmd
	var pending, active *redis.IntCmd
	_, err := a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		paused = p.Get(ctx, pausedKey(op.Queue))
		pending = p.LLen(ctx, stateKey(op.Queue, model.Pending))
		active = p.LLen(ctx, stateKey(op.Queue, model.Active))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return Impact{}, a.src.Explain("read", err)
	}
	isPaused := paused.Err() == nil
	im := Impact{Count: int(pending.Val())}
	q := showQueue(op.Queue)
	switch {
	case op.Kind == Pause && isPaused:
		im.Effects = []string{fmt.Sprintf("queue %s is already paused: nothing changes", q)}
	case op.Kind == Pause:
		im.Effects = []string{fmt.Sprintf("workers stop taking tasks from queue %s; its %s "+
			"active tasks run to completion and its %s pending tasks wait", q,
			commas(int(active.Val())), commas(im.Count))}
	case !isPaused:
		im.Effects = []string{fmt.Sprintf("queue %s is not paused: nothing changes", q)}
	default:
		im.Effects = []string{fmt.Sprintf("releases a backlog of %s pending %s to the "+
			"workers at once", commas(im.Count), plural(im.Count, "task", "tasks"))}
	}
	return im, nil
}

func (a *Actor) previewTasks(ctx context.Context, m *mover, op Op) (Impact, error) {
	if err := m.check(op.State, op.All); err != nil {
		return Impact{}, err
	}
	var ids []string
	if !op.All {
		var err error
		if ids, err = selection(op.IDs); err != nil {
			return Impact{}, err
		}
	}
	if err := a.queueExists(ctx, op.Queue); err != nil {
		return Impact{}, err
	}
	im := Impact{Count: len(ids)}
	if op.All {
		n, err := a.size(ctx, op.Queue, op.State)
		if err != nil {
			return Impact{}, err
		}
		im.Count = n
	}
	im.TypeQueueName = im.Count > ConfirmByName

	effects, err := a.effects(ctx, m, op, ids, im.Count)
	im.Effects = effects
	return im, err
}

func (a *Actor) effects(ctx context.Context, m *mover, op Op, ids []string, count int) (
	[]string, error,
) {
	switch m {
	case archiveMover:
		return a.archiveEffects(ctx, op.Queue, count)
	case deleteMover:
		locks, err := a.scanLocks(ctx, op, ids, count)
		return deleteEffects(count, locks), err
	}
	locks, err := a.scanLocks(ctx, op, ids, count)
	if err != nil {
		return nil, err
	}
	var retries retryCount
	if op.State == model.Archived {
		if retries, err = a.scanRetries(ctx, op, ids, count); err != nil {
			return nil, err
		}
	}
	paused, err := a.rdb.Exists(ctx, pausedKey(op.Queue)).Result()
	if err != nil {
		return nil, a.src.Explain("read", err)
	}
	return runEffects(op, locks, retries, paused > 0), nil
}

// archiveEffects reads the archive's size and its tasks past asynq's 90-day cutoff.
func (a *Actor) archiveEffects(ctx context.Context, q string, count int) ([]string, error) {
	now, err := a.redisNow(ctx)
	if err != nil {
		return nil, err
	}
	key := stateKey(q, model.Archived)
	var card, old *redis.IntCmd
	_, err = a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		card = p.ZCard(ctx, key)
		old = p.ZCount(ctx, key, "-inf", strconv.FormatInt(newArchiveClock(now).cutoff, 10))
		return nil
	})
	if err != nil {
		return nil, a.src.Explain("read", err)
	}
	return archiveEffectText(int(card.Val()), int(old.Val()), count), nil
}

// archiveDrop is how many archived tasks asynq's limits drop when adding tasks join an
// archive of card tasks, old of them past the 90-day cutoff: the old ones, then the oldest
// beyond archiveKeep. ofNew is how many of the dropped are tasks being archived now.
func archiveDrop(card, old, adding int) (dropped, ofNew int) {
	kept := card - old
	over := max(0, kept+adding-archiveKeep)
	return old + over, max(0, over-kept)
}

func archiveEffectText(card, old, count int) []string {
	dropped, ofNew := archiveDrop(card, old, count)
	if dropped == 0 {
		return []string{fmt.Sprintf("asynq keeps archived tasks for %d days and at most "+
			"%s of them; the archive will hold %s %s", archiveDays, commas(archiveKeep),
			commas(card+count), plural(card+count, "task", "tasks"))}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "asynq keeps only the newest %s archived tasks and none older than %d "+
		"days: archiving %s permanently drops %s archived %s", commas(archiveKeep),
		archiveDays, commas(count), commas(dropped), plural(dropped, "task", "tasks"))
	if old > 0 {
		fmt.Fprintf(&b, " (%s older than %d days)", commas(old), archiveDays)
	}
	if ofNew > 0 {
		fmt.Fprintf(&b, ", including %s of the tasks being archived", commas(ofNew))
	}
	return []string{b.String()}
}

func deleteEffects(count int, locks lockCount) []string {
	out := []string{fmt.Sprintf("deleting is permanent: %s %s and %s cannot be "+
		"recovered", commas(count), plural(count, "task", "tasks"),
		plural(count, "its payload", "their payloads"))}
	if locks.self > 0 {
		out = append(out, fmt.Sprintf("releases %s unique %s these tasks hold%s: the same "+
			"work can be enqueued again", commas(locks.self), plural(locks.self, "lock",
			"locks"), locks.note()))
	}
	return out
}

func runEffects(op Op, locks lockCount, retries retryCount, paused bool) []string {
	var out []string
	if locks.other > 0 {
		out = append(out, fmt.Sprintf("%s of these tasks %s a unique lock held by another "+
			"task%s: requeueing them risks running the same work twice", commas(locks.other),
			plural(locks.other, "shares", "share"), locks.note()))
	}
	if e := retries.effect(); e != "" {
		out = append(out, e)
	}
	if op.State == model.Aggregating {
		out = append(out, "requeued tasks leave their group and run on their own, "+
			"not aggregated")
	}
	if paused {
		out = append(out, fmt.Sprintf("queue %s is paused: requeued tasks wait until it is "+
			"unpaused", showQueue(op.Queue)))
	}
	return out
}
