package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// legacyTask is the JSON TaskMessage of asynq before v0.18 (checked against v0.17.0's
// internal/base): Go field names without tags, Payload a JSON object, ID a UUID string,
// Timeout seconds and Deadline Unix seconds. Timeout and Deadline are kept raw because
// earlier releases are said to have written them as strings ("30m0s", RFC 3339).
//
// TODO(legacy): check the string forms against a release before v0.17, not possible now
// because the module proxy here serves no older asynq.
type legacyTask struct {
	Type      string
	Payload   json.RawMessage
	ID        string
	Queue     string
	Retry     int
	Retried   int
	ErrorMsg  string
	Timeout   json.RawMessage
	Deadline  json.RawMessage
	UniqueKey string
}

// decodeLegacyTask reads a pre-v0.18 JSON task message; it must be one JSON object with
// a task type or an ID.
func decodeLegacyTask(b []byte) (TaskMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return TaskMessage{}, errors.New("not a JSON object")
	}
	var l legacyTask
	if err := json.Unmarshal(b, &l); err != nil {
		return TaskMessage{}, err
	}
	if l.Type == "" && l.ID == "" {
		return TaskMessage{}, errors.New("no task type and no task ID")
	}
	timeout, err := legacyTimeout(l.Timeout)
	if err != nil {
		return TaskMessage{}, fmt.Errorf("Timeout: %w", err)
	}
	deadline, err := legacyDeadline(l.Deadline)
	if err != nil {
		return TaskMessage{}, fmt.Errorf("Deadline: %w", err)
	}
	return TaskMessage{
		Type: l.Type, Payload: legacyPayload(l.Payload), ID: l.ID, Queue: l.Queue,
		Retry: l.Retry, Retried: l.Retried, ErrorMsg: l.ErrorMsg,
		Timeout: timeout, Deadline: deadline, UniqueKey: l.UniqueKey, Legacy: true,
	}, nil
}

// legacyPayload keeps the payload's raw JSON; null (no payload) becomes nil.
func legacyPayload(raw json.RawMessage) []byte {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return []byte(raw)
}

// legacyTimeout reads whole seconds, or a Go duration string.
func legacyTimeout(raw json.RawMessage) (time.Duration, error) {
	n, s, err := numberOrString(raw)
	switch {
	case err != nil:
		return 0, err
	case s != "":
		return time.ParseDuration(s)
	}
	return seconds(n), nil
}

// legacyDeadline reads Unix seconds, or an RFC 3339 time.
func legacyDeadline(raw json.RawMessage) (time.Time, error) {
	n, s, err := numberOrString(raw)
	switch {
	case err != nil:
		return time.Time{}, err
	case s != "":
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || t.IsZero() {
			return time.Time{}, err
		}
		return t.UTC(), nil
	}
	return unixTime(n), nil
}

// numberOrString reads a JSON integer, a JSON string, or null (as 0). A fractional
// number is truncated, since asynq only ever wrote integers there.
func numberOrString(raw json.RawMessage) (int64, string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return 0, s, err
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return n, "", nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, "", fmt.Errorf("want a number or a string, got %.40q", raw)
	}
	return clampInt64(f), "", nil
}

// clampInt64 converts f to int64, saturating where Go's conversion would be undefined.
func clampInt64(f float64) int64 {
	switch {
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}
