package cmd

import (
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
)

// vtScreen is a small terminal emulator for the tests that look at where
// the shell puts its cursor: it follows what an xterm does with printable
// text (wide characters take two cells, automatic margins wrap), CR, LF,
// BS and the CSI sequences the line editor writes (cursor moves, erase in
// line and display); colours are ignored.
type vtScreen struct {
	w, h     int
	cells    [][]string
	row, col int
	// pending is set when the last column was written: the next
	// character wraps.
	pending bool
}

func newVTScreen(w, h int) *vtScreen {
	s := &vtScreen{w: w, h: h}
	for range h {
		s.cells = append(s.cells, blankRow(w))
	}
	return s
}

// feed interprets what the program wrote.
func (s *vtScreen) feed(text string) {
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == '[':
			j := i + 2
			for j < len(rs) && (rs[j] < 0x40 || rs[j] > 0x7e) {
				j++
			}
			if j < len(rs) {
				s.csi(string(rs[i+2:j]), rs[j])
			}
			i = j
		case r == 0x1b:
			i++ // a two-character escape: ignored
		case r == '\r':
			s.col, s.pending = 0, false
		case r == '\n':
			s.lineFeed()
		case r == '\b':
			if s.col > 0 {
				s.col--
			}
			s.pending = false
		case r < 0x20 || r == 0x7f:
		default:
			s.put(r)
		}
	}
}

func (s *vtScreen) lineFeed() {
	s.pending = false
	if s.row < s.h-1 {
		s.row++
		return
	}
	s.cells = append(s.cells[1:], blankRow(s.w))
}

func (s *vtScreen) put(r rune) {
	w := runewidth.RuneWidth(r)
	if w == 0 {
		// A combining character joins the cell before.
		c := s.col - 1
		if s.pending {
			c = s.col
		}
		if c >= 0 {
			s.cells[s.row][c] += string(r)
		}
		return
	}
	if s.pending || s.col+w > s.w {
		s.col = 0
		s.lineFeed()
	}
	s.cells[s.row][s.col] = string(r)
	if w == 2 && s.col+1 < s.w {
		s.cells[s.row][s.col+1] = ""
	}
	s.col += w
	if s.col >= s.w {
		s.col, s.pending = s.w-1, true
	}
}

func (s *vtScreen) csi(params string, final rune) {
	n := 1
	if p := strings.TrimLeft(params, "?"); p != "" && !strings.Contains(p, ";") {
		if v, err := strconv.Atoi(p); err == nil {
			n = v
		}
	}
	s.pending = false
	switch final {
	case 'A':
		s.row = max(0, s.row-n)
	case 'B':
		s.row = min(s.h-1, s.row+n)
	case 'C':
		s.col = min(s.w-1, s.col+n)
	case 'D':
		s.col = max(0, s.col-n)
	case 'K':
		from, to := s.col, s.w
		switch params {
		case "1":
			from, to = 0, s.col+1
		case "2":
			from = 0
		}
		for c := from; c < to; c++ {
			s.cells[s.row][c] = " "
		}
	case 'J':
		if params == "2" {
			for r := range s.cells {
				s.cells[r] = blankRow(s.w)
			}
			return
		}
		for c := s.col; c < s.w; c++ {
			s.cells[s.row][c] = " "
		}
		for r := s.row + 1; r < s.h; r++ {
			s.cells[r] = blankRow(s.w)
		}
	case 'H':
		s.row, s.col = 0, 0
	}
}

// line returns row r as text, trailing blanks removed.
func (s *vtScreen) line(r int) string {
	var b strings.Builder
	for _, c := range s.cells[r] {
		if c == "" {
			continue // the right half of a wide character
		}
		b.WriteString(c)
	}
	return strings.TrimRight(b.String(), " ")
}

// cursorText returns row r up to the cursor, when the cursor is on it.
func (s *vtScreen) cursorText() string {
	var b strings.Builder
	for _, c := range s.cells[s.row][:s.col] {
		b.WriteString(c)
	}
	return b.String()
}

func blankRow(w int) []string {
	r := make([]string, w)
	for i := range r {
		r[i] = " "
	}
	return r
}
