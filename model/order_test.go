package model

import "testing"

func TestOrderLabel(t *testing.T) {
	for _, st := range States() {
		oldest, newest := OrderLabel(st, false), OrderLabel(st, true)
		if oldest == "" || newest == "" || oldest == newest {
			t.Errorf("%s: labels %q and %q, want two distinct words", st, oldest, newest)
		}
	}
	cases := map[string]struct {
		state  State
		newest bool
		want   string
	}{
		"pending newest":  {Pending, true, "newest first"},
		"pending oldest":  {Pending, false, "oldest first (next to run)"},
		"scheduled soon":  {Scheduled, false, "soonest first"},
		"archived newest": {Archived, true, "most recently archived first"},
		"unknown state":   {State("bogus"), true, ""},
	}
	for name, c := range cases {
		if got := OrderLabel(c.state, c.newest); got != c.want {
			t.Errorf("%s: OrderLabel = %q, want %q", name, got, c.want)
		}
	}
}
