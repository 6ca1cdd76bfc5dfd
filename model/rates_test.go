package model

import (
	"testing"
	"time"
)

func TestRate(t *testing.T) {
	cases := map[string]struct {
		prev, cur int64
		dt        time.Duration
		want      float64
		wantOK    bool
	}{
		"steady":            {100, 110, 2 * time.Second, 5, true},
		"no change":         {7, 7, time.Second, 0, true},
		"sub-second":        {0, 1, 250 * time.Millisecond, 4, true},
		"reset":             {100, 3, time.Second, 0, false},
		"zero dt":           {1, 2, 0, 0, false},
		"negative dt":       {1, 2, -time.Second, 0, false},
		"from zero counter": {0, 60, time.Minute, 1, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := Rate(tc.prev, tc.cur, tc.dt)
			if ok != tc.wantOK || !sameFloat(got, tc.want) {
				t.Errorf("Rate(%d, %d, %v) = %v, %v; want %v, %v",
					tc.prev, tc.cur, tc.dt, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestFailureRatio(t *testing.T) {
	cases := map[string]struct {
		pp, cp, pf, cf int64
		want           float64
		wantOK         bool
	}{
		"quarter failed":        {100, 200, 10, 35, 0.25, true},
		"none processed":        {100, 100, 10, 10, 0, true},
		"all failed":            {0, 4, 0, 4, 1, true},
		"failure read late":     {0, 4, 0, 5, 1, true},
		"processed reset":       {100, 5, 10, 10, 0, false},
		"failed reset":          {100, 120, 10, 2, 0, false},
		"failed with no growth": {100, 100, 10, 11, 0, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := failureRatio(tc.pp, tc.cp, tc.pf, tc.cf)
			if ok != tc.wantOK || !sameFloat(got, tc.want) {
				t.Errorf("failureRatio = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestGrowthPerMinute(t *testing.T) {
	cases := map[string]struct {
		prev, cur int64
		dt        time.Duration
		want      float64
		wantOK    bool
	}{
		"grew":        {10, 15, 30 * time.Second, 10, true},
		"shrank":      {15, 10, 30 * time.Second, 0, true},
		"unchanged":   {15, 15, time.Second, 0, true},
		"zero dt":     {1, 2, 0, 0, false},
		"one per sec": {0, 1, time.Second, 60, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := growthPerMinute(tc.prev, tc.cur, tc.dt)
			if ok != tc.wantOK || !sameFloat(got, tc.want) {
				t.Errorf("growthPerMinute = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
