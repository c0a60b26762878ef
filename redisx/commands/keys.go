package commands

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrKeyArgs is wrapped by the errors KeyIndexes returns when the key
// positions cannot be computed from the arguments: a key count that is not
// a non-negative number, or keys that would lie past the last argument.
// The server rejects such commands too, so a client may send them anywhere
// and let the server report the error.
var ErrKeyArgs = errors.New("cannot find the keys in the arguments")

// KeyIndexes returns the indexes in args of the keys that cmd's key specs
// designate, in key-spec order, the way the server's COMMAND GETKEYS finds
// them. args is the whole command as sent, name (and subcommand) first,
// and cmd is what Lookup or LookupBytes returned for it.
//
// Arguments that are only key-like, such as SPUBLISH's shard channel, are
// not keys (see RoutingIndexes). Commands whose key specs cannot describe
// them (SORT's STORE, MIGRATE's KEYS) are handled as the server does. The
// arity is not checked; a command with no keys yields no indexes. A key
// count of zero (EVAL script 0) yields no keys for that spec rather than
// an error. Errors wrap ErrKeyArgs.
func KeyIndexes(cmd *Command, args [][]byte) ([]int, error) {
	return AppendKeyIndexes(nil, cmd, args)
}

// AppendKeyIndexes is KeyIndexes appending to dst, so that a caller can
// reuse one slice for every command.
func AppendKeyIndexes(dst []int, cmd *Command, args [][]byte) ([]int, error) {
	return appendKeyIndexes(dst, cmd, args, false)
}

// RoutingIndexes is KeyIndexes including the key-like arguments marked
// not_key, such as the shard channels of SPUBLISH and SSUBSCRIBE: in a
// cluster they hash to a slot like keys do, so they decide which node the
// command goes to.
func RoutingIndexes(cmd *Command, args [][]byte) ([]int, error) {
	return appendKeyIndexes(nil, cmd, args, true)
}

func appendKeyIndexes(dst []int, cmd *Command, args [][]byte, notKeys bool) ([]int, error) {
	if cmd == nil {
		return dst, fmt.Errorf("%w: unknown command", ErrKeyArgs)
	}
	start := len(dst)
	for i := range cmd.KeySpecs {
		spec := &cmd.KeySpecs[i]
		if spec.Flags.Has(KeyNotKey) && !notKeys {
			continue
		}
		var ok bool
		dst, ok = appendSpecKeys(dst, spec, args)
		if !ok {
			// Like the server, give up on the specs as a whole and use the
			// command's own rules, if it has any.
			return appendSpecialKeys(dst[:start], cmd, args)
		}
	}
	return dst, nil
}

// appendSpecKeys appends the keys one key spec designates. It reports false
// when the spec cannot be applied: an unknown or incomplete spec, a bad key
// count, or keys past the end of args.
func appendSpecKeys(dst []int, spec *KeySpec, args [][]byte) ([]int, bool) {
	if spec.Flags.Has(KeyIncomplete) {
		return dst, false
	}
	argc := len(args)
	first := 0
	switch bs := &spec.BeginSearch; bs.Type {
	case BeginIndex:
		first = bs.Index
	case BeginKeyword:
		// The server's search: forwards from StartFrom up to (not
		// including) the last argument, or backwards from argc+StartFrom
		// down to (not including) the name.
		from, to, step := bs.StartFrom, argc-1, 1
		if bs.StartFrom <= 0 {
			from, to, step = argc+bs.StartFrom, 0, -1
		}
		for i := from; i != to && i >= 1 && i < argc; i += step {
			if equalFold(args[i], bs.Keyword) {
				first = i + 1
				break
			}
		}
		if first == 0 {
			return dst, true // no keyword, no keys
		}
	default:
		return dst, false
	}

	var last, step int
	switch fk := &spec.FindKeys; fk.Type {
	case FindRange:
		switch {
		case fk.LastKey >= 0:
			last = first + fk.LastKey
		case fk.Limit <= 1:
			last = argc + fk.LastKey
		default:
			last = first + (argc-first)/fk.Limit + fk.LastKey
		}
		step = fk.KeyStep
	case FindKeynum:
		idx := first + fk.KeyNumIdx
		if idx < 0 || idx >= argc {
			return dst, false
		}
		n, err := strconv.ParseInt(string(args[idx]), 10, 64)
		if err != nil || n < 0 || n > int64(argc) {
			return dst, false
		}
		if n == 0 {
			return dst, true
		}
		first += fk.FirstKey
		last = first + int(n) - 1
		step = fk.KeyStep
	default:
		return dst, false
	}
	if step < 1 {
		step = 1
	}
	if first >= argc || last >= argc || last < first {
		return dst, false
	}
	for i := first; i <= last; i += step {
		dst = append(dst, i)
	}
	return dst, true
}

// appendSpecialKeys finds keys for the commands whose key specs are
// incomplete, following the server's own procedures for them.
func appendSpecialKeys(dst []int, cmd *Command, args [][]byte) ([]int, error) {
	switch cmd.Name {
	case "sort", "sort_ro":
		if len(args) < 2 {
			break
		}
		dst = append(dst, 1)
		if cmd.Name == "sort" {
			if store := sortStoreIndex(args); store > 0 {
				dst = append(dst, store)
			}
		}
		return dst, nil
	case "migrate":
		return appendMigrateKeys(dst, args)
	}
	return dst, fmt.Errorf("%w of %s", ErrKeyArgs, cmd.FullName())
}

// sortStoreIndex returns the index of SORT's STORE destination (the last
// one given), or 0. Options with arguments are skipped as the server does.
func sortStoreIndex(args [][]byte) int {
	store := 0
	for i := 2; i < len(args); i++ {
		switch {
		case equalFold(args[i], "limit"):
			i += 2
		case equalFold(args[i], "get"), equalFold(args[i], "by"):
			i++
		case equalFold(args[i], "store") && i+1 < len(args):
			store = i + 1
		}
	}
	return store
}

// appendMigrateKeys handles MIGRATE host port key|"" db timeout [COPY]
// [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS key ...].
func appendMigrateKeys(dst []int, args [][]byte) ([]int, error) {
	if len(args) < 4 {
		return dst, fmt.Errorf("%w of MIGRATE: too few arguments", ErrKeyArgs)
	}
	for i := 6; i < len(args); i++ {
		switch {
		case equalFold(args[i], "keys"):
			if len(args[3]) > 0 {
				return dst, fmt.Errorf("%w of MIGRATE: KEYS needs an empty key argument", ErrKeyArgs)
			}
			for j := i + 1; j < len(args); j++ {
				dst = append(dst, j)
			}
			return dst, nil
		case equalFold(args[i], "auth"):
			i++
		case equalFold(args[i], "auth2"):
			i += 2
		}
	}
	return append(dst, 3), nil
}

// equalFold reports whether b equals the ASCII string s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
