package payload

import (
	"bytes"
	"encoding/hex"
	"strings"

	"github.com/asynqtop/asynqtop/model/text"
)

// previewInflate is the most a preview decompresses: plenty for one line, and well under the
// 1 MiB a preview may ever cost, since a task list previews every row it shows.
const previewInflate = 64 << 10

// Preview returns b as one line of at most w cells for a list of tasks: JSON compacted,
// text cleaned (newlines show as \n), binary as "bin 2.0 KiB 0a0b0c…" with its first bytes
// in hex, gzip as "gzip 3.1 KiB → json {…}" with what it wraps. Its cost is bounded: it
// validates at most 1 MiB of JSON and decompresses at most 64 KiB. w <= 0 gives "".
func Preview(b []byte, w int) string {
	if w <= 0 {
		return ""
	}

	kind := Detect(b)
	if kind == Gzip {
		return gzipPreview(b, w)
	}
	return kindPreview("", b, kind, false, w)
}

// kindPreview previews b as kind after label. more says b is only the start of the payload.
func kindPreview(label string, b []byte, kind Kind, more bool, w int) string {
	budget := 16*w + 64 // bytes enough for w cells unless the text is mostly combining marks
	switch kind {
	case Empty:
		return text.Truncate(label+"empty", w)
	case JSON:
		s, cut := compactJSON(b, budget)
		return fit(label+s, more || cut, w)
	case Text:
		n := runeCut(b, budget)
		return fit(label+string(b[:n]), more || n < len(b), w)
	}
	return hexPreview(label+kind.String()+" "+sizeLabel(len(b), more)+" ", b, more, w)
}

// gzipPreview previews a gzip payload by what it wraps, decompressing a bounded prefix.
func gzipPreview(b []byte, w int) string {
	label := "gzip " + Size(len(b))
	inner, more, err := gunzip(b, previewInflate)
	if err != nil && len(inner) == 0 {
		return hexPreview(label+" corrupt ", b, false, w)
	}

	more = more || err != nil
	kind := detect(inner, !more)
	label += " → "
	switch kind {
	case JSON, Text:
		label += kind.String() + " "
	case Gzip:
		// One level only, as in Render: a gzip in a gzip shows as its bytes.
		return hexPreview(label+"gzip "+sizeLabel(len(inner), more)+" ", inner, more, w)
	}
	return kindPreview(label, inner, kind, more, w)
}

// sizeLabel is Size with a "+" when only the start of the bytes was read.
func sizeLabel(n int, more bool) string {
	if more {
		return Size(n) + "+"
	}
	return Size(n)
}

// hexPreview follows label with as many of b's first bytes in hex as fit in w cells.
func hexPreview(label string, b []byte, more bool, w int) string {
	room := max(w-text.Width(label), 0)
	n := min(len(b), room/2+1)
	return fit(label+hex.EncodeToString(b[:n]), more || n < len(b), w)
}

// fit cleans s and cuts it to w cells, ending with an ellipsis when s was cut or when more
// of the payload follows s.
func fit(s string, more bool, w int) string {
	if !more {
		return text.Truncate(s, w)
	}
	ew := text.Width(text.Ellipsis)
	if w < ew {
		return text.Cut(s, w)
	}
	return text.Cut(s, w-ew) + text.Ellipsis
}

// compactJSON returns JSON b without whitespace between tokens, stopping once it has
// budget bytes. cut is true when it stopped before the end.
func compactJSON(b []byte, budget int) (s string, cut bool) {
	var (
		out      strings.Builder
		inString bool
		escaped  bool
	)
	for i, c := range b {
		if out.Len() >= budget {
			return out.String(), len(bytes.TrimLeft(b[i:], " \t\r\n")) > 0
		}
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			continue
		case c == '"':
			inString = true
		}
		out.WriteByte(c)
	}
	return out.String(), false
}
