package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
)

// behavior is how the handler treats one task type: how long an attempt takes and which
// share of attempts fail, and how.
type behavior struct {
	min, max time.Duration

	// transient errors fail failPermille of attempts; asynq retries them.
	failPermille int
	transient    []string

	// final errors fail finalPermille of attempts with SkipRetry, so they land in Archived
	// at once, like a declined card.
	finalPermille int
	final         []string

	// panicPermille of attempts panic, to show asynq's panic errors.
	panicPermille int

	// doomedIf, when found in the payload, makes every attempt fail with doomed.
	doomedIf []byte
	doomed   string
}

// behaviors maps each task type to its behavior; unknown types succeed quickly.
var behaviors = map[string]behavior{
	"auth:otp:send": {
		min: 10 * time.Millisecond, max: 60 * time.Millisecond,
		failPermille: 10, transient: []string{"twilio: 429 too many requests (code 20429)"},
	},
	"session:revoke": {min: 5 * time.Millisecond, max: 30 * time.Millisecond},
	"image:resize": {
		min: 40 * time.Millisecond, max: 250 * time.Millisecond,
		failPermille: 30, transient: []string{
			"s3: SlowDown: please reduce your request rate (status 503)",
			"image: unknown format",
		},
		panicPermille: 3,
	},
	"cache:warm": {
		min: 10 * time.Millisecond, max: 80 * time.Millisecond,
		failPermille: 10, transient: []string{"dial tcp 10.20.1.9:6380: connect: connection refused"},
	},
	"search:index": {min: 20 * time.Millisecond, max: 120 * time.Millisecond},
	"email:send": {
		min: 20 * time.Millisecond, max: 150 * time.Millisecond,
		failPermille: 100, transient: smtpErrors,
		finalPermille: 5, final: []string{"smtp: 550 5.1.1 mailbox unavailable: user unknown"},
	},
	"email:newsletter": {
		min: 20 * time.Millisecond, max: 120 * time.Millisecond,
		failPermille: 100, transient: smtpErrors,
	},
	"email:digest": {
		min: 100 * time.Millisecond, max: 300 * time.Millisecond,
		failPermille: 20, transient: smtpErrors,
	},
	"payment:charge": {
		min: 80 * time.Millisecond, max: 300 * time.Millisecond,
		failPermille: 40, transient: []string{"stripe: 503 service unavailable, request id req_7Hq2"},
		// A declined card goes straight to the archive: often enough that a sealed dead
		// task is there to open within seconds of starting the demo.
		finalPermille: 150, final: []string{
			"stripe: card_declined: insufficient_funds (402)",
			"stripe: card_declined: expired_card (402)",
		},
	},
	"payment:refund": {
		min: 50 * time.Millisecond, max: 200 * time.Millisecond,
		failPermille: 20, transient: []string{"stripe: 409 idempotency key in use"},
	},
	"report:generate": {
		min: 300 * time.Millisecond, max: 1500 * time.Millisecond,
		failPermille: 50, transient: []string{
			"pq: canceling statement due to statement timeout",
			"write /var/tmp/report.csv: no space left on device",
		},
	},
	"report:export": {min: 200 * time.Millisecond, max: 800 * time.Millisecond},
	"webhook:deliver": {
		min: 30 * time.Millisecond, max: 300 * time.Millisecond,
		failPermille: 150, transient: []string{
			"http 503 from hooks.example.com",
			"http 429 from hooks.example.com: retry after 2s",
			"Post \"https://hooks.example.com\": context deadline exceeded " +
				"(Client.Timeout exceeded while awaiting headers)",
		},
		doomedIf: []byte(deadWebhookHost),
		doomed: "Post \"https://" + deadWebhookHost + "/t\": dial tcp: lookup " +
			deadWebhookHost + ": no such host",
	},
	"thumbnail:gc":     {min: 50 * time.Millisecond, max: 200 * time.Millisecond},
	"search:reindex":   {min: 20 * time.Millisecond, max: 150 * time.Millisecond},
	"analytics:rollup": {min: 30 * time.Millisecond, max: 200 * time.Millisecond},
}

