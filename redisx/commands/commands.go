// Package commands is the Redis command table redish is built with: every
// command and subcommand of the reference server with its arity, flags, ACL
// categories, key specifications and documented arguments, the lookups
// that find a command from its arguments, the key positions of a command
// (KeyIndexes), and the syntax line redis-cli's help shows.
//
// The table is generated from a committed snapshot of the reference
// server's COMMAND INFO and COMMAND DOCS replies (see ReadSnapshot), by
// the same parser (Parse) that reads a live server's COMMAND DOCS for the
// shell's hints.
package commands

import (
	"strings"
)

// Command describes a Redis command or subcommand as the server reports it
// through COMMAND INFO and COMMAND DOCS.
//
// Commands returned by the lookup functions point into the shared table
// and must not be modified.
type Command struct {
	// Name is the lower-case name as the server reports it: "set" for a
	// command, "config|get" for a subcommand.
	Name string
	// Arity is the number of arguments including the command name (and
	// the subcommand name); a negative arity -N means at least N.
	Arity int
	// Flags are the command flags (write, readonly, ...).
	Flags CommandFlag
	// FirstKey, LastKey and Step are the legacy key positions: the first
	// key's index, the last key's index (negative counts from the end) and
	// the step between keys. Prefer KeySpecs (see KeyIndexes).
	FirstKey, LastKey, Step int
	// ACL holds the command's ACL categories.
	ACL ACLCategory
	// Tips are the command tips, such as "request_policy:all_shards" or
	// "nondeterministic_output".
	Tips []string
	// KeySpecs say where the keys are in the arguments.
	KeySpecs []KeySpec
	// Subcommands of a container command such as CONFIG, sorted by name.
	Subcommands []Command

	// Summary is a one-line description.
	Summary string
	// Since is the Redis version that introduced the command.
	Since string
	// Group is the documentation group ("string", "sorted-set", ...).
	Group string
	// Complexity is the documented time complexity.
	Complexity string
	// DocFlags mark deprecated and system commands.
	DocFlags DocFlag
	// DeprecatedSince is the version that deprecated the command, if any.
	DeprecatedSince string
	// ReplacedBy names the replacement of a deprecated command.
	ReplacedBy string
	// Args is the argument tree, after the command (and subcommand) name.
	Args []Arg
}

// CommandFlag is a set of command flags, as listed by COMMAND INFO.
type CommandFlag uint32

// Command flags.
const (
	FlagWrite           CommandFlag = 1 << iota // write: may modify the data set
	FlagReadonly                                // readonly: only reads keys
	FlagDenyOOM                                 // denyoom: refused when out of memory
	FlagModule                                  // module: implemented by a module
	FlagAdmin                                   // admin: administrative command
	FlagPubSub                                  // pubsub: publish/subscribe command
	FlagNoScript                                // noscript: not allowed in scripts
	FlagBlocking                                // blocking: may block the client
	FlagLoading                                 // loading: allowed while loading the data set
	FlagStale                                   // stale: allowed on a replica with stale data
	FlagSkipMonitor                             // skip_monitor: not shown by MONITOR
	FlagSkipSlowlog                             // skip_slowlog: not shown in the slow log
	FlagAsking                                  // asking: accepted for importing slots in a cluster
	FlagFast                                    // fast: O(1) or O(log N)
	FlagNoAuth                                  // no_auth: allowed before authentication
	FlagMayReplicate                            // may_replicate: may be propagated to replicas
	FlagNoMandatoryKeys                         // no_mandatory_keys: keys may be absent
	FlagNoMulti                                 // no_multi: not allowed in MULTI
	FlagMovableKeys                             // movablekeys: key positions depend on the arguments
	FlagAllowBusy                               // allow_busy: allowed while a script is busy
	FlagNoAsyncLoading                          // no_async_loading: refused during asynchronous loading
)

var commandFlagNames = [...]string{
	"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript",
	"blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking",
	"fast", "no_auth", "may_replicate", "no_mandatory_keys", "no_multi",
	"movablekeys", "allow_busy", "no_async_loading",
}

// Has reports whether all flags in g are set in f.
func (f CommandFlag) Has(g CommandFlag) bool { return f&g == g }

// String returns the flag names as the server spells them, space-separated.
func (f CommandFlag) String() string { return bitNames(uint64(f), commandFlagNames[:]) }

