package payload

import (
	"encoding/json"
	"strings"
)

// MaskedValue is the JSON string Mask puts in place of a hidden value.
const MaskedValue = `"••••"`

// Mask hides the values of object keys named in fields (compared case-insensitively, at any
// depth) in JSON b, replacing each whole value, object or array included, with MaskedValue.
// It returns the masked JSON and how many values it hid. Everything else, key order and
// whitespace included, is kept byte for byte. Input that is not JSON, or in which nothing
// matched, is returned as it is with 0; b itself is never modified.
func Mask(b []byte, fields []string) ([]byte, int) {
	if len(fields) == 0 || !json.Valid(b) {
		return b, 0
	}

	type frame struct{ object, wantKey bool }
	var (
		out   []byte
		last  int // b[last:] is not yet copied to out
		n     int
		stack []frame
	)
	for i := 0; i < len(b); {
		switch b[i] {
		case '{', '[':
			stack = append(stack, frame{object: b[i] == '{', wantKey: b[i] == '{'})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			top := &stack[len(stack)-1]
			top.wantKey = top.object
		case '"':
			end := stringEnd(b, i)
			if len(stack) == 0 || !stack[len(stack)-1].wantKey {
				i = end
				continue
			}
			stack[len(stack)-1].wantKey = false
			start := valueStart(b, end)
			if !matchesField(b[i:end], fields) {
				i = start
				continue
			}
			out = append(append(out, b[last:start]...), MaskedValue...)
			last = valueEnd(b, start)
			n++
			i = last
			continue
		}
		i++
	}

	if n == 0 {
		return b, 0
	}
	return append(out, b[last:]...), n
}

// matchesField reports whether the JSON string key names one of fields.
func matchesField(key []byte, fields []string) bool {
	var name string
	if json.Unmarshal(key, &name) != nil {
		return false
	}
	for _, f := range fields {
		if strings.EqualFold(name, f) {
			return true
		}
	}
	return false
}

// stringEnd returns the index just past the JSON string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueStart returns the index of the value after the key that ends at b[i], past the
// colon and any whitespace.
func valueStart(b []byte, i int) int {
	for i < len(b) && (isSpace(b[i]) || b[i] == ':') {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	return j
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}
