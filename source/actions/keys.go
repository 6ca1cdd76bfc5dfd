package actions

import "github.com/asynqtop/asynqtop/model"

// asynq v0.26.0's key layout (internal/base/base.go and internal/rdb/rdb.go), restated
// because asynq's internal packages cannot be imported; the tests pin it against asynq.
const (
	keyQueues     = "asynq:queues"
	cancelChannel = "asynq:cancel"

	// archiveKeep is how many archived tasks asynq keeps: it trims with
	// ZREMRANGEBYRANK 0 -maxArchiveSize (maxArchiveSize = 10000), which leaves 9,999.
	archiveKeep = 10000 - 1
	// archiveDays is archivedExpirationInDays: older archived tasks are dropped whenever
	// a task is archived.
	archiveDays = 90
)

func queuePrefix(q string) string { return "asynq:{" + q + "}:" }

func stateKey(q string, s model.State) string { return queuePrefix(q) + string(s) }

func taskKey(q, id string) string { return queuePrefix(q) + "t:" + id }

func pausedKey(q string) string { return queuePrefix(q) + "paused" }

func groupsKey(q string) string { return queuePrefix(q) + "groups" }

// queueKeys are the keys that exist while a queue holds tasks or is paused. They share
// the queue's hash tag, so one EXISTS over them also works on Redis Cluster.
func queueKeys(q string) []string {
	keys := []string{pausedKey(q), groupsKey(q)}
	for _, s := range []model.State{model.Pending, model.Active, model.Scheduled,
		model.Retry, model.Archived, model.Completed} {
		keys = append(keys, stateKey(q, s))
	}
	return keys
}

// uniquePrefix is where asynq keeps unique locks (base.UniqueKey); a unique_key field
// pointing elsewhere is not trusted.
func uniquePrefix(q string) string { return queuePrefix(q) + "unique:" }