// ACLCategory is a set of ACL categories.
type ACLCategory uint32

// ACL categories, named like the server's @categories.
const (
	ACLKeyspace    ACLCategory = 1 << iota // @keyspace
	ACLRead                                // @read
	ACLWrite                               // @write
	ACLSet                                 // @set
	ACLSortedSet                           // @sortedset
	ACLList                                // @list
	ACLHash                                // @hash
	ACLString                              // @string
	ACLBitmap                              // @bitmap
	ACLHyperLogLog                         // @hyperloglog
	ACLGeo                                 // @geo
	ACLStream                              // @stream
	ACLPubSub                              // @pubsub
	ACLAdmin                               // @admin
	ACLFast                                // @fast
	ACLSlow                                // @slow
	ACLBlocking                            // @blocking
	ACLDangerous                           // @dangerous
	ACLConnection                          // @connection
	ACLTransaction                         // @transaction
	ACLScripting                           // @scripting
)

var aclCategoryNames = [...]string{
	"@keyspace", "@read", "@write", "@set", "@sortedset", "@list", "@hash",
	"@string", "@bitmap", "@hyperloglog", "@geo", "@stream", "@pubsub",
	"@admin", "@fast", "@slow", "@blocking", "@dangerous", "@connection",
	"@transaction", "@scripting",
}

// Has reports whether all categories in d are set in c.
func (c ACLCategory) Has(d ACLCategory) bool { return c&d == d }

// String returns the category names ("@read @string"), space-separated.
func (c ACLCategory) String() string { return bitNames(uint64(c), aclCategoryNames[:]) }

// DocFlag is a set of documentation flags, as listed by COMMAND DOCS.
type DocFlag uint8

// Documentation flags.
const (
	DocDeprecated DocFlag = 1 << iota // deprecated: use ReplacedBy instead
	DocSysCmd                         // syscmd: meant for servers, not users
)

var docFlagNames = [...]string{"deprecated", "syscmd"}

// Has reports whether all flags in g are set in f.
func (f DocFlag) Has(g DocFlag) bool { return f&g == g }

// String returns the flag names, space-separated.
func (f DocFlag) String() string { return bitNames(uint64(f), docFlagNames[:]) }

// KeySpec is one key specification: where to start looking for keys
// (BeginSearch), how to find them from there (FindKeys), and what the
// command does with them (Flags).
type KeySpec struct {
	// Notes is the server's free-form remark, if any.
	Notes       string
	Flags       KeySpecFlag
	BeginSearch BeginSearch
	FindKeys    FindKeys
}

// KeySpecFlag is a set of key spec flags.
type KeySpecFlag uint16

// Key spec flags.
const (
	KeyRO            KeySpecFlag = 1 << iota // RO: read-only access
	KeyRW                                    // RW: read-write access
	KeyOW                                    // OW: overwrite
	KeyRM                                    // RM: deletes the key
	KeyAccess                                // access: returns or uses the value
	KeyUpdate                                // update: updates the value
	KeyInsert                                // insert: adds data
	KeyDelete                                // delete: removes data
	KeyNotKey                                // not_key: a key name that is not a key (e.g. for ACLs)
	KeyIncomplete                            // incomplete: may not find all keys
	KeyVariableFlags                         // variable_flags: flags depend on the arguments
)

var keySpecFlagNames = [...]string{
	"RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
	"not_key", "incomplete", "variable_flags",
}

// Has reports whether all flags in g are set in f.
func (f KeySpecFlag) Has(g KeySpecFlag) bool { return f&g == g }

// String returns the flag names, space-separated.
func (f KeySpecFlag) String() string { return bitNames(uint64(f), keySpecFlagNames[:]) }

// BeginSearchType says how a key spec finds the argument where its keys
// begin.
type BeginSearchType uint8

// Begin-search types.
const (
	BeginUnknown BeginSearchType = iota // unknown: positions cannot be computed
	BeginIndex                          // index: a fixed argument index
	BeginKeyword                        // keyword: the argument after a keyword
)

// BeginSearch is the first step of a key spec.
type BeginSearch struct {
	Type BeginSearchType
	// Index is the argument index where keys begin (BeginIndex).
	Index int
	// Keyword is the token after which keys begin (BeginKeyword), searched
	// for from argument StartFrom; a negative StartFrom searches backwards
	// from that many arguments before the end.
	Keyword   string
	StartFrom int
}

