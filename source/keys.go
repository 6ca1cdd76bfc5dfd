package source

import "time"

// asynq v0.26.0's key layout (internal/base/base.go). asynq's internal packages cannot
// be imported, so the names are restated here and pinned by the integration tests.
const (
	keyQueues     = "asynq:queues"
	keyServers    = "asynq:servers"
	keyWorkers    = "asynq:workers"
	keySchedulers = "asynq:schedulers"
)

func queuePrefix(q string) string { return "asynq:{" + q + "}:" }

// TaskKey is the hash holding one task's message and state.
func taskKey(q, id string) string { return queuePrefix(q) + "t:" + id }

func taskKeyPrefix(q string) string { return queuePrefix(q) + "t:" }

func stateKey(q, state string) string { return queuePrefix(q) + state }

func pausedKey(q string) string { return queuePrefix(q) + "paused" }

func leaseKey(q string) string { return queuePrefix(q) + "lease" }

func groupsKey(q string) string { return queuePrefix(q) + "groups" }

func groupKey(q, g string) string { return queuePrefix(q) + "g:" + g }

func processedTotalKey(q string) string { return queuePrefix(q) + "processed" }

func failedTotalKey(q string) string { return queuePrefix(q) + "failed" }

func processedDayKey(q string, t time.Time) string {
	return queuePrefix(q) + "processed:" + t.UTC().Format("2006-01-02")
}

func failedDayKey(q string, t time.Time) string {
	return queuePrefix(q) + "failed:" + t.UTC().Format("2006-01-02")
}
