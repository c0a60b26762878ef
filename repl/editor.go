package repl

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/chzyer/readline"
	"github.com/chzyer/readline/runes"
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
	// cursor; it returns the word being completed and whole-word
	// candidates.
	SetCompleter(func(line string) (word string, cands []string))
	// SetHinter sets the function giving the hint drawn after the line,
	// and the function painting it (grey).
	SetHinter(hint func(line string) string, paint func(string) string)
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

// ReadlineEditor is the Editor of redish, over github.com/chzyer/readline:
// Emacs keys, history search with Ctrl-R, Tab completion and hints.
type ReadlineEditor struct {
	rl *readline.Instance

	mu          sync.Mutex
	promptWidth int
	complete    func(string) (string, []string)
	hint        func(string) string
	paint       func(string) string
}

// NewReadlineEditor returns an editor reading keys from in (a terminal)
// and drawing on out.
func NewReadlineEditor(in io.Reader, out, errOut io.Writer) (*ReadlineEditor, error) {
	e := &ReadlineEditor{}
	rl, err := readline.NewEx(&readline.Config{
		Stdin:                  readline.NewCancelableStdin(in),
		Stdout:                 out,
		Stderr:                 errOut,
		HistoryLimit:           historyMax,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		AutoComplete:           completerFunc(e.doComplete),
		Painter:                painterFunc(e.paintLine),
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
	e.promptWidth = visibleWidth(prompt)
	e.mu.Unlock()
	e.rl.SetPrompt(prompt)
	line, err := e.rl.Readline()
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

// SetHinter sets the hint function and its painter.
func (e *ReadlineEditor) SetHinter(hint func(string) string, paint func(string) string) {
	e.mu.Lock()
	e.hint, e.paint = hint, paint
	e.mu.Unlock()
}

// Announce prints line above the line being typed and replaces the
// prompt; see Editor.
func (e *ReadlineEditor) Announce(line, prompt string) {
	if prompt != "" {
		e.mu.Lock()
		e.promptWidth = visibleWidth(prompt)
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
// a finished word.
func (e *ReadlineEditor) doComplete(line []rune, pos int) ([][]rune, int) {
	e.mu.Lock()
	f := e.complete
	e.mu.Unlock()
	if f == nil {
		return nil, 0
	}
	word, cands := f(string(line[:pos]))
	out := make([][]rune, 0, len(cands))
	for _, c := range cands {
		if len(c) < len(word) {
			continue
		}
		suffix := c[len(word):]
		if !strings.HasSuffix(c, "=") {
			suffix += " "
		}
		out = append(out, []rune(suffix))
	}
	return out, len([]rune(word))
}

// paintLine draws the hint after the line, then moves the cursor back to
// the end of the line (readline places it from there). The hint is left
// out when the line is being entered or when it would not fit the width.
func (e *ReadlineEditor) paintLine(line []rune, pos int) []rune {
	e.mu.Lock()
	hint, paint, promptWidth := e.hint, e.paint, e.promptWidth
	e.mu.Unlock()
	if hint == nil || len(line) == 0 || line[len(line)-1] == '\n' {
		return line
	}
	h := hint(string(line))
	lineWidth := runes.WidthAll(line)
	if width := readline.GetScreenWidth(); !hintFits(promptWidth, lineWidth, runes.WidthAll([]rune(h)), width) {
		// Leave the last column free so the terminal does not wrap.
		if h = fitHint(h, width-promptWidth-lineWidth-1); h == "" {
			return line
		}
	}
	out := make([]rune, 0, len(line)+len(h)+16)
	out = append(out, line...)
	out = append(out, []rune(paint(h))...)
	out = append(out, []rune("\x1b["+strconv.Itoa(runes.WidthAll([]rune(h)))+"D")...)
	return out
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
	r := []rune(hint)
	if runes.WidthAll(r) <= room {
		return hint
	}
	if room < minHint {
		return ""
	}
	for runes.WidthAll(r) > room-1 {
		r = r[:len(r)-1]
	}
	if i := strings.LastIndexByte(string(r), ' '); i > 0 && i >= len(string(r))/2 {
		r = []rune(string(r)[:i])
	}
	return strings.TrimRight(string(r), " ") + "…"
}

// visibleWidth returns the columns s takes on screen, ANSI sequences
// aside.
func visibleWidth(s string) int {
	return runes.WidthAll(runes.ColorFilter([]rune(s)))
}

type completerFunc func(line []rune, pos int) ([][]rune, int)

func (f completerFunc) Do(line []rune, pos int) ([][]rune, int) { return f(line, pos) }

type painterFunc func(line []rune, pos int) []rune

func (f painterFunc) Paint(line []rune, pos int) []rune { return f(line, pos) }
