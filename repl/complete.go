package repl

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/redish/redish/backoff"
	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx/commands"
)

// keyBudget bounds what one Tab press asks the server (keys, fields,
// members, parameters, users, clients, channels): completion returns what
// it found by then, so typing never waits longer.
const keyBudget = 200 * time.Millisecond

// maxKeyCandidates bounds the keys (and other names) one Tab press offers.
const maxKeyCandidates = 100

// builtins are the shell's own commands, completed like command names.
var builtins = []string{"help", "connect", "clear", "quit", "exit", "peek", ":set", ":retry", ":verbose", ":help", ":peek"}

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
	// data answers the other questions completion asks the server
	// (fields, members, parameters, ...); nil asks none.
	data DataSource
	// builtins are the shell's added commands (Config.Builtins).
	builtins map[string]Builtin
	// cluster offers the :retry setting of the cluster-level attempts.
	cluster bool
}

// complete returns the word being typed at the end of line and its
// completions: whole words, spelled in the case being typed (see
// matchCase), sorted. Names from the server (keys, fields, ...) are
// quoted as the line needs them: a key with a space completes to
// "key with space", and when some of the names need quotes all are
// quoted, so that the word typed can become their common start.
func (c *completer) complete(line string) (text string, cands []string) {
	ws := lexLine(line)
	var typed word
	before := ws
	if len(ws) > 0 && (!endsInSpace(line) || ws[len(ws)-1].Open) {
		typed = ws[len(ws)-1]
		before = ws[:len(ws)-1]
		text = line[typed.Start:]
	}
	if typed.Bad {
		return text, nil
	}
	words := values(before)
	if len(words) > 0 && isInteger(words[0]) {
		words = words[1:]
	}
	var pool []string
	var need dataNeed
	switch {
	case len(words) == 0:
		pool = append(slices.Clone(builtins), c.cmds.names...)
		for name := range c.builtins {
			pool = append(pool, ":"+name)
		}
	case len(words) == 1 && c.isBuiltin(words[0]):
		// An added builtin's words are completed as it spells them.
		for _, w := range c.builtins[strings.ToLower(words[0][1:])].Words {
			if len(w) >= len(text) && strings.EqualFold(w[:len(text)], text) {
				cands = append(cands, w)
			}
		}
		slices.Sort(cands)
		return text, cands
	case isHelpWord(words[0]):
		pool = helpCompletions(words[1:])
	case strings.EqualFold(words[0], ":set"):
		pool = setCompletions(words[1:])
	case strings.EqualFold(words[0], ":verbose") && len(words) == 1:
		pool = []string{"on", "off"}
	case strings.EqualFold(words[0], ":retry"):
		return text, retryCompletions(text, c.cluster)
	case (strings.EqualFold(words[0], "peek") || strings.EqualFold(words[0], ":peek")) && len(words) == 1:
		need.key = true
	default:
		pool, need = c.argCompletions(words)
	}
	if !typed.Quoted {
		for _, p := range pool {
			if len(p) >= len(text) && strings.EqualFold(p[:len(text)], text) {
				cands = append(cands, matchCase(p, text))
			}
		}
	}
	names := c.serverNames(need, typed.Value)
	if len(names) > 0 {
		style := quoteStyle(text)
		if style == 0 && slices.ContainsFunc(names, needsQuotes) && text != "" {
			// Mixed plain and quoted names: quote all, so that the text
			// typed can grow into what they share.
			style = '"'
			cands = nil
		}
		for _, n := range names {
			cands = append(cands, quoteName(n, style))
		}
	}
	slices.Sort(cands)
	return text, slices.Compact(cands)
}

// dataNeed says which names from the server may come next.
type dataNeed struct {
	// key: key names.
	key bool
	// lookups are the other names, by kind (see lookupNames).
	lookups []nameQuery
}