var smtpErrors = []string{
	"smtp: 451 4.7.1 temporary failure, please try again later",
	"smtp: 421 4.3.2 service not available, closing transmission channel",
	"dial tcp 10.20.3.17:587: i/o timeout",
}

// handler processes every demo task: it sleeps like real work and fails a share of
// attempts. Its choices hang on the seed, the task ID and the retry count, so a seed
// replays the same outcomes whatever the timing.
type handler struct {
	seed int64
}

// newHandler returns the demo's asynq handler.
func newHandler(seed int64) asynq.Handler { return handler{seed: seed} }

// ProcessTask implements asynq.Handler.
func (h handler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	b := behaviors[t.Type()]
	r := h.dice(ctx)

	if err := sleep(ctx, b.duration(r)); err != nil {
		return err
	}
	return b.outcome(r, t.Payload())
}

// dice returns the random source for one attempt of the task in ctx.
func (h handler) dice(ctx context.Context) *rand.Rand {
	id, _ := asynq.GetTaskID(ctx)
	retry, _ := asynq.GetRetryCount(ctx)
	f := fnv.New64a()
	fmt.Fprintf(f, "%s/%d", id, retry)
	return rand.New(rand.NewPCG(f.Sum64(), uint64(h.seed)))
}

// duration is how long one attempt takes.
func (b behavior) duration(r *rand.Rand) time.Duration {
	if b.max <= b.min {
		return b.min
	}
	return b.min + time.Duration(r.Int64N(int64(b.max-b.min)))
}

// outcome is the result of one attempt: nil, an error, or a panic.
func (b behavior) outcome(r *rand.Rand, payload []byte) error {
	if len(b.doomedIf) > 0 && bytes.Contains(payload, b.doomedIf) {
		return errors.New(b.doomed)
	}

	roll := r.IntN(1000)
	switch {
	case roll < b.panicPermille:
		var sizes []int
		_ = json.Unmarshal(payload, &sizes) // a task payload is an object: sizes stays empty
		_ = sizes[3]                        // a genuine index-out-of-range panic
	case roll < b.panicPermille+b.finalPermille:
		return fmt.Errorf("%s: %w", pickFrom(r, b.final), asynq.SkipRetry)
	case roll < b.panicPermille+b.finalPermille+b.failPermille:
		return errors.New(pickFrom(r, b.transient))
	}
	return nil
}

// pickFrom returns one of items.
func pickFrom(r *rand.Rand, items []string) string { return items[r.IntN(len(items))] }

// retryDelay is asynq.Config.RetryDelayFunc: one to three seconds, so Retry visibly moves
// instead of holding tasks for asynq's default minutes.
func retryDelay(n int, _ error, t *asynq.Task) time.Duration {
	f := fnv.New64a()
	f.Write(t.Payload())
	fmt.Fprintf(f, "/%d", n)
	return time.Second + time.Duration(f.Sum64()%2000)*time.Millisecond
}

// aggregateDigest folds the "email:digest:item" tasks of a group into one "email:digest".
// Its task ID comes from the items, which come from the seed, so it is seeded too.
func aggregateDigest(group string, tasks []*asynq.Task) *asynq.Task {
	items := make([]json.RawMessage, 0, len(tasks))
	f := fnv.New64a()
	for _, t := range tasks {
		f.Write(t.Payload())
		if json.Valid(t.Payload()) {
			items = append(items, t.Payload())
		}
	}
	p := mustJSON(map[string]any{"group": group, "count": len(tasks), "items": items})
	id := newGen(int64(f.Sum64()), streamDigest, nil).uuid()
	return asynq.NewTask("email:digest", p, asynq.TaskID(id),
		asynq.MaxRetry(2), asynq.Retention(10*time.Minute))
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
