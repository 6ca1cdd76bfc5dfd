package wire

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// TaskMessage is a task as asynq stores it in the "msg" field of its task hash.
type TaskMessage struct {
	// Type is the task type name given to asynq.NewTask.
	Type string
	// Payload is the task's payload; for a Legacy message, the raw JSON of its payload map.
	Payload []byte
	// Headers are the task's headers (asynq.NewTaskWithHeaders), nil when none.
	Headers map[string]string
	// ID is the task ID.
	ID string
	// Queue is the name of the queue the task belongs to.
	Queue string
	// Retry is the maximum number of retries.
	Retry int
	// Retried is how many times the task has been retried so far.
	Retried int
	// ErrorMsg is the error of the last failure.
	ErrorMsg string
	// LastFailedAt is when the task last failed; zero when it never did.
	LastFailedAt time.Time
	// Timeout is the per-attempt timeout, in whole seconds; zero when none.
	Timeout time.Duration
	// Deadline is the task's deadline; zero when none.
	Deadline time.Time
	// UniqueKey is the Redis key of the uniqueness lock; empty when none.
	UniqueKey string
	// GroupKey is the group the task is aggregated in; empty when none.
	GroupKey string
	// Retention is how long a completed task is kept, in whole seconds.
	Retention time.Duration
	// CompletedAt is when the task completed; zero when it has not.
	CompletedAt time.Time
	// Legacy is true for a JSON message written by asynq before v0.18.
	Legacy bool
}

// Field numbers of asynq's TaskMessage (internal/proto/asynq.proto).
const (
	taskType         = 1
	taskPayload      = 2
	taskID           = 3
	taskQueue        = 4
	taskRetry        = 5
	taskRetried      = 6
	taskErrorMsg     = 7
	taskTimeout      = 8
	taskDeadline     = 9
	taskUniqueKey    = 10
	taskLastFailedAt = 11
	taskRetention    = 12
	taskCompletedAt  = 13
	taskGroupKey     = 14
	taskHeaders      = 15
)

var taskSchema = schema{
	taskType:         protowire.BytesType,
	taskPayload:      protowire.BytesType,
	taskID:           protowire.BytesType,
	taskQueue:        protowire.BytesType,
	taskRetry:        protowire.VarintType,
	taskRetried:      protowire.VarintType,
	taskErrorMsg:     protowire.BytesType,
	taskTimeout:      protowire.VarintType,
	taskDeadline:     protowire.VarintType,
	taskUniqueKey:    protowire.BytesType,
	taskLastFailedAt: protowire.VarintType,
	taskRetention:    protowire.VarintType,
	taskCompletedAt:  protowire.VarintType,
	taskGroupKey:     protowire.BytesType,
	taskHeaders:      protowire.BytesType,
}

// DecodeTask decodes the "msg" field of an asynq task hash.
//
// It reads asynq's protobuf first. Because almost any short byte string is valid protobuf
// of some message, the result must also look like a task: the bytes parse as wire format
// to the end; every field asynq defines has the wire type asynq writes (unknown field
// numbers are skipped); Type, ID and Queue are valid UTF-8; and Type or ID is non-empty.
// At most 10000 headers are accepted.
//
// When that fails it reads the JSON that asynq wrote before v0.18, and sets Legacy. Bytes
// that begin with '{' always get there: as protobuf they start field 15 with the wrong
// wire type. The error is a *DecodeError giving the reason of each attempt that applied.
func DecodeTask(b []byte) (TaskMessage, error) {
	m, perr := decodeProtoTask(b)
	if perr == nil {
		return m, nil
	}
	m, jerr := decodeLegacyTask(b)
	if jerr == nil {
		return m, nil
	}
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		return TaskMessage{}, &DecodeError{"task message", fmt.Errorf("legacy JSON: %w", jerr)}
	}
	err := fmt.Errorf("protobuf: %w; legacy JSON: %v", perr, jerr)
	return TaskMessage{}, &DecodeError{"task message", err}
}

// decodeProtoTask reads asynq's protobuf TaskMessage and checks it is plausible.
func decodeProtoTask(b []byte) (TaskMessage, error) {
	if len(b) == 0 {
		return TaskMessage{}, errors.New("empty value")
	}
	var m TaskMessage
	if err := walk(b, taskSchema, func(f field) error { return setTaskField(&m, f) }); err != nil {
		return TaskMessage{}, err
	}
	if err := plausibleTask(m); err != nil {
		return TaskMessage{}, err
	}
	return m, nil
}

