package model

import (
	"math"
	"testing"
)

func TestExtrapolate(t *testing.T) {
	cases := map[string]struct {
		sample []int64
		count  int64
		want   int64
	}{
		"empty sample":           {nil, 100, 0},
		"zero count":             {[]int64{100}, 0, 0},
		"negative count":         {[]int64{100}, -5, 0},
		"whole population":       {[]int64{100, 200, 300}, 3, 600},
		"mean times count":       {[]int64{100, 300}, 1000, 200_000},
		"rounds to nearest byte": {[]int64{1, 2}, 3, 5},
		"missing hash is zero":   {[]int64{0, 400}, 10, 2000},
		"negative reply ignored": {[]int64{-50, 100}, 2, 100},
		"clamped at int64":       {[]int64{math.MaxInt64}, math.MaxInt64, math.MaxInt64},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Extrapolate(c.sample, c.count); got != c.want {
				t.Errorf("Extrapolate(%v, %d) = %d, want %d", c.sample, c.count, got, c.want)
			}
		})
	}
}
