package stdin

import (
	"context"
	"fmt"
	"strings"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/repl"
)

// isScriptLine reports whether l is a ":" line that stdin mode runs
// itself rather than sending it: only where the run adds ":" commands to
// the shell (redish lab), so that fault scenarios replay from a file.
// Plain stdin mode sends every line to the server, as redis-cli does.
func isScriptLine(o Options, l repl.Line) bool {
	return o.Builtins != nil && l.Kind == repl.LineCommand && strings.HasPrefix(l.Words[0], ":")
}

// scriptLine runs l if it is a ":" line (see isScriptLine): :lab,
// :retry, :verbose or :help, with the interactive shell's output. A line
// that fails ends the run with exit code 1: the rest of a scenario would
// not test what it says. It reports whether l was such a line.
func scriptLine(ctx context.Context, e *env.Env, o Options, l repl.Line) (bool, error) {
	if !isScriptLine(o, l) {
		return false, nil
	}
	p := e.Printer
	sc := repl.Script{Out: p.Writer(), Builtins: o.Builtins, Verbose: func(line string) {
		fmt.Fprintln(e.IO.ErrOut, line)
	}}
	switch cl := e.Session.(type) {
	case *redisx.Client:
		sc.Client = repl.NewStandalone(cl)
	case *redisx.ClusterClient:
		sc.Client = repl.NewCluster(cl)
	case *redisx.SentinelClient:
		sc.Client = repl.NewSentinel(cl)
	}
	err := sc.Run(ctx, l.Words)
	if ferr := p.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return true, env.Fail(err.Error())
	}
	return true, nil
}
