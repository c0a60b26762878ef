package format

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/resp"
)

// oracleCommands is the corpus run through redis-cli and through Append.
// The commands only read, or write what is already there, so every cell
// sees the same data.
var oracleCommands = [][]string{
	{"PING"},
	{"ECHO", "hello world"},
	{"GET", "str"},
	{"GET", "quoted"},
	{"GET", "ctrl"},
	{"GET", "utf8"},
	{"GET", "binary"},
	{"GET", "allbytes"},
	{"GET", "noquote"},
	{"GET", "backslash"},
	{"GET", "empty"},
	{"GET", "nokey"},
	{"SET", "str", "bar"},
	{"INCRBY", "num", "0"},
	{"INCR", "str"},
	{"FOOBAR", "x"},
	{"LPUSH", "str", "x"},
	{"MGET", "empty", "nokey", "str"},
	{"LRANGE", "l", "0", "-1"},
	{"LRANGE", "l11", "0", "-1"},
	{"LRANGE", "l101", "0", "-1"},
	{"LRANGE", "nokey", "0", "-1"},
	{"HGETALL", "h"},
	{"HGETALL", "hq"},
	{"HGETALL", "nokey"},
	{"HMGET", "h", "f1", "nofield"},
	{"SMEMBERS", "s"},
	{"SMEMBERS", "nokey"},
	{"ZRANGE", "z", "0", "-1", "WITHSCORES"},
	{"ZSCORE", "z", "b"},
	{"ZSCORE", "z", "c"},
	{"ZSCORE", "z", "nomember"},
	{"XRANGE", "xs", "-", "+"},
	{"XREAD", "STREAMS", "xs", "0"},
	{"XINFO", "STREAM", "xs"},
	{"CONFIG", "GET", "save"},
	{"COMMAND", "DOCS", "get"},
	{"EVAL", `return {1,{2,{3,"x"},{}},"a"}`, "0"},
	{"EVAL", `local t={} for i=1,11 do t[i]=i end t[10]={"a",{"b","c"}} return t`, "0"},
	{"EVAL", `return redis.status_reply('FINE')`, "0"},
	{"EVAL", `return redis.error_reply('MY "quoted" error')`, "0"},
	{"EVAL", `redis.setresp(3) return {double=3.5}`, "0"},
	{"EVAL", `redis.setresp(3) return {map={a={1,2},b={}}}`, "0"},
	{"EVAL", `redis.setresp(3) return {set={x=true}}`, "0"},
	{"MULTI"},
	{"SET", "str", "bar"},
	{"INCR", "str"},
	{"GET", "str"},
	{"EXEC"},
	{"INFO", "keyspace"},
	{"MEMORY", "DOCTOR"},
	{"LATENCY", "DOCTOR"},
	{"CLIENT", "LIST", "TYPE", "bogus"},
	{"DEBUG", "PROTOCOL", "string"},
	{"DEBUG", "PROTOCOL", "integer"},
	{"DEBUG", "PROTOCOL", "double"},
	{"DEBUG", "PROTOCOL", "bignum"},
	{"DEBUG", "PROTOCOL", "null"},
	{"DEBUG", "PROTOCOL", "array"},
	{"DEBUG", "PROTOCOL", "set"},
	{"DEBUG", "PROTOCOL", "map"},
	{"DEBUG", "PROTOCOL", "attrib"},
	{"DEBUG", "PROTOCOL", "push"},
	{"DEBUG", "PROTOCOL", "verbatim"},
	{"DEBUG", "PROTOCOL", "true"},
	{"DEBUG", "PROTOCOL", "false"},
	{"CLIENT", "TRACKING", "ON"},
	{"GET", "trk"},
	{"SET", "trk", "1"},
	{"GET", "trk"},
	{"PING"},
}

