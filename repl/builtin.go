package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/redish/redish/retry"
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

// shellCommand is one of the shell's own commands, as :help and help
// list it.
type shellCommand struct{ syntax, what string }

// shellCommands are the shell's own commands, in the order :help lists
// them.
var shellCommands = []shellCommand{
	{"help [COMMAND|@GROUP]", "help on Redis commands (help <Tab> lists the topics)"},
	{"peek KEY [COUNT]", "type, encoding, TTL, memory, length and first COUNT (10) items of KEY; also :peek"},
	{"COMMAND | SHELL-COMMAND", "pipe the reply to a shell command, unless the line is valid with | as an argument"},
	{"N COMMAND", "run COMMAND N times"},
	{"connect HOST PORT", "connect to another server"},
	{"clear", "clear the screen"},
	{"quit, exit", "leave the shell (also Ctrl-D, or Ctrl-C at an empty prompt)"},
	{":set", "show the preferences"},
	{":set hints|nohints", "syntax hints after the cursor on or off"},
	{":set keys|nokeys", "completion of keys, fields, members, ... from the server"},
	{":set theme dark|light|none", "the colours of the line being typed"},
	{":set decode utf-8|none", "show strings that are valid UTF-8 as text, or as redis-cli does"},
	{":set pager on|off|CMD", "page replies taller than the terminal ($PAGER, else less)"},
	{":set confirm on|off", "ask before FLUSHALL, FLUSHDB, SHUTDOWN, DEBUG crashes, CLUSTER RESET, big KEYS"},
	{":retry [key=value ...]", "show or change the retry policy: retries=, backoff=, base=, cap=, on=, sent=, deadline="},
	{":verbose [on|off]", "show or change whether retries (with -c, redirects too) are printed"},
	{":help", "show this list"},
}

// shellCommandsText lists the shell's own commands, one a line.
func shellCommandsText() string {
	width := 0
	for _, c := range shellCommands {
		width = max(width, len(c.syntax))
	}
	var b strings.Builder
	for _, c := range shellCommands {
		b.WriteString(c.syntax + strings.Repeat(" ", width-len(c.syntax)+2) + c.what + "\n")
	}
	return b.String()
}

// helpBannerEnd ends the text of a bare "help" in the shell: its own
// commands.
func helpBannerEnd() string {
	return "\nredish's own commands (\":help\" lists them too):\n" + shellCommandsText()
}

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
func (s *Shell) help() { s.print(helpText(s.cfg.Builtins, true)) }

// helpText is what :help prints: the shell's own commands (only :retry,
// :verbose and :help for a Script), then the added builtins by name.
func helpText(builtins map[string]Builtin, shell bool) string {
	var b strings.Builder
	if shell {
		b.WriteString(shellCommandsText())
	} else {
		for _, c := range shellCommands {
			if strings.HasPrefix(c.syntax, ":retry") || strings.HasPrefix(c.syntax, ":verbose") || c.syntax == ":help" {
				b.WriteString(c.syntax + "  " + c.what + "\n")
			}
		}
	}
	names := make([]string, 0, len(builtins))
	for name := range builtins {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b.WriteString(builtins[name].Usage + "\n")
	}
	return b.String()
}

// errNoRetryControl is the answer of :retry on a client whose policy is
// fixed.
var errNoRetryControl = errors.New("the retry policy cannot be changed in this mode")

// errVerboseArg is the answer of :verbose to a word other than on or off.
var errVerboseArg = errors.New(":verbose takes on or off")

// clusterAttemptsKey is the :retry setting of the cluster-level attempts,
// named after --cluster-error-attempts.
const clusterAttemptsKey = "cluster-error-attempts"