// FindKeysType says how a key spec finds its keys once it knows where they
// begin.
type FindKeysType uint8

// Find-keys types.
const (
	FindUnknown FindKeysType = iota // unknown: positions cannot be computed
	FindRange                       // range: keys up to LastKey
	FindKeynum                      // keynum: an argument holds the number of keys
)

// FindKeys is the second step of a key spec. Indexes are relative to the
// argument found by BeginSearch.
type FindKeys struct {
	Type FindKeysType
	// LastKey is the index of the last key (FindRange); -1 means the last
	// argument, -2 the one before it, and so on.
	LastKey int
	// KeyStep is the distance between keys (both types).
	KeyStep int
	// Limit, when LastKey is negative and Limit greater than 1, limits the
	// keys to 1/Limit of the remaining arguments (FindRange).
	Limit int
	// KeyNumIdx is the index of the argument holding the key count
	// (FindKeynum).
	KeyNumIdx int
	// FirstKey is the index of the first key (FindKeynum).
	FirstKey int
}

// Arg is one node of a command's documented argument tree.
type Arg struct {
	// Name is the argument's name, as shown in syntax hints.
	Name string
	Type ArgType
	// Token is the literal word that introduces the argument (or is the
	// argument, for ArgPureToken), such as "EX" or "WITHSCORES".
	Token string
	// DisplayText, when set, is the text shown instead of Name.
	DisplayText string
	// Summary is a short description, rarely set.
	Summary string
	// Since is the version that introduced the argument, if later than
	// the command.
	Since string
	// DeprecatedSince is the version that deprecated the argument, if any.
	DeprecatedSince string
	// KeySpec is the index into Command.KeySpecs of the spec describing
	// this argument. It is meaningful only when Type is ArgKey.
	KeySpec int
	Flags   ArgFlag
	// Args holds the alternatives (ArgOneOf) or the parts (ArgBlock).
	Args []Arg
}

// ArgType is the type of an argument.
type ArgType uint8

// Argument types.
const (
	ArgString    ArgType = iota + 1 // string
	ArgInteger                      // integer
	ArgDouble                       // double
	ArgKey                          // key
	ArgPattern                      // pattern
	ArgUnixTime                     // unix-time
	ArgPureToken                    // pure-token: just the Token
	ArgOneOf                        // oneof: one of Args
	ArgBlock                        // block: all of Args in order
)

var argTypeNames = [...]string{
	ArgString:    "string",
	ArgInteger:   "integer",
	ArgDouble:    "double",
	ArgKey:       "key",
	ArgPattern:   "pattern",
	ArgUnixTime:  "unix-time",
	ArgPureToken: "pure-token",
	ArgOneOf:     "oneof",
	ArgBlock:     "block",
}

// String returns the type's name as COMMAND DOCS spells it.
func (t ArgType) String() string {
	if int(t) < len(argTypeNames) && argTypeNames[t] != "" {
		return argTypeNames[t]
	}
	return "unknown"
}

// ArgFlag is a set of argument flags.
type ArgFlag uint8

// Argument flags.
const (
	ArgOptional      ArgFlag = 1 << iota // optional: may be left out
	ArgMultiple                          // multiple: may be repeated
	ArgMultipleToken                     // multiple_token: the Token is repeated too
)

var argFlagNames = [...]string{"optional", "multiple", "multiple_token"}

// Has reports whether all flags in g are set in f.
func (f ArgFlag) Has(g ArgFlag) bool { return f&g == g }

// String returns the flag names, space-separated.
func (f ArgFlag) String() string { return bitNames(uint64(f), argFlagNames[:]) }

func bitNames(bits uint64, names []string) string {
	var b strings.Builder
	for i, n := range names {
		if bits&(1<<i) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n)
	}
	return b.String()
}

// LookupCommand returns the command called name (any case), or nil.
// Subcommands are not found this way: use Lookup or Subcommand. It does not
// allocate.
func LookupCommand(name string) *Command {
	return search(table, name, 0)
}

// Subcommand returns c's subcommand called name (any case), or nil.
func (c *Command) Subcommand(name string) *Command {
	if c == nil || len(c.Subcommands) == 0 {
		return nil
	}
	return search(c.Subcommands, name, len(c.Name)+1)
}

// IsContainer reports whether c is a container of subcommands, such as
// CONFIG or CLIENT.
func (c *Command) IsContainer() bool { return len(c.Subcommands) > 0 }

