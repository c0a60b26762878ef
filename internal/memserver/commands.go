package memserver

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/resp"
)

// Replies shared by many commands, in Redis's words.
const (
	errWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errNotInt    = "ERR value is not an integer or out of range"
	errSyntax    = "ERR syntax error"
)

// entry is one key's value: exactly one of str, list and hash is used.
type entry struct {
	kind    string // "string", "list" or "hash", as TYPE says
	str     []byte
	list    [][]byte
	hash    map[string][]byte
	keys    []string  // hash fields in insertion order, for HGETALL
	expires time.Time // zero: no expiry
}

// command runs one command on a client, with s.mu held unless noLock.
type command struct {
	// arity is as in COMMAND: n means exactly n words, -n at least n.
	arity int
	run   func(c *client, args [][]byte) resp.Value
	// noLock commands run without s.mu: they wait (DEBUG SLEEP) or change
	// only the client.
	noLock bool
}

// commandFor returns the command named name (any case), or false.
func commandFor(name string) (command, bool) {
	switch strings.ToUpper(name) {
	case "PING":
		return command{-1, cmdPing, true}, true
	case "ECHO":
		return command{2, func(_ *client, a [][]byte) resp.Value { return resp.Bulk(a[1]) }, true}, true
	case "HELLO":
		return command{-1, cmdHello, true}, true
	case "SELECT":
		return command{2, cmdSelect, true}, true
	case "CLIENT":
		return command{-2, cmdClient, true}, true
	case "COMMAND":
		return command{-1, cmdCommand, true}, true
	case "INFO":
		return command{-1, cmdInfo, true}, true
	case "ROLE":
		return command{1, cmdRole, true}, true
	case "DEBUG":
		return command{-2, cmdDebug, true}, true
	case "GET":
		return command{2, cmdGet, false}, true
	case "SET":
		return command{-3, cmdSet, false}, true
	case "GETDEL":
		return command{2, cmdGetDel, false}, true
	case "MGET":
		return command{-2, cmdMGet, false}, true
	case "MSET":
		return command{-3, cmdMSet, false}, true
	case "APPEND":
		return command{3, cmdAppend, false}, true
	case "STRLEN":
		return command{2, cmdStrlen, false}, true
	case "INCR", "DECR", "INCRBY", "DECRBY":
		return command{-2, cmdIncr, false}, true
	case "DEL", "UNLINK":
		return command{-2, cmdDel, false}, true
	case "EXISTS":
		return command{-2, cmdExists, false}, true
	case "TYPE":
		return command{2, cmdType, false}, true
	case "KEYS":
		return command{2, cmdKeys, false}, true
	case "SCAN":
		return command{-2, cmdScan, false}, true
	case "DBSIZE":
		return command{1, cmdDBSize, false}, true
	case "FLUSHDB", "FLUSHALL":
		return command{-1, cmdFlush, false}, true
	case "EXPIRE", "PEXPIRE":
		return command{3, cmdExpire, false}, true
	case "TTL", "PTTL":
		return command{2, cmdTTL, false}, true
	case "PERSIST":
		return command{2, cmdPersist, false}, true
	case "LPUSH", "RPUSH":
		return command{-3, cmdPush, false}, true
	case "LPOP", "RPOP":
		return command{2, cmdPop, false}, true
	case "LLEN":
		return command{2, cmdLLen, false}, true
	case "LRANGE":
		return command{4, cmdLRange, false}, true
	case "HSET":
		return command{-4, cmdHSet, false}, true
	case "HGET":
		return command{3, cmdHGet, false}, true
	case "HDEL":
		return command{-3, cmdHDel, false}, true
	case "HLEN":
		return command{2, cmdHLen, false}, true
	case "HGETALL":
		return command{2, cmdHGetAll, false}, true
	}
	return command{}, false
}