// serverNames returns the names from the server that start with prefix,
// within keyBudget altogether.
func (c *completer) serverNames(need dataNeed, prefix string) []string {
	if !need.key && len(need.lookups) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), keyBudget)
	defer cancel()
	var out []string
	if need.key && c.keys != nil {
		for _, k := range c.keys(ctx, prefix, maxKeyCandidates) {
			if strings.HasPrefix(k, prefix) {
				out = append(out, k)
			}
		}
	}
	if c.data != nil {
		for _, q := range need.lookups {
			q.prefix = prefix
			for _, n := range lookupNames(ctx, c.data, q) {
				out = append(out, n.value)
			}
		}
	}
	return out
}

// isBuiltin reports whether word is ":" and the name of an added builtin.
func (c *completer) isBuiltin(word string) bool {
	name, ok := strings.CutPrefix(word, ":")
	_, found := c.builtins[strings.ToLower(name)]
	return ok && found
}

// argCompletions returns the words that may follow words (a command and
// some of its arguments): subcommand names, the tokens the next argument
// may start with, and the names from the server it may be.
func (c *completer) argCompletions(words []string) (pool []string, need dataNeed) {
	cmd, n := c.cmds.lookup(words)
	if cmd == nil {
		return nil, need
	}
	if cmd.IsContainer() && n == 1 {
		if len(words) > 1 {
			return nil, need
		}
		for _, s := range cmd.Subcommands {
			_, sub, _ := strings.Cut(s.Name, "|")
			pool = append(pool, sub)
		}
		return pool, need
	}
	m := newArgMatcher(cmd.Args)
	key := ""
	for _, w := range words[n:] {
		m.feed(w)
		if key == "" && m.last != nil && !m.lastToken && m.last.Type == commands.ArgKey {
			key = w
		}
	}
	for _, a := range m.expected() {
		var k bool
		pool, k = firstWords(a, pool)
		need.key = need.key || k
		for _, v := range firstValues(a, nil) {
			if q, ok := lookupFor(cmd, v, key); ok {
				need.lookups = append(need.lookups, q)
			}
		}
	}
	return pool, need
}

// lookupFor says which names from the server fill argument a of cmd, key
// being the key the line names so far.
func lookupFor(cmd *commands.Command, a *commands.Arg, key string) (nameQuery, bool) {
	name := strings.ToLower(a.Name)
	switch {
	case a.Type == commands.ArgKey:
		return nameQuery{}, false
	case strings.HasPrefix(cmd.Name, "config|") && name == "parameter":
		return nameQuery{kind: nameConfig}, true
	case name == "username":
		return nameQuery{kind: nameUser}, true
	case cmd.Name == "client|kill" && name == "client-id":
		return nameQuery{kind: nameClientID}, true
	case cmd.Name == "client|kill" && (name == "ip:port" || name == "addr"):
		return nameQuery{kind: nameClientAddr}, true
	case cmd.Name == "client|kill" && name == "laddr":
		return nameQuery{kind: nameClientLaddr}, true
	case name == "channel" && cmd.Group == "pubsub":
		return nameQuery{kind: nameChannel}, true
	case name == "shardchannel":
		return nameQuery{kind: nameShardChannel}, true
	case key == "":
		return nameQuery{}, false
	case cmd.Group == "hash" && name == "field":
		return nameQuery{kind: nameField, key: key}, true
	case cmd.Group == "set" && name == "member":
		return nameQuery{kind: nameSetMember, key: key}, true
	case cmd.Group == "sorted-set" && name == "member":
		return nameQuery{kind: nameZSetMember, key: key}, true
	case cmd.Group == "stream" && (name == "id" || name == "start" || name == "end"):
		return nameQuery{kind: nameStreamID, key: key}, true
	}
	return nameQuery{}, false
}

// setCompletions returns what may follow ":set" and the words typed after
// it.
func setCompletions(typed []string) []string {
	if len(typed) == 0 {
		return setWords
	}
	if v, ok := setValues[strings.ToLower(typed[len(typed)-1])]; ok {
		return v
	}
	return setWords
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
