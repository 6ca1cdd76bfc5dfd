// Package text is the one place that decides how an untrusted string reaches the terminal.
// Anything that could start a control sequence, reorder the line, or hide itself is shown
// as a visible escape such as \x1b or \u202e, and widths are measured in terminal cells
// the way lipgloss measures them, so a cleaned and truncated cell never breaks a layout.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/graphemes"
)

// Runes that Clean treats by context rather than by category.
const (
	zwj       = '\u200d'     // joins emoji and Indic conjuncts; invisible anywhere else
	blackFlag = '\U0001f3f4' // base of the subdivision flags spelled with tag characters
	tagFirst  = '\U000e0020'
	tagLast   = '\U000e007e'
	tagCancel = '\U000e007f'
)

const hexDigits = "0123456789abcdef"

// Clean returns s made safe to print on one line of a terminal. C0 and C1 controls, DEL,
// bidi and other invisible format characters, line and paragraph separators, private-use
// characters, noncharacters and invalid UTF-8 bytes become visible escapes: \n, \r and \t
// by name, other C0 controls, DEL and invalid bytes as \xNN, runes as \uNNNN or
// \UNNNNNNNN. A zero-width joiner is kept only inside a cluster it really joins (emoji ZWJ
// sequences, Indic conjuncts) and tag characters only inside a subdivision flag. Backslash
// is left alone, so an escape and the same text typed literally look alike. Clean is
// idempotent.
func Clean(s string) string {
	if plainASCII(s) {
		return s
	}

	var b strings.Builder
	b.Grow(len(s) + 16)
	for len(s) > 0 {
		n := validPrefix(s)
		cleanValid(&b, s[:n])
		if n == len(s) {
			break
		}
		writeHexByte(&b, s[n])
		s = s[n+1:]
	}
	return b.String()
}

// CleanMultiline splits s into lines at \n (a \r before it is dropped too) and cleans each
// line. Tabs are expanded to spaces at 4-column stops. A single final newline does not
// produce an empty last line; an empty s gives one empty line.
func CleanMultiline(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	raw := strings.Split(s, "\n")
	lines := make([]string, len(raw))
	for i, l := range raw {
		lines[i] = cleanLine(strings.TrimSuffix(l, "\r"))
	}
	return lines
}

// cleanLine cleans one line, expanding tabs by the width of what was already written.
func cleanLine(l string) string {
	if !strings.Contains(l, "\t") {
		return Clean(l)
	}

	var b strings.Builder
	col := 0
	for i, part := range strings.Split(l, "\t") {
		if i > 0 {
			pad := 4 - col%4
			b.WriteString(strings.Repeat(" ", pad))
			col += pad
		}
		c := Clean(part)
		b.WriteString(c)
		col += Width(c)
	}
	return b.String()
}