// seedOracle writes the keys the corpus reads.
func seedOracle(t *testing.T, srv *redistest.Server) {
	t.Helper()
	do := func(args ...string) {
		t.Helper()
		if v := srv.Do(t, args...); v.IsError() {
			t.Fatalf("%q: %s", args, v.Str)
		}
	}
	do("SET", "str", "bar")
	do("SET", "quoted", `say "hi" \ C:\path\`)
	do("SET", "ctrl", "a\nb\rc\td\ae\bf\x00g\x1b\x7f")
	do("SET", "utf8", "héllo ✓ 🎉")
	do("SET", "binary", "\xff\xfe\xc3(\x80")
	do("SET", "allbytes", allBytes)
	do("SET", "noquote", strings.ReplaceAll(allBytes, `"`, ""))
	do("SET", "backslash", `C:\path\ \\ \x41`)
	do("SET", "empty", "")
	do("SET", "num", "12345")
	do("SET", "trk", "1")
	do("RPUSH", "l", "a", "b", "c")
	for i := 1; i <= 101; i++ {
		if i <= 11 {
			do("RPUSH", "l11", strconv.Itoa(i))
		}
		do("RPUSH", "l101", "member:"+strconv.Itoa(i))
	}
	do("HSET", "h", "f1", "v1", "f2", "v2")
	do("HSET", "hq", `k"1`, `v\1`, "k\n2", "v\x002")
	do("SADD", "s", "only")
	do("ZADD", "z", "1", "a", "2.5", "b", "inf", "c")
	do("XADD", "xs", "1-1", "name", "ada", "lang", "en")
	do("XADD", "xs", "2-1", "name", "bob")
}

// oracleCell is one redis-cli invocation: an output mode and a protocol.
type oracleCell struct {
	name  string
	flags []string
	opts  Options
	resp3 bool
}

func oracleCells() []oracleCell {
	modes := []struct {
		name  string
		flags []string
		opts  Options
	}{
		{"no-raw", []string{"--no-raw"}, DefaultOptions(TTY)},
		{"raw", []string{"--raw"}, DefaultOptions(Raw)},
		{"raw-delims", []string{"--raw", "-d", ",", "-D", "|"}, Options{Mode: Raw, Delim: ",", CmdDelim: "|"}},
		{"csv", []string{"--csv"}, DefaultOptions(CSV)},
		{"json", []string{"--json"}, DefaultOptions(JSON)},
		{"quoted-json", []string{"--quoted-json"}, DefaultOptions(QuotedJSON)},
	}
	var cells []oracleCell
	for _, m := range modes {
		for _, resp3 := range []bool{false, true} {
			c := oracleCell{name: m.name + "/resp2", opts: m.opts, resp3: resp3}
			proto := "-2"
			if resp3 {
				c.name, proto = m.name+"/resp3", "-3"
			}
			c.flags = append(append([]string{proto}, m.flags...), "--show-pushes", "y")
			cells = append(cells, c)
		}
	}
	return cells
}

// TestOracle runs the corpus through redis-cli in every output mode, with
// RESP2 and RESP3, and compares its stdout with what Append makes of the
// same replies read over a plain connection. Replies where redish
// deliberately differs (see deliberate) are left to the golden files.
func TestOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server and redis-cli")
	}
	cli := redistest.RedisCLI(t)
	srv := redistest.Start(t)
	seedOracle(t, srv)
	for _, cell := range oracleCells() {
		t.Run(cell.name, func(t *testing.T) {
			outs, skip := redishOutputs(t, srv, cell)
			var script strings.Builder
			var want []byte
			var ran []int
			for i, args := range oracleCommands {
				if skip[i] {
					continue
				}
				script.WriteString(scriptLine(args))
				want = append(want, outs[i]...)
				ran = append(ran, i)
			}
			if len(ran) < len(oracleCommands)*3/4 {
				t.Fatalf("only %d of %d commands compared", len(ran), len(oracleCommands))
			}
			if cell.resp3 && cell.opts.Mode == TTY && !bytes.Contains(want, []byte("-> invalidate: 'trk'\n")) {
				t.Fatalf("the corpus no longer produces an invalidation push")
			}
			args := append([]string{"-h", srv.Host, "-p", strconv.Itoa(srv.Port)}, cell.flags...)
			got := runCLI(t, cli, args, script.String())
			if bytes.Equal(got, want) {
				return
			}
			// Name the first command whose output differs.
			off := 0
			for _, i := range ran {
				end := off + len(outs[i])
				if end > len(got) || !bytes.Equal(got[off:end], outs[i]) {
					t.Fatalf("%q: redish output differs from redis-cli %s\nredish:    %q\nredis-cli: %q",
						oracleCommands[i], strings.Join(cell.flags, " "), outs[i], got[off:min(end+40, len(got))])
				}
				off = end
			}
			t.Fatalf("redis-cli wrote %d extra bytes: %q", len(got)-off, got[off:])
		})
	}
}

