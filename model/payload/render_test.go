package payload

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/asynqtop/asynqtop/model/text"
)

func TestRender(t *testing.T) {
	jsonIn := []byte(`{"zeta":1,"alpha":[true,null,{"x":"y"}],"e":{},"f":[],"n":-1.5e3}`)
	jsonLines := []string{
		`{`,
		`  "zeta": 1,`,
		`  "alpha": [`,
		`    true,`,
		`    null,`,
		`    {`,
		`      "x": "y"`,
		`    }`,
		`  ],`,
		`  "e": {},`,
		`  "f": [],`,
		`  "n": -1.5e3`,
		`}`,
	}
	gzJSON := gz(t, jsonIn)
	gzText := gz(t, []byte("line one\nline\x1b two\n"))
	gzGzip := gz(t, emptyGzip)
	hello := gz(t, []byte("hello, hello, hello"))
	gzCut := hello[:len(hello)-8] // whole deflate stream, no checksum trailer
	emptyGzipLines := []string{
		"00000000  1f 8b 08 00 00 00 00 00  00 ff 01 00 00 ff ff 00  |................|",
		"00000010  00 00 00 00 00 00 00                              |.......|",
	}
	compressed := func(b []byte, rest string) string {
		return fmt.Sprintf("gzip, %d bytes compressed; %s", len(b), rest)
	}
	tests := map[string]struct {
		in        []byte
		opts      Options
		kind      Kind
		lines     []string
		note      string
		truncated bool
	}{
		"empty": {
			in: nil, kind: Empty, note: "empty payload",
		},
		"JSON keeps key order and numbers": {
			in: jsonIn, kind: JSON, lines: jsonLines,
		},
		"JSON already indented": {
			in:    []byte("{\n\t\"b\" :\t2 ,\r\n \"a\":  \"x y\"\n}\n"),
			kind:  JSON,
			lines: []string{`{`, `  "b": 2,`, `  "a": "x y"`, `}`},
		},
		"JSON strings kept as written": {
			in:    []byte(`["a\"b\\c\u001b[2J", "{[,:]}"]`),
			kind:  JSON,
			lines: []string{`[`, `  "a\"b\\c\u001b[2J",`, `  "{[,:]}"`, `]`},
		},
		"JSON raw bidi and C1 in a string": {
			in:    []byte("{\"f\":\"exe.\u202etxt\u009b\"}"),
			kind:  JSON,
			lines: []string{`{`, `  "f": "exe.\u202etxt\u009b"`, `}`},
		},
		"JSON wrapped to width": {
			in:    []byte(`{"key":"0123456789abcdef"}`),
			opts:  Options{Width: 12},
			kind:  JSON,
			lines: []string{`{`, `  "key": "01`, `23456789abcd`, `ef"`, `}`},
		},
		"text with escape sequences": {
			in:   []byte("ok\n\x1b[2J\x1b]52;c;aGk=\x07\n\x1b]0;title\x07\tdone\r\n"),
			kind: Text,
			lines: []string{
				"ok",
				`\x1b[2J\x1b]52;c;aGk=\x07`,
				`\x1b]0;title\x07    done`,
			},
		},
		"text with invalid UTF-8": {
			in:    []byte("caf\xe9 au lait, caf\xe9 noir, caf\xe9 cr\xe8me\n"),
			kind:  Text,
			lines: []string{`caf\xe9 au lait, caf\xe9 noir, caf\xe9 cr\xe8me`},
		},
		"protobuf": {
			in:   protobuf,
			kind: Binary,
			lines: []string{
				"00000000  08 96 01 12 07 74 65 73  74 69 6e 67              |.....testing|",
			},
		},
		"binary at 50 columns": {
			in:   protobuf,
			opts: Options{Width: 50},
			kind: Binary,
			lines: []string{
				"00000000  08 96 01 12 07 74 65 73  |.....tes|",
				"00000008  74 69 6e 67              |ting|",
			},
		},
		"binary at 30 columns": {
			in:   protobuf[:6],
			opts: Options{Width: 30},
			kind: Binary,
			lines: []string{
				"00000000  08 96 01 12  |....|",
				"00000004  07 74        |.t|",
			},
		},
		"binary capped": {
			in:        protobuf,
			opts:      Options{MaxBytes: 4},
			kind:      Binary,
			lines:     []string{"00000000  08 96 01 12                                       |....|"},
			note:      "showing first 4 B of 12 B",
			truncated: true,
		},
		"text capped on a rune boundary": {
			in:        []byte("漢字漢字"),
			opts:      Options{MaxBytes: 7},
			kind:      Text,
			lines:     []string{"漢字"},
			note:      "showing first 6 B of 12 B",
			truncated: true,
		},
		"gzip of JSON": {
			in:    gzJSON,
			opts:  Options{Decompress: true},
			kind:  Gzip,
			lines: jsonLines,
			note:  compressed(gzJSON, "showing decompressed json"),
		},
		"gzip of text": {
			in:    gzText,
			opts:  Options{Decompress: true},
			kind:  Gzip,
			lines: []string{"line one", `line\x1b two`},
			note:  compressed(gzText, "showing decompressed text"),
		},
		"gzip of nothing": {
			in:   emptyGzip,
			opts: Options{Decompress: true},
			kind: Gzip,
			note: "gzip, 23 bytes compressed; decompresses to nothing",
		},
		"gzip of gzip": {
			in:    gzGzip,
			opts:  Options{Decompress: true},
			kind:  Gzip,
			lines: emptyGzipLines,
			note:  compressed(gzGzip, "showing decompressed bin"),
		},
		"gzip not decompressed": {
			in:    emptyGzip,
			kind:  Gzip,
			lines: emptyGzipLines,
			note:  "gzip, 23 bytes compressed; not decompressed",
		},
		"gzip corrupt header": {
			in:    []byte{0x1f, 0x8b, 0x08, 0xff},
			opts:  Options{Decompress: true},
			kind:  Gzip,
			lines: []string{"00000000  1f 8b 08 ff" + strings.Repeat(" ", 39) + "|....|"},
			note:  "gzip, 4 bytes compressed; cannot decompress: unexpected EOF",
		},
		"gzip without its trailer": {
			in:    gzCut,
			opts:  Options{Decompress: true},
			kind:  Gzip,
			lines: []string{"hello, hello, hello"},
			note: compressed(gzCut,
				"showing decompressed text; decompression stopped: unexpected EOF"),
			truncated: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Render(tc.in, tc.opts)
			if got.Kind != tc.kind {
				t.Errorf("Kind = %v, want %v", got.Kind, tc.kind)
			}
			if !slices.Equal(got.Lines, tc.lines) {
				t.Errorf("Lines =\n%s\nwant\n%s",
					strings.Join(got.Lines, "\n"), strings.Join(tc.lines, "\n"))
			}
			if got.Note != tc.note {
				t.Errorf("Note = %q, want %q", got.Note, tc.note)
			}
			if got.Truncated != tc.truncated {
				t.Errorf("Truncated = %v, want %v", got.Truncated, tc.truncated)
			}
			checkRendered(t, got, tc.opts.Width)
		})
	}
}

