package repl

import (
	"context"
	"io"
	"slices"
	"strings"
)

// Builtin is a command of the shell's own that the program running the
// shell adds (redish lab adds :lab). A typed line whose first word is ":"
// followed by the builtin's name runs it; the start-up file cannot run it.
type Builtin struct {
	// Usage is what :help shows for the builtin: one or more lines, each
	// a syntax and what it does, without a final newline.
	Usage string
	// Words are the words its first argument may be, for Tab completion.
	Words []string
	// Run runs the builtin with the words that follow its name, writing
	// its output to out. Ctrl-C cancels ctx. A returned error is printed
	// on the shell's error output.
	Run func(ctx context.Context, out io.Writer, args []string) error
}

// internalUsage is what :help shows for the shell's own ":" commands.
const internalUsage = `:set [hints|nohints|keys|nokeys]    show or change the shell's preferences
:retry [key=value ...]             show or change the retry policy (retries=, backoff=, base=, cap=, on=, deadline=;
                                   cluster-error-attempts= with -c)
:verbose [on|off]                  show or change whether retries (and with -c, redirects and topology reads) are printed
:help                              show this list`

// builtin returns the builtin a ":name" word runs.
func (s *Shell) builtin(word string) (Builtin, bool) {
	name, ok := strings.CutPrefix(word, ":")
	if !ok {
		return Builtin{}, false
	}
	b, ok := s.cfg.Builtins[strings.ToLower(name)]
	return b, ok
}

// runBuiltin runs b with args; Ctrl-C cancels it.
func (s *Shell) runBuiltin(ctx context.Context, b Builtin, args []string) {
	var err error
	s.interruptible(ctx, func(ctx context.Context) { err = b.Run(ctx, s.cfg.Out, args) })
	if err != nil {
		s.errorf("%v", err)
	}
}

// help is :help: the ":" commands and their usage.
func (s *Shell) help() {
	var b strings.Builder
	b.WriteString(internalUsage + "\n")
	for _, name := range s.builtinNames() {
		b.WriteString(s.cfg.Builtins[name].Usage + "\n")
	}
	s.print(b.String())
}

// builtinNames returns the names of the builtins, sorted.
func (s *Shell) builtinNames() []string {
	names := make([]string, 0, len(s.cfg.Builtins))
	for name := range s.cfg.Builtins {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
