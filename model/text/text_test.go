package text

import (
	"slices"
	"testing"
)

// family, flag and england are emoji that span several runes yet show as one glyph.
const (
	family  = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
	flag    = "\U0001f1ef\U0001f1f5"
	england = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
)

func TestClean(t *testing.T) {
	tests := map[string]struct {
		in, want string
	}{
		// Plain text and the backslash, which is deliberately not escaped.
		"plain":     {"hello, world", "hello, world"},
		"empty":     {"", ""},
		"backslash": {`C:\tmp\x1b`, `C:\tmp\x1b`},

		// C0 controls and DEL.
		"NUL":               {"a\x00b", `a\x00b`},
		"BEL":               {"ding\a", `ding\x07`},
		"backspace":         {"ab\bc", `ab\x08c`},
		"tab":               {"a\tb", `a\tb`},
		"line feed":         {"a\nb", `a\nb`},
		"carriage return":   {"safe\rEVIL", `safe\rEVIL`},
		"form feed":         {"\f", `\x0c`},
		"unit separator":    {"\x1f", `\x1f`},
		"DEL":               {"a\x7fb", `a\x7fb`},
		"ESC alone":         {"\x1b", `\x1b`},
		"every C0 in a row": {"\x01\x02\x03", `\x01\x02\x03`},

		// Escape sequences come out as visible text.
		"CSI clear screen":   {"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		"CSI cursor move":    {"\x1b[10;5Hx", `\x1b[10;5Hx`},
		"CSI colour":         {"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		"OSC 52 clipboard":   {"\x1b]52;c;cm0gLXJmIH4=\x07", `\x1b]52;c;cm0gLXJmIH4=\x07`},
		"OSC window title":   {"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		"OSC 8 hyperlink":    {"\x1b]8;;http://x\x1b\\y", `\x1b]8;;http://x\x1b\y`},
		"DCS":                {"\x1bP1$r\x1b\\", `\x1bP1$r\x1b\`},
		"APC":                {"\x1b_Gq=2\x1b\\", `\x1b_Gq=2\x1b\`},
		"C1 CSI as rune":     {"\u009b2J", `\u009b2J`},
		"C1 OSC as rune":     {"\u009d0;t\u009c", `\u009d0;t\u009c`},
		"C1 NEL":             {"a\u0085b", `a\u0085b`},
		"C1 CSI as raw byte": {"\x9b2J", `\x9b2J`},

		// Invalid UTF-8 shows byte by byte.
		"invalid byte":      {"\xff", `\xff`},
		"latin-1":           {"caf\xe9", `caf\xe9`},
		"truncated rune":    {"\xe2\x82", `\xe2\x82`},
		"surrogate":         {"\xed\xa0\x80", `\xed\xa0\x80`},
		"overlong slash":    {"\xc0\xaf", `\xc0\xaf`},
		"replacement rune":  {"\ufffd", "\ufffd"},
		"invalid then text": {"\xffok", `\xffok`},

		// Bidi controls would reorder what follows.
		"RLO":     {"invoice\u202eexe.pdf", `invoice\u202eexe.pdf`},
		"LRO PDF": {"\u202dx\u202c", `\u202dx\u202c`},
		"LRE RLE": {"\u202a\u202b", `\u202a\u202b`},
		"isolate": {"\u2066x\u2067y\u2068z\u2069", `\u2066x\u2067y\u2068z\u2069`},
		"LRM RLM": {"\u200e\u200f", `\u200e\u200f`},
		"ALM":     {"\u061c", `\u061c`},

		// Invisible characters that could hide or spoof text.
		"zero width space":     {"pay\u200bpal", `pay\u200bpal`},
		"ZWNJ":                 {"\u200c", `\u200c`},
		"ZWJ between letters":  {"a\u200db", `a\u200db`},
		"ZWJ at end":           {"a\u200d", `a\u200d`},
		"word joiner":          {"\u2060", `\u2060`},
		"BOM":                  {"\ufeffid", `\ufeffid`},
		"soft hyphen":          {"pay\u00adpal", `pay\u00adpal`},
		"line separator":       {"a\u2028b", `a\u2028b`},
		"paragraph separator":  {"\u2029", `\u2029`},
		"Hangul filler":        {"\u3164", `\u3164`},
		"private use":          {"\ue000", `\ue000`},
		"noncharacter":         {"\ufdd0\ufffe", `\ufdd0\ufffe`},
		"plane 1 noncharacter": {"\U0001ffff", `\U0001ffff`},
		"tag smuggling":        {"hi\U000e0041\U000e0042", `hi\U000e0041\U000e0042`},
		"stray cancel tag":     {"\U000e007f", `\U000e007f`},

		// Visible text that must stay as it is.
		"CJK":                  {"漢字かな", "漢字かな"},
		"combining acute":      {"e\u0301", "e\u0301"},
		"emoji":                {"👍", "👍"},
		"skin tone":            {"👍🏽", "👍🏽"},
		"ZWJ family":           {family, family},
		"ZWJ family then text": {family + "x", family + "x"},
		"flag":                 {flag, flag},
		"subdivision flag":     {england, england},
		"keycap":               {"#\ufe0f\u20e3", "#\ufe0f\u20e3"},
		"conjunct with ZWJ":    {"क्\u200dष", "क्\u200dष"},
		"ideographic VS":       {"葛\U000e0100", "葛\U000e0100"},
		"arabic":               {"مرحبا", "مرحبا"},

		// A cluster with anything escaped keeps no joiner, so cleaning twice changes nothing.
		"ZWJ emoji with ZWNJ": {
			"\U0001f468\u200c\u200d\U0001f469",
			`👨\u200c\u200d👩`,
		},
		"ZWJ emoji after control": {"\x00" + family, `\x00` + family},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Clean(tc.in)
			if got != tc.want {
				t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := Clean(got); again != got {
				t.Errorf("Clean is not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestCleanMultiline(t *testing.T) {
	tests := map[string]struct {
		in   string
		want []string
	}{
		"empty":            {"", []string{""}},
		"one line":         {"abc", []string{"abc"}},
		"final newline":    {"a\nb\n", []string{"a", "b"}},
		"CRLF":             {"a\r\nb\r\n", []string{"a", "b"}},
		"blank lines":      {"a\n\n\nb", []string{"a", "", "", "b"}},
		"only newlines":    {"\n\n", []string{"", ""}},
		"lone CR":          {"safe\rEVIL", []string{`safe\rEVIL`}},
		"tab at start":     {"\tx", []string{"    x"}},
		"tab mid column":   {"ab\tc", []string{"ab  c"}},
		"tab on stop":      {"abcd\te", []string{"abcd    e"}},
		"two tabs":         {"a\t\tb", []string{"a       b"}},
		"tab after wide":   {"漢\tx", []string{"漢  x"}},
		"tab after escape": {"\x1b\tx", []string{`\x1b    x`}},
		"escapes per line": {
			"ok\n\x1b[2J\x1b]0;t\x07\n",
			[]string{"ok", `\x1b[2J\x1b]0;t\x07`},
		},
		"bidi per line": {"a\u202e\nb", []string{`a\u202e`, "b"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := CleanMultiline(tc.in)
			if !slices.Equal(got, tc.want) {
				t.Errorf("CleanMultiline(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWidth(t *testing.T) {
	tests := map[string]struct {
		in   string
		want int
	}{
		"empty":            {"", 0},
		"ascii":            {"abc", 3},
		"CJK":              {"漢字", 4},
		"halfwidth kana":   {"ｱｲ", 2},
		"fullwidth latin":  {"ＡＢ", 4},
		"emoji":            {"👍", 2},
		"skin tone":        {"👍🏽", 2},
		"ZWJ family":       {family, 2},
		"flag":             {flag, 2},
		"subdivision flag": {england, 2},
		"combining acute":  {"e\u0301", 1},
		"combining stack":  {"a\u0301\u0302\u0303", 1},
		"escape":           {Clean("\x1b"), 4},
		"bidi escape":      {Clean("\u202e"), 6},
		"mixed":            {"a漢👍", 5},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Width(tc.in); got != tc.want {
				t.Errorf("Width(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := map[string]struct {
		in   string
		w    int
		want string
	}{
		"fits":              {"hello", 5, "hello"},
		"cut":               {"hello world", 5, "hell…"},
		"width one":         {"hello", 1, "…"},
		"zero":              {"hello", 0, ""},
		"negative":          {"hello", -3, ""},
		"empty":             {"", 4, ""},
		"wide fits":         {"漢字", 4, "漢字"},
		"wide cut even":     {"漢字漢字", 5, "漢字…"},
		"wide cut odd":      {"漢字漢字", 4, "漢…"},
		"wide at width one": {"漢字", 1, "…"},
		"escape cut":        {"\x1b[2J", 5, `\x1b…`},
		"escape fits":       {"\x1b", 4, `\x1b`},
		"ZWJ kept whole":    {family + "xy", 3, family + "…"},
		"ZWJ not split":     {family + "x", 2, "…"},
		"flag not split":    {flag + flag, 3, flag + "…"},
		"combining kept":    {"e\u0301e\u0301e\u0301", 2, "e\u0301…"},
		"OSC 52":            {"\x1b]52;c;aGk=\x07", 8, `\x1b]52…`},
		"bidi":              {"abc\u202edef", 6, `abc\u…`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Truncate(tc.in, tc.w)
			if got != tc.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
			}
		})
	}
}

func TestCut(t *testing.T) {
	tests := map[string]struct {
		in   string
		w    int
		want string
	}{
		"fits":       {"hello", 5, "hello"},
		"cut":        {"hello", 3, "hel"},
		"wide":       {"漢字", 3, "漢"},
		"wide first": {"漢字", 1, ""},
		"escape":     {"\x00a", 3, `\x0`},
		"zero":       {"a", 0, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Cut(tc.in, tc.w); got != tc.want {
				t.Errorf("Cut(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
			}
		})
	}
}

func TestTruncateMiddle(t *testing.T) {
	tests := map[string]struct {
		in   string
		w    int
		want string
	}{
		"fits":      {"0123456789", 10, "0123456789"},
		"odd":       {"0123456789", 5, "01…89"},
		"even":      {"abcdefghij", 6, "abc…ij"},
		"one":       {"abcdef", 1, "…"},
		"two":       {"abcdef", 2, "a…"},
		"zero":      {"abcdef", 0, ""},
		"uuid":      {"2f1c7b9e-5d4a-4e8f-9b3c-7a6d5e4f3a2b", 13, "2f1c7b…4f3a2b"},
		"wide":      {"漢字かなカナ", 7, "漢…カナ"},
		"wide odd":  {"漢字かなカナ", 6, "漢…ナ"},
		"escapes":   {"\x1bmiddle\x07", 9, `\x1b…\x07`},
		"emoji end": {"abcdef" + family, 5, "ab…" + family},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := TruncateMiddle(tc.in, tc.w)
			if got != tc.want {
				t.Errorf("TruncateMiddle(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
			}
		})
	}
}

func TestPad(t *testing.T) {
	tests := map[string]struct {
		in          string
		w           int
		right, left string
	}{
		"short":      {"ab", 4, "ab  ", "  ab"},
		"exact":      {"abcd", 4, "abcd", "abcd"},
		"long":       {"abcdef", 4, "abc…", "abc…"},
		"wide short": {"漢字漢", 5, "漢字…", "漢字…"},
		"wide gap":   {"漢字漢", 4, "漢… ", " 漢…"},
		"escape":     {"\x1b", 6, `\x1b  `, `  \x1b`},
		"zero":       {"ab", 0, "", ""},
		"empty":      {"", 3, "   ", "   "},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Pad(tc.in, tc.w); got != tc.right {
				t.Errorf("Pad(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.right)
			}
			if got := PadLeft(tc.in, tc.w); got != tc.left {
				t.Errorf("PadLeft(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.left)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	tests := map[string]struct {
		in   string
		w    int
		want []string
	}{
		"fits":           {"abc", 3, []string{"abc"}},
		"empty":          {"", 3, []string{""}},
		"no limit":       {"abcdef", 0, []string{"abcdef"}},
		"even":           {"abcdef", 3, []string{"abc", "def"}},
		"remainder":      {"abcdefg", 3, []string{"abc", "def", "g"}},
		"wide":           {"漢字かな", 5, []string{"漢字", "かな"}},
		"wide in one":    {"漢字", 1, []string{"…", "…"}},
		"escape":         {"a\x1bb", 3, []string{`a\x`, "1bb"}},
		"ZWJ kept whole": {"ab" + family + "cd", 3, []string{"ab", family + "c", "d"}},
		"combining":      {"e\u0301e\u0301e\u0301", 2, []string{"e\u0301e\u0301", "e\u0301"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Wrap(tc.in, tc.w); !slices.Equal(got, tc.want) {
				t.Errorf("Wrap(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
			}
		})
	}
}
