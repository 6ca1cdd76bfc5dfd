package keystore

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// NewTask returns an asynq task of type typ whose payload is sealed with kr's
// active key. Options pass through to asynq.NewTask. Headers are not sealed, so
// this offers no headers: anything in them is stored in clear.
func NewTask(kr *Keyring, typ string, payload []byte, opts ...asynq.Option) (*asynq.Task, error) {
	if kr == nil {
		return nil, errors.New("keystore: NewTask needs a keyring")
	}
	env, err := Seal(kr.Active(), typ, payload)
	if err != nil {
		return nil, fmt.Errorf("keystore: seal task of type %q: %w", typ, err)
	}
	return asynq.NewTask(typ, env, opts...), nil
}

// HandlerOptions tunes the worker middleware.
type HandlerOptions struct {
	// AllowPlain passes payloads that are not sealed to the handler unchanged,
	// for a migration where old plain tasks are still queued. By default they are
	// refused with ErrNotSealed, so a producer that forgot to seal is noticed.
	AllowPlain bool
}

// Handler wraps h so that it receives tasks with their payloads opened with kr.
// It is HandlerWithOptions with the zero HandlerOptions (plain payloads refused).
func Handler(kr *Keyring, h asynq.Handler) asynq.Handler {
	return HandlerWithOptions(kr, h, HandlerOptions{})
}

// Middleware is Handler as an asynq.MiddlewareFunc, for asynq.ServeMux.Use.
func Middleware(kr *Keyring, o HandlerOptions) asynq.MiddlewareFunc {
	return func(h asynq.Handler) asynq.Handler { return HandlerWithOptions(kr, h, o) }
}

// HandlerWithOptions wraps h so that it receives a task with the same type and
// headers and the opened payload.
//
// h gets a new *asynq.Task, because asynq has no way to change a task's payload,
// and asynq only gives the ResultWriter to the task it created: on the task h
// receives, ResultWriter() is nil. Use ResultWriter(ctx), or WriteResult(ctx, ...)
// to seal the result too. Task ID, queue and retry counts stay in ctx as usual.
//
// When the payload does not open, h is not called and the error wraps the
// keystore sentinel. ErrNotSealed, ErrMalformed, ErrAuth and ErrRetiredKey also
// wrap asynq.SkipRetry: the bytes or the keyring would have to change, so
// retrying only delays the task reaching the archive, where it can be looked at
// and run again. ErrUnknownKey is retried normally, because during a rotation
// that reached producers before workers, a restarted worker will know the key.
func HandlerWithOptions(kr *Keyring, h asynq.Handler, o HandlerOptions) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		return o.process(ctx, kr, h, t)
	})
}

func (o HandlerOptions) process(ctx context.Context, kr *Keyring, h asynq.Handler,
	t *asynq.Task,
) error {
	if h == nil || t == nil {
		return errors.New("keystore: Handler called without a handler or a task")
	}
	plain, _, err := Open(kr, t.Type(), t.Payload())
	switch {
	case errors.Is(err, ErrNotSealed) && o.AllowPlain:
		plain = t.Payload()
	case err != nil:
		return openError(t.Type(), err)
	}

	ctx = context.WithValue(ctx, taskKey{}, taskContext{kr: kr, typ: t.Type(), w: t.ResultWriter()})
	return h.ProcessTask(ctx, asynq.NewTaskWithHeaders(t.Type(), plain, t.Headers()))
}

// openError wraps a failure to open, adding asynq.SkipRetry where retrying is futile.
func openError(typ string, err error) error {
	err = fmt.Errorf("keystore: open payload of task type %q: %w", typ, err)
	if errors.Is(err, ErrUnknownKey) {
		return err
	}
	return skipRetry{err}
}

// skipRetry reads like its cause and matches both it and asynq.SkipRetry.
type skipRetry struct{ err error }

func (e skipRetry) Error() string   { return e.err.Error() + " (not retried)" }
func (e skipRetry) Unwrap() []error { return []error{e.err, asynq.SkipRetry} }

type taskKey struct{}

// taskContext is what the middleware leaves in ctx for the result helpers.
type taskContext struct {
	kr  *Keyring
	typ string
	w   *asynq.ResultWriter
}

// ResultWriter returns the ResultWriter of the task the middleware opened, or
// nil outside a handler wrapped by Handler. Results written with it are stored
// in clear; WriteResult seals them.
func ResultWriter(ctx context.Context) *asynq.ResultWriter {
	tc, _ := ctx.Value(taskKey{}).(taskContext)
	return tc.w
}

// WriteResult seals data with the active key, bound to the task's type like its
// payload, and writes it as the task's result. It works only inside a handler
// wrapped by Handler.
func WriteResult(ctx context.Context, data []byte) error {
	tc, ok := ctx.Value(taskKey{}).(taskContext)
	if !ok || tc.w == nil {
		return errors.New("keystore: WriteResult needs the context of a task opened by Handler")
	}
	env, err := Seal(tc.kr.Active(), tc.typ, data)
	if err != nil {
		return fmt.Errorf("keystore: seal result of task type %q: %w", tc.typ, err)
	}
	if _, err := tc.w.Write(env); err != nil {
		return fmt.Errorf("keystore: write result: %w", err)
	}
	return nil
}
