package payload

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"

	"github.com/asynqtop/asynqtop/model/text"
)

// DefaultMaxBytes is how many payload bytes Render shows when Options.MaxBytes is not set.
const DefaultMaxBytes = 256 << 10

// maxIndent is the deepest JSON nesting that still indents further. Without it, a payload of
// ten thousand nested arrays would render to gigabytes of leading spaces.
const maxIndent = 32

// Options says how Render lays a payload out.
type Options struct {
	// Width is the most cells a line may take; longer lines are wrapped. Zero or less
	// means no limit.
	Width int
	// MaxBytes caps how many payload bytes are rendered, counted after decompression.
	// Zero or less means DefaultMaxBytes.
	MaxBytes int
	// Decompress renders what a gzip payload holds rather than its compressed bytes.
	Decompress bool
}

// Rendered is a payload laid out as lines for a person.
type Rendered struct {
	// Kind is what the payload is; Gzip even when the lines show what it wraps.
	Kind Kind
	// Lines are cleaned by model/text: no line holds a control byte, a C1 or bidi control,
	// or invalid UTF-8. When Options.Width > 0 no line is wider than Width cells.
	Lines []string
	// Note says what a person should know about Lines: that they were capped, or came from
	// decompressing. Empty when there is nothing to say.
	Note string
	// Truncated is true when Lines show only part of the payload.
	Truncated bool
}

// Render lays b out for a person: JSON pretty-printed with two-space indents in the order it
// was written, text as its lines with tabs expanded, binary as a hex and ASCII dump, gzip
// (when opts.Decompress is set) as the kind it wraps. At most opts.MaxBytes bytes are
// rendered and decompressed, so neither a huge payload nor a gzip bomb can take much memory.
func Render(b []byte, opts Options) Rendered {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}

	kind := Detect(b)
	switch kind {
	case Empty:
		return Rendered{Kind: Empty, Note: "empty payload"}
	case Gzip:
		return renderGzip(b, opts)
	}
	return renderCapped(b, kind, opts)
}

// renderCapped renders at most opts.MaxBytes of b as kind, noting the cap when it bites.
func renderCapped(b []byte, kind Kind, opts Options) Rendered {
	shown := b
	if len(b) > opts.MaxBytes {
		if kind == Binary {
			shown = b[:opts.MaxBytes]
		} else {
			shown = b[:runeCut(b, opts.MaxBytes)]
		}
	}

	r := Rendered{Kind: kind, Lines: wrap(lines(shown, kind, opts.Width), opts.Width)}
	if len(shown) < len(b) {
		r.Truncated = true
		r.Note = fmt.Sprintf("showing first %s of %s", Size(len(shown)), Size(len(b)))
	}
	return r
}

// lines turns b into clean, unwrapped lines as kind.
func lines(b []byte, kind Kind, width int) []string {
	switch kind {
	case Empty:
		return nil
	case JSON:
		return text.CleanMultiline(string(indentJSON(b)))
	case Text:
		return text.CleanMultiline(string(b))
	}
	// TODO(payload): decode msgpack and protobuf wire format into fields rather than dump
	// hex; it needs a decoder dependency and a reliable way to tell the two apart.
	return hexDump(b, hexPerLine(width))
}

// renderGzip renders a gzip payload: what it wraps when decompression is on and works, its
// compressed bytes otherwise.
func renderGzip(b []byte, opts Options) Rendered {
	what := fmt.Sprintf("gzip, %d bytes compressed", len(b))
	if !opts.Decompress {
		return asGzip(renderCapped(b, Binary, opts), what+"; not decompressed")
	}

	inner, more, err := gunzip(b, opts.MaxBytes)
	if err != nil && len(inner) == 0 {
		return asGzip(renderCapped(b, Binary, opts), what+"; cannot decompress: "+err.Error())
	}

	kind := detect(inner, !more && err == nil)
	if kind == Gzip {
		kind = Binary // one level only: a gzip in a gzip shows as its bytes
	}
	shows := "; showing decompressed " + kind.String()
	if kind == Empty {
		shows = "; decompresses to nothing"
	}
	r := asGzip(renderCapped(inner, kind, opts), what+shows)
	switch {
	case more:
		r.Truncated = true
		r.Note += fmt.Sprintf("; first %s shown, the rest not decompressed", Size(len(inner)))
	case err != nil:
		r.Truncated = true
		r.Note += "; decompression stopped: " + err.Error()
	}
	return r
}

