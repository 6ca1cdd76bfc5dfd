package model

import "math"

// Memory is an estimate of the Redis memory one queue's keys take, as MEMORY USAGE
// reports it: the state keys, the flags and counters, and the task hashes, of which only
// a sample is measured and the rest extrapolated.
type Memory struct {
	// Bytes is the estimate; zero when Unavailable is set.
	Bytes int64
	// Sampled is how many task hashes were measured.
	Sampled int
	// Exact is true when every listed task's hash was measured, nothing extrapolated.
	// The state keys' own sizes are still Redis's estimate for large collections.
	Exact bool
	// Unavailable says why there is no figure (MEMORY disabled or denied); empty when
	// Bytes is meaningful.
	Unavailable string
}

// Extrapolate estimates the bytes of count items from the measured sizes of a sample of
// them: the sample's mean times count, rounded to the nearest byte. A sample item that
// no longer exists counts as zero bytes, as it takes none. An empty sample or a count
// not above zero gives 0; a result past the int64 range is clamped to it.
func Extrapolate(sample []int64, count int64) int64 {
	if len(sample) == 0 || count <= 0 {
		return 0
	}
	var sum float64
	for _, b := range sample {
		sum += float64(max(b, 0))
	}
	est := math.Round(sum / float64(len(sample)) * float64(count))
	if est >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(est)
}
