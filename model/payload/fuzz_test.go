package payload

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/asynqtop/asynqtop/model/text"
)

// seeds are payloads every fuzz test starts from.
func seeds(f *testing.F) [][]byte {
	return [][]byte{
		nil,
		protobuf,
		emptyGzip,
		gz(f, []byte(`{"to":"a@b","n":[1,2,{"x":null}]}`)),
		gz(f, []byte("\x1b]52;c;aGk=\x07")),
		gz(f, make([]byte, 1<<20)),
		gz(f, emptyGzip),
		[]byte(`{"s":"exe.` + "\u202e" + `txt","password":"x"}`),
		[]byte("\x1b]52;c;cm0gLXJmIH4=\x07"),
		[]byte("\x1b]0;pwned\x07\x1b[2J\x1b[H"),
		[]byte("caf\xe9 au lait, caf\xe9 noir\n\ttab"),
		[]byte("漢字 \U0001f468\u200d\U0001f469\u200d\U0001f467 e\u0301"),
		[]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`),
		randomBytes(300),
	}
}

// FuzzRender checks Render's promises: no panic, every line and the note clean, no line wider
// than a positive Width, and a note whenever the lines are cut short.
func FuzzRender(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b, 80, 0, true)
		f.Add(b, 7, 64, false)
	}
	f.Fuzz(func(t *testing.T, b []byte, width, maxBytes int, decompress bool) {
		opts := Options{Width: width%200 - 1, MaxBytes: maxBytes % (64 << 10), Decompress: decompress}
		r := Render(b, opts)
		checkRendered(t, r, opts.Width)
		if r.Truncated && r.Note == "" {
			t.Fatalf("Render(%q, %+v) truncated without a note", b, opts)
		}
	})
}

// FuzzPreview checks that Preview never panics and returns a clean line no wider than asked.
func FuzzPreview(f *testing.F) {
	for _, b := range seeds(f) {
		for _, w := range []int{0, 1, 3, 12, 40, 120} {
			f.Add(b, w)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, w int) {
		w = w%300 - 2
		got := Preview(b, w)
		checkClean(t, "Preview", got)
		if gw := text.Width(got); gw > max(w, 0) {
			t.Fatalf("Preview(%q, %d) = %q: %d cells", b, w, got, gw)
		}
	})
}

// FuzzMask checks that masking valid JSON leaves valid JSON and that nothing changes when
// nothing is masked.
func FuzzMask(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b, "password")
	}
	f.Fuzz(func(t *testing.T, b []byte, field string) {
		in := bytes.Clone(b)
		got, n := Mask(b, []string{field, "x"})
		if !bytes.Equal(in, b) {
			t.Fatalf("Mask changed its input")
		}
		if n == 0 && !bytes.Equal(got, b) {
			t.Fatalf("Mask(%q) = %q with nothing masked", b, got)
		}
		if n > 0 && !json.Valid(got) {
			t.Fatalf("Mask(%q) = %q: not valid JSON", b, got)
		}
	})
}
