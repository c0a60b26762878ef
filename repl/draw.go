package repl

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// drawn is a line ready for the terminal: its text (colours included),
// the cursor moves that follow it, and where the cursor then is, relative
// to the start of the prompt.
type drawn struct {
	text                 string
	moves                string
	cursorRow, cursorCol int
}

// cell is one character of the line as drawn: its text and columns.
type cell struct {
	text  string
	width int
}

// lineCell returns how r is drawn: control characters in caret form
// (^A, ^[) and C1 controls as \x85, so that nothing typed moves the
// cursor on its own; everything else as itself, as wide as the terminal
// draws it.
func lineCell(r rune) cell {
	switch {
	case r < 0x20 || r == 0x7f:
		return cell{"^" + string(r^0x40), 2}
	case r >= 0x80 && r <= 0x9f:
		return cell{`\x` + strconv.FormatInt(int64(r), 16), 4}
	case r == marker[1]:
		return cell{"\uFFFD", 1}
	}
	return cell{string(r), runeWidth(r)}
}

// runeWidth is the number of columns a terminal gives r.
func runeWidth(r rune) int { return runewidth.RuneWidth(r) }

// textWidth is the number of columns a terminal gives s, ANSI colour
// sequences aside.
func textWidth(s string) int {
	w := 0
	for _, r := range stripSGR(s) {
		w += runeWidth(r)
	}
	return w
}

// visibleWidth returns the columns s takes on screen, ANSI sequences
// aside.
func visibleWidth(s string) int { return textWidth(s) }

// stripSGR removes the "ESC [ ... m" sequences from s.
func stripSGR(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			if j := strings.IndexByte(s[i+2:], 'm'); j >= 0 {
				i += j + 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// screen follows where a terminal of the given width (0: unknown, no
// wrapping) puts what is written, as terminals with automatic margins do:
// a character that does not fit what is left of the row goes to the start
// of the next, a wide one too when one column is left.
type screen struct {
	width    int
	row, col int
}

// put places a character of w columns and returns where it went.
func (s *screen) put(w int) (row, col int) {
	if s.width > 0 && w > 0 && s.col+w > s.width {
		s.row++
		s.col = 0
	}
	row, col = s.row, s.col
	s.col += w
	return row, col
}

// at returns where the cursor shows at the current position: at the start
// of the next row when the current one is full.
func (s *screen) at() (row, col int) {
	if s.width > 0 && s.col >= s.width {
		return s.row + 1, 0
	}
	return s.row, s.col
}

// drawLine lays out prompt and line on a terminal of the given width and
// returns the line's text in the colours of p, the hint after it when
// withHint and it fits, and the moves that put the cursor before the
// character pos (a rune index) of line.
func drawLine(line string, pos int, p Painted, prompt string, width int, withHint bool) drawn {
	sc := screen{width: width}
	for _, r := range stripSGR(prompt) {
		sc.put(runeWidth(r))
	}
	var b strings.Builder
	spans := p.Spans
	style := ""
	curRow, curCol := -1, -1
	i := 0 // rune index
	for off, r := range line {
		want := ""
		for len(spans) > 0 && spans[0].End <= off {
			spans = spans[1:]
		}
		if len(spans) > 0 && spans[0].Start <= off {
			want = spans[0].Style
		}
		c := lineCell(r)
		if r == utf8.RuneError {
			c = cell{"\uFFFD", 1}
		}
		if want != style {
			if style != "" {
				b.WriteString(sgrReset)
			}
			b.WriteString(want)
			style = want
		}
		b.WriteString(c.text)
		if i == pos && c.width == 0 {
			curRow, curCol = sc.at()
		}
		if row, col := sc.put(c.width); i == pos && c.width > 0 {
			// On the character, where the terminal draws it: at the
			// start of the next row for a wide one that did not fit.
			curRow, curCol = row, col
		}
		i++
	}
	if style != "" {
		b.WriteString(sgrReset)
	}
	if curRow < 0 {
		curRow, curCol = sc.at()
	}
	if withHint && p.Hint != "" && width > 0 {
		if h := fitHint(p.Hint, width-sc.col-1); h != "" {
			b.WriteString(p.HintStyle + h)
			if p.HintStyle != "" {
				b.WriteString(sgrReset)
			}
			sc.col += textWidth(h)
		}
	}
	endRow := sc.row
	var m strings.Builder
	if width > 0 && sc.col >= width {
		// The last row is full: the cursor waits at its end. Move to
		// the next row, where the cursor may have to be.
		m.WriteString("\r\n")
		endRow++
	}
	m.WriteString("\r")
	m.WriteString(cursorUp(endRow - curRow))
	if curCol > 0 {
		m.WriteString("\x1b[" + strconv.Itoa(curCol) + "C")
	}
	return drawn{text: b.String(), moves: m.String(), cursorRow: curRow, cursorCol: curCol}
}

// cursorUp moves the cursor n rows up (nothing for n <= 0).
func cursorUp(n int) string {
	if n <= 0 {
		return ""
	}
	return "\x1b[" + strconv.Itoa(n) + "A"
}

// hintFits reports whether a hint of hintWidth columns fits after the
// prompt and the line on a terminal of the given width, leaving the last
// column free so the terminal does not wrap.
func hintFits(promptWidth, lineWidth, hintWidth, width int) bool {
	return hintWidth > 0 && width > 0 && promptWidth+lineWidth+hintWidth < width
}

// minHint is the fewest columns a shortened hint is worth drawing in.
const minHint = 8

// fitHint shortens hint to at most room columns, ending it with "…" at a
// word boundary when it can, so a narrow terminal still shows the start of
// the syntax. It returns "" when room is under minHint columns.
func fitHint(hint string, room int) string {
	if textWidth(hint) <= room {
		return hint
	}
	if room < minHint {
		return ""
	}
	r := []rune(hint)
	for textWidth(string(r)) > room-1 {
		r = r[:len(r)-1]
	}
	if i := strings.LastIndexByte(string(r), ' '); i > 0 && i >= len(string(r))/2 {
		r = []rune(string(r)[:i])
	}
	return strings.TrimRight(string(r), " ") + "…"
}