// run runs one request and reports whether the connection should close
// after the reply (QUIT).
func (c *client) run(args [][]byte) (resp.Value, bool) {
	name := strings.ToUpper(string(args[0]))
	switch name {
	case "QUIT":
		return resp.Status("OK"), true
	case "MULTI":
		if c.inTx {
			return resp.ErrorReply("ERR MULTI calls can not be nested"), false
		}
		c.inTx, c.queue = true, nil
		return resp.Status("OK"), false
	case "DISCARD":
		if !c.inTx {
			return resp.ErrorReply("ERR DISCARD without MULTI"), false
		}
		c.inTx, c.queue = false, nil
		return resp.Status("OK"), false
	case "EXEC":
		if !c.inTx {
			return resp.ErrorReply("ERR EXEC without MULTI"), false
		}
		queue := c.queue
		c.inTx, c.queue = false, nil
		replies := make([]resp.Value, len(queue))
		c.s.mu.Lock()
		for i, q := range queue {
			cmd, _ := commandFor(string(q[0]))
			replies[i] = cmd.run(c, q)
		}
		c.s.mu.Unlock()
		return resp.Array(replies...), false
	}
	cmd, ok := commandFor(name)
	if !ok {
		return resp.ErrorReply("ERR unknown command '" + string(args[0]) + "', with args beginning with: " + quotedArgs(args[1:])), false
	}
	if (cmd.arity > 0 && len(args) != cmd.arity) || (cmd.arity < 0 && len(args) < -cmd.arity) {
		return resp.ErrorReply("ERR wrong number of arguments for '" + strings.ToLower(name) + "' command"), false
	}
	if c.inTx {
		if cmd.noLock && name != "PING" && name != "ECHO" {
			return resp.ErrorReply("ERR " + name + " is not allowed in a transaction here"), false
		}
		c.queue = append(c.queue, args)
		return resp.Status("QUEUED"), false
	}
	if cmd.noLock {
		return cmd.run(c, args), false
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return cmd.run(c, args), false
}

func quotedArgs(args [][]byte) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString("'" + string(a) + "' ")
	}
	return b.String()
}

// lookup returns the live entry of key in the client's database, deleting
// it if it has expired. s.mu is held.
func (c *client) lookup(key []byte) *entry {
	db := c.s.dbs[c.db]
	e := db[string(key)]
	if e != nil && !e.expires.IsZero() && !time.Now().Before(e.expires) {
		delete(db, string(key))
		return nil
	}
	return e
}

// typed returns key's entry if it has kind, nil if the key is missing,
// and a WRONGTYPE error reply otherwise.
func (c *client) typed(key []byte, kind string) (*entry, *resp.Value) {
	e := c.lookup(key)
	if e != nil && e.kind != kind {
		v := resp.ErrorReply(errWrongType)
		return nil, &v
	}
	return e, nil
}

func cmdPing(_ *client, a [][]byte) resp.Value {
	if len(a) > 1 {
		return resp.Bulk(a[1])
	}
	return resp.Status("PONG")
}

func cmdHello(c *client, a [][]byte) resp.Value {
	if len(a) > 1 {
		p, err := strconv.Atoi(string(a[1]))
		if err != nil || (p != 2 && p != 3) {
			return resp.ErrorReply("NOPROTO unsupported protocol version")
		}
		c.proto = p
	}
	// HELLO protover [AUTH user pass] [SETNAME name]: there is no
	// password to check.
	for i := 2; i < len(a); i++ {
		switch strings.ToUpper(string(a[i])) {
		case "AUTH":
			i += 2
		case "SETNAME":
			if i+1 < len(a) {
				c.name = string(a[i+1])
			}
			i++
		default:
			return resp.ErrorReply(errSyntax)
		}
	}
	return resp.Value{Kind: resp.KindMap, Elems: []resp.Value{
		resp.BulkString("server"), resp.BulkString("redis"),
		resp.BulkString("version"), resp.BulkString(Version),
		resp.BulkString("proto"), resp.Int(int64(c.proto)),
		resp.BulkString("id"), resp.Int(c.id),
		resp.BulkString("mode"), resp.BulkString("standalone"),
		resp.BulkString("role"), resp.BulkString("master"),
		resp.BulkString("modules"), resp.Array(),
	}}
}

