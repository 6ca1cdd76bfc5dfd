package payload

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"strings"
	"testing"
)

// gz returns b gzipped.
func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// randomBytes returns n bytes from a fixed seed, so failures repeat.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// hugeJSON returns a JSON array of about n bytes.
func hugeJSON(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`[`)
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteString(`,`)
		}
		b.WriteString(`{"id":"task-000000","queue":"default","n":12345}`)
	}
	b.WriteString(`]`)
	return b.Bytes()
}

// emptyGzip is a gzip stream of nothing, spelled out so tests do not depend on how
// compress/gzip happens to encode it.
var emptyGzip = []byte{
	0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0x01, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0,
}

// protobuf is a protobuf-encoded message: field 1 varint 150, field 2 "testing".
var protobuf = []byte("\x08\x96\x01\x12\x07testing")

func TestDetect(t *testing.T) {
	tests := map[string]struct {
		in   []byte
		want Kind
	}{
		"empty":               {nil, Empty},
		"object":              {[]byte(`{"a":1}`), JSON},
		"array":               {[]byte(` [1, 2]`), JSON},
		"number":              {[]byte(`42`), JSON},
		"string":              {[]byte(`"hi"`), JSON},
		"null":                {[]byte(`null`), JSON},
		"broken object":       {[]byte(`{"a":`), Text},
		"two objects":         {[]byte(`{}{}`), Text},
		"huge JSON":           {hugeJSON(2 << 20), JSON},
		"huge JSON cut":       {hugeJSON(2 << 20)[:(1<<20)+7], JSON},
		"text":                {[]byte("hello, world\n"), Text},
		"whitespace":          {[]byte("  \n"), Text},
		"CJK text":            {[]byte("漢字のテキスト"), Text},
		"text with escapes":   {[]byte("\x1b[31mred\x1b[0m and \x1b]0;title\x07"), Text},
		"long text bad byte":  {[]byte(strings.Repeat("caf\xe9 au lait ", 3)), Text},
		"short latin-1":       {[]byte("caf\xe9"), Binary},
		"NUL":                 {[]byte("abc\x00def"), Binary},
		"protobuf":            {protobuf, Binary},
		"random":              {randomBytes(64 << 10), Binary},
		"gzip":                {gz(t, []byte(`{"a":1}`)), Gzip},
		"gzip magic, no body": {[]byte{0x1f, 0x8b, 0x08}, Gzip},
		"gzip magic, other":   {[]byte{0x1f, 0x8b, 0x07, 0x00}, Binary},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Detect(tc.in); got != tc.want {
				t.Errorf("Detect(%.40q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	tests := map[Kind]string{
		Empty: "empty", JSON: "json", Text: "text", Binary: "bin", Gzip: "gzip", 9: "Kind(9)",
	}
	for k, want := range tests {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestSize(t *testing.T) {
	tests := map[string]struct {
		in   int
		want string
	}{
		"zero":             {0, "0 B"},
		"bytes":            {512, "512 B"},
		"just under KiB":   {1023, "1023 B"},
		"one KiB":          {1024, "1.0 KiB"},
		"KiB":              {3174, "3.1 KiB"},
		"rounds up a unit": {1048575, "1.0 MiB"},
		"MiB":              {8 << 20, "8.0 MiB"},
		"GiB":              {3 << 30, "3.0 GiB"},
		"negative":         {-5, "-5 B"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Size(tc.in); got != tc.want {
				t.Errorf("Size(%d) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
