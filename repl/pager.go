package repl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// defaultLess is the LESS setting given to less when LESS is not set:
// quit at once when the text fits the screen (F), pass colours (R), leave
// the last screen on the terminal after quitting (X), and quit on Ctrl-C
// (K) rather than wait for q.
const defaultLess = "-FRXK"

// pagerText says which pager is in force, for :set.
func (s *Shell) pagerText(st settings) string {
	switch st.pager {
	case pagerOff:
		return "off"
	case pagerOn:
		if c := s.pagerCommand(st); c != "" {
			return "on (" + c + ")"
		}
		return "on (no pager found: replies print directly)"
	}
	return st.pager
}

// pagerCommand returns the command that pages replies, "" for none: with
// :set pager on, $PAGER, else less, else more.
func (s *Shell) pagerCommand(st settings) string {
	switch st.pager {
	case pagerOff:
		return ""
	case pagerOn:
		if p := strings.TrimSpace(s.cfg.Getenv("PAGER")); p != "" {
			return p
		}
		if runtime.GOOS == "windows" {
			return ""
		}
		for _, p := range []string{"less", "more"} {
			if _, err := exec.LookPath(p); err == nil {
				return p
			}
		}
		return ""
	}
	return st.pager
}

// replyRows tells whether text takes more than rows rows on a terminal
// width columns wide, long lines wrapping. It stops counting there.
func tallerThan(text []byte, width, rows int) bool {
	n := 0
	for len(text) > 0 && n <= rows {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		w := 0
		if width > 0 && len(line) >= width/4 {
			// Only lines that may be wider than the screen need measuring.
			w = textWidth(string(line))
		}
		if width > 0 && w > width {
			n += (w + width - 1) / width
		} else {
			n++
		}
	}
	return n > rows
}

// page shows text through the pager when the interactive shell has one
// and text is taller than the terminal, and reports whether it did. Ctrl-C
// and q in the pager return to the prompt; a pager that cannot start
// prints an error once and the text is printed as usual.
func (s *Shell) page(text []byte) bool {
	if s.cfg.Terminal == nil || s.cfg.TermSize == nil {
		return false
	}
	cmdline := s.pagerCommand(s.opts())
	if cmdline == "" {
		return false
	}
	width, height := s.cfg.TermSize()
	if height <= 1 || !tallerThan(text, width, height-1) {
		return false
	}
	start := time.Now()
	err := s.runShellCommand(cmdline, bytes.NewReader(text), true)
	s.paged += time.Since(start)
	if err != nil {
		s.errorf("pager %q: %v (:set pager off prints replies directly)", cmdline, err)
		return false
	}
	return true
}

// errNotFound is what a shell command that could not start reports.
var errNotFound = errors.New("command not found")

// runShellCommand runs cmdline with sh -c (cmd /C on Windows), its
// standard input read from in and its output going to the terminal. A
// pager (pager set) that is less gets LESS=-FRXK when LESS is not set,
// and -K added when it is, so that Ctrl-C quits it. Ctrl-C while it runs
// goes to it, not to the shell. An exit status is not an error: grep
// finding nothing exits 1, less quit by Ctrl-C exits 2; a command that
// cannot be found is.
func (s *Shell) runShellCommand(cmdline string, in io.Reader, pager bool) error {
	var c *exec.Cmd
	if runtime.GOOS == "windows" {
		c = exec.Command("cmd", "/C", cmdline)
	} else {
		c = exec.Command("sh", "-c", cmdline)
	}
	c.Stdin = in
	if s.cfg.Terminal != nil {
		c.Stdout, c.Stderr = s.cfg.Terminal, s.cfg.Terminal
	} else {
		c.Stdout, c.Stderr = s.cfg.Out, s.cfg.ErrOut
	}
	if pager && isLess(cmdline) {
		less := defaultLess
		if cur, ok := os.LookupEnv("LESS"); ok {
			less = cur + " -K"
		}
		c.Env = append(os.Environ(), "LESS="+less)
	}
	release := s.ignoreInterrupts()
	err := c.Run()
	release()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if code := ee.ExitCode(); code == 127 || code == 126 {
			return errNotFound
		}
		return nil
	}
	return err
}

// isLess reports whether cmdline runs less.
func isLess(cmdline string) bool {
	f := strings.Fields(cmdline)
	return len(f) > 0 && filepath.Base(f[0]) == "less"
}
