package redisx

import (
	"strconv"
	"strings"

	"github.com/redish/redish/redisx/commands"
)

// What may be sent again once its bytes left (--retry-sent safe).
//
// A command whose connection is lost after it was written may have run.
// Sending it again is harmless only when it cannot change data, or when a
// second run, right after the first, leaves the data as the first left it.
// This file holds that decision; README.md lists the table with the
// reasons, and the two must say the same.

// readOnlyNames are the commands the command table does not flag
// readonly that cannot change data either: they report on the server,
// the connection or the cluster.
var readOnlyNames = map[string]bool{
	"ping": true, "echo": true, "time": true, "info": true, "lastsave": true, "role": true,
	"command|count": true, "command|docs": true, "command|getkeys": true, "command|getkeysandflags": true,
	"command|info": true, "command|list": true, "command|help": true,
	"client|getname": true, "client|getredir": true, "client|id": true, "client|info": true,
	"client|list": true, "client|trackinginfo": true, "client|help": true,
	"cluster|countkeysinslot": true, "cluster|getkeysinslot": true, "cluster|info": true,
	"cluster|keyslot": true, "cluster|links": true, "cluster|myid": true, "cluster|nodes": true,
	"cluster|shards": true, "cluster|slots": true, "cluster|replicas": true, "cluster|slaves": true,
	"cluster|count-failure-reports": true, "cluster|help": true,
	"config|get": true, "config|help": true,
	"acl|cat": true, "acl|genpass": true, "acl|getuser": true, "acl|list": true, "acl|users": true,
	"acl|whoami": true, "acl|dryrun": true, "acl|help": true,
	"latency|doctor": true, "latency|graph": true, "latency|histogram": true, "latency|history": true,
	"latency|latest": true, "latency|help": true,
	"memory|doctor": true, "memory|malloc-stats": true, "memory|stats": true, "memory|help": true,
	"module|list": true, "module|help": true,
	"pubsub|channels": true, "pubsub|numpat": true, "pubsub|numsub": true, "pubsub|shardchannels": true,
	"pubsub|shardnumsub": true, "pubsub|help": true,
	"script|exists": true, "script|help": true,
	"function|dump": true, "function|list": true, "function|stats": true, "function|help": true,
	"slowlog|get": true, "slowlog|len": true, "slowlog|help": true,
	"object|help": true, "xgroup|help": true, "xinfo|help": true,
}

// sessionNames are the commands whose effect lives in the connection
// (database, credentials, protocol, name, mode): it ended with the lost
// connection, and sending them on the new one is running them for the
// first time there. MULTI and WATCH are among them: the transaction rules
// of Client decide what happens to a transaction around a lost
// connection.
var sessionNames = map[string]bool{
	"select": true, "auth": true, "hello": true, "reset": true, "quit": true,
	"readonly": true, "readwrite": true, "asking": true,
	"multi": true, "watch": true, "unwatch": true, "discard": true,
	"client|setname": true, "client|setinfo": true, "client|reply": true,
	"client|tracking": true, "client|caching": true, "client|no-evict": true, "client|no-touch": true,
}

// idempotentNames are the writes whose second run, right after the first,
// leaves the data as the first left it, whatever the arguments. The
// commands whose arguments decide it are in idempotentArgs.
//
// Their reply to the second run may differ from the first's: DEL, SADD or
// HSET count what that run changed, 0 when the first had done it.
var idempotentNames = map[string]bool{
	"mset": true, "hmset": true, "hset": true, "hdel": true,
	"sadd": true, "srem": true, "zrem": true, "zremrangebyscore": true, "zremrangebylex": true,
	"del": true, "unlink": true, "expireat": true, "pexpireat": true, "persist": true,
	"lset": true, "setrange": true, "pfadd": true, "geoadd": true,
	"flushdb": true, "flushall": true, "script|load": true, "script|flush": true,
}

// connectionScoped reports whether args name a command whose effect lives
// on the connection only (see sessionNames).
func connectionScoped(args [][]byte) bool {
	cmd := commands.LookupBytes(args)
	return cmd != nil && sessionNames[cmd.Name]
}

// ReadOnly reports whether args name a command that cannot change data:
// flagged readonly (and not write) in the command table, or one of the
// commands that only report on the server or the connection (PING, INFO,
// CLIENT LIST, CONFIG GET, ...). A command the table lacks is not.
func ReadOnly(args [][]byte) bool {
	cmd := commands.LookupBytes(args)
	if cmd == nil {
		return false
	}
	if cmd.Flags.Has(commands.FlagReadonly) && !cmd.Flags.Has(commands.FlagWrite) {
		return true
	}
	return readOnlyNames[cmd.Name]
}