func TestRenderHugeJSONCapped(t *testing.T) {
	in := hugeJSON(3 << 20)

	got := Render(in, Options{MaxBytes: 1 << 10, Width: 80})

	if got.Kind != JSON || !got.Truncated {
		t.Fatalf("Kind = %v, Truncated = %v; want json, true", got.Kind, got.Truncated)
	}
	if want := "showing first 1.0 KiB of 3.0 MiB"; got.Note != want {
		t.Errorf("Note = %q, want %q", got.Note, want)
	}
	if got.Lines[0] != "[" || got.Lines[1] != "  {" || got.Lines[2] != `    "id": "task-000000",` {
		t.Errorf("Lines start %q, want an indented array of objects", got.Lines[:3])
	}
	if len(got.Lines) > 200 {
		t.Errorf("%d lines from 1 KiB of JSON", len(got.Lines))
	}
	checkRendered(t, got, 80)
}

func TestRenderRandomBytes(t *testing.T) {
	in := randomBytes(64 << 10)

	got := Render(in, Options{})

	if got.Kind != Binary || got.Truncated || len(got.Lines) != 4096 {
		t.Fatalf("Kind %v, Truncated %v, %d lines; want bin, false, 4096",
			got.Kind, got.Truncated, len(got.Lines))
	}
	for i, l := range got.Lines {
		if text.Width(l) > 78 {
			t.Fatalf("line %d is %d cells: %q", i, text.Width(l), l)
		}
	}
	checkRendered(t, got, 0)
}

func TestRenderGzipBomb(t *testing.T) {
	bomb := gz(t, make([]byte, 32<<20)) // 32 MiB of zeros in about 32 KiB
	opts := Options{MaxBytes: 64 << 10, Decompress: true}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := Render(bomb, opts)
	runtime.ReadMemStats(&after)

	if !got.Truncated || !strings.Contains(got.Note, "first 64.0 KiB shown") {
		t.Errorf("Truncated = %v, Note = %q; want the cap noted", got.Truncated, got.Note)
	}
	if len(got.Lines) != 4096 {
		t.Errorf("%d lines, want 4096 (64 KiB at 16 a line)", len(got.Lines))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("rendering allocated %s, more than the bomb could if it were bounded",
			Size(int(alloc)))
	} else {
		t.Logf("rendering allocated %s", Size(int(alloc)))
	}
}

func TestRenderDeepJSON(t *testing.T) {
	in := []byte(strings.Repeat("[", 5000) + strings.Repeat("]", 5000))

	got := Render(in, Options{})

	if got.Kind != JSON {
		t.Fatalf("Kind = %v, want json", got.Kind)
	}
	for i, l := range got.Lines {
		if w := text.Width(l); w > 2*maxIndent+2 {
			t.Fatalf("line %d is %d cells; indent should stop at %d levels", i, w, maxIndent)
		}
	}
}

// checkRendered fails t when r breaks a promise of Render: a line or the note with a control
// byte, C1 or bidi control, or invalid UTF-8, or a line wider than width when width > 0.
func checkRendered(t *testing.T, r Rendered, width int) {
	t.Helper()
	checkClean(t, "Note", r.Note)
	for i, l := range r.Lines {
		checkClean(t, "line", l)
		if w := text.Width(l); width > 0 && w > width {
			t.Fatalf("line %d is %d cells, wider than %d: %q", i, w, width, l)
		}
	}
}

// checkClean fails t when s holds a byte or rune that could act on a terminal.
func checkClean(t *testing.T, what, s string) {
	t.Helper()
	if text.Clean(s) != s {
		t.Fatalf("%s %q is not clean: Clean gives %q", what, s, text.Clean(s))
	}
	if !utf8.ValidString(s) {
		t.Fatalf("%s %q is not valid UTF-8", what, s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			t.Fatalf("%s %q has control byte %#x", what, s, s[i])
		}
	}
	for _, r := range s {
		if (r >= 0x80 && r <= 0x9f) || (r >= '\u202a' && r <= '\u202e') ||
			(r >= '\u2066' && r <= '\u2069') || r == '\u200e' || r == '\u200f' {
			t.Fatalf("%s %q has control rune %U", what, s, r)
		}
	}
}