// Version is the redis_version the server reports.
const Version = "7.0.0-embedded"

func cmdSelect(c *client, a [][]byte) resp.Value {
	n, err := strconv.Atoi(string(a[1]))
	if err != nil {
		return resp.ErrorReply(errNotInt)
	}
	if n < 0 || n >= databases {
		return resp.ErrorReply("ERR DB index is out of range")
	}
	c.db = n
	return resp.Status("OK")
}

func cmdClient(c *client, a [][]byte) resp.Value {
	switch strings.ToUpper(string(a[1])) {
	case "SETNAME":
		if len(a) != 3 {
			return resp.ErrorReply(errSyntax)
		}
		c.name = string(a[2])
		return resp.Status("OK")
	case "GETNAME":
		if c.name == "" {
			return resp.Nil()
		}
		return resp.BulkString(c.name)
	case "ID":
		return resp.Int(c.id)
	case "SETINFO":
		return resp.Status("OK")
	}
	return resp.ErrorReply("ERR unknown subcommand '" + string(a[1]) + "'.")
}

// cmdCommand answers COMMAND DOCS and COMMAND with no commands: clients
// keep their own tables.
func cmdCommand(_ *client, a [][]byte) resp.Value {
	if len(a) > 1 && strings.EqualFold(string(a[1]), "COUNT") {
		return resp.Int(0)
	}
	if len(a) > 1 && strings.EqualFold(string(a[1]), "DOCS") {
		return resp.Value{Kind: resp.KindMap}
	}
	return resp.Array()
}

func cmdInfo(_ *client, _ [][]byte) resp.Value {
	return resp.BulkString("# Server\r\nredis_version:" + Version + "\r\nredis_mode:standalone\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\n")
}

func cmdRole(_ *client, _ [][]byte) resp.Value {
	return resp.Array(resp.BulkString("master"), resp.Int(0), resp.Array())
}

// cmdDebug knows DEBUG SLEEP SECONDS, to try timeouts.
func cmdDebug(c *client, a [][]byte) resp.Value {
	if !strings.EqualFold(string(a[1]), "SLEEP") || len(a) != 3 {
		return resp.ErrorReply("ERR the embedded server knows only DEBUG SLEEP")
	}
	sec, err := strconv.ParseFloat(string(a[2]), 64)
	if err != nil || sec < 0 {
		return resp.ErrorReply("ERR value is not a valid float")
	}
	d := min(time.Duration(sec*float64(time.Second)), maxDebugSleep)
	c.sleep(d)
	return resp.Status("OK")
}

func cmdGet(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "string")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		return resp.Nil()
	}
	return resp.Bulk(e.str)
}

// cmdSet is SET key value [NX|XX] [GET] [EX s|PX ms|KEEPTTL].
func cmdSet(c *client, a [][]byte) resp.Value {
	var nx, xx, get, keepTTL bool
	var expires time.Time
	for i := 3; i < len(a); i++ {
		switch opt := strings.ToUpper(string(a[i])); opt {
		case "NX":
			nx = true
		case "XX":
			xx = true
		case "GET":
			get = true
		case "KEEPTTL":
			keepTTL = true
		case "EX", "PX":
			if i+1 >= len(a) {
				return resp.ErrorReply(errSyntax)
			}
			i++
			n, err := strconv.ParseInt(string(a[i]), 10, 64)
			if err != nil || n <= 0 {
				return resp.ErrorReply("ERR invalid expire time in 'set' command")
			}
			unit := time.Second
			if opt == "PX" {
				unit = time.Millisecond
			}
			expires = time.Now().Add(time.Duration(n) * unit)
		default:
			return resp.ErrorReply(errSyntax)
		}
	}
	if nx && xx {
		return resp.ErrorReply(errSyntax)
	}
	old := c.lookup(a[1])
	reply := resp.Status("OK")
	if get {
		switch {
		case old == nil:
			reply = resp.Nil()
		case old.kind != "string":
			return resp.ErrorReply(errWrongType)
		default:
			reply = resp.Bulk(old.str)
		}
	}
	if (nx && old != nil) || (xx && old == nil) {
		if get {
			return reply
		}
		return resp.Nil()
	}
	if keepTTL && old != nil {
		expires = old.expires
	}
	c.s.dbs[c.db][string(a[1])] = &entry{kind: "string", str: clone(a[2]), expires: expires}
	return reply
}

