package diag

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// keyType is what --bigkeys learns about one type of key (redis-cli's
// typeinfo).
type keyType struct {
	name    string
	sizeCmd string // "" for module types: sized only by --memkeys
	unit    string

	count, total uint64
	biggest      uint64
	biggestKey   string // quoted and escaped as redis-cli prints it
}

// builtinTypes are redis-cli's types, in the order it registers them
// (which matters: see typeDict). Module types get the unit "?".
var builtinTypes = []keyType{
	{name: "string", sizeCmd: "STRLEN", unit: "bytes"},
	{name: "list", sizeCmd: "LLEN", unit: "items"},
	{name: "set", sizeCmd: "SCARD", unit: "members"},
	{name: "hash", sizeCmd: "HLEN", unit: "fields"},
	{name: "zset", sizeCmd: "ZCARD", unit: "members"},
	{name: "stream", sizeCmd: "XLEN", unit: "entries"},
}

// bigKeysHeader is what redis-cli prints before scanning.
const bigKeysHeader = "\n# Scanning the entire keyspace to find biggest keys as well as\n" +
	"# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n" +
	"# per 100 SCAN commands (not usually needed).\n\n"

// bigKeysSleepEvery is how many SCAN commands run between two -i sleeps.
const bigKeysSleepEvery = 100

// keyScan is one run of --bigkeys or --memkeys.
type keyScan struct {
	e        *env.Env
	out      *env.Printer
	progress *progressLine
	memkeys  bool
	samples  int // MEMORY USAGE ... SAMPLES n; 0 leaves the server's default
	pattern  []byte
	count    []byte // COUNT hint, only when --count is given
	interval time.Duration

	types     *typeDict
	totalKeys int64
	sampled   uint64
	totalLen  uint64
	scans     uint64
	pct       float64
}

// runBigKeys runs --bigkeys (memkeys false) or --memkeys: it scans the
// keyspace with SCAN (with --pattern or --quoted-pattern as MATCH, and
// --count, which redis-cli 7.0 lacks, as COUNT), asks each key's TYPE and
// size (STRLEN, LLEN, ... or MEMORY USAGE), pipelined across SCAN batches
// (see scanNode), and prints what redis-cli
// prints, byte for byte: the biggest key of each type as it is found, then
// a summary.
//
// With -c it runs over every primary that serves slots, in slot order, as
// one scan: DBSIZE is the sum over the primaries, the percentages count
// the keys sampled on all of them, and the summary covers the cluster.
// When stderr is a terminal, a progress line is kept there; stdout gets
// only what redis-cli prints.
func runBigKeys(ctx context.Context, e *env.Env, o Options, memkeys bool) error {
	p := e.Printer
	s := &keyScan{
		e:        e,
		out:      p,
		progress: &progressLine{w: e.IO.ErrOut, on: e.IO.ErrTTY},
		memkeys:  memkeys,
		interval: o.Interval,
		types:    newTypeDict(),
		pattern:  o.Match,
	}
	if memkeys {
		s.samples = o.Samples
	}
	if o.CountSet {
		s.count = []byte(strconv.Itoa(o.Count))
	}
	for i := range builtinTypes {
		t := builtinTypes[i]
		s.types.add(&t)
	}
	return scanKeyspace(ctx, e, bigKeysHeader, s.progress, s)
}

// keyspaceScanner is a scan of the keyspace, node after node: --bigkeys,
// --memkeys, --hotkeys.
type keyspaceScanner interface {
	// setTotal gives the number of keys of all the nodes (DBSIZE).
	setTotal(n int64)
	// scanNode scans one node; label names it in the progress line.
	scanNode(ctx context.Context, cl *redisx.Client, label string) error
	// summary is the report printed at the end; interrupted says that
	// Ctrl-C ended the scan.
	summary(interrupted bool) string
}

