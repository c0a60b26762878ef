package repl

import (
	"slices"
	"strings"

	"github.com/redish/redish/redisx/commands"
)

// argMatcher follows the words typed after a command's name through the
// command's argument tree, so that hints can show what is left and
// completion can tell what may come next.
//
// The argument trees are shared with the command table: the matcher never
// appends to them in place.
//
// The matching is greedy and forgiving, as a person types: a word equal to
// a token (NX, EX, WITHSCORES) fills the argument that token introduces,
// even out of order among optional arguments; any other word fills the
// next required argument, or else the next optional argument that takes a
// value. Optional arguments passed over that way are dropped from the
// hint. A word that fits nowhere makes the matcher give up (lost): no hint
// beats a wrong one.
type argMatcher struct {
	args []commands.Arg
	// next is the first top-level argument not passed over.
	next int
	// used marks optional arguments filled out of order.
	used []bool
	// seen marks repeatable (multiple) arguments filled at least once:
	// they may repeat, and their hint becomes "[x ...]".
	seen []bool
	// pending are the parts the argument being filled still expects
	// (after EX: seconds).
	pending []commands.Arg
	// lost is set when a word fits no argument.
	lost bool
	// last is the argument the last word fed filled, and lastToken is
	// set when that word was the argument's token (NX, EX) rather than
	// its value; last is nil when the word fitted nowhere.
	last      *commands.Arg
	lastToken bool
}

func newArgMatcher(args []commands.Arg) *argMatcher {
	return &argMatcher{
		args: args,
		used: make([]bool, len(args)),
		seen: make([]bool, len(args)),
	}
}

// feed matches the next word typed.
func (m *argMatcher) feed(w string) {
	m.last, m.lastToken = nil, false
	if m.lost {
		return
	}
	for len(m.pending) > 0 {
		p := &m.pending[0]
		rest, strong, ok := enterArg(p, w)
		if ok && (strong || !p.Flags.Has(commands.ArgOptional)) {
			m.last, m.lastToken = leafOf(p, w)
			m.pending = slices.Concat(rest, again(p), m.pending[1:])
			return
		}
		// An optional part that does not start with this word is left
		// out.
		m.pending = m.pending[1:]
	}

	weakOptional, weakRequired := -1, -1
	strongAt := -1
	var strongRest []commands.Arg
	for j := m.next; j < len(m.args); j++ {
		if m.used[j] {
			continue
		}
		a := &m.args[j]
		rest, strong, ok := enterArg(a, w)
		if ok && strong {
			strongAt, strongRest = j, rest
			break
		}
		required := !a.Flags.Has(commands.ArgOptional) && !m.seen[j]
		if ok && required {
			weakRequired = j
			break
		}
		if ok && weakOptional < 0 {
			weakOptional = j
		}
		if required {
			break
		}
	}
	switch {
	case strongAt >= 0:
		a := &m.args[strongAt]
		m.last, m.lastToken = leafOf(a, w)
		if a.Flags.Has(commands.ArgOptional) || m.seen[strongAt] {
			// Optional arguments come in any order: keep the others.
			if a.Flags.Has(commands.ArgMultiple) {
				m.seen[strongAt] = true
			} else {
				m.used[strongAt] = true
			}
		} else {
			m.take(strongAt)
		}
		m.pending = strongRest
	case weakRequired >= 0 || weakOptional >= 0:
		j := weakRequired
		if j < 0 {
			j = weakOptional
		}
		rest, _, _ := enterArg(&m.args[j], w)
		m.last, m.lastToken = leafOf(&m.args[j], w)
		m.take(j)
		m.pending = rest
	default:
		m.lost = true
	}
}

// take moves past the arguments before j, which are dropped, and past j
// itself unless it may repeat.
func (m *argMatcher) take(j int) {
	if m.args[j].Flags.Has(commands.ArgMultiple) {
		m.seen[j] = true
		m.next = j
		return
	}
	m.next = j + 1
}

// hint renders what is left to type, in redis-cli's help syntax.
func (m *argMatcher) hint() string {
	if m.lost {
		return ""
	}
	var parts []string
	for i := range m.pending {
		parts = append(parts, m.pending[i].Syntax())
	}
	for j := m.next; j < len(m.args); j++ {
		if m.used[j] {
			continue
		}
		a := m.args[j]
		if m.seen[j] {
			a.Flags &^= commands.ArgOptional | commands.ArgMultiple
			parts = append(parts, "["+a.Syntax()+" ...]")
			continue
		}
		parts = append(parts, a.Syntax())
	}
	return strings.Join(parts, " ")
}

// expected returns the arguments the next word may start: the pending
// parts up to the first required one, then the top-level arguments from
// the next one up to the first required one.
func (m *argMatcher) expected() []*commands.Arg {
	if m.lost {
		return nil
	}
	var out []*commands.Arg
	for i := range m.pending {
		p := &m.pending[i]
		out = append(out, p)
		if !p.Flags.Has(commands.ArgOptional) {
			return out
		}
	}
	for j := m.next; j < len(m.args); j++ {
		if m.used[j] {
			continue
		}
		a := &m.args[j]
		out = append(out, a)
		if !a.Flags.Has(commands.ArgOptional) && !m.seen[j] {
			break
		}
	}
	return out
}