// Lookup returns the command that args (name first) invoke: the
// subcommand for container commands such as "CONFIG GET", the container
// itself when the subcommand is missing or unknown, and nil for an unknown
// command. It does not allocate.
func Lookup(args []string) *Command { return lookup(args) }

// LookupBytes is Lookup for arguments as sent on the wire.
func LookupBytes(args [][]byte) *Command { return lookup(args) }

func lookup[S ~string | ~[]byte](args []S) *Command {
	if len(args) == 0 {
		return nil
	}
	c := search(table, args[0], 0)
	if c == nil || len(c.Subcommands) == 0 || len(args) < 2 {
		return c
	}
	if sub := search(c.Subcommands, args[1], len(c.Name)+1); sub != nil {
		return sub
	}
	return c
}

// search binary-searches cmds, sorted by Name, for name compared
// ASCII-case-insensitively with Name[skip:].
func search[S ~string | ~[]byte](cmds []Command, name S, skip int) *Command {
	lo, hi := 0, len(cmds)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareFold(cmds[m].Name[skip:], name) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(cmds) && compareFold(cmds[lo].Name[skip:], name) == 0 {
		return &cmds[lo]
	}
	return nil
}

// compareFold compares the lower-case table name a with b folded to lower
// case (ASCII only, as command names are).
func compareFold[S ~string | ~[]byte](a string, b S) int {
	n := min(len(a), len(b))
	for i := range n {
		x, y := a[i], b[i]
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// FullName returns the command's name as users type it, upper-cased, with
// a space between container and subcommand: "SET", "CONFIG GET".
func (c *Command) FullName() string {
	return strings.ToUpper(strings.ReplaceAll(c.Name, "|", " "))
}

// Syntax renders the argument tree the way redis-cli 7.0's help does, for
// SET: "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT
// unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]". It is empty for
// commands without arguments.
//
// For the few commands whose documentation changed after redis-cli 7.0's
// built-in help was generated, Syntax returns redis-cli's text, so that
// help output stays byte-identical; Args keeps the server's (more
// accurate) tree.
func (c *Command) Syntax() string {
	for _, o := range cliSyntax {
		if o.name == c.Name {
			return o.syntax
		}
	}
	var b strings.Builder
	for i := range c.Args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(renderArg(&c.Args[i]))
	}
	return b.String()
}

// cliSyntax holds redis-cli 7.0.15's help syntax where it differs from a
// rendering of the server's COMMAND DOCS (BITFIELD's operations are
// optional since 7.0; REPLICAOF learned "NO ONE" in its docs).
var cliSyntax = []struct{ name, syntax string }{
	{"bitfield", "key GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value|INCRBY encoding offset increment [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value|INCRBY encoding offset increment ...]"},
	{"bitfield_ro", "key GET encoding offset [GET encoding offset ...]"},
	{"replicaof", "host port"},
	{"slaveof", "host port"},
}

// Usage is FullName followed by Syntax: "GET key".
func (c *Command) Usage() string {
	s := c.Syntax()
	if s == "" {
		return c.FullName()
	}
	return c.FullName() + " " + s
}

// renderArg renders one argument like redis-cli's help generator: blocks
// join their parts with spaces, one-ofs with "|", repetition is shown as
// "x [x ...]", the token comes first and optional arguments are bracketed.
func renderArg(a *Arg) string {
	var s string
	hasName := true
	switch a.Type {
	case ArgBlock, ArgOneOf:
		sep := " "
		if a.Type == ArgOneOf {
			sep = "|"
		}
		parts := make([]string, len(a.Args))
		for i := range a.Args {
			parts[i] = renderArg(&a.Args[i])
		}
		s = strings.Join(parts, sep)
	case ArgPureToken:
		hasName = false
	default:
		s = a.Name
		if a.DisplayText != "" {
			s = a.DisplayText
		}
	}
	if a.Flags.Has(ArgMultiple) {
		if a.Flags.Has(ArgMultipleToken) {
			s = s + " [" + a.Token + " " + s + " ...]"
		} else {
			s = s + " [" + s + " ...]"
		}
		hasName = true
	}
	switch {
	case a.Type == ArgPureToken && !hasName:
		s = a.Token
	case a.Token != "":
		s = a.Token + " " + s
	}
	if a.Flags.Has(ArgOptional) {
		s = "[" + s + "]"
	}
	return s
}
