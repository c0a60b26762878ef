package repl

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/chzyer/readline"
)

// ErrInterrupt is returned by Editor.ReadLine when the user pressed
// Ctrl-C at the prompt.
var ErrInterrupt = errors.New("interrupted")

// Editor reads lines from a person at a terminal. The shell uses nothing
// else of the line editor, so another one can take its place.
type Editor interface {
	// ReadLine shows prompt and returns the line typed. It returns
	// ErrInterrupt, with what was typed, for Ctrl-C, and io.EOF for Ctrl-D
	// on an empty line or when the editor was closed.
	ReadLine(prompt string) (string, error)
	// AddHistory adds line to what Up and Ctrl-R find. It does not write
	// any file: the shell saves history itself, without secrets.
	AddHistory(line string)
	// SetCompleter sets the function Tab calls with the line up to the
	// cursor; it returns the word being completed (the end of that line)
	// and whole-word candidates to put in its place. Candidates that do
	// not start with the word replace it (a key that needs quoting, a
	// client name completed to its id).
	SetCompleter(func(line string) (word string, cands []string))
	// SetPainter sets the function that says how the line being typed is
	// drawn: the colours of its parts and the hint after it.
	SetPainter(func(line string) Painted)
	// ReadPassword reads a line without echo.
	ReadPassword(prompt string) (string, error)
	// Announce may be called from another goroutine while ReadLine
	// waits: it prints line (when not empty) above the line being typed
	// and replaces the prompt with prompt (when not empty), keeping what
	// was typed.
	Announce(line, prompt string)
	// Close restores the terminal; a ReadLine in progress returns io.EOF.
	Close() error
}

// Painted is how the editor draws a line being typed.
type Painted struct {
	// Spans colour parts of the line: byte ranges with the SGR sequence
	// that starts them ("\x1b[1;36m"); "" leaves a part as it is. They
	// are sorted and do not overlap.
	Spans []Span
	// Hint is drawn after the line, in HintStyle; it is shortened, or
	// left out, when it does not fit the terminal's width.
	Hint      string
	HintStyle string
}

// Span is a styled byte range of a line.
type Span struct {
	Start, End int
	Style      string
}

// sgrReset ends a style.
const sgrReset = "\x1b[0m"

// ReadlineEditor is the Editor of redish, over github.com/chzyer/readline:
// Emacs keys, history search with Ctrl-R, Tab completion, highlighting
// and hints.
//
// readline counts one column per character when it places the cursor, and
// two only for Han, Hangul and kana: after a move over an emoji or a wide
// character the cursor would be drawn in the wrong column. So the editor
// draws the line and places the cursor itself: its painter ends what it
// draws with a marker, and the writer between readline and the terminal
// replaces readline's own cursor moves after the marker, and readline's
// clearing of the lines it thinks the input takes, with moves computed
// from the terminal's widths (see layout).
type ReadlineEditor struct {
	rl *readline.Instance

	mu       sync.Mutex
	prompt   string
	complete func(string) (string, []string)
	paint    func(string) Painted
	// cursorRow and cursorCol are where the cursor was left on the
	// screen, relative to the start of the prompt.
	cursorRow, cursorCol int
	// replace is a completion that rewrites the word being completed,
	// which readline cannot do: the listener applies it after Tab.
	replace *replacement
	// width returns the terminal's width (readline.GetScreenWidth).
	width func() int
}

// replacement is a line to put in place of from after Tab.
type replacement struct {
	from []rune
	to   []rune
	pos  int
}

// NewReadlineEditor returns an editor reading keys from in (a terminal)
// and drawing on out.
func NewReadlineEditor(in io.Reader, out, errOut io.Writer) (*ReadlineEditor, error) {
	e := &ReadlineEditor{width: readline.GetScreenWidth}
	rl, err := readline.NewEx(&readline.Config{
		Stdin:                  readline.NewCancelableStdin(in),
		Stdout:                 &drawWriter{e: e, out: out},
		Stderr:                 errOut,
		HistoryLimit:           historyMax,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		AutoComplete:           completerFunc(e.doComplete),
		Painter:                painterFunc(e.paintLine),
		Listener:               readline.FuncListener(e.onKey),
		EOFPrompt:              "\n", // readline's way to say: just a newline
	})
	if err != nil {
		return nil, err
	}
	e.rl = rl
	return e, nil
}

// ReadLine reads one line; see Editor.
func (e *ReadlineEditor) ReadLine(prompt string) (string, error) {
	e.mu.Lock()
	e.prompt = prompt
	e.cursorRow, e.cursorCol = 0, 0
	e.mu.Unlock()
	e.rl.SetPrompt(prompt)
	line, err := e.rl.Readline()
	e.mu.Lock()
	e.cursorRow, e.cursorCol = 0, 0
	e.mu.Unlock()
	if errors.Is(err, readline.ErrInterrupt) {
		return line, ErrInterrupt
	}
	return line, err
}