// redishOutputs sends the corpus over one connection and formats each
// reply (and the pushes before it) for the cell. skip[i] is true where
// redish deliberately prints something else than redis-cli.
func redishOutputs(t *testing.T, srv *redistest.Server, cell oracleCell) (outs [][]byte, skip []bool) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", srv.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := nc.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	r := resp.NewReader(bufio.NewReader(nc))
	send := func(args []string) {
		t.Helper()
		if _, err := nc.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
			t.Fatal(err)
		}
	}
	read := func() resp.Value {
		t.Helper()
		v, err := r.ReadValue()
		if err != nil {
			t.Fatalf("reading reply: %v", err)
		}
		return v
	}
	if cell.resp3 {
		send([]string{"HELLO", "3"})
		if v := read(); v.IsError() {
			t.Fatalf("HELLO 3: %s", v.Str)
		}
	}
	for _, args := range oracleCommands {
		send(args)
		o := cell.opts
		o.Verbatim = VerbatimCommand(args)
		var out []byte
		differs := false
		for {
			v := read()
			differs = differs || deliberate(v, o.Mode)
			if v.Kind == resp.KindPush {
				out = AppendPush(out, v, o)
				continue
			}
			out = Append(out, v, o)
			break
		}
		outs = append(outs, out)
		skip = append(skip, differs)
	}
	// A transaction runs in redis-cli whole or not at all.
	multi := -1
	for i, args := range oracleCommands {
		switch strings.ToUpper(args[0]) {
		case "MULTI":
			multi = i
		case "EXEC":
			if multi >= 0 && slices.Contains(skip[multi:i+1], true) {
				for j := multi; j <= i; j++ {
					skip[j] = true
				}
			}
			multi = -1
		}
	}
	return outs, skip
}

// deliberate reports whether redish prints v differently from redis-cli
// on purpose in mode m: big numbers and attributes (redis-cli aborts), and
// in JSON modes errors, doubles that are not JSON numbers and, for
// --quoted-json, strings holding a double quote, and for --json, strings
// that are not valid UTF-8.
func deliberate(v resp.Value, m Mode) bool {
	if v.Attrs != nil || v.Kind == resp.KindBigNumber {
		return true
	}
	if m == JSON || m == QuotedJSON {
		switch v.Kind {
		case resp.KindError:
			return true
		case resp.KindDouble:
			return !jsonNumber(v.Str)
		}
	}
	if m == QuotedJSON && bytes.IndexByte(v.Str, '"') >= 0 {
		return true
	}
	if m == JSON && !utf8.Valid(v.Str) {
		return true
	}
	for _, e := range v.Elems {
		if deliberate(e, m) {
			return true
		}
	}
	return false
}

// scriptLine quotes args for redis-cli's stdin, one command per line.
func scriptLine(args []string) string {
	var b []byte
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, '"')
		for _, c := range []byte(a) {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c > 0x7e:
				b = fmt.Appendf(b, `\x%02x`, c)
			default:
				b = append(b, c)
			}
		}
		b = append(b, '"')
	}
	return string(append(b, '\n'))
}

// runCLI runs redis-cli with args and script on stdin and returns stdout.
func runCLI(t *testing.T, cli string, args []string, script string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Stdin = strings.NewReader(script)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("redis-cli %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		t.Fatalf("redis-cli %s wrote to stderr: %s", strings.Join(args, " "), stderr.Bytes())
	}
	return stdout.Bytes()
}
