// Package audit keeps asynqtop's record of who did what to which queue: one JSON object per
// line in a file only its owner can read, each line synced to disk before the action it
// describes is reported. It never records a payload, a password or a key; task IDs are
// recorded as Redis returned them (JSON-escaped) and cleaned only when printed.
package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/user"
	"path/filepath"
	"sync"
	"time"
)

// Entry is one line of the audit log.
type Entry struct {
	// Time is when the line was written (UTC).
	Time time.Time `json:"time"`
	// Operator is who acted: user@host, or an identity the caller supplies.
	Operator string `json:"operator"`
	// Context is the configured context (which Redis) the action ran against.
	Context string `json:"context,omitempty"`
	// Action names the operation, e.g. "run", "delete_all", "pause".
	Action string `json:"action"`
	Queue  string `json:"queue,omitempty"`
	State  string `json:"state,omitempty"`
	// TaskIDs are the tasks the operator selected; empty for bulk and queue actions.
	TaskIDs []string `json:"task_ids,omitempty"`
	// Count is how many tasks the line is about: requested on a "started" line, done on
	// the final one.
	Count int `json:"count"`
	// Outcome is "started" before the action, then one of ok, partial, noop, cancelled,
	// unknown or failed.
	Outcome    string  `json:"outcome"`
	DurationMS float64 `json:"duration_ms"`
	// Error is the one-line error a person was shown, if any.
	Error string `json:"error,omitempty"`
}

// Log is an open audit log. It is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// Open opens path for appending, creating it (mode 0600) and its directories (0700) when
// they do not exist.
func Open(path string) (*Log, error) {
	if path == "" {
		return nil, errors.New("no audit log path given")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the audit log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the audit log: %w", err)
	}
	return &Log{f: f, path: path}, nil
}

// Path is the file the log appends to.
func (l *Log) Path() string { return l.path }

// Append writes e as one line and syncs it to disk before returning. An error means the
// line may not be on disk, so the caller must not report the action as recorded. A zero
// e.Time is set to now.
func (l *Log) Append(e Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	e.DurationMS = math.Round(e.DurationMS*1000) / 1000
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	line = append(line, '\n')

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("the audit log is closed")
	}
	// One write per line: with O_APPEND, lines from several asynqtop processes sharing
	// the file do not interleave.
	if _, err := l.f.Write(line); err != nil {
		return err
	}
	return l.f.Sync()
}

// Close closes the file; later Appends fail.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Operator is the local identity: the OS user name and the host name, as user@host.
func Operator() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return name + "@" + host
}

// Read returns the entries of the log at path written at or after since (all of them
// when since is zero), oldest first. A line that is not a valid entry (a torn last write,
// a hand edit) becomes an entry with Outcome "unreadable" that says which line, so the
// rest of the log stays readable.
func Read(path string, since time.Time) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the audit log: %w", err)
	}
	defer f.Close()

	var out []Entry
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			if e, ok := parseLine(line, n); ok && !e.Time.Before(since) {
				out = append(out, e)
			} else if !ok {
				out = append(out, e)
			}
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("cannot read the audit log: %w", err)
		}
	}
}

// parseLine decodes line n; ok is false when it is not an entry, and the returned entry
// then describes the problem.
func parseLine(line []byte, n int) (Entry, bool) {
	var e Entry
	if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
		why := fmt.Sprintf("line %d is not an audit entry", n)
		if line[len(line)-1] != '\n' {
			why = fmt.Sprintf("line %d is incomplete (interrupted write?)", n)
		}
		return Entry{Action: "?", Outcome: "unreadable", Error: why}, false
	}
	return e, true
}