// enterArg tries w as the first word of argument a. It returns the parts
// that must follow, whether w matched a token (strong) rather than filling
// a value, and whether w fits at all.
func enterArg(a *commands.Arg, w string) (rest []commands.Arg, strong, ok bool) {
	if a.Type == commands.ArgPureToken {
		return nil, true, strings.EqualFold(w, a.Token)
	}
	if a.Token != "" {
		if !strings.EqualFold(w, a.Token) {
			return nil, false, false
		}
		// The token is typed; its value follows, once.
		v := *a
		v.Token = ""
		v.Flags &^= commands.ArgOptional | commands.ArgMultiple | commands.ArgMultipleToken
		if v.Type == commands.ArgBlock {
			return v.Args, true, true
		}
		return []commands.Arg{v}, true, true
	}
	switch a.Type {
	case commands.ArgOneOf:
		weak := -1
		for i := range a.Args {
			r, s, k := enterArg(&a.Args[i], w)
			if k && s {
				return slices.Concat(r, again(&a.Args[i])), true, true
			}
			if k && weak < 0 {
				weak = i
			}
		}
		if weak >= 0 {
			r, _, _ := enterArg(&a.Args[weak], w)
			return slices.Concat(r, again(&a.Args[weak])), false, true
		}
		return nil, false, false
	case commands.ArgBlock:
		// Optional parts at the start may be left out: BITFIELD's
		// [OVERFLOW ...] before SET.
		for i := range a.Args {
			c := &a.Args[i]
			r, s, k := enterArg(c, w)
			if k {
				return slices.Concat(r, again(c), a.Args[i+1:]), s, true
			}
			if !c.Flags.Has(commands.ArgOptional) {
				break
			}
		}
		return nil, false, false
	}
	return nil, false, true
}

// firstWords returns what may start argument a: its tokens, and whether a
// value of type key may.
func firstWords(a *commands.Arg, tokens []string) ([]string, bool) {
	if a.Token != "" {
		return append(tokens, a.Token), false
	}
	switch a.Type {
	case commands.ArgOneOf:
		key := false
		for i := range a.Args {
			var k bool
			tokens, k = firstWords(&a.Args[i], tokens)
			key = key || k
		}
		return tokens, key
	case commands.ArgBlock:
		if len(a.Args) > 0 {
			return firstWords(&a.Args[0], tokens)
		}
		return tokens, false
	}
	return tokens, a.Type == commands.ArgKey
}

// leafOf returns the argument w fills when it starts argument a (as
// enterArg matched it), and whether w is that argument's token.
func leafOf(a *commands.Arg, w string) (*commands.Arg, bool) {
	if a.Type == commands.ArgPureToken || a.Token != "" {
		return a, true
	}
	switch a.Type {
	case commands.ArgOneOf:
		weak := -1
		for i := range a.Args {
			_, s, k := enterArg(&a.Args[i], w)
			if k && s {
				return leafOf(&a.Args[i], w)
			}
			if k && weak < 0 {
				weak = i
			}
		}
		if weak >= 0 {
			return leafOf(&a.Args[weak], w)
		}
		return a, false
	case commands.ArgBlock:
		if len(a.Args) > 0 {
			return leafOf(&a.Args[0], w)
		}
	}
	return a, false
}

// firstValues appends the value arguments (not tokens) that may start
// argument a: a itself for a plain value, the alternatives of a one-of,
// the first part of a block.
func firstValues(a *commands.Arg, out []*commands.Arg) []*commands.Arg {
	if a.Token != "" || a.Type == commands.ArgPureToken {
		return out
	}
	switch a.Type {
	case commands.ArgOneOf:
		for i := range a.Args {
			out = firstValues(&a.Args[i], out)
		}
		return out
	case commands.ArgBlock:
		if len(a.Args) > 0 {
			return firstValues(&a.Args[0], out)
		}
		return out
	}
	return append(out, a)
}

// satisfied reports whether every required argument has been filled: the
// words fed so far are a complete command line.
func (m *argMatcher) satisfied() bool {
	if m.lost {
		return false
	}
	for i := range m.pending {
		if !m.pending[i].Flags.Has(commands.ArgOptional) {
			return false
		}
	}
	for j := m.next; j < len(m.args); j++ {
		if m.used[j] || m.seen[j] {
			continue
		}
		if !m.args[j].Flags.Has(commands.ArgOptional) {
			return false
		}
	}
	return true
}

// again returns, for an argument that may repeat (multiple) and was just
// entered, the optional repetition that may follow: CLIENT KILL's filters
// inside its one-of. It returns nothing for other arguments.
func again(a *commands.Arg) []commands.Arg {
	if !a.Flags.Has(commands.ArgMultiple) {
		return nil
	}
	r := *a
	r.Flags |= commands.ArgOptional
	return []commands.Arg{r}
}
