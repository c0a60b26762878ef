package repl

import (
	"strconv"
	"strings"

	"github.com/redish/redish/internal/cliargs"
)

// LineKind says what a line of input asks for.
type LineKind int

// The kinds of line ParseLine recognises.
const (
	// LineEmpty is a blank line: nothing to do.
	LineEmpty LineKind = iota
	// LineInvalid is a line that does not split (an open quote, a closing
	// quote followed by a letter). Print Line.Message.
	LineInvalid
	// LineBadRepeat is a line whose repeat prefix is zero, negative or out
	// of range. Print Line.Message.
	LineBadRepeat
	// LineQuit is "quit" or "exit".
	LineQuit
	// LineHelp is "help" or "?", with the topic in Words.
	LineHelp
	// LineCommand is a command to run Repeat times; its words are Words.
	LineCommand
)

// Messages printed, on stdout, for lines that cannot run: redis-cli's
// words.
const (
	MsgInvalidArgs   = "Invalid argument(s)\n"
	MsgInvalidRepeat = "Invalid redis-cli repeat command option value.\n"
)

// maxRepeat bounds the "N CMD" prefix, as redis-cli's int does.
const maxRepeat = 1 << 31

// Line is one line of input, parsed by ParseLine.
type Line struct {
	Kind LineKind
	// Repeat is how many times to run the command (1 without a prefix).
	Repeat int
	// Words are the command and its arguments with the repeat prefix
	// removed; for LineHelp, the words after "help".
	Words []string
}

// Message returns what to print for a line that cannot run, or "".
func (l Line) Message() string {
	switch l.Kind {
	case LineInvalid:
		return MsgInvalidArgs
	case LineBadRepeat:
		return MsgInvalidRepeat
	}
	return ""
}

// Args returns Words in the form a client sends.
func (l Line) Args() [][]byte {
	args := make([][]byte, len(l.Words))
	for i, w := range l.Words {
		args[i] = []byte(w)
	}
	return args
}

// ParseLine parses one line as redis-cli reads lines at its prompt and on
// standard input. These rules are shared by stdin mode and the shell:
//
//   - the line is split by cliargs.SplitArgs; a line that does not split
//     is LineInvalid, a blank one LineEmpty;
//   - "quit" and "exit" (any case, as the first word) are LineQuit;
//   - a first word that is an integer, followed by more words, is a repeat
//     count: "3 INCR k" runs INCR k three times. A count that is not
//     positive, or that does not fit an int64, is LineBadRepeat;
//   - "help" and "?" (after the repeat prefix) are LineHelp.
//
// Everything else is LineCommand. The shell's own built-ins (connect,
// clear, :set, ...) are recognised by the shell from Words; stdin mode
// sends them to the server, as it always has, except in redish lab, which
// runs ":" lines with Script.
func ParseLine(s string) Line {
	s = strings.TrimRight(s, "\r\n")
	if strings.TrimSpace(s) == "" {
		return Line{Kind: LineEmpty}
	}
	words, err := cliargs.SplitArgs(s)
	if err != nil {
		return Line{Kind: LineInvalid}
	}
	if len(words) == 0 {
		return Line{Kind: LineEmpty}
	}
	switch strings.ToLower(words[0]) {
	case "quit", "exit":
		return Line{Kind: LineQuit, Repeat: 1, Words: words}
	}
	repeat := 1
	if len(words) > 1 {
		n, err := strconv.ParseInt(words[0], 10, 64)
		switch {
		case err == nil && n <= 0:
			return Line{Kind: LineBadRepeat}
		case err == nil:
			repeat = int(min(n, maxRepeat))
			words = words[1:]
		case isInteger(words[0]):
			// A number strtol would take whole but that overflows.
			return Line{Kind: LineBadRepeat}
		}
	}
	if isHelpWord(words[0]) {
		return Line{Kind: LineHelp, Repeat: repeat, Words: words[1:]}
	}
	return Line{Kind: LineCommand, Repeat: repeat, Words: words}
}

// isHelpWord reports whether s asks for help: "help" (any case) or "?".
func isHelpWord(s string) bool {
	return strings.EqualFold(s, "help") || s == "?"
}

// isInteger reports whether s is an optionally signed string of digits.
func isInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// stripRepeat returns words without a leading repeat count, for code that
// looks at a line before or without running it (history, hints).
func stripRepeat(words []string) []string {
	if len(words) > 1 && isInteger(words[0]) {
		return words[1:]
	}
	return words
}
