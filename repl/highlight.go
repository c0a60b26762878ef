package repl

import (
	"slices"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx/commands"
)

// wordClass is what a word of a command line is, for its colour.
type wordClass uint8

// The classes of words, each with its colour in a theme.
const (
	classPlain      wordClass = iota
	classCommand              // a command's name
	classSubcommand           // a subcommand's name (CONFIG GET)
	classKey                  // an argument of type key
	classToken                // an option word: NX, EX, WITHSCORES
	classNumber               // an integer or double argument, the repeat count
	classString               // any other value
	classBuiltin              // one of the shell's own commands
	classError                // an unknown command, a word too many
)

// Problems shown in place of the hint, before Enter.
const (
	problemUnknown    = "unknown command"
	problemUnknownSub = "unknown subcommand"
	problemArity      = "wrong number of arguments"
	problemSyntax     = "syntax error"
	problemNumber     = "not a number"
)

// lineInfo is what the shell makes of a line being typed.
type lineInfo struct {
	words   []word
	classes []wordClass
	// hint is the syntax still to type (see commandSet.hint).
	hint string
	// problem says what is wrong with the line, "" when nothing is.
	problem string
}

// shellWords are the shell's own commands that are not ":" commands.
var shellWords = []string{"help", "?", "connect", "clear", "quit", "exit", "peek"}

// analyse classifies each word of line and finds its hint and what is
// wrong with it, from the command table (or the server's COMMAND DOCS) and
// the argument tree the hints follow. A word still being typed (the last,
// with no blank after it) is never called wrong while it may still become
// right: "HGE" may become HGET.
func (cs *commandSet) analyse(line string) lineInfo {
	info := lineInfo{words: lexLine(line)}
	ws := info.words
	info.classes = make([]wordClass, len(ws))
	if len(ws) == 0 {
		return info
	}
	last := ws[len(ws)-1]
	typing := !endsInSpace(line) || last.Open || last.Bad
	complete := func(i int) bool { return i < len(ws)-1 || !typing }
	if last.Bad {
		info.classes[len(ws)-1] = classError
		info.problem = "closing quote must be followed by a space"
	}

	start := 0
	if len(ws) > 1 && isInteger(ws[0].Value) {
		info.classes[0] = classNumber
		start = 1
	}
	name := ws[start].Value
	if isShellWord(name) {
		info.classes[start] = classBuiltin
		return info
	}
	vals := values(ws[start:])
	cmd, n := cs.lookup(vals)
	switch {
	case cmd == nil && complete(start):
		info.classes[start] = classError
		info.problem = problemUnknown
		return info
	case cmd == nil:
		if !cs.isPrefix(name) {
			info.classes[start] = classError
		}
		return info
	}
	info.classes[start] = classCommand
	if n == 2 {
		info.classes[start+1] = classSubcommand
	}
	if cmd.IsContainer() && n == 1 {
		if len(vals) > 1 {
			if complete(start + 1) {
				info.classes[start+1] = classError
				info.problem = problemUnknownSub
			} else if !hasSubPrefix(cmd, vals[1]) {
				info.classes[start+1] = classError
			}
		}
		return info
	}

	arity := tableArity(vals[:n])
	if len(cmd.Args) == 0 && arity != n {
		// Arguments the documentation does not describe (DEBUG SLEEP).
		return info
	}
	m := newArgMatcher(cmd.Args)
	for i := start + n; i < len(ws); i++ {
		w := ws[i]
		if arity > 0 && i-start >= arity {
			// More words than the command ever takes.
			for j := i; j < len(ws); j++ {
				info.classes[j] = classError
			}
			info.problem = problemArity
			return info
		}
		nothingLeft := len(m.expected()) == 0
		m.feed(w.Value)
		if m.lost {
			if !complete(i) {
				return info
			}
			for j := i; j < len(ws); j++ {
				info.classes[j] = classError
			}
			info.problem = problemSyntax
			if nothingLeft {
				info.problem = problemArity
			}
			return info
		}
		info.classes[i] = classOf(m.last, m.lastToken)
		if info.classes[i] == classNumber && !isNumber(w.Value) && complete(i) {
			info.classes[i] = classError
			info.problem = problemNumber
		}
	}
	if !last.Open && !last.Bad {
		info.hint = m.hint()
	}
	return info
}

