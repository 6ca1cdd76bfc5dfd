package payload

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/asynqtop/asynqtop/model/text"
)

func TestPreview(t *testing.T) {
	random := randomBytes(64 << 10)
	gzJSON := gz(t, []byte(`{"id": 7, "to": ["a@b"]}`))
	gzText := gz(t, []byte("hello\nthere"))
	bomb := gz(t, make([]byte, 8<<20))
	gzGzip := gz(t, emptyGzip)
	// cutTo is what the line should be when s is cut to w cells with an ellipsis.
	cutTo := func(s string, w int) string { return text.Cut(s, w-1) + text.Ellipsis }
	tests := map[string]struct {
		in   []byte
		w    int
		want string
	}{
		"JSON compacted":     {[]byte(`{"a": 1, "b": [1, 2]}`), 80, `{"a":1,"b":[1,2]}`},
		"JSON cut":           {[]byte(`{"a": 1, "b": [1, 2]}`), 10, `{"a":1,"b…`},
		"JSON spaces in str": {[]byte(`{ "s" : "a b" }`), 80, `{"s":"a b"}`},
		"JSON escape text":   {[]byte(`{"s":"\u001b[2J"}`), 80, `{"s":"\u001b[2J"}`},
		"JSON raw bidi":      {[]byte("{\"s\":\"a\u202eb\"}"), 80, `{"s":"a\u202eb"}`},
		"JSON huge":          {hugeJSON(2 << 20), 24, `[{"id":"task-000000","q…`},
		"text":               {[]byte("hello\nworld"), 20, `hello\nworld`},
		"text OSC 52":        {[]byte("\x1b]52;c;aGk=\x07"), 30, `\x1b]52;c;aGk=\x07`},
		"text title":         {[]byte("\x1b]0;pwned\x07 ok"), 12, `\x1b]0;pwne…`},
		"text wide":          {[]byte("漢字漢字"), 5, "漢字…"},
		"text long":          {[]byte(strings.Repeat("a", 10000)), 10, "aaaaaaaaa…"},
		"text long fits":     {[]byte(strings.Repeat("a", 10000)), 1, "…"},
		"empty":              {nil, 10, "empty"},
		"empty narrow":       {nil, 3, "em…"},
		"zero width":         {[]byte("abc"), 0, ""},
		"binary":             {protobuf, 80, "bin 12 B 089601120774657374696e67"},
		"binary cut":         {protobuf, 20, "bin 12 B 0896011207…"},
		"binary random":      {random, 30, "bin 64.0 KiB " + hex.EncodeToString(random[:8]) + "…"},
		"gzip corrupt":       {[]byte{0x1f, 0x8b, 0x08, 0xff}, 40, "gzip 4 B corrupt 1f8b08ff"},
		"gzip of JSON": {
			gzJSON, 80, "gzip " + Size(len(gzJSON)) + ` → json {"id":7,"to":["a@b"]}`,
		},
		"gzip of text": {
			gzText, 80, "gzip " + Size(len(gzText)) + ` → text hello\nthere`,
		},
		"gzip of nothing": {emptyGzip, 80, "gzip 23 B → empty"},
		"gzip of gzip": {
			gzGzip, 40,
			cutTo("gzip "+Size(len(gzGzip))+" → gzip 23 B "+hex.EncodeToString(emptyGzip), 40),
		},
		"gzip bomb": {
			bomb, 40,
			cutTo("gzip "+Size(len(bomb))+" → bin 64.0 KiB+ "+strings.Repeat("0", 80), 40),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Preview(tc.in, tc.w)
			if got != tc.want {
				t.Errorf("Preview(%.30q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
			}
			if w := text.Width(got); w > max(tc.w, 0) {
				t.Errorf("Preview is %d cells, wider than %d", w, tc.w)
			}
			checkClean(t, "Preview", got)
		})
	}
}