// scanKeyspace runs s over every node to scan (see scanNodes) as one
// keyspace: DBSIZE summed, then header, the scan of each node in turn,
// and the summary, also after Ctrl-C (whose error it then returns).
func scanKeyspace(ctx context.Context, e *env.Env, header string, progress *progressLine, s keyspaceScanner) error {
	nodes, err := scanNodes(ctx, e)
	if err != nil {
		return err
	}
	defer closeNodes(e, nodes)
	var total int64
	for _, n := range nodes {
		size, err := dbSize(ctx, n)
		if err != nil {
			return err
		}
		total += size
	}
	s.setTotal(total)
	if err := e.Printer.Text(header); err != nil {
		return err
	}
	var scanErr error
	for i, n := range nodes {
		if scanErr = s.scanNode(ctx, n, nodeLabel(nodes, i)); scanErr != nil {
			break
		}
	}
	progress.clear()
	interrupted := scanErr != nil && ctx.Err() != nil
	if scanErr != nil && !interrupted {
		return scanErr
	}
	if err := e.Printer.Text(s.summary(interrupted)); err != nil {
		return err
	}
	return scanErr
}

func (s *keyScan) setTotal(n int64) { s.totalKeys = n }

// scanNodes returns the standalone clients to scan: the session itself,
// or one client per primary serving slots in cluster mode. A cluster
// client without a topology (a standalone server, CLUSTER refused) scans
// the node it talks to, as redis-cli -c does.
func scanNodes(ctx context.Context, e *env.Env) ([]*redisx.Client, error) {
	switch cl := e.Session.(type) {
	case *redisx.Client:
		return []*redisx.Client{cl}, nil
	case *redisx.SentinelClient:
		return []*redisx.Client{cl.Client}, nil
	case *redisx.ClusterClient:
		var addrs []string
		t, err := cl.Topology(ctx)
		var tu *redisx.TopologyUnavailableError
		switch {
		case errors.As(err, &tu):
			addrs = append(addrs, cl.LastAddr())
		case err != nil:
			return nil, err
		default:
			for _, n := range t.Primaries() {
				if len(n.Slots) > 0 {
					addrs = append(addrs, n.Addr)
				}
			}
		}
		var out []*redisx.Client
		for _, addr := range addrs {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, fmt.Errorf("cluster node %q: %w", addr, err)
			}
			o := e.Conn
			o.Host, o.Socket, o.DB = host, "", 0
			if o.Port, err = strconv.Atoi(port); err != nil {
				return nil, fmt.Errorf("cluster node %q: %w", addr, err)
			}
			nc := redisx.NewClient(o)
			nc.Retry, nc.Observe = e.Retry, e.Observe
			out = append(out, nc)
		}
		if len(out) == 0 {
			return nil, &redisx.ClusterError{Msg: "no primary serves slots"}
		}
		return out, nil
	}
	return nil, fmt.Errorf("diag: unsupported client %T", e.Session)
}

// closeNodes closes the clients scanNodes made for the scan.
func closeNodes(e *env.Env, nodes []*redisx.Client) {
	for _, n := range nodes {
		if env.Session(n) != e.Session {
			n.Close()
		}
	}
}

// nodeLabel names node i of nodes in a progress line, when there are
// several.
func nodeLabel(nodes []*redisx.Client, i int) string {
	if len(nodes) < 2 {
		return ""
	}
	o := nodes[i].Options()
	return fmt.Sprintf(" (node %d of %d: %s)", i+1, len(nodes), o.Addr())
}

// dbSize returns DBSIZE, failing as redis-cli does.
func dbSize(ctx context.Context, cl *redisx.Client) (int64, error) {
	v, err := cl.Do(ctx, redisx.Args("DBSIZE"))
	switch {
	case err != nil:
		return 0, err
	case v.Kind == resp.KindError:
		return 0, env.Fail("Couldn't determine DBSIZE: " + string(v.Str))
	case v.Kind != resp.KindInt:
		return 0, env.Fail("Non INTEGER response from DBSIZE!")
	}
	return v.Int, nil
}

