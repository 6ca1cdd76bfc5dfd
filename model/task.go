package model

import "time"

// State is a task state in asynq's words.
type State string

// The task states asynq keeps, in the order the task browser shows its tabs.
const (
	Pending     State = "pending"
	Active      State = "active"
	Scheduled   State = "scheduled"
	Retry       State = "retry"
	Archived    State = "archived"
	Completed   State = "completed"
	Aggregating State = "aggregating"
)

// States lists every state in tab order.
func States() []State {
	return []State{Pending, Active, Scheduled, Retry, Archived, Completed, Aggregating}
}

// Task is one task as the browser lists it or the detail view shows it. Every string in
// it came from Redis and is untrusted: render it through model/text.
type Task struct {
	ID    string
	Queue string
	// State is the state whose key lists the task (the tab it was read from).
	State State
	// HashState is the state the task's own hash records; it differs from State when
	// Redis is inconsistent (see Problem).
	HashState string
	Type      string
	Payload   []byte
	// PayloadSize is the payload's size in bytes, known even when the payload was not
	// fetched (see PayloadFetched).
	PayloadSize    int
	PayloadFetched bool
	// MsgSize is the size of the whole stored message.
	MsgSize int
	Headers map[string]string

	Retry, Retried int
	LastError      string
	LastFailedAt   time.Time
	Timeout        time.Duration
	Deadline       time.Time
	UniqueKey      string
	Group          string
	Retention      time.Duration
	CompletedAt    time.Time
	PendingSince   time.Time
	// Score is the sorted-set score that lists the task: when it next runs (scheduled,
	// retry), was archived, or expires (completed); zero for lists.
	Score time.Time
	// Result is what the handler wrote with its ResultWriter; nil when none or not read.
	Result     []byte
	ResultSize int
	// Leased is false for an active task with no lease entry or an expired lease.
	Leased       bool
	LeaseExpires time.Time

	// Problem says what is wrong with the record, or is empty (see Problem* constants).
	Problem Problem
	// Detail explains Problem for a person.
	Detail string
	// Legacy is true for a message written by asynq before v0.18.
	Legacy bool
	// ListedIn names the states whose keys list the task; only the detail view
	// (source.Task) checks every state, a page leaves it nil.
	ListedIn []State
}

// Problem names what is wrong with a task's record in Redis.
type Problem string

// The problems the browser shows instead of hiding a row.
const (
	ProblemNone         Problem = ""
	ProblemMissing      Problem = "missing"      // listed, but the task hash does not exist
	ProblemUndecodable  Problem = "undecodable"  // the msg field cannot be decoded
	ProblemInconsistent Problem = "inconsistent" // the hash's state differs from the listing
	ProblemTooLarge     Problem = "large"        // not fetched on a page; open to read
)

// Actionable reports whether state-dependent actions may be offered for the task.
func (t Task) Actionable() bool {
	return t.Problem == ProblemNone || t.Problem == ProblemTooLarge
}

// TaskPage is one page of a state's tasks.
type TaskPage struct {
	Queue string
	State State
	// Group is the aggregation group for the aggregating state.
	Group string
	// Offset is the index of the first task in the state's key; Total the key's size.
	Offset, Total int
	Tasks         []Task
	// Time is Redis's clock when the page was read.
	Time time.Time
	// PayloadBytes is how many payload bytes the page fetched (at most 1 MiB).
	PayloadBytes int
	// FetchedBytes is how many message bytes the page fetched, payloads included (at most
	// 1 MiB).
	FetchedBytes int
	// RoundTrips is how many network round trips reading the page took.
	RoundTrips int
}