// asGzip marks r as a gzip payload and puts what in front of its note.
func asGzip(r Rendered, what string) Rendered {
	r.Kind = Gzip
	r.Note = text.Clean(strings.TrimSuffix(what+"; "+r.Note, "; "))
	return r
}

// gunzip decompresses at most limit bytes of b. more is true when there was more to read;
// on a corrupt stream it returns what it read before the error along with the error.
func gunzip(b []byte, limit int) (out []byte, more bool, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, false, err
	}
	defer zr.Close()

	out, err = io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, err
}

// wrap breaks clean lines wider than width; width <= 0 leaves them as they are.
func wrap(lines []string, width int) []string {
	if width <= 0 {
		return lines
	}

	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if text.Width(l) <= width {
			out = append(out, l)
			continue
		}
		out = append(out, text.Wrap(l, width)...)
	}
	return out
}

// indentJSON pretty-prints JSON with two-space indents, keeping keys, numbers and strings
// byte for byte as written. It works on bytes rather than tokens so that it can render the
// start of a document cut at MaxBytes.
func indentJSON(src []byte) []byte {
	var (
		out      bytes.Buffer
		depth    int
		inString bool
		escaped  bool
		opened   bool // just after { or [: the next value starts a new line
	)
	out.Grow(len(src) + len(src)/2)
	newline := func(d int) {
		out.WriteByte('\n')
		out.WriteString(strings.Repeat("  ", min(max(d, 0), maxIndent)))
	}

	for _, c := range src {
		if inString {
			out.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}

		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '}', ']':
			depth--
			if !opened {
				newline(depth)
			}
			opened = false
			out.WriteByte(c)
			continue
		}

		if opened {
			newline(depth)
			opened = false
		}
		switch c {
		case '{', '[':
			depth++
			opened = true
			out.WriteByte(c)
		case ',':
			out.WriteByte(c)
			newline(depth)
		case ':':
			out.WriteString(": ")
		case '"':
			inString = true
			out.WriteByte(c)
		default:
			out.WriteByte(c)
		}
	}
	return out.Bytes()
}

// hexPerLine returns how many bytes a hex dump line holds to fit width: 16 (78 cells) when
// it can, then 8 (45 cells), then 4 (29 cells, wrapped further if width is smaller still).
func hexPerLine(width int) int {
	switch {
	case width <= 0 || width >= hexLineWidth(16):
		return 16
	case width >= hexLineWidth(8):
		return 8
	}
	return 4
}

// hexLineWidth returns how many cells a hex dump line of n bytes takes.
func hexLineWidth(n int) int {
	return 8 + 2 + 3*n + (n-1)/8 + 2 + n + 1
}

// hexDump lays b out as hexdump -C does: offset, per bytes in hex (split in eights), and the
// same bytes as ASCII with anything unprintable shown as a dot.
func hexDump(b []byte, per int) []string {
	const digits = "0123456789abcdef"
	out := make([]string, 0, (len(b)+per-1)/per)
	var sb strings.Builder
	for off := 0; off < len(b); off += per {
		row := b[off:min(off+per, len(b))]
		sb.Reset()
		fmt.Fprintf(&sb, "%08x  ", off)
		for i := range per {
			if i > 0 && i%8 == 0 {
				sb.WriteByte(' ')
			}
			if i < len(row) {
				sb.WriteByte(digits[row[i]>>4])
				sb.WriteByte(digits[row[i]&0xf])
				sb.WriteByte(' ')
			} else {
				sb.WriteString("   ")
			}
		}
		sb.WriteString(" |")
		for _, c := range row {
			if c < 0x20 || c >= 0x7f {
				c = '.'
			}
			sb.WriteByte(c)
		}
		sb.WriteByte('|')
		out = append(out, sb.String())
	}
	return out
}