func cmdGetDel(c *client, a [][]byte) resp.Value {
	v := cmdGet(c, a)
	if v.Kind == resp.KindBulk {
		delete(c.s.dbs[c.db], string(a[1]))
	}
	return v
}

func cmdMGet(c *client, a [][]byte) resp.Value {
	out := make([]resp.Value, 0, len(a)-1)
	for _, k := range a[1:] {
		if e := c.lookup(k); e != nil && e.kind == "string" {
			out = append(out, resp.Bulk(e.str))
		} else {
			out = append(out, resp.Nil())
		}
	}
	return resp.Array(out...)
}

func cmdMSet(c *client, a [][]byte) resp.Value {
	if len(a)%2 != 1 {
		return resp.ErrorReply("ERR wrong number of arguments for 'mset' command")
	}
	for i := 1; i < len(a); i += 2 {
		c.s.dbs[c.db][string(a[i])] = &entry{kind: "string", str: clone(a[i+1])}
	}
	return resp.Status("OK")
}

func cmdAppend(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "string")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		e = &entry{kind: "string"}
		c.s.dbs[c.db][string(a[1])] = e
	}
	e.str = append(e.str, a[2]...)
	return resp.Int(int64(len(e.str)))
}

func cmdStrlen(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "string")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		return resp.Int(0)
	}
	return resp.Int(int64(len(e.str)))
}

// cmdIncr is INCR, DECR, INCRBY and DECRBY.
func cmdIncr(c *client, a [][]byte) resp.Value {
	name := strings.ToUpper(string(a[0]))
	by := int64(1)
	switch name {
	case "INCR", "DECR":
		if len(a) != 2 {
			return resp.ErrorReply("ERR wrong number of arguments for '" + strings.ToLower(name) + "' command")
		}
	default:
		if len(a) != 3 {
			return resp.ErrorReply("ERR wrong number of arguments for '" + strings.ToLower(name) + "' command")
		}
		n, err := strconv.ParseInt(string(a[2]), 10, 64)
		if err != nil {
			return resp.ErrorReply(errNotInt)
		}
		by = n
	}
	if strings.HasPrefix(name, "DECR") {
		by = -by
	}
	e, bad := c.typed(a[1], "string")
	if bad != nil {
		return *bad
	}
	var n int64
	if e != nil {
		var err error
		if n, err = strconv.ParseInt(string(e.str), 10, 64); err != nil {
			return resp.ErrorReply(errNotInt)
		}
	} else {
		e = &entry{kind: "string"}
		c.s.dbs[c.db][string(a[1])] = e
	}
	if (by > 0 && n > (1<<63-1)-by) || (by < 0 && n < (-1<<63)-by) {
		return resp.ErrorReply("ERR increment or decrement would overflow")
	}
	n += by
	e.str = strconv.AppendInt(e.str[:0], n, 10)
	return resp.Int(n)
}

func cmdDel(c *client, a [][]byte) resp.Value {
	n := 0
	for _, k := range a[1:] {
		if c.lookup(k) != nil {
			delete(c.s.dbs[c.db], string(k))
			n++
		}
	}
	return resp.Int(int64(n))
}

func cmdExists(c *client, a [][]byte) resp.Value {
	n := 0
	for _, k := range a[1:] {
		if c.lookup(k) != nil {
			n++
		}
	}
	return resp.Int(int64(n))
}