// AddHistory adds line to the in-memory history.
func (e *ReadlineEditor) AddHistory(line string) { _ = e.rl.SaveHistory(line) }

// SetCompleter sets the Tab completion function.
func (e *ReadlineEditor) SetCompleter(f func(string) (string, []string)) {
	e.mu.Lock()
	e.complete = f
	e.mu.Unlock()
}

// SetPainter sets the function styling the line and giving its hint.
func (e *ReadlineEditor) SetPainter(f func(string) Painted) {
	e.mu.Lock()
	e.paint = f
	e.mu.Unlock()
}

// Announce prints line above the line being typed and replaces the
// prompt; see Editor.
func (e *ReadlineEditor) Announce(line, prompt string) {
	if prompt != "" {
		e.mu.Lock()
		e.prompt = prompt
		e.mu.Unlock()
		e.rl.SetPrompt(prompt)
	}
	if line != "" {
		// readline clears the line being typed, writes, and draws it
		// again under the new text.
		e.rl.Write([]byte(line + "\n"))
		return
	}
	e.rl.Refresh()
}

// ReadPassword reads a line without echo.
func (e *ReadlineEditor) ReadPassword(prompt string) (string, error) {
	e.mu.Lock()
	e.cursorRow, e.cursorCol = 0, 0
	e.mu.Unlock()
	b, err := e.rl.ReadPassword(prompt)
	if errors.Is(err, readline.ErrInterrupt) {
		return "", ErrInterrupt
	}
	return string(b), err
}

// Close restores the terminal.
func (e *ReadlineEditor) Close() error { return e.rl.Close() }

// doComplete adapts the completion function to readline, which appends a
// suffix to the word typed: the rest of each candidate, and a space after
// a finished word. Candidates that do not all start with the word are
// left to the listener (see onKey): the word is replaced by the one
// candidate, or by what all candidates start with.
func (e *ReadlineEditor) doComplete(line []rune, pos int) ([][]rune, int) {
	e.mu.Lock()
	f := e.complete
	e.replace = nil
	e.mu.Unlock()
	if f == nil {
		return nil, 0
	}
	word, cands := f(string(line[:pos]))
	appendable := true
	for _, c := range cands {
		if !strings.HasPrefix(c, word) {
			appendable = false
			break
		}
	}
	if !appendable {
		e.planReplacement(line, pos, word, cands)
		return nil, 0
	}
	out := make([][]rune, 0, len(cands))
	for _, c := range cands {
		suffix := c[len(word):]
		if !strings.HasSuffix(c, "=") {
			suffix += " "
		}
		out = append(out, []rune(suffix))
	}
	return out, len([]rune(word))
}

// planReplacement prepares the line where the word before pos is replaced
// by the only candidate (and a space), or by the start all candidates
// share when it is longer than nothing.
func (e *ReadlineEditor) planReplacement(line []rune, pos int, word string, cands []string) {
	to := commonPrefix(cands)
	if len(cands) == 1 {
		to = cands[0] + " "
	}
	if to == "" || to == word {
		return
	}
	start := pos - len([]rune(word))
	if start < 0 || string(line[start:pos]) != word {
		return
	}
	r := []rune(to)
	newLine := make([]rune, 0, len(line)+len(r))
	newLine = append(newLine, line[:start]...)
	newLine = append(newLine, r...)
	newLine = append(newLine, line[pos:]...)
	e.mu.Lock()
	e.replace = &replacement{from: append([]rune(nil), line...), to: newLine, pos: start + len(r)}
	e.mu.Unlock()
}

// onKey is readline's listener, called after each key: after Tab it puts
// in place a replacement that doComplete prepared.
func (e *ReadlineEditor) onKey(line []rune, _ int, key rune) ([]rune, int, bool) {
	e.mu.Lock()
	r := e.replace
	e.replace = nil
	e.mu.Unlock()
	if key != readline.CharTab || r == nil || string(line) != string(r.from) {
		return nil, 0, false
	}
	return r.to, r.pos, true
}

// commonPrefix returns the longest string all of ss start with, cut at a
// character boundary.
func commonPrefix(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	p := ss[0]
	for _, s := range ss[1:] {
		n := 0
		for n < len(p) && n < len(s) && p[n] == s[n] {
			n++
		}
		p = p[:n]
	}
	for len(p) > 0 && !validEnd(p) {
		p = p[:len(p)-1]
	}
	return p
}