// scanBatch is the keys of one SCAN reply on their way through the
// pipeline of scanNode: typed, then sized, then recorded.
type scanBatch struct {
	seq   uint64       // which SCAN call of the whole run returned it, from 1
	keys  []resp.Value // as SCAN returned them
	types []*keyType   // per key, once typed; nil for a key gone since SCAN
}

// scanNode runs the SCAN loop on one server.
//
// Each SCAN batch needs three steps in turn: SCAN, then TYPE for each
// key, then the size command (STRLEN, ..., MEMORY USAGE) for each key.
// redis-cli pays a round trip for each. scanNode pipelines them across
// batches instead: every round trip carries, in one write and read back in
// order,
//
//	the size commands of batch i, the TYPE commands of batch i+1,
//	and the SCAN for batch i+2 (while the cursor is not back to 0),
//
// so a batch costs one round trip. The replies are handled in the order
// redis-cli would have seen them: batch i is recorded first, with s.pct
// computed from the keys sampled before it (as redis-cli prints it once
// per batch, the COUNT of SCAN keeps deciding the output), then batch
// i+1's types are parsed, then the SCAN reply. A SCAN error is held back
// until the batches scanned before it are recorded, as redis-cli reports
// it only then.
//
// The round trip goes through pipeline: on a connection failure it is
// resent whole, which is harmless as every command in it is read-only, and
// the cursor stays right since it only moves when a SCAN reply arrives.
//
// Faster still, where the server allows it (and no -i asks for pauses),
// the same SCAN calls, TYPEs and sizes run on the server in short
// read-only scripts (redisx.ScanSized): a round trip then carries a few
// hundred keys, batch boundaries and all, so the output is the same. Where
// the server does not run them, the scan goes on with plain commands from
// where it stands.
func (s *keyScan) scanNode(ctx context.Context, cl *redisx.Client, label string) error {
	cursor := []byte("0")
	if s.interval <= 0 {
		var err error
		if cursor, err = s.scanScripted(ctx, cl, label); cursor == nil {
			return err
		}
	}
	return s.scanPlain(ctx, cl, label, cursor)
}

// scanScripted scans with redisx.ScanSized. It returns a nil cursor and
// the scan's outcome when it scanned to the end or failed, or the cursor
// to go on from with plain commands when the server does not run the
// scripts.
func (s *keyScan) scanScripted(ctx context.Context, cl *redisx.Client, label string) ([]byte, error) {
	o := redisx.SizedScanOptions{Match: s.pattern, Count: s.count, Memory: s.memkeys, Samples: s.samples}
	var (
		types []*keyType
		sizes []uint64
		valid []bool
	)
	err := cl.ScanSized(ctx, nil, o, func(b redisx.SizedBatch) error {
		s.pct = 100 * float64(s.sampled) / float64(s.totalKeys)
		s.scans++
		types, sizes, valid = types[:0], sizes[:0], valid[:0]
		for i := range b.Keys {
			types = append(types, s.typeNamed(string(b.Types[i].Str)))
			sizes = append(sizes, uint64(max(b.Sizes[i].Int, 0)))
			valid = append(valid, b.Sizes[i].Kind == resp.KindInt && b.Sizes[i].Int >= 0)
		}
		if err := s.recordSized(b.Keys, types, sizes, valid); err != nil {
			return err
		}
		s.showProgress(label)
		return ctx.Err()
	})
	if su, ok := redisx.IsScriptsUnavailable(err); ok {
		return su.Cursor, nil
	}
	return nil, err
}

// showProgress updates the progress line, when there is one.
func (s *keyScan) showProgress(label string) {
	if s.progress.on {
		s.progress.show(fmt.Sprintf("[%s%%] %d of %d keys sampled%s", cPercent(s.pct), s.sampled, s.totalKeys, label))
	}
}

