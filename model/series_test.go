package model

import (
	"math"
	"testing"
	"time"
)

// t0 is the fixed clock the model tests count from.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// at is t0 plus sec seconds.
func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

var nan = math.NaN()

// sameFloats compares float slices treating NaN as equal to NaN.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameFloat(a[i], b[i]) {
			return false
		}
	}
	return true
}

// sameFloat compares two floats to 1e-9, NaN equal to NaN.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

func TestRingCapacity(t *testing.T) {
	cases := map[string]struct {
		window, interval time.Duration
		want             int
	}{
		"default 10m at 1s":  {10 * time.Minute, time.Second, 600},
		"250ms":              {time.Minute, 250 * time.Millisecond, 240},
		"window below step":  {time.Second, time.Minute, 1},
		"zero interval":      {time.Minute, 0, DefaultRingCapacity},
		"negative interval":  {time.Minute, -time.Second, DefaultRingCapacity},
		"uneven rounds down": {10 * time.Second, 3 * time.Second, 3},
		"zero window is one": {0, time.Second, 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := RingCapacity(tc.window, tc.interval); got != tc.want {
				t.Errorf("RingCapacity(%v, %v) = %d, want %d", tc.window, tc.interval, got, tc.want)
			}
		})
	}
}

func TestRing(t *testing.T) {
	f := func(v ...float64) []float64 { return append([]float64{}, v...) }
	cases := map[string]struct {
		capacity int
		push     []float64
		want     []float64
		wantMax  float64
	}{
		"empty":              {3, nil, f(), 0},
		"partial":            {3, f(1, 2), f(1, 2), 2},
		"exactly full":       {3, f(3, 1, 2), f(3, 1, 2), 3},
		"wraps once":         {3, f(9, 1, 2, 3), f(1, 2, 3), 3},
		"wraps twice":        {2, f(1, 2, 3, 4, 5), f(4, 5), 5},
		"capacity below one": {0, f(1, 2), f(2), 2},
		"max skips NaN":      {3, f(nan, 4, nan), f(nan, 4, nan), 4},
		"only NaN":           {3, f(nan), f(nan), 0},
		"all negative":       {3, f(-3, -1), f(-3, -1), -1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := NewRing(tc.capacity)
			for i, v := range tc.push {
				r.Push(at(float64(i)), v)
			}

			if got := r.Values(); !sameFloats(got, tc.want) {
				t.Errorf("Values = %v, want %v", got, tc.want)
			}
			if r.Len() != len(tc.want) {
				t.Errorf("Len = %d, want %d", r.Len(), len(tc.want))
			}
			if got := r.Max(); !sameFloat(got, tc.wantMax) {
				t.Errorf("Max = %v, want %v", got, tc.wantMax)
			}
			last, ok := r.Last()
			if ok != (len(tc.want) > 0) {
				t.Fatalf("Last ok = %v with %d samples", ok, len(tc.want))
			}
			if ok && (!sameFloat(last.Value, tc.want[len(tc.want)-1]) ||
				!last.Time.Equal(at(float64(len(tc.push)-1)))) {
				t.Errorf("Last = %+v, want value %v at push %d", last, tc.want[len(tc.want)-1],
					len(tc.push)-1)
			}
		})
	}
}

func TestRingSamplesInOrder(t *testing.T) {
	r := NewRing(2)
	r.Push(at(0), 0)
	r.Push(at(1), 10)
	r.Push(at(2), 20)

	got := r.Samples()
	want := []Sample{{at(1), 10}, {at(2), 20}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Samples = %v, want %v", got, want)
	}
	got[0].Value = 99
	if r.Values()[0] != 10 {
		t.Error("Samples returned the ring's own storage")
	}
}

func TestRingZeroValue(t *testing.T) {
	var r Ring
	r.Push(at(0), 1)
	r.Push(at(1), 2)
	if got := r.Values(); !sameFloats(got, []float64{2}) || r.Cap() != 1 {
		t.Errorf("zero Ring after two pushes: Values = %v, Cap = %d", got, r.Cap())
	}
}
