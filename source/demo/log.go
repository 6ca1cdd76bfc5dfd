package demo

import (
	"fmt"
	"log/slog"
)

// asynqLogger routes asynq's log lines to slog, because asynq's default logger writes to
// stderr, which the dashboard owns.
type asynqLogger struct {
	log *slog.Logger
}

// Debug implements asynq.Logger.
func (a asynqLogger) Debug(args ...any) { a.log.Debug(fmt.Sprint(args...), "source", "asynq") }

// Info implements asynq.Logger.
func (a asynqLogger) Info(args ...any) { a.log.Info(fmt.Sprint(args...), "source", "asynq") }

// Warn implements asynq.Logger.
func (a asynqLogger) Warn(args ...any) { a.log.Warn(fmt.Sprint(args...), "source", "asynq") }

// Error implements asynq.Logger.
func (a asynqLogger) Error(args ...any) { a.log.Error(fmt.Sprint(args...), "source", "asynq") }

// Fatal implements asynq.Logger. asynq's server never calls it; if it ever did, ending the
// process would leave the terminal in raw mode, so it is logged as an error instead.
func (a asynqLogger) Fatal(args ...any) { a.log.Error(fmt.Sprint(args...), "source", "asynq") }
