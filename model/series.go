package model

import (
	"math"
	"time"
)

// DefaultRingCapacity is the number of samples kept per series by default: ten minutes of
// history at one refresh a second.
const DefaultRingCapacity = 600

// RingCapacity is how many samples cover a history window at one sample per interval, at
// least 1. A zero or negative interval gives DefaultRingCapacity.
func RingCapacity(window, interval time.Duration) int {
	if interval <= 0 {
		return DefaultRingCapacity
	}
	n := int(window / interval)
	if n < 1 {
		return 1
	}
	return n
}

// Sample is one value of a series at one instant of the Redis clock. Value is NaN when it
// was unknown at that instant.
type Sample struct {
	Time  time.Time
	Value float64
}

// Ring is a fixed-capacity series of samples: once full, each Push overwrites the oldest.
// The zero value holds nothing; use NewRing.
type Ring struct {
	buf   []Sample
	start int // index of the oldest sample
	n     int
}

// NewRing returns an empty ring holding at most capacity samples (at least 1).
func NewRing(capacity int) *Ring {
	if capacity < 1 {
		capacity = 1
	}
	return &Ring{buf: make([]Sample, capacity)}
}

// Push appends a sample, dropping the oldest when the ring is full.
func (r *Ring) Push(t time.Time, v float64) {
	if len(r.buf) == 0 {
		// A zero Ring behaves as a ring of one rather than panicking.
		r.buf = make([]Sample, 1)
	}
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = Sample{Time: t, Value: v}
		r.n++
		return
	}
	r.buf[r.start] = Sample{Time: t, Value: v}
	r.start = (r.start + 1) % len(r.buf)
}

// Len is the number of samples held.
func (r *Ring) Len() int { return r.n }

// Cap is the most samples the ring holds.
func (r *Ring) Cap() int { return len(r.buf) }

// Samples returns a copy of the samples, oldest first.
func (r *Ring) Samples() []Sample {
	out := make([]Sample, r.n)
	for i := range out {
		out[i] = r.at(i)
	}
	return out
}

// Values returns a copy of the sample values, oldest first; unknown values are NaN.
func (r *Ring) Values() []float64 {
	out := make([]float64, r.n)
	for i := range out {
		out[i] = r.at(i).Value
	}
	return out
}

// Last returns the newest sample, and false when the ring is empty.
func (r *Ring) Last() (Sample, bool) {
	if r.n == 0 {
		return Sample{}, false
	}
	return r.at(r.n - 1), true
}

// Max is the largest known value held, or 0 when there is none (empty ring, or only NaN),
// so that it can scale a chart directly.
func (r *Ring) Max() float64 {
	m, found := 0.0, false
	for i := 0; i < r.n; i++ {
		v := r.at(i).Value
		if math.IsNaN(v) {
			continue
		}
		if !found || v > m {
			m, found = v, true
		}
	}
	return m
}

// at returns the i-th sample counting from the oldest.
func (r *Ring) at(i int) Sample { return r.buf[(r.start+i)%len(r.buf)] }