// plainASCII reports whether s is only printable ASCII, the common case that needs no work.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// validPrefix returns the length of the longest prefix of s that is valid UTF-8.
func validPrefix(s string) int {
	i := 0
	for i < len(s) {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return i
}

// cleanValid writes valid UTF-8 s cluster by cluster, since whether a joiner may stay
// depends on the cluster around it.
func cleanValid(b *strings.Builder, s string) {
	it := graphemes.FromString(s)
	for it.Next() {
		writeCluster(b, it.Value())
	}
}

// writeCluster writes one grapheme cluster with every unsafe rune escaped.
func writeCluster(b *strings.Builder, c string) {
	if len(c) == 1 && c[0] >= 0x20 && c[0] < 0x7f {
		b.WriteByte(c[0])
		return
	}

	keepJoiners := hasJoiner(c) && joins(c)
	for _, r := range c {
		switch {
		case keepJoiners && (r == zwj || isTag(r)):
			b.WriteRune(r)
		case mustEscape(r) || r == zwj || isTag(r):
			writeEscape(b, r)
		default:
			b.WriteRune(r)
		}
	}
}

// hasJoiner reports whether c holds a joiner or a tag character, the runes kept by context.
func hasJoiner(c string) bool {
	for _, r := range c {
		if r == zwj || isTag(r) {
			return true
		}
	}
	return false
}

// joins reports whether the joiners in cluster c do visible work: c is a subdivision flag,
// or every ZWJ sits between two runes and is followed by a base character (so the segmenter
// joined it by the emoji or conjunct rules), and nothing else in c needs escaping. Keeping a
// cluster whole only when all of it is kept is what makes Clean idempotent.
func joins(c string) bool {
	rs := []rune(c)
	if rs[0] == blackFlag && tagSequence(rs[1:]) {
		return true
	}
	for i, r := range rs {
		switch {
		case r == zwj:
			if i == 0 || i == len(rs)-1 || !base(rs[i+1]) {
				return false
			}
		case isTag(r), mustEscape(r):
			return false
		}
	}
	return true
}

// tagSequence reports whether rs is one or more tag characters closed by CANCEL TAG.
func tagSequence(rs []rune) bool {
	if len(rs) < 2 || rs[len(rs)-1] != tagCancel {
		return false
	}
	for _, r := range rs[:len(rs)-1] {
		if r < tagFirst || r > tagLast {
			return false
		}
	}
	return true
}

// base reports whether r can follow a ZWJ as something visible rather than a mark.
func base(r rune) bool {
	return !mustEscape(r) && r != zwj && !isTag(r) &&
		!unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me)
}

// isTag reports whether r is in the tag block used by subdivision flags.
func isTag(r rune) bool {
	return r >= tagFirst && r <= tagCancel
}

// mustEscape reports whether r must be escaped wherever it appears.
//
// TODO(text): right-to-left letters need no control to be reordered by a bidi-aware
// terminal, and long stacks of combining marks can draw over the lines around them. Neither
// can run a command or hide text, so they are shown as they are for now.
func mustEscape(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true // C0, DEL, C1: they start or are terminal controls
	case r < 0xa0:
		return false
	case r == '\u2028', r == '\u2029':
		return true // line and paragraph separators break the line in some terminals
	case unicode.Is(unicode.Cf, r):
		return true // bidi controls, zero widths, soft hyphen, BOM, tags: invisible spoofing
	case unicode.Is(unicode.Co, r):
		return true // private use: font-dependent glyphs of unknown width
	case r == '\u115f', r == '\u1160', r == '\u3164', r == '\uffa0':
		return true // Hangul fillers: letters that print as blanks
	}
	return noncharacter(r) || unassignedIgnorable(r)
}

// noncharacter reports whether r is one of Unicode's 66 noncharacters.
func noncharacter(r rune) bool {
	return (r >= 0xfdd0 && r <= 0xfdef) || r&0xfffe == 0xfffe
}

// unassignedIgnorable reports whether r is an unassigned default-ignorable code point, which
// a later Unicode version may make invisible.
func unassignedIgnorable(r rune) bool {
	switch {
	case r == 0x2065, r >= 0xfff0 && r <= 0xfff8:
		return true
	case r >= 0xe0000 && r <= 0xe0fff:
		return r < 0xe0100 || r > 0xe01ef // keep ideographic variation selectors
	}
	return false
}

// writeEscape writes r as a visible escape.
func writeEscape(b *strings.Builder, r rune) {
	switch {
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteString(`\t`)
	case r < 0x80:
		writeHexByte(b, byte(r))
	case r <= 0xffff:
		b.WriteString(`\u`)
		writeHex(b, uint32(r), 4)
	default:
		b.WriteString(`\U`)
		writeHex(b, uint32(r), 8)
	}
}

// writeHexByte writes c as \xNN.
func writeHexByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	writeHex(b, uint32(c), 2)
}

// writeHex writes the low digits hex digits of v, most significant first.
func writeHex(b *strings.Builder, v uint32, digits int) {
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(v>>shift)&0xf])
	}
}