// classOf returns the class of a word that filled argument a (its token
// when token is set).
func classOf(a *commands.Arg, token bool) wordClass {
	switch {
	case a == nil:
		return classPlain
	case token:
		return classToken
	}
	switch a.Type {
	case commands.ArgKey:
		return classKey
	case commands.ArgInteger, commands.ArgDouble, commands.ArgUnixTime:
		return classNumber
	}
	return classString
}

// isNumber reports whether s reads as a number, as Redis reads integers
// and doubles (including inf and the ZRANGEBYSCORE forms "(1", "-inf").
func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "(")
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return true
	}
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity":
		return true
	}
	return false
}

// tableArity returns the arity of the command (or subcommand) named by
// words in redish's command table, 0 when unknown or not fixed.
func tableArity(words []string) int {
	c := commands.LookupCommand(words[0])
	if c != nil && len(words) == 2 {
		c = c.Subcommand(words[1])
	}
	if c == nil {
		return 0
	}
	return c.Arity
}

// isShellWord reports whether name is one of the shell's own commands.
func isShellWord(name string) bool {
	if strings.HasPrefix(name, ":") {
		return true
	}
	for _, w := range shellWords {
		if strings.EqualFold(w, name) {
			return true
		}
	}
	return false
}

// isPrefix reports whether some command or shell command starts with s.
func (cs *commandSet) isPrefix(s string) bool {
	s = strings.ToLower(s)
	i, _ := slices.BinarySearch(cs.names, s)
	if i < len(cs.names) && strings.HasPrefix(cs.names[i], s) {
		return true
	}
	for _, w := range shellWords {
		if strings.HasPrefix(w, s) {
			return true
		}
	}
	return false
}

// hasSubPrefix reports whether a subcommand of c starts with s.
func hasSubPrefix(c *commands.Command, s string) bool {
	s = strings.ToLower(s)
	for i := range c.Subcommands {
		_, sub, _ := strings.Cut(c.Subcommands[i].Name, "|")
		if strings.HasPrefix(sub, s) {
			return true
		}
	}
	return false
}

// painted returns how the editor draws line in theme t: each word in the
// colour of its class, and the hint, or what is wrong, after it. Without
// colours (theme none) the hint starts with "# " and a problem is
// written "# (problem)", so neither reads as typed text.
func (cs *commandSet) painted(line string, t theme, hints bool) Painted {
	if ws, bar := cs.pipeAt(line, true); bar >= 0 {
		// The command, then the pipe and the shell command it feeds.
		p := cs.painted(line[:ws[bar].Start], t, false)
		if t.builtin != "" {
			p.Spans = append(p.Spans, Span{Start: ws[bar].Start, End: ws[bar].End, Style: t.builtin})
		}
		if hints && bar == len(ws)-1 {
			lead := ""
			if !endsInSpace(line) {
				lead = " "
			}
			p.Hint, p.HintStyle = lead+t.hintMark+"shell command to pipe the reply to", t.hint
		}
		return p
	}
	info := cs.analyse(line)
	var p Painted
	for i, w := range info.words {
		if st := t.class(info.classes[i]); st != "" {
			p.Spans = append(p.Spans, Span{Start: w.Start, End: w.End, Style: st})
		}
	}
	if !hints {
		return p
	}
	lead := ""
	if !endsInSpace(line) {
		lead = " "
	}
	switch {
	case info.problem != "":
		p.Hint = lead + t.hintMark + "(" + info.problem + ")"
		p.HintStyle = t.problem
	case info.hint != "":
		p.Hint = lead + t.hintMark + info.hint
		p.HintStyle = t.hint
	}
	return p
}