// plausibleTask rejects a message that real asynq could not have written.
func plausibleTask(m TaskMessage) error {
	if m.Type == "" && m.ID == "" {
		return errors.New("no task type and no task ID")
	}
	if err := checkUTF8("task type", m.Type); err != nil {
		return err
	}
	if err := checkUTF8("task ID", m.ID); err != nil {
		return err
	}
	return checkUTF8("queue name", m.Queue)
}

// setTaskField stores one TaskMessage field in m.
func setTaskField(m *TaskMessage, f field) error {
	switch f.num {
	case taskType:
		m.Type = f.str()
	case taskPayload:
		m.Payload = f.blob()
	case taskID:
		m.ID = f.str()
	case taskQueue:
		m.Queue = f.str()
	case taskRetry:
		m.Retry = f.i32()
	case taskRetried:
		m.Retried = f.i32()
	case taskErrorMsg:
		m.ErrorMsg = f.str()
	case taskTimeout:
		m.Timeout = seconds(f.i64())
	case taskDeadline:
		m.Deadline = unixTime(f.i64())
	case taskUniqueKey:
		m.UniqueKey = f.str()
	case taskLastFailedAt:
		m.LastFailedAt = unixTime(f.i64())
	case taskRetention:
		m.Retention = seconds(f.i64())
	case taskCompletedAt:
		m.CompletedAt = unixTime(f.i64())
	case taskGroupKey:
		m.GroupKey = f.str()
	case taskHeaders:
		return addHeader(m, f.bytes)
	}
	return nil
}

// addHeader reads one map entry of the headers field into m.Headers.
func addHeader(m *TaskMessage, b []byte) error {
	e, err := decodeEntry(b, protowire.BytesType)
	if err != nil {
		return err
	}
	if m.Headers == nil {
		m.Headers = make(map[string]string)
	}
	if _, dup := m.Headers[e.key]; !dup && len(m.Headers) >= maxEntries {
		return fmt.Errorf("more than %d headers", maxEntries)
	}
	m.Headers[e.key] = e.val.str()
	return nil
}

// EncodeTask encodes m as asynq v0.26 writes a TaskMessage, so asynq can read it back.
// Zero values are left out as proto3 does, headers are written in key order, durations
// are truncated to whole seconds, and Legacy is ignored: the result is always protobuf.
func EncodeTask(m TaskMessage) []byte {
	var b []byte
	b = appendString(b, taskType, m.Type)
	b = appendBytes(b, taskPayload, m.Payload)
	b = appendString(b, taskID, m.ID)
	b = appendString(b, taskQueue, m.Queue)
	b = appendInt(b, taskRetry, int64(int32(m.Retry)))
	b = appendInt(b, taskRetried, int64(int32(m.Retried)))
	b = appendString(b, taskErrorMsg, m.ErrorMsg)
	b = appendInt(b, taskTimeout, int64(m.Timeout/time.Second))
	b = appendInt(b, taskDeadline, unixSeconds(m.Deadline))
	b = appendString(b, taskUniqueKey, m.UniqueKey)
	b = appendInt(b, taskLastFailedAt, unixSeconds(m.LastFailedAt))
	b = appendInt(b, taskRetention, int64(m.Retention/time.Second))
	b = appendInt(b, taskCompletedAt, unixSeconds(m.CompletedAt))
	b = appendString(b, taskGroupKey, m.GroupKey)
	return appendHeaders(b, m.Headers)
}

// appendHeaders appends one map entry per header, sorted so the encoding is stable.
func appendHeaders(b []byte, headers map[string]string) []byte {
	keys := make([]string, 0, len(headers))
	for k := range headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// protobuf-go writes both key and value of a map entry even when empty.
		var e []byte
		e = protowire.AppendTag(e, 1, protowire.BytesType)
		e = protowire.AppendString(e, k)
		e = protowire.AppendTag(e, 2, protowire.BytesType)
		e = protowire.AppendString(e, headers[k])
		b = protowire.AppendTag(b, taskHeaders, protowire.BytesType)
		b = protowire.AppendBytes(b, e)
	}
	return b
}

// appendString appends a string field unless it is empty.
func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendBytes appends a bytes field unless it is empty.
func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

// appendInt appends an int32 or int64 field unless it is zero; a negative value takes
// ten bytes, as protobuf sign-extends both types.
func appendInt(b []byte, num protowire.Number, v int64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}
