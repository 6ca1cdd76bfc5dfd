package wire

import (
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// ServerInfo is a server's heartbeat, the value of an asynq:servers:{host:pid:id} key.
type ServerInfo struct {
	// Host is the server's host name.
	Host string
	// PID is the server's process ID.
	PID int
	// ServerID is the ID asynq gave the server (a UUID).
	ServerID string
	// Concurrency is the server's maximum number of concurrent workers.
	Concurrency int
	// Queues maps each queue the server processes to its priority.
	Queues map[string]int
	// StrictPriority is true when queues are processed in strict priority order.
	StrictPriority bool
	// Status is the server's state as asynq words it ("active", "stopped", ...).
	Status string
	// Started is when the server started; zero when unknown.
	Started time.Time
	// ActiveWorkers is how many workers were busy at the last heartbeat.
	ActiveWorkers int
}

var serverSchema = schema{
	1: protowire.BytesType,  // host
	2: protowire.VarintType, // pid
	3: protowire.BytesType,  // server_id
	4: protowire.VarintType, // concurrency
	5: protowire.BytesType,  // queues (map entry)
	6: protowire.VarintType, // strict_priority
	7: protowire.BytesType,  // status
	8: protowire.BytesType,  // start_time
	9: protowire.VarintType, // active_worker_count
}

// DecodeServer decodes a server heartbeat. Besides valid wire format with asynq's wire
// types for the fields it defines, it requires a host or a server ID, and at most 10000
// queues.
func DecodeServer(b []byte) (ServerInfo, error) {
	var s ServerInfo
	var started timestamp
	err := decodeRecord(b, serverSchema, func(f field) error {
		return setServerField(&s, &started, f)
	})
	if err == nil && s.Host == "" && s.ServerID == "" {
		err = errors.New("no host and no server ID")
	}
	if err != nil {
		return ServerInfo{}, &DecodeError{"server info", err}
	}
	s.Started = started.time()
	return s, nil
}

// setServerField stores one ServerInfo field in s, or its start time in started.
func setServerField(s *ServerInfo, started *timestamp, f field) error {
	switch f.num {
	case 1:
		s.Host = f.str()
	case 2:
		s.PID = f.i32()
	case 3:
		s.ServerID = f.str()
	case 4:
		s.Concurrency = f.i32()
	case 5:
		return addQueue(s, f.bytes)
	case 6:
		s.StrictPriority = f.varint != 0
	case 7:
		s.Status = f.str()
	case 8:
		return started.merge(f.bytes)
	case 9:
		s.ActiveWorkers = f.i32()
	}
	return nil
}

// addQueue reads one map entry of the queues field into s.Queues.
func addQueue(s *ServerInfo, b []byte) error {
	e, err := decodeEntry(b, protowire.VarintType)
	if err != nil {
		return err
	}
	if s.Queues == nil {
		s.Queues = make(map[string]int)
	}
	if _, dup := s.Queues[e.key]; !dup && len(s.Queues) >= maxEntries {
		return fmt.Errorf("more than %d queues", maxEntries)
	}
	s.Queues[e.key] = e.val.i32()
	return nil
}

// WorkerInfo is one busy worker of a server, a value of an asynq:workers:{host:pid:id}
// hash (keyed by task ID).
type WorkerInfo struct {
	// Host is the server's host name.
	Host string
	// PID is the server's process ID.
	PID int
	// ServerID is the server's ID.
	ServerID string
	// TaskID is the ID of the task being processed.
	TaskID string
	// TaskType is the type of the task being processed.
	TaskType string
	// TaskPayload is the payload of the task being processed.
	TaskPayload []byte
	// Queue is the queue the task came from.
	Queue string
	// Started is when the worker started the task; zero when unknown.
	Started time.Time
	// Deadline is when the worker must finish the task; zero when unknown.
	Deadline time.Time
}

var workerSchema = schema{
	1: protowire.BytesType,  // host
	2: protowire.VarintType, // pid
	3: protowire.BytesType,  // server_id
	4: protowire.BytesType,  // task_id
	5: protowire.BytesType,  // task_type
	6: protowire.BytesType,  // task_payload
	7: protowire.BytesType,  // queue
	8: protowire.BytesType,  // start_time
	9: protowire.BytesType,  // deadline
}

// DecodeWorker decodes a worker record. Besides valid wire format with asynq's wire types
// for the fields it defines, it requires a task ID.
func DecodeWorker(b []byte) (WorkerInfo, error) {
	var w WorkerInfo
	var started, deadline timestamp
	err := decodeRecord(b, workerSchema, func(f field) error {
		return setWorkerField(&w, &started, &deadline, f)
	})
	if err == nil && w.TaskID == "" {
		err = errors.New("no task ID")
	}
	if err != nil {
		return WorkerInfo{}, &DecodeError{"worker info", err}
	}
	w.Started, w.Deadline = started.time(), deadline.time()
	return w, nil
}

// setWorkerField stores one WorkerInfo field in w, or its times in started and deadline.
func setWorkerField(w *WorkerInfo, started, deadline *timestamp, f field) error {
	switch f.num {
	case 1:
		w.Host = f.str()
	case 2:
		w.PID = f.i32()
	case 3:
		w.ServerID = f.str()
	case 4:
		w.TaskID = f.str()
	case 5:
		w.TaskType = f.str()
	case 6:
		w.TaskPayload = f.blob()
	case 7:
		w.Queue = f.str()
	case 8:
		return started.merge(f.bytes)
	case 9:
		return deadline.merge(f.bytes)
	}
	return nil
}

// SchedulerEntry is one periodic task of a scheduler, an element of the list at
// asynq:schedulers:{scheduler-id}.
type SchedulerEntry struct {
	// ID is the entry's ID, which also names its history key.
	ID string
	// Spec is the cron spec or "@every" interval of the entry.
	Spec string
	// TaskType is the type of the task enqueued.
	TaskType string
	// TaskPayload is the payload of the task enqueued.
	TaskPayload []byte
	// Options are the enqueue options as asynq prints them, e.g. "Queue(\"critical\")".
	Options []string
	// Next is when the task will next be enqueued; zero when unknown.
	Next time.Time
	// Prev is when the task was last enqueued; zero when never.
	Prev time.Time
}

var entrySchema = schema{
	1: protowire.BytesType, // id
	2: protowire.BytesType, // spec
	3: protowire.BytesType, // task_type
	4: protowire.BytesType, // task_payload
	5: protowire.BytesType, // enqueue_options (repeated)
	6: protowire.BytesType, // next_enqueue_time
	7: protowire.BytesType, // prev_enqueue_time
}

// DecodeSchedulerEntry decodes a scheduler entry. Besides valid wire format with asynq's
// wire types for the fields it defines, it requires an entry ID and at most 10000 options.
func DecodeSchedulerEntry(b []byte) (SchedulerEntry, error) {
	var e SchedulerEntry
	var next, prev timestamp
	err := decodeRecord(b, entrySchema, func(f field) error {
		return setEntryField(&e, &next, &prev, f)
	})
	if err == nil && e.ID == "" {
		err = errors.New("no entry ID")
	}
	if err != nil {
		return SchedulerEntry{}, &DecodeError{"scheduler entry", err}
	}
	e.Next, e.Prev = next.time(), prev.time()
	return e, nil
}

// setEntryField stores one SchedulerEntry field in e, or its times in next and prev.
func setEntryField(e *SchedulerEntry, next, prev *timestamp, f field) error {
	switch f.num {
	case 1:
		e.ID = f.str()
	case 2:
		e.Spec = f.str()
	case 3:
		e.TaskType = f.str()
	case 4:
		e.TaskPayload = f.blob()
	case 5:
		if len(e.Options) >= maxEntries {
			return fmt.Errorf("more than %d options", maxEntries)
		}
		e.Options = append(e.Options, f.str())
	case 6:
		return next.merge(f.bytes)
	case 7:
		return prev.merge(f.bytes)
	}
	return nil
}

// SchedulerEvent is one enqueue by a scheduler entry, a member of the sorted set at
// asynq:scheduler_history:<entry-id>.
type SchedulerEvent struct {
	// TaskID is the ID of the task enqueued.
	TaskID string
	// Enqueued is when the task was enqueued; zero when unknown.
	Enqueued time.Time
}

var eventSchema = schema{
	1: protowire.BytesType, // task_id
	2: protowire.BytesType, // enqueue_time
}

// DecodeSchedulerEvent decodes a scheduler enqueue event. Besides valid wire format with
// asynq's wire types for the fields it defines, it requires a task ID.
func DecodeSchedulerEvent(b []byte) (SchedulerEvent, error) {
	var ev SchedulerEvent
	var enqueued timestamp
	err := decodeRecord(b, eventSchema, func(f field) error {
		if f.num == 1 {
			ev.TaskID = f.str()
			return nil
		}
		return enqueued.merge(f.bytes)
	})
	if err == nil && ev.TaskID == "" {
		err = errors.New("no task ID")
	}
	if err != nil {
		return SchedulerEvent{}, &DecodeError{"scheduler enqueue event", err}
	}
	ev.Enqueued = enqueued.time()
	return ev, nil
}

// decodeRecord walks a non-empty record.
func decodeRecord(b []byte, s schema, fn func(field) error) error {
	if len(b) == 0 {
		return errors.New("empty value")
	}
	return walk(b, s, fn)
}
