package repl

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/redish/redish/backoff"
	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/cliargs"
)

// keyBudget bounds the key lookup of one Tab press: completion returns
// what SCAN found by then, so typing never waits longer.
const keyBudget = 200 * time.Millisecond

// maxKeyCandidates bounds the keys one Tab press offers.
const maxKeyCandidates = 100

// builtins are the shell's own commands, completed like command names.
var builtins = []string{"help", "connect", "clear", "quit", "exit", ":set", ":retry", ":verbose", ":help"}

// setOptions are the words :set takes.
var setOptions = []string{"hints", "nohints", "keys", "nokeys"}

// retryKeys are the settings :retry takes (see retry.Policy.Apply).
var retryKeys = []string{"retries=", "backoff=", "base=", "cap=", "on=", "deadline="}

// keyLister lists the keys that start with prefix, at most max of them,
// for completion. It must give up when ctx is done and return what it has.
type keyLister func(ctx context.Context, prefix string, max int) []string

// completer computes the completions of the word before the cursor.
type completer struct {
	cmds *commandSet
	// keys lists keys for key arguments; nil turns key completion off.
	keys keyLister
	// builtins are the shell's added commands (Config.Builtins).
	builtins map[string]Builtin
	// cluster offers the :retry setting of the cluster-level attempts.
	cluster bool
}

// complete returns the word being typed at the end of line and its
// completions: whole words, spelled in the case being typed (see
// matchCase), sorted. It returns no completions inside an open quote.
func (c *completer) complete(line string) (word string, cands []string) {
	start := strings.LastIndexAny(line, " \t") + 1
	before, word := line[:start], line[start:]
	if strings.ContainsAny(word, `"'`) {
		return word, nil
	}
	words, err := cliargs.SplitArgs(before)
	if err != nil {
		return word, nil
	}
	if len(words) > 0 && isInteger(words[0]) {
		words = words[1:]
	}
	var pool []string
	keys := false
	switch {
	case len(words) == 0:
		pool = append(slices.Clone(builtins), c.cmds.names...)
		for name := range c.builtins {
			pool = append(pool, ":"+name)
		}
	case len(words) == 1 && c.isBuiltin(words[0]):
		// An added builtin's words are completed as it spells them.
		for _, w := range c.builtins[strings.ToLower(words[0][1:])].Words {
			if len(w) >= len(word) && strings.EqualFold(w[:len(word)], word) {
				cands = append(cands, w)
			}
		}
		slices.Sort(cands)
		return word, cands
	case isHelpWord(words[0]):
		pool = helpCompletions(words[1:])
	case strings.EqualFold(words[0], ":set") && len(words) == 1:
		pool = setOptions
	case strings.EqualFold(words[0], ":verbose") && len(words) == 1:
		pool = []string{"on", "off"}
	case strings.EqualFold(words[0], ":retry"):
		return word, retryCompletions(word, c.cluster)
	default:
		pool, keys = c.argCompletions(words)
	}
	for _, p := range pool {
		if len(p) >= len(word) && strings.EqualFold(p[:len(word)], word) {
			cands = append(cands, matchCase(p, word))
		}
	}
	if keys && c.keys != nil {
		ctx, cancel := context.WithTimeout(context.Background(), keyBudget)
		for _, k := range c.keys(ctx, word, maxKeyCandidates) {
			// Keys that need quoting cannot be completed by appending.
			if strings.HasPrefix(k, word) && cliargs.QuoteArg(k) == k {
				cands = append(cands, k)
			}
		}
		cancel()
	}
	slices.Sort(cands)
	return word, slices.Compact(cands)
}

// isBuiltin reports whether word is ":" and the name of an added builtin.
func (c *completer) isBuiltin(word string) bool {
	name, ok := strings.CutPrefix(word, ":")
	_, found := c.builtins[strings.ToLower(name)]
	return ok && found
}

// argCompletions returns the words that may follow words (a command and
// some of its arguments): subcommand names, the tokens the next argument
// may start with, and whether it may be a key.
func (c *completer) argCompletions(words []string) (pool []string, keys bool) {
	cmd, n := c.cmds.lookup(words)
	if cmd == nil {
		return nil, false
	}
	if cmd.IsContainer() && n == 1 {
		if len(words) > 1 {
			return nil, false
		}
		for _, s := range cmd.Subcommands {
			_, sub, _ := strings.Cut(s.Name, "|")
			pool = append(pool, sub)
		}
		return pool, false
	}
	m := newArgMatcher(cmd.Args)
	for _, w := range words[n:] {
		m.feed(w)
	}
	for _, a := range m.expected() {
		var k bool
		pool, k = firstWords(a, pool)
		keys = keys || k
	}
	return pool, keys
}

// helpCompletions returns the next word of the help topics that start
// with typed: "@group" names and command names, word by word.
func helpCompletions(typed []string) []string {
	var out []string
	for _, t := range format.HelpTopics() {
		tw := strings.Fields(t)
		if len(tw) <= len(typed) {
			continue
		}
		match := true
		for i, w := range typed {
			if !strings.EqualFold(w, tw[i]) {
				match = false
				break
			}
		}
		if match {
			out = append(out, tw[len(typed)])
		}
	}
	return out
}

// retryCompletions completes the keys of :retry settings (with cluster,
// cluster-error-attempts= too) and the backoff names after "backoff=".
func retryCompletions(word string, cluster bool) []string {
	var out []string
	if v, ok := strings.CutPrefix(strings.ToLower(word), "backoff="); ok {
		for _, name := range backoffNames() {
			if strings.HasPrefix(name, v) {
				out = append(out, word[:len("backoff=")]+name)
			}
		}
		return out
	}
	keys := retryKeys
	if cluster {
		keys = append(slices.Clone(keys), clusterAttemptsKey+"=")
	}
	for _, k := range keys {
		if strings.HasPrefix(k, strings.ToLower(word)) {
			out = append(out, matchCase(k, word))
		}
	}
	return out
}

// matchCase spells name in the case of what was typed: lower case when
// typed has a lower-case letter, else upper case ("se" completes to "set",
// "SE" and "" to "SET"). Names starting with ':' and words ending in '='
// stay as they are.
func matchCase(name, typed string) string {
	if strings.HasPrefix(name, ":") || strings.HasSuffix(name, "=") || strings.HasPrefix(name, "@") {
		if strings.ContainsFunc(typed, isUpper) && !strings.ContainsFunc(typed, isLower) && strings.HasPrefix(name, "@") {
			return strings.ToUpper(name)
		}
		return strings.ToLower(name)
	}
	if strings.ContainsFunc(typed, isLower) {
		return strings.ToLower(name)
	}
	return strings.ToUpper(name)
}

func isLower(r rune) bool { return 'a' <= r && r <= 'z' }
func isUpper(r rune) bool { return 'A' <= r && r <= 'Z' }

// backoffNames lists the backoff strategies :retry accepts.
func backoffNames() []string { return backoff.Names() }