// scanPlain runs the SCAN loop from cursor with plain commands, pipelined
// as described at scanNode.
func (s *keyScan) scanPlain(ctx context.Context, cl *redisx.Client, label string, cursor []byte) error {
	var (
		scanning = true // the next round trip carries a SCAN for cursor
		scanErr  error  // a failed SCAN, returned once the batches before it are done
		typing   *scanBatch
		sizing   *scanBatch
	)
	for scanning || typing != nil || sizing != nil {
		// Before recording sizing, the percentage of the keys sampled so
		// far; also what an interrupted summary prints.
		s.pct = 100 * float64(s.sampled) / float64(s.totalKeys)

		var cmds [][][]byte
		if sizing != nil {
			cmds = s.sizeCommands(cmds, sizing)
		}
		nSize := len(cmds)
		if typing != nil {
			cmds = typeCommands(cmds, typing.keys)
		}
		nType := len(cmds) - nSize
		if scanning {
			cmds = append(cmds, s.scanCommand(cursor))
		}
		replies, err := pipeline(ctx, s.e, cl, cmds)
		if err != nil {
			return err
		}

		if sizing != nil {
			if err := s.record(sizing, replies[:nSize]); err != nil {
				return err
			}
			s.showProgress(label)
			if s.interval > 0 && sizing.seq%bigKeysSleepEvery == 0 {
				if err := s.e.Sleep(ctx, s.interval); err != nil {
					return err
				}
			}
			sizing = nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if typing == nil && scanErr != nil {
			return scanErr
		}
		if typing != nil {
			if typing.types, err = s.parseTypes(typing.keys, replies[nSize:nSize+nType]); err != nil {
				return err
			}
			sizing, typing = typing, nil
		}
		if scanning {
			keys, next, err := parseScan(replies[nSize+nType])
			if err != nil {
				scanning, scanErr = false, err
				continue
			}
			s.scans++
			typing = &scanBatch{seq: s.scans, keys: keys}
			cursor = next
			scanning = string(cursor) != "0"
		}
	}
	return scanErr
}

// scanCommand is the SCAN from cursor, with MATCH and COUNT when given.
func (s *keyScan) scanCommand(cursor []byte) [][]byte {
	return scanCommand(cursor, s.pattern, s.count)
}

// scanCommand is the SCAN from cursor, with MATCH pattern and COUNT count
// when not nil.
func scanCommand(cursor, pattern, count []byte) [][]byte {
	args := [][]byte{[]byte("SCAN"), cursor}
	if pattern != nil {
		args = append(args, []byte("MATCH"), pattern)
	}
	if count != nil {
		args = append(args, []byte("COUNT"), count)
	}
	return args
}

// parseScan returns the keys and the next cursor of a SCAN reply, failing
// as redis-cli does.
func parseScan(v resp.Value) ([]resp.Value, []byte, error) {
	switch {
	case v.Kind == resp.KindError:
		return nil, nil, env.Fail("SCAN error: " + string(v.Str))
	case v.Kind != resp.KindArray:
		return nil, nil, env.Fail("Non ARRAY response from SCAN!")
	case v.Len() != 2 || v.Elems[1].Kind != resp.KindArray:
		return nil, nil, env.Fail("Invalid element count from SCAN!")
	}
	return v.Elems[1].Elems, v.Elems[0].Str, nil
}

// typeCommands appends a TYPE for each key to cmds.
func typeCommands(cmds [][][]byte, keys []resp.Value) [][][]byte {
	for _, k := range keys {
		cmds = append(cmds, [][]byte{[]byte("TYPE"), k.Str})
	}
	return cmds
}

// parseTypes returns the type of each key from its TYPE reply, registering
// module types as they appear; a key deleted since SCAN ("none") gets nil.
func (s *keyScan) parseTypes(keys, replies []resp.Value) ([]*keyType, error) {
	types := make([]*keyType, len(keys))
	for i, v := range replies {
		if v.Kind != resp.KindStatus {
			if v.Kind == resp.KindError {
				return nil, env.Fail("TYPE returned an error: " + string(v.Str))
			}
			return nil, env.Fail(fmt.Sprintf("Invalid reply type (%s) for TYPE on key '%s'!", v.Kind, keys[i].Str))
		}
		types[i] = s.typeNamed(string(v.Str))
	}
	return types, nil
}

// typeNamed returns the type TYPE called name, registering a module type
// the first time it appears; nil for a key gone ("none").
func (s *keyScan) typeNamed(name string) *keyType {
	t := s.types.find(name)
	if t == nil && name != "none" {
		t = &keyType{name: name, unit: "?"}
		s.types.add(t)
	}
	return t
}

// sized reports whether a key of type t gets a size command: not when it
// is gone, nor a module type outside --memkeys.
func (s *keyScan) sized(t *keyType) bool {
	return t != nil && (t.sizeCmd != "" || s.memkeys)
}

// sizeCommands appends the size command of each key of b that has one to
// cmds.
func (s *keyScan) sizeCommands(cmds [][][]byte, b *scanBatch) [][][]byte {
	for i, k := range b.keys {
		if t := b.types[i]; s.sized(t) {
			cmds = append(cmds, s.sizeCommand(t, k.Str))
		}
	}
	return cmds
}

// record takes the size replies of b's keys (one per key with a size
// command, in order) and records the keys, printing the biggest found so
// far with s.pct, the progress before b.
func (s *keyScan) record(b *scanBatch, replies []resp.Value) error {
	sizes := make([]uint64, len(b.keys))
	valid := make([]bool, len(b.keys))
	j := 0
	for i := range b.keys {
		if !s.sized(b.types[i]) {
			continue
		}
		v := replies[j]
		j++
		if v.Kind == resp.KindInt {
			sizes[i], valid[i] = uint64(v.Int), true
		}
	}
	return s.recordSized(b.keys, b.types, sizes, valid)
}

// recordSized records a batch's keys, their types (nil for a key gone)
// and sizes, printing the biggest found so far with s.pct, the progress
// before the batch. valid says which keys got a size: a sized key without
// one changed type or vanished between TYPE and its size, which is
// reported as redis-cli reports it.
func (s *keyScan) recordSized(keys []resp.Value, types []*keyType, sizes []uint64, valid []bool) error {
	for i, k := range keys {
		if t := types[i]; s.sized(t) && !valid[i] {
			what := t.sizeCmd
			if s.memkeys {
				what = "MEMORY USAGE"
			}
			fmt.Fprintf(s.e.IO.ErrOut, "Warning:  %s on '%s' failed (may have changed type)\n", what, k.Str)
			sizes[i] = 0
		}
	}

	var lines []byte
	for i, k := range keys {
		t := types[i]
		if t == nil {
			continue
		}
		t.total += sizes[i]
		t.count++
		s.totalLen += uint64(len(k.Str))
		s.sampled++
		if t.biggest < sizes[i] {
			t.biggestKey = string(format.Escape(nil, k.Str))
			lines = fmt.Appendf(lines, "[%s%%] Biggest %-6s found so far '%s' with %d %s\n",
				cPercent(s.pct), t.name, t.biggestKey, sizes[i], s.unit(t))
			t.biggest = sizes[i]
		}
		if s.sampled%1000000 == 0 {
			lines = fmt.Appendf(lines, "[%s%%] Sampled %d keys so far\n", cPercent(s.pct), s.sampled)
		}
	}
	if len(lines) > 0 {
		s.progress.clear()
		return s.out.Text(string(lines))
	}
	return nil
}

// sizeCommand is the command that sizes key of type t.
func (s *keyScan) sizeCommand(t *keyType, key []byte) [][]byte {
	switch {
	case !s.memkeys:
		return [][]byte{[]byte(t.sizeCmd), key}
	case s.samples == 0:
		return [][]byte{[]byte("MEMORY"), []byte("USAGE"), key}
	}
	return [][]byte{[]byte("MEMORY"), []byte("USAGE"), key, []byte("SAMPLES"), []byte(strconv.Itoa(s.samples))}
}

func (s *keyScan) unit(t *keyType) string {
	if s.memkeys {
		return "bytes"
	}
	return t.unit
}

// summary is the report redis-cli prints after the scan; interrupted
// prefixes the count with the progress reached, as after Ctrl-C.
func (s *keyScan) summary(interrupted bool) string {
	var b []byte
	b = append(b, "\n-------- summary -------\n\n"...)
	if interrupted {
		b = fmt.Appendf(b, "[%s%%] ", cPercent(s.pct))
	}
	avgLen := 0.0
	if s.totalLen != 0 {
		avgLen = float64(s.totalLen) / float64(s.sampled)
	}
	b = fmt.Appendf(b, "Sampled %d keys in the keyspace!\n", s.sampled)
	b = fmt.Appendf(b, "Total key length in bytes is %d (avg len %.2f)\n\n", s.totalLen, avgLen)
	types := s.types.types()
	for _, t := range types {
		if t.biggestKey != "" {
			b = fmt.Appendf(b, "Biggest %6s found '%s' has %d %s\n", t.name, t.biggestKey, t.biggest, s.unit(t))
		}
	}
	b = append(b, '\n')
	for _, t := range types {
		pct, avg := 0.0, 0.0
		if s.sampled != 0 {
			pct = 100 * float64(t.count) / float64(s.sampled)
		}
		if t.count != 0 {
			avg = float64(t.total) / float64(t.count)
		}
		b = fmt.Appendf(b, "%d %ss with %d %s (%s%% of keys, avg size %.2f)\n",
			t.count, t.name, t.total, s.unit(t), cPercent(pct), avg)
	}
	return string(b)
}

// cPercent formats a percentage as C's "%05.2f" does, including the NaN
// of 0/0 (keys found although DBSIZE said 0), which glibc prints " -nan".
func cPercent(f float64) string {
	if math.IsNaN(f) {
		return " -nan"
	}
	if math.IsInf(f, 1) {
		return "  inf"
	}
	return fmt.Sprintf("%05.2f", f)
}

// pipeline sends cmds on the client's connection in one write and reads
// a reply for each, under the retry policy: a batch that fails on the
// connection is sent again whole on a new one. Only read-only commands go
// through it, so a repeated batch is harmless.
func pipeline(ctx context.Context, e *env.Env, cl *redisx.Client, cmds [][][]byte) ([]resp.Value, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	out := make([]resp.Value, 0, len(cmds))
	op := func(ctx context.Context) error {
		out = out[:0]
		conn, err := cl.Conn(ctx)
		if err != nil {
			return err
		}
		for _, args := range cmds {
			conn.Write(args...)
		}
		if err := conn.Flush(ctx); err != nil {
			return err
		}
		for range cmds {
			v, err := conn.ReadReply(ctx)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	}
	err := e.Retry.Do(ctx, op, retry.Hooks{
		OnFailure: func(error) { cl.Close() },
		Node:      func() string { o := cl.Options(); return o.Addr() },
		Observe:   e.Observe,
		Safe:      func() bool { return true }, // TYPE, MEMORY USAGE and the size commands only read
	})
	if err != nil {
		cl.Close()
		return nil, err
	}
	return out, nil
}

// progressLine keeps one line of progress on a terminal (stderr), redrawn
// in place at most every progressEvery and cleared before anything else is
// printed.
type progressLine struct {
	w     io.Writer
	on    bool
	shown bool
	last  time.Time
}

const progressEvery = 100 * time.Millisecond

func (l *progressLine) show(s string) {
	if !l.on || time.Since(l.last) < progressEvery {
		return
	}
	l.last = time.Now()
	fmt.Fprint(l.w, "\r\x1b[2K"+s)
	l.shown = true
}

func (l *progressLine) clear() {
	if l.shown {
		fmt.Fprint(l.w, "\r\x1b[2K")
		l.shown = false
		l.last = time.Time{}
	}
}
