package text

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/clipperhouse/uax29/v2/graphemes"
)

// Ellipsis marks where Truncate and TruncateMiddle cut text out.
const Ellipsis = "…"

// Width returns how many terminal cells s takes: wide East Asian characters and emoji take
// two, combining marks none. It is meant for strings that went through Clean; it measures
// exactly as lipgloss does, so cells cut here line up in a lipgloss layout.
func Width(s string) int {
	return ansi.StringWidth(s)
}

// Cut cleans s and cuts it to at most w cells without marking the cut. It never splits a
// grapheme cluster, so the result may be narrower than w; w <= 0 gives "".
func Cut(s string, w int) string {
	s = Clean(s)
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return cut(s, w)
}

// Truncate cleans s and cuts it to at most w cells, ending with Ellipsis when anything was
// cut. It never splits a grapheme cluster and is never wider than w; w <= 0 gives "".
func Truncate(s string, w int) string {
	return shorten(s, w, func(s string, avail int) string { return cut(s, avail) + Ellipsis })
}

// TruncateMiddle is Truncate that keeps both ends of s and cuts from the middle, for long
// IDs whose start and end tell them apart.
func TruncateMiddle(s string, w int) string {
	return shorten(s, w, func(s string, avail int) string {
		head := cut(s, (avail+1)/2)
		return head + Ellipsis + cutTail(s[len(head):], avail-Width(head))
	})
}

// shorten is the part Truncate and TruncateMiddle share: clean s, keep it when it fits,
// and otherwise let elide fit it into avail cells plus the Ellipsis.
func shorten(s string, w int, elide func(s string, avail int) string) string {
	s = Clean(s)
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	ew := Width(Ellipsis)
	if w < ew {
		return cut(s, w)
	}
	return elide(s, w-ew)
}

// Wrap cleans s and breaks it into lines of at most w cells, never splitting a grapheme
// cluster; a cluster wider than w on its own (w of 1 and a wide character) is truncated to
// fit. An empty s gives one empty line, and w <= 0 gives the cleaned s unbroken.
func Wrap(s string, w int) []string {
	s = Clean(s)
	if w <= 0 || Width(s) <= w {
		return []string{s}
	}

	var lines []string
	start, used := 0, 0
	it := graphemes.FromString(s)
	for it.Next() {
		cw := clusterWidth(it.Value())
		if used+cw > w && it.Start() > start {
			lines = appendFit(lines, s[start:it.Start()], w)
			start, used = it.Start(), 0
		}
		if cw > w {
			lines = append(lines, Truncate(it.Value(), w))
			start = it.End()
			continue
		}
		used += cw
	}
	if start < len(s) {
		lines = appendFit(lines, s[start:], w)
	}
	return lines
}

// appendFit appends line, truncated in the unexpected case that its clusters' widths added
// up to less than its width.
func appendFit(lines []string, line string, w int) []string {
	if Width(line) > w {
		line = Truncate(line, w)
	}
	return append(lines, line)
}

// Pad truncates s to w cells and pads it with spaces on the right to exactly w cells.
func Pad(s string, w int) string {
	t := Truncate(s, w)
	return t + spaces(w-Width(t))
}

// PadLeft truncates s to w cells and pads it with spaces on the left to exactly w cells.
func PadLeft(s string, w int) string {
	t := Truncate(s, w)
	return spaces(w-Width(t)) + t
}

// spaces returns n spaces, or "" when n <= 0.
func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(" ", n)
}

// cut returns the longest run of whole clusters at the start of clean s that fits in w
// cells.
func cut(s string, w int) string {
	if w <= 0 {
		return ""
	}

	end, used := 0, 0
	it := graphemes.FromString(s)
	for it.Next() {
		cw := clusterWidth(it.Value())
		if used+cw > w {
			break
		}
		used += cw
		end = it.End()
	}

	// Widths of clusters add up to the width of the string in every case we know of; if a
	// segmentation ever disagrees, give up a cell rather than overflow the cell.
	if Width(s[:end]) > w {
		return cut(s[:end], w-1)
	}
	return s[:end]
}

// cutTail returns the longest run of whole clusters at the end of clean s that fits in w
// cells.
func cutTail(s string, w int) string {
	if w <= 0 {
		return ""
	}

	var starts, widths []int
	it := graphemes.FromString(s)
	for it.Next() {
		starts = append(starts, it.Start())
		widths = append(widths, clusterWidth(it.Value()))
	}

	start, used := len(s), 0
	for i := len(starts) - 1; i >= 0 && used+widths[i] <= w; i-- {
		used += widths[i]
		start = starts[i]
	}

	if Width(s[start:]) > w {
		return cutTail(s[start:], w-1)
	}
	return s[start:]
}

// clusterWidth returns the width of one cluster of a clean string.
func clusterWidth(c string) int {
	if len(c) == 1 {
		return 1 // printable ASCII: Clean let no other single byte through
	}
	return ansi.StringWidth(c)
}
