package model

import (
	"math"
	"time"
)

// Rate is how fast a lifetime counter grew from prev to cur over dt, per second. It is
// false when there is no rate to tell: dt is not positive, or the counter dropped, which
// means it was reset (the queue was removed and re-created, or its keys were deleted).
func Rate(prev, cur int64, dt time.Duration) (float64, bool) {
	if dt <= 0 || cur < prev {
		return 0, false
	}
	return float64(cur-prev) / dt.Seconds(), true
}

// failureRatio is the share of the tasks processed between two counter readings that
// failed: 0..1, 0 when nothing was processed, false after a reset of either counter.
func failureRatio(prevProcessed, curProcessed, prevFailed, curFailed int64) (float64, bool) {
	processed, failed := curProcessed-prevProcessed, curFailed-prevFailed
	if processed < 0 || failed < 0 {
		return 0, false
	}
	if processed == 0 {
		return 0, true
	}
	// asynq counts every failure as processed too, but the two counters are read without
	// a transaction, so a failure may land between them: clamp rather than exceed 1.
	return math.Min(float64(failed)/float64(processed), 1), true
}

// growthPerMinute is how many items a count gained per minute from prev to cur; a count
// that shrank gained nothing. It is false when dt is not positive.
//
// TODO(history): deletions hide additions made in the same interval; an exact figure needs
// asynq's archive timestamps, which one refresh does not read.
func growthPerMinute(prev, cur int64, dt time.Duration) (float64, bool) {
	if dt <= 0 {
		return 0, false
	}
	if cur <= prev {
		return 0, true
	}
	return float64(cur-prev) / dt.Minutes(), true
}