func cmdType(c *client, a [][]byte) resp.Value {
	if e := c.lookup(a[1]); e != nil {
		return resp.Status(e.kind)
	}
	return resp.Status("none")
}

// liveKeys returns the unexpired keys of the client's database matching
// the glob pattern, sorted.
func (c *client) liveKeys(pattern string) []string {
	var keys []string
	for k := range c.s.dbs[c.db] {
		if c.lookup([]byte(k)) == nil {
			continue
		}
		if ok, _ := path.Match(pattern, k); ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func bulks(ss []string) resp.Value {
	out := make([]resp.Value, len(ss))
	for i, s := range ss {
		out[i] = resp.BulkString(s)
	}
	return resp.Array(out...)
}

func cmdKeys(c *client, a [][]byte) resp.Value {
	return bulks(c.liveKeys(string(a[1])))
}

// cmdScan is SCAN cursor [MATCH pattern] [COUNT n] [TYPE t]: the cursor is
// an offset into the sorted keys.
func cmdScan(c *client, a [][]byte) resp.Value {
	cursor, err := strconv.Atoi(string(a[1]))
	if err != nil || cursor < 0 {
		return resp.ErrorReply("ERR invalid cursor")
	}
	pattern, count, typ := "*", 10, ""
	for i := 2; i+1 < len(a); i += 2 {
		switch strings.ToUpper(string(a[i])) {
		case "MATCH":
			pattern = string(a[i+1])
		case "COUNT":
			if count, err = strconv.Atoi(string(a[i+1])); err != nil || count < 1 {
				return resp.ErrorReply(errSyntax)
			}
		case "TYPE":
			typ = strings.ToLower(string(a[i+1]))
		default:
			return resp.ErrorReply(errSyntax)
		}
	}
	keys := c.liveKeys("*")
	end := min(cursor+count, len(keys))
	var page []string
	for _, k := range keys[min(cursor, end):end] {
		if ok, _ := path.Match(pattern, k); ok && (typ == "" || c.lookup([]byte(k)).kind == typ) {
			page = append(page, k)
		}
	}
	next := end
	if next >= len(keys) {
		next = 0
	}
	return resp.Array(resp.BulkString(strconv.Itoa(next)), bulks(page))
}

func cmdDBSize(c *client, _ [][]byte) resp.Value {
	return resp.Int(int64(len(c.liveKeys("*"))))
}

func cmdFlush(c *client, a [][]byte) resp.Value {
	if strings.EqualFold(string(a[0]), "FLUSHALL") {
		for i := range c.s.dbs {
			c.s.dbs[i] = map[string]*entry{}
		}
	} else {
		c.s.dbs[c.db] = map[string]*entry{}
	}
	return resp.Status("OK")
}

func cmdExpire(c *client, a [][]byte) resp.Value {
	n, err := strconv.ParseInt(string(a[2]), 10, 64)
	if err != nil {
		return resp.ErrorReply(errNotInt)
	}
	e := c.lookup(a[1])
	if e == nil {
		return resp.Int(0)
	}
	unit := time.Second
	if strings.EqualFold(string(a[0]), "PEXPIRE") {
		unit = time.Millisecond
	}
	if n <= 0 {
		delete(c.s.dbs[c.db], string(a[1]))
		return resp.Int(1)
	}
	e.expires = time.Now().Add(time.Duration(n) * unit)
	return resp.Int(1)
}

func cmdTTL(c *client, a [][]byte) resp.Value {
	e := c.lookup(a[1])
	switch {
	case e == nil:
		return resp.Int(-2)
	case e.expires.IsZero():
		return resp.Int(-1)
	}
	left := time.Until(e.expires)
	if strings.EqualFold(string(a[0]), "PTTL") {
		return resp.Int(left.Milliseconds())
	}
	return resp.Int(int64((left + time.Second/2) / time.Second))
}

func cmdPersist(c *client, a [][]byte) resp.Value {
	e := c.lookup(a[1])
	if e == nil || e.expires.IsZero() {
		return resp.Int(0)
	}
	e.expires = time.Time{}
	return resp.Int(1)
}

// cmdPush is LPUSH and RPUSH.
func cmdPush(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "list")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		e = &entry{kind: "list"}
		c.s.dbs[c.db][string(a[1])] = e
	}
	left := strings.EqualFold(string(a[0]), "LPUSH")
	for _, v := range a[2:] {
		if left {
			e.list = slices.Insert(e.list, 0, clone(v))
		} else {
			e.list = append(e.list, clone(v))
		}
	}
	return resp.Int(int64(len(e.list)))
}

