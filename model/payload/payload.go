// Package payload shows a task's payload to a person. It tells JSON, text, gzip and binary
// payloads apart and turns each into lines that are safe to print: every string goes through
// model/text, so raw payload bytes never reach the terminal. Work is bounded: detection reads
// at most 1 MiB, rendering a capped number of bytes, and decompression stops at a limit, so a
// huge payload or a gzip bomb costs no more than a small one.
package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"
)

// Kind is what a payload holds, as far as the bytes tell.
type Kind int

// The kinds of payload, from the bytes alone.
const (
	// Empty is a payload of zero bytes.
	Empty Kind = iota
	// JSON is a payload that parses as JSON.
	JSON
	// Text is valid UTF-8 (give or take a few bad bytes) with few control characters.
	Text
	// Binary is anything else, such as protobuf or msgpack.
	Binary
	// Gzip is a gzip stream, whatever it wraps.
	Gzip
)

// String returns the short label Preview uses for k: "json", "text", "bin", "gzip" or
// "empty".
func (k Kind) String() string {
	switch k {
	case Empty:
		return "empty"
	case JSON:
		return "json"
	case Text:
		return "text"
	case Binary:
		return "bin"
	case Gzip:
		return "gzip"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Limits on how much detection reads.
const (
	// fullJSONCheck is the largest payload whose JSON is validated whole; larger ones are
	// judged by a prefix, so detecting a 100 MiB payload stays cheap.
	fullJSONCheck = 1 << 20
	// sniffLen is how much of a long or incomplete payload the JSON check reads.
	sniffLen = 64 << 10
	// textSniffLen is how much the text check reads.
	textSniffLen = 8 << 10
)

// Detect tells what b holds. Gzip is known by its magic bytes; JSON is validated whole up to
// 1 MiB and by its first 64 KiB beyond that; text is valid UTF-8 with no NUL and at most one
// control character or bad byte in 8 among its first 8 KiB; everything else is Binary.
func Detect(b []byte) Kind {
	return detect(b, true)
}

// detect is Detect for b that may be only the start of a payload (complete false), as when
// decompression stopped at a limit; then JSON is judged by its prefix.
func detect(b []byte, complete bool) Kind {
	switch {
	case len(b) == 0:
		return Empty
	case isGzip(b):
		return Gzip
	case looksJSON(b, complete):
		return JSON
	case looksText(b):
		return Text
	}
	return Binary
}

// isGzip reports whether b starts with the gzip magic and the deflate method.
func isGzip(b []byte) bool {
	return len(b) >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8
}

// looksJSON reports whether b is JSON, or for a long or incomplete b, starts like JSON.
func looksJSON(b []byte, complete bool) bool {
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	if len(trimmed) == 0 || !bytes.ContainsRune([]byte(`{["-0123456789tfn`), rune(trimmed[0])) {
		return false
	}
	if complete && len(b) <= fullJSONCheck {
		return json.Valid(b)
	}
	return validJSONPrefix(trimmed[:min(len(trimmed), sniffLen)])
}

// validJSONPrefix reports whether p could be the start of valid JSON: its tokens parse up
// to where p ends, even if p ends inside a value.
func validJSONPrefix(p []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(p))
	for {
		_, err := dec.Token()
		if err == nil {
			continue
		}
		return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	}
}

// looksText reports whether the start of b reads as text: no NUL, and bad bytes and control
// characters other than tab, newline, carriage return, form feed and escape at most one in
// 8 runes. Escape is allowed so that coloured log output counts as text.
func looksText(b []byte) bool {
	sample, cut := b, false
	if len(sample) > textSniffLen {
		sample, cut = sample[:textSniffLen], true
	}

	runes, bad := 0, 0
	for i := 0; i < len(sample); {
		r, n := utf8.DecodeRune(sample[i:])
		if r == utf8.RuneError && n == 1 && cut && !utf8.FullRune(sample[i:]) {
			break // a rune split by the sample's end is not a bad byte
		}
		runes++
		i += n
		switch {
		case r == 0:
			return false
		case r == utf8.RuneError && n == 1, r == 0x7f:
			bad++
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' && r != 0x1b:
			bad++
		}
	}
	return bad*8 <= runes
}

// Size returns n bytes for a person: "512 B", "3.1 KiB", "8.0 MiB".
func Size(n int) string {
	if n > -1024 && n < 1024 {
		return fmt.Sprintf("%d B", n)
	}

	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, i := float64(n)/1024, 0
	// Move up a unit before rounding would print 1024.0 of the smaller one.
	for math.Abs(v) >= 1023.95 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

// runeCut returns n, moved back by up to three bytes so that b[:n] does not end inside a
// UTF-8 sequence.
func runeCut(b []byte, n int) int {
	if n >= len(b) {
		return len(b)
	}
	for back := 0; back < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(b[n]); back++ {
		n--
	}
	return n
}
