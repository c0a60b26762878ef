package redisx

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

// SlotCount is the number of hash slots in a Redis Cluster.
const SlotCount = 16384

// HashSlot returns the cluster hash slot of key: CRC16 (XMODEM) of the key,
// or of its hash tag, modulo 16384. The hash tag is the part between the
// first "{" and the first "}" after it, when that part is not empty; keys
// sharing a tag share a slot.
func HashSlot(key []byte) int {
	for i, c := range key {
		if c != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j > i+1 {
					key = key[i+1 : j]
				}
				break
			}
		}
		break
	}
	return int(crc16(key)) % SlotCount
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0), the CRC
// Redis Cluster uses.
func crc16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc = crc<<8 ^ crc16Table[byte(crc>>8)^c]
	}
	return crc
}

var crc16Table = [256]uint16{
	0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
	0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef,
	0x1231, 0x0210, 0x3273, 0x2252, 0x52b5, 0x4294, 0x72f7, 0x62d6,
	0x9339, 0x8318, 0xb37b, 0xa35a, 0xd3bd, 0xc39c, 0xf3ff, 0xe3de,
	0x2462, 0x3443, 0x0420, 0x1401, 0x64e6, 0x74c7, 0x44a4, 0x5485,
	0xa56a, 0xb54b, 0x8528, 0x9509, 0xe5ee, 0xf5cf, 0xc5ac, 0xd58d,
	0x3653, 0x2672, 0x1611, 0x0630, 0x76d7, 0x66f6, 0x5695, 0x46b4,
	0xb75b, 0xa77a, 0x9719, 0x8738, 0xf7df, 0xe7fe, 0xd79d, 0xc7bc,
	0x48c4, 0x58e5, 0x6886, 0x78a7, 0x0840, 0x1861, 0x2802, 0x3823,
	0xc9cc, 0xd9ed, 0xe98e, 0xf9af, 0x8948, 0x9969, 0xa90a, 0xb92b,
	0x5af5, 0x4ad4, 0x7ab7, 0x6a96, 0x1a71, 0x0a50, 0x3a33, 0x2a12,
	0xdbfd, 0xcbdc, 0xfbbf, 0xeb9e, 0x9b79, 0x8b58, 0xbb3b, 0xab1a,
	0x6ca6, 0x7c87, 0x4ce4, 0x5cc5, 0x2c22, 0x3c03, 0x0c60, 0x1c41,
	0xedae, 0xfd8f, 0xcdec, 0xddcd, 0xad2a, 0xbd0b, 0x8d68, 0x9d49,
	0x7e97, 0x6eb6, 0x5ed5, 0x4ef4, 0x3e13, 0x2e32, 0x1e51, 0x0e70,
	0xff9f, 0xefbe, 0xdfdd, 0xcffc, 0xbf1b, 0xaf3a, 0x9f59, 0x8f78,
	0x9188, 0x81a9, 0xb1ca, 0xa1eb, 0xd10c, 0xc12d, 0xf14e, 0xe16f,
	0x1080, 0x00a1, 0x30c2, 0x20e3, 0x5004, 0x4025, 0x7046, 0x6067,
	0x83b9, 0x9398, 0xa3fb, 0xb3da, 0xc33d, 0xd31c, 0xe37f, 0xf35e,
	0x02b1, 0x1290, 0x22f3, 0x32d2, 0x4235, 0x5214, 0x6277, 0x7256,
	0xb5ea, 0xa5cb, 0x95a8, 0x8589, 0xf56e, 0xe54f, 0xd52c, 0xc50d,
	0x34e2, 0x24c3, 0x14a0, 0x0481, 0x7466, 0x6447, 0x5424, 0x4405,
	0xa7db, 0xb7fa, 0x8799, 0x97b8, 0xe75f, 0xf77e, 0xc71d, 0xd73c,
	0x26d3, 0x36f2, 0x0691, 0x16b0, 0x6657, 0x7676, 0x4615, 0x5634,
	0xd94c, 0xc96d, 0xf90e, 0xe92f, 0x99c8, 0x89e9, 0xb98a, 0xa9ab,
	0x5844, 0x4865, 0x7806, 0x6827, 0x18c0, 0x08e1, 0x3882, 0x28a3,
	0xcb7d, 0xdb5c, 0xeb3f, 0xfb1e, 0x8bf9, 0x9bd8, 0xabbb, 0xbb9a,
	0x4a75, 0x5a54, 0x6a37, 0x7a16, 0x0af1, 0x1ad0, 0x2ab3, 0x3a92,
	0xfd2e, 0xed0f, 0xdd6c, 0xcd4d, 0xbdaa, 0xad8b, 0x9de8, 0x8dc9,
	0x7c26, 0x6c07, 0x5c64, 0x4c45, 0x3ca2, 0x2c83, 0x1ce0, 0x0cc1,
	0xef1f, 0xff3e, 0xcf5d, 0xdf7c, 0xaf9b, 0xbfba, 0x8fd9, 0x9ff8,
	0x6e17, 0x7e36, 0x4e55, 0x5e74, 0x2e93, 0x3eb2, 0x0ed1, 0x1ef0,
}
