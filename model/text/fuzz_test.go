package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// attacks are the seeds every fuzz test starts from: sequences that would act on a
// terminal if printed raw, and text that is hard to measure.
var attacks = []string{
	"\x1b]52;c;cm0gLXJmIH4=\x07",   // OSC 52: write the clipboard
	"\x1b]52;c;cm0gLXJmIH4=\x1b\\", // OSC 52 ended by ST
	"\x1b]0;pwned\x07",             // OSC 0: set the window title
	"\x1b]2;pwned\x1b\\",           // OSC 2, ended by ST
	"\x1b[2J\x1b[H",                // clear the screen, cursor home
	"\x1b[10;5H",                   // move the cursor
	"\x1b[6n",                      // ask the terminal to answer on stdin
	"\x1bP+q544e\x1b\\",            // DCS request
	"\u009b2J",                     // C1 CSI
	"\x9b2J",                       // raw 8-bit CSI
	"safe\rEVIL",                   // overwrite from the start of the line
	"invoice\u202eexe.pdf",         // RLO
	"\xff\xfe\xed\xa0\x80",         // invalid UTF-8 and a surrogate
	family + flag + england,
	"漢字e\u0301👍🏽\t",
}

// checkSafe fails t when s holds anything Clean promises never to let through.
func checkSafe(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s = %q: not valid UTF-8", what, s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			t.Fatalf("%s = %q: control byte %#x at %d", what, s, c, i)
		}
	}
	for _, r := range s {
		if mustEscape(r) && r != zwj && !isTag(r) {
			t.Fatalf("%s = %q: rune %U should have been escaped", what, s, r)
		}
		if (r >= 0x80 && r <= 0x9f) || isBidi(r) {
			t.Fatalf("%s = %q: C1 or bidi rune %U", what, s, r)
		}
	}
}

// isBidi reports whether r is an explicit bidi control, listed here apart from Clean's own
// rules so the test does not trust them.
func isBidi(r rune) bool {
	return r == '\u061c' || r == '\u200e' || r == '\u200f' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

func FuzzClean(f *testing.F) {
	for _, s := range attacks {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		checkSafe(t, "Clean", c)
		if strings.Contains(c, "\u200d") && !strings.Contains(s, "\u200d") {
			t.Fatalf("Clean(%q) = %q: a joiner appeared", s, c)
		}
		if again := Clean(c); again != c {
			t.Fatalf("Clean not idempotent: %q -> %q -> %q", s, c, again)
		}
		for _, l := range CleanMultiline(s) {
			checkSafe(t, "CleanMultiline line", l)
		}
	})
}

func FuzzTruncate(f *testing.F) {
	for _, s := range attacks {
		for _, w := range []int{0, 1, 2, 5, 13, 80} {
			f.Add(s, w)
		}
	}
	f.Fuzz(func(t *testing.T, s string, w int) {
		w = w%200 - 2 // keep widths small, including a few below zero
		limit := max(w, 0)

		for name, fn := range map[string]func(string, int) string{
			"Truncate":       Truncate,
			"TruncateMiddle": TruncateMiddle,
			"Cut":            Cut,
		} {
			out := fn(s, w)
			checkSafe(t, name, out)
			if got := Width(out); got > limit {
				t.Fatalf("%s(%q, %d) = %q: %d cells", name, s, w, out, got)
			}
		}
		for name, fn := range map[string]func(string, int) string{
			"Pad":     Pad,
			"PadLeft": PadLeft,
		} {
			out := fn(s, w)
			checkSafe(t, name, out)
			if got := Width(out); got != limit {
				t.Fatalf("%s(%q, %d) = %q: %d cells, want %d", name, s, w, out, got, limit)
			}
		}

		for _, l := range Wrap(s, w) {
			checkSafe(t, "Wrap line", l)
			if got := Width(l); w > 0 && got > w {
				t.Fatalf("Wrap(%q, %d) has line %q of %d cells", s, w, l, got)
			}
		}

		// What Truncate keeps is the start of what Clean shows.
		clean := Clean(s)
		out := strings.TrimSuffix(Truncate(s, w), Ellipsis)
		if !strings.HasPrefix(clean, out) {
			t.Fatalf("Truncate(%q, %d) = %q: not a prefix of %q", s, w, out, clean)
		}
	})
}