// validEnd reports whether s does not end inside a UTF-8 sequence.
func validEnd(s string) bool {
	for i := len(s) - 1; i >= 0 && i >= len(s)-4; i-- {
		c := s[i]
		if c < 0x80 {
			return true
		}
		if c >= 0xc0 {
			need := 2
			switch {
			case c >= 0xf0:
				need = 4
			case c >= 0xe0:
				need = 3
			}
			return len(s)-i == need
		}
	}
	return false
}

// paintLine draws the line with its colours and hint, for readline, and
// ends it with the marker after which drawWriter places the cursor (see
// ReadlineEditor).
func (e *ReadlineEditor) paintLine(line []rune, pos int) []rune {
	e.mu.Lock()
	paint, prompt, width := e.paint, e.prompt, e.width
	e.mu.Unlock()
	if len(line) > 0 && line[len(line)-1] == '\n' {
		// Enter: the line as typed, without hint; readline moves on.
		var p Painted
		if paint != nil {
			p = paint(string(line[:len(line)-1]))
		}
		d := drawLine(string(line[:len(line)-1]), len(line)-1, p, prompt, 0, false)
		e.mu.Lock()
		e.cursorRow, e.cursorCol = 0, 0
		e.mu.Unlock()
		return append([]rune(d.text), '\n')
	}
	var p Painted
	if paint != nil && len(line) > 0 {
		p = paint(string(line))
	}
	d := drawLine(string(line), pos, p, prompt, width(), true)
	e.mu.Lock()
	e.cursorRow, e.cursorCol = d.cursorRow, d.cursorCol
	e.mu.Unlock()
	return append([]rune(d.text+d.moves), marker...)
}

// marker ends what paintLine draws: drawWriter drops it and what readline
// writes after it. A NUL and a noncharacter cannot come from the keyboard
// as such; paintLine writes the line's control characters in caret form.
var marker = []rune{0, '\U0010FFFE'}

// drawWriter is the writer between readline and the terminal (see
// ReadlineEditor).
type drawWriter struct {
	e   *ReadlineEditor
	out io.Writer
}

// cleanPrefix starts readline's clearing of the input's lines.
const cleanPrefix = "\x1b[J"

func (w *drawWriter) Write(b []byte) (int, error) {
	m := []byte(string(marker))
	if i := indexBytes(b, m); i >= 0 {
		_, err := w.out.Write(b[:i])
		return len(b), err
	}
	if isClean(b) {
		w.e.mu.Lock()
		row := w.e.cursorRow
		w.e.cursorRow, w.e.cursorCol = 0, 0
		w.e.mu.Unlock()
		_, err := io.WriteString(w.out, "\r"+cursorUp(row)+cleanPrefix)
		return len(b), err
	}
	if bytes.Contains(b, []byte(cleanPrefix)) {
		// The list of completions (or the Ctrl-R search line) below the
		// input ends by moving back to the cursor's column, counted in
		// characters: count it in columns.
		if start := trailingForward(b); start >= 0 {
			w.e.mu.Lock()
			col := w.e.cursorCol
			w.e.mu.Unlock()
			out := append([]byte(nil), b[:start]...)
			if col > 0 {
				out = append(out, "\x1b["+strconv.Itoa(col)+"C"...)
			}
			_, err := w.out.Write(out)
			return len(b), err
		}
	}
	_, err := w.out.Write(b)
	return len(b), err
}

// trailingForward returns where the cursor move to the right that ends b
// ("\x1b[<n>C") starts, or -1 when b does not end with one. (Matched by
// hand: a package-level regular expression is compiled at every start.)
func trailingForward(b []byte) int {
	i := len(b) - 1
	if i < 0 || b[i] != 'C' {
		return -1
	}
	i--
	digits := i
	for i >= 0 && b[i] >= '0' && b[i] <= '9' {
		i--
	}
	if i == digits || i < 1 || b[i] != '[' || b[i-1] != '\x1b' {
		return -1
	}
	return i - 1
}

// isClean reports whether b is readline's clearing of the input's lines:
// "\x1b[J", then "\x1b[2K\r\x1b[A" for each line above the cursor's,
// then "\x1b[2K\r".
func isClean(b []byte) bool {
	s, ok := strings.CutPrefix(string(b), cleanPrefix)
	if !ok {
		return false
	}
	for {
		rest, ok := strings.CutPrefix(s, "\x1b[2K\r\x1b[A")
		if !ok {
			break
		}
		s = rest
	}
	return s == "\x1b[2K\r"
}

func indexBytes(b, sub []byte) int {
	return strings.Index(string(b), string(sub))
}

type completerFunc func(line []rune, pos int) ([][]rune, int)

func (f completerFunc) Do(line []rune, pos int) ([][]rune, int) { return f(line, pos) }

type painterFunc func(line []rune, pos int) []rune

func (f painterFunc) Paint(line []rune, pos int) []rune { return f(line, pos) }