// cmdPop is LPOP and RPOP of one element.
func cmdPop(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "list")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		return resp.Nil()
	}
	var v []byte
	if strings.EqualFold(string(a[0]), "LPOP") {
		v, e.list = e.list[0], e.list[1:]
	} else {
		v, e.list = e.list[len(e.list)-1], e.list[:len(e.list)-1]
	}
	if len(e.list) == 0 {
		delete(c.s.dbs[c.db], string(a[1]))
	}
	return resp.Bulk(v)
}

func cmdLLen(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "list")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		return resp.Int(0)
	}
	return resp.Int(int64(len(e.list)))
}

func cmdLRange(c *client, a [][]byte) resp.Value {
	start, err1 := strconv.Atoi(string(a[2]))
	stop, err2 := strconv.Atoi(string(a[3]))
	if err1 != nil || err2 != nil {
		return resp.ErrorReply(errNotInt)
	}
	e, bad := c.typed(a[1], "list")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		return resp.Array()
	}
	n := len(e.list)
	if start < 0 {
		start = max(n+start, 0)
	}
	if stop < 0 {
		stop = n + stop
	}
	stop = min(stop, n-1)
	var out []resp.Value
	for i := start; i <= stop; i++ {
		out = append(out, resp.Bulk(e.list[i]))
	}
	return resp.Array(out...)
}

func cmdHSet(c *client, a [][]byte) resp.Value {
	if len(a)%2 != 0 {
		return resp.ErrorReply("ERR wrong number of arguments for 'hset' command")
	}
	e, bad := c.typed(a[1], "hash")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		e = &entry{kind: "hash", hash: map[string][]byte{}}
		c.s.dbs[c.db][string(a[1])] = e
	}
	added := 0
	for i := 2; i < len(a); i += 2 {
		f := string(a[i])
		if _, ok := e.hash[f]; !ok {
			e.keys = append(e.keys, f)
			added++
		}
		e.hash[f] = clone(a[i+1])
	}
	return resp.Int(int64(added))
}

func cmdHGet(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "hash")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		return resp.Nil()
	}
	v, ok := e.hash[string(a[2])]
	if !ok {
		return resp.Nil()
	}
	return resp.Bulk(v)
}

func cmdHDel(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "hash")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		return resp.Int(0)
	}
	n := 0
	for _, f := range a[2:] {
		if _, ok := e.hash[string(f)]; ok {
			delete(e.hash, string(f))
			e.keys = slices.DeleteFunc(e.keys, func(k string) bool { return k == string(f) })
			n++
		}
	}
	if len(e.hash) == 0 {
		delete(c.s.dbs[c.db], string(a[1]))
	}
	return resp.Int(int64(n))
}

func cmdHLen(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "hash")
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		return resp.Int(0)
	}
	return resp.Int(int64(len(e.hash)))
}

func cmdHGetAll(c *client, a [][]byte) resp.Value {
	e, bad := c.typed(a[1], "hash")
	m := resp.Value{Kind: resp.KindMap}
	switch {
	case bad != nil:
		return *bad
	case e == nil:
		return m
	}
	for _, k := range e.keys {
		m.Elems = append(m.Elems, resp.BulkString(k), resp.Bulk(e.hash[k]))
	}
	return m
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
