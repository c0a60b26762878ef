package repl

import (
	"bytes"
	"context"
	"strings"

	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx"
)

// splitPipe finds a pipe in a line typed at the prompt: "LRANGE l 0 -1 |
// grep x" sends LRANGE l 0 -1 and writes its reply to grep x. A "|" is a
// pipe only when all of these hold, so that a "|" that is an argument
// keeps being one:
//
//   - it is a word of its own, not quoted, with something after it;
//   - the line as a whole is not a valid command (by the command table:
//     its number of arguments and its syntax), as "SET k |" or "DEL a | b"
//     are;
//   - the words before it are a valid command.
//
// It returns the command's words (repeat prefix removed) and the shell
// command, as typed.
func (cs *commandSet) splitPipe(line string) ([]string, string, bool) {
	ws, bar := cs.pipeAt(line, false)
	if bar < 0 {
		return nil, "", false
	}
	return stripRepeat(values(ws[:bar])), strings.TrimSpace(line[ws[bar].End:]), true
}

// pipeAt returns the words of line and the index of the word that is a
// pipe (see splitPipe), -1 when there is none. With typing, a "|" that
// ends the line counts too: the shell command is still to be typed.
func (cs *commandSet) pipeAt(line string, typing bool) ([]word, int) {
	ws := lexLine(line)
	bar := -1
	for i, w := range ws {
		if w.Value == "|" && !w.Quoted && !w.Open && !w.Bad {
			bar = i
			break
		}
	}
	if bar <= 0 || bar == len(ws)-1 && !typing {
		return ws, -1
	}
	last := ws[len(ws)-1]
	if !last.Open && !last.Bad && cs.valid(values(ws)) {
		return ws, -1
	}
	if !cs.valid(values(ws[:bar])) {
		return ws, -1
	}
	return ws, bar
}

// valid reports whether words (with or without a repeat prefix) are a
// command the table knows, with the number of arguments it takes and
// arguments that fit its syntax.
func (cs *commandSet) valid(words []string) bool {
	words = stripRepeat(words)
	if len(words) == 0 || isShellWord(words[0]) {
		return false
	}
	cmd, n := cs.lookup(words)
	if cmd == nil || cmd.IsContainer() && n == 1 {
		return false
	}
	switch arity := tableArity(words[:n]); {
	case arity > 0 && len(words) != arity, arity < 0 && len(words) < -arity:
		return false
	}
	if len(cmd.Args) == 0 && tableArity(words[:n]) != n {
		return true // arguments the documentation does not describe
	}
	m := newArgMatcher(cmd.Args)
	for _, w := range words[n:] {
		m.feed(w)
	}
	return m.satisfied()
}

// runPiped runs the command words repeat times and writes the replies to
// the standard input of shellCmd, run by the system's shell with its
// output on the terminal. The replies are written as redish writes them
// into a pipe: the raw format unless an output format was chosen (--csv,
// --json). Ctrl-C stops the command, or the shell command.
func (s *Shell) runPiped(ctx context.Context, words []string, repeat int, shellCmd string) {
	args := make([][]byte, len(words))
	for i, w := range words {
		args[i] = []byte(w)
	}
	if redisx.IsStreaming(args) {
		s.errorf("%s cannot be piped: its messages do not end", strings.ToUpper(words[0]))
		return
	}
	s.cfg.Secrets.AddCommand(args)
	o := s.cfg.Format
	if o.Mode == format.TTY {
		o = format.DefaultOptions(format.Raw)
	}
	var out []byte
	failed := false
	interrupted := s.interruptible(ctx, func(ctx context.Context) {
		for range repeat {
			v, err := s.client.Do(ctx, args)
			if err != nil {
				s.failed(err, ctx.Err() != nil)
				failed = true
				return
			}
			out = s.formatReply(out, args, v, o)
		}
	})
	if interrupted {
		s.print("\n")
		s.connect(ctx)
		return
	}
	if failed {
		return
	}
	if err := s.runShellCommand(shellCmd, bytes.NewReader(out), false); err != nil {
		s.errorf("%s: %v", shellCmd, err)
	}
}