// retryLine runs :retry on client, a RetryControl: with key=value
// settings it changes the policy (see retry.Policy.Apply) and, in cluster
// mode, cluster-error-attempts=N the cluster-level attempts; either every
// setting applies or none does. It returns the line :retry prints: the
// policy now in force.
func retryLine(client Client, settings []string) (string, error) {
	rc, ok := client.(RetryControl)
	if !ok {
		return "", errNoRetryControl
	}
	ac, hasAttempts := client.(AttemptsControl)
	p := rc.RetryPolicy()
	if len(settings) > 0 {
		var policy []string
		attempts := -1
		for _, set := range settings {
			key, val, _ := strings.Cut(set, "=")
			if !strings.EqualFold(strings.TrimSpace(key), clusterAttemptsKey) {
				policy = append(policy, set)
				continue
			}
			if !hasAttempts {
				return "", fmt.Errorf("%s applies in cluster mode only (-c)", clusterAttemptsKey)
			}
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 0 {
				return "", fmt.Errorf("%s: %q is not a number of 0 or more", clusterAttemptsKey, val)
			}
			attempts = n
		}
		q, err := p.Apply(policy...)
		if err != nil {
			return "", err
		}
		rc.SetRetryPolicy(q)
		if attempts >= 0 {
			ac.SetErrorAttempts(attempts)
		}
		p = q
	}
	line := "retry " + p.String()
	if hasAttempts {
		line += " " + clusterAttemptsKey + "=" + strconv.Itoa(ac.ErrorAttempts())
	}
	return line + "\n", nil
}

// verboseArg reads the word after :verbose.
func verboseArg(word string) (on bool, err error) {
	switch strings.ToLower(word) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, errVerboseArg
}

// setVerboseLines has print receive the lines --verbose prints for
// client: retries and, in cluster mode, redirects, topology reads and
// cluster-level attempts. A nil print silences them.
func setVerboseLines(client Client, print func(line string)) {
	rc, ok := client.(RetryControl)
	if !ok {
		return
	}
	ec, hasEvents := client.(EventControl)
	if print == nil {
		rc.SetObserver(nil)
		if hasEvents {
			ec.SetEventLines(nil)
		}
		return
	}
	rc.SetObserver(func(ev retry.Event) { print(retry.FormatEvent(ev)) })
	if hasEvents {
		ec.SetEventLines(print)
	}
}

// Script runs the ":" lines of commands read from stdin, with the shell's
// syntax and output: redish lab runs them so that a fault scenario can be
// written once and replayed (redish lab < scenario.txt). It knows :retry,
// :verbose, :help and the added builtins; :set, which changes only how
// the shell edits lines, is refused.
type Script struct {
	// Client is the connection whose retry policy :retry and :verbose
	// change (a RetryControl); nil when it has none to change.
	Client Client
	// Out receives what the lines print, as the shell's Out does.
	Out io.Writer
	// Verbose prints a --verbose line, after ":verbose on".
	Verbose func(line string)
	// Builtins are the added ":" commands (redish lab's :lab).
	Builtins map[string]Builtin
}

// Run runs one ":" line. Its error says what is wrong with the line.
func (sc *Script) Run(ctx context.Context, words []string) error {
	name := strings.ToLower(words[0])
	if b, ok := sc.Builtins[strings.TrimPrefix(name, ":")]; ok {
		return b.Run(ctx, sc.Out, words[1:])
	}
	var out string
	switch name {
	case ":retry":
		line, err := retryLine(sc.Client, words[1:])
		if err != nil {
			return fmt.Errorf(":retry: %w", err)
		}
		out = line
	case ":verbose":
		rc, ok := sc.Client.(RetryControl)
		if !ok {
			return errNoRetryControl
		}
		if len(words) == 1 {
			out = "verbose " + onOff(rc.Observer() != nil) + "\n"
			break
		}
		on, err := verboseArg(words[1])
		if err != nil {
			return err
		}
		if on {
			setVerboseLines(sc.Client, sc.Verbose)
		} else {
			setVerboseLines(sc.Client, nil)
		}
	case ":help":
		out = helpText(sc.Builtins, false)
	case ":set":
		return errors.New(":set changes the interactive shell's line editing: it does nothing to commands read from stdin")
	default:
		return fmt.Errorf("unknown redish internal command '%s' (:help lists them)", words[0])
	}
	_, err := io.WriteString(sc.Out, out)
	return err
}
