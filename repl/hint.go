package repl

import (
	"strings"

	"github.com/redish/redish/internal/cliargs"
)

// hint returns the syntax hint for line, what is drawn in grey after the
// cursor: the arguments not yet typed, "" when there is nothing useful to
// say. Like redis-cli, a word still being typed counts as typed, and the
// hint then starts with a space.
//
// Unlike redis-cli, which drops one word of the syntax per word typed,
// the hint follows the argument tree: after "SET k v NX " it shows
// "[GET] [EX seconds|...]", after "SET k v EX " it shows "seconds [NX|XX]
// [GET]".
func (cs *commandSet) hint(line string) string {
	if strings.TrimSpace(line) == "" {
		return ""
	}
	words, err := cliargs.SplitArgs(line)
	if err != nil || len(words) == 0 {
		return ""
	}
	words = stripRepeat(words)
	cmd, n := cs.lookup(words)
	if cmd == nil || (cmd.IsContainer() && n == 1) {
		return ""
	}
	m := newArgMatcher(cmd.Args)
	for _, w := range words[n:] {
		m.feed(w)
	}
	h := m.hint()
	if h == "" {
		return ""
	}
	if !endsInSpace(line) {
		return " " + h
	}
	return h
}

// endsInSpace reports whether line ends with white space outside quotes,
// that is, whether the last word is complete.
func endsInSpace(line string) bool {
	if line == "" {
		return false
	}
	switch line[len(line)-1] {
	case ' ', '\t':
	default:
		return false
	}
	// A blank inside an open quote is part of the word being typed.
	_, err := cliargs.SplitArgs(line)
	return err == nil
}