// Resendable reports whether args may be sent again after their bytes
// left without the data changing twice (--retry-sent safe): a read-only
// command (ReadOnly), a command whose effect ended with the lost
// connection (SELECT, AUTH, HELLO, CLIENT SETNAME, MULTI, ...), or one of
// the idempotent writes:
//
//	SET key value, with XX, KEEPTTL, EXAT or PXAT (not NX, GET, EX or PX)
//	MSET, HSET, HMSET, HDEL, SADD, SREM, ZADD without INCR, ZREM,
//	ZREMRANGEBYSCORE, ZREMRANGEBYLEX, GEOADD, PFADD, DEL, UNLINK,
//	EXPIREAT, PEXPIREAT, PERSIST, LSET, SETRANGE, FLUSHDB, FLUSHALL,
//	SCRIPT LOAD, SCRIPT FLUSH
//	LTRIM key 0 N (N >= 0 or -1), LTRIM key -N -1: a prefix or suffix
//	LREM key 0 element: every occurrence
//
// Everything else may change data again when it runs again: INCR and
// its kin, pushes and pops, APPEND, SETNX and the NX forms (their reply is
// the point), GETSET, GETDEL, relative expiries (EXPIRE, SET EX), scripts,
// PUBLISH. A command the table lacks is not resendable.
func Resendable(args [][]byte) bool {
	cmd := commands.LookupBytes(args)
	if cmd == nil {
		return false
	}
	if ReadOnly(args) || sessionNames[cmd.Name] || idempotentNames[cmd.Name] {
		return true
	}
	switch cmd.Name {
	case "set":
		return setIdempotent(args)
	case "zadd":
		for _, a := range args[2:] {
			if eqFold(a, "INCR") {
				return false
			}
		}
		return true
	case "ltrim":
		if len(args) != 4 {
			return false
		}
		start, err1 := strconv.ParseInt(string(args[2]), 10, 64)
		end, err2 := strconv.ParseInt(string(args[3]), 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return start == 0 && (end >= 0 || end == -1) || start < 0 && end == -1
	case "lrem":
		return len(args) == 4 && string(args[2]) == "0"
	}
	return false
}

// setIdempotent reports whether SET's options keep it idempotent: no NX
// (the reply says whether it was set), GET (the reply is the value
// before), EX or PX (the expiry counts from the second run).
func setIdempotent(args [][]byte) bool {
	for i := 3; i < len(args); i++ {
		switch strings.ToUpper(string(args[i])) {
		case "NX", "GET", "EX", "PX":
			return false
		case "EXAT", "PXAT":
			i++ // its value
		}
	}
	return true
}

// maxLabelKeys and maxLabelKey bound what CommandLabel shows.
const (
	maxLabelKeys = 3
	maxLabelKey  = 40
)

// CommandLabel names a command in messages: its name in capitals and its
// keys ("INCR ctr", "MSET a b c ..."), quoted when they are not plain
// words, never its other arguments, which may hold values or secrets.
func CommandLabel(args [][]byte) string {
	if len(args) == 0 {
		return "(empty command)"
	}
	var b strings.Builder
	cmd := commands.LookupBytes(args)
	b.WriteString(strings.ToUpper(string(args[0])))
	first := 1
	if cmd != nil && strings.Contains(cmd.Name, "|") && len(args) > 1 {
		b.WriteByte(' ')
		b.WriteString(strings.ToUpper(string(args[1])))
		first = 2
	}
	if cmd == nil {
		return b.String()
	}
	idx, err := commands.KeyIndexes(cmd, args)
	if err != nil {
		return b.String()
	}
	for n, i := range idx {
		if i < first {
			continue
		}
		if n == maxLabelKeys {
			b.WriteString(" ...")
			break
		}
		b.WriteByte(' ')
		b.WriteString(labelWord(args[i]))
	}
	return b.String()
}

// labelWord returns a key as it appears in a label: as is when it is a
// short plain word, quoted otherwise.
func labelWord(k []byte) string {
	s := string(k)
	long := len(s) > maxLabelKey
	if long {
		s = s[:maxLabelKey]
	}
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c > ' ' && c < 0x7f && c != '"' && c != '\''
	}
	if !plain {
		s = strconv.Quote(s)
	}
	if long {
		s += "..."
	}
	return s
}
