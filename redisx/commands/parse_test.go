package commands_test

import (
	"bufio"
	"bytes"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
)

func readSnapshot(t *testing.T) *commands.Snapshot {
	t.Helper()
	f, err := os.Open("testdata/snapshot.resp")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, err := commands.ReadSnapshot(f)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestTableIsTheSnapshot checks that the compiled table is exactly what
// the parser reads from the committed snapshot: the generator wrote
// nothing the parser does not say, and left nothing out.
func TestTableIsTheSnapshot(t *testing.T) {
	snap := readSnapshot(t)
	if snap.Version != commands.TableVersion() {
		t.Errorf("snapshot of %s, table of %s", snap.Version, commands.TableVersion())
	}
	cmds, err := snap.Commands()
	if err != nil {
		t.Fatal(err)
	}
	all := commands.All()
	if len(cmds) != len(all) {
		t.Fatalf("snapshot has %d commands, table %d", len(cmds), len(all))
	}
	for i := range cmds {
		if !reflect.DeepEqual(cmds[i], all[i]) {
			t.Errorf("%s: snapshot and table differ\nsnapshot %+v\n   table %+v", cmds[i].Name, cmds[i], all[i])
		}
	}
	var groups []string
	for _, c := range cmds {
		if c.Group != "" && !slices.Contains(groups, c.Group) {
			groups = append(groups, c.Group)
		}
	}
	slices.Sort(groups)
	if !slices.Equal(groups, commands.Groups()) {
		t.Errorf("snapshot groups %q, table %q", groups, commands.Groups())
	}
}

func TestReadSnapshotErrors(t *testing.T) {
	version := string(resp.AppendValue(nil, resp.BulkString("7.0.15")))
	info := "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*0\r\n:1\r\n:1\r\n:1\r\n*0\r\n*0\r\n*0\r\n*0\r\n"
	docs := "*2\r\n$3\r\nget\r\n*2\r\n$7\r\nsummary\r\n$3\r\nGet\r\n"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "the server version is missing"},
		{"no docs", version + info, "the COMMAND DOCS reply is missing"},
		{"version not a string", ":7\r\n" + info + docs, "the server version is a integer"},
		{"info not an array", version + "+OK\r\n" + docs, "the COMMAND INFO reply is a status"},
		{"truncated", version + info + docs[:10], "reading the COMMAND DOCS reply"},
		{"trailing", version + info + docs + "+OK\r\n", "more than three values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := commands.ReadSnapshot(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadSnapshot: error %v, want one containing %q", err, tt.want)
			}
		})
	}
	snap, err := commands.ReadSnapshot(strings.NewReader(version + info + docs))
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := snap.Commands()
	if err != nil || len(cmds) != 1 || cmds[0].Name != "get" || cmds[0].Arity != 2 || cmds[0].Summary != "Get" {
		t.Errorf("Commands() = %+v, %v", cmds, err)
	}
}

// pairs returns a RESP2 map: an array of alternating keys and values.
func pairs(kv ...resp.Value) resp.Value { return resp.Array(kv...) }

func str(s string) resp.Value { return resp.BulkString(s) }

func strs(ss ...string) resp.Value {
	a := resp.Array()
	for _, s := range ss {
		a.Elems = append(a.Elems, resp.Status(s))
	}
	return a
}

// infoEntry is one COMMAND INFO entry with the given flags and no keys.
func infoEntry(name string, flags ...string) resp.Value {
	return resp.Array(str(name), resp.Int(-1), strs(flags...), resp.Int(0), resp.Int(0), resp.Int(0),
		strs("@slow"), resp.Array(), resp.Array(), resp.Array())
}

func docEntry(args ...resp.Value) resp.Value {
	return pairs(str("summary"), str("does things"), str("arguments"), resp.Array(args...))
}

func TestParseStrictRefuses(t *testing.T) {
	arg := func(typ string) resp.Value { return pairs(str("name"), str("x"), str("type"), str(typ)) }
	tests := []struct {
		name       string
		info, docs resp.Value
		want       string
	}{
		{"unknown flag", resp.Array(infoEntry("cmd", "teleport")), resp.Value{}, `cmd: unknown flag "teleport"`},
		{"short entry", resp.Array(resp.Array(str("cmd"))), resp.Value{}, "unexpected entry of kind array with 1 elements"},
		{"docs without info", resp.Array(), pairs(str("cmd"), docEntry()), `"cmd" is not in COMMAND INFO`},
		{"unknown argument type", resp.Array(infoEntry("cmd")), pairs(str("cmd"), docEntry(arg("vector"))), `cmd: unknown argument type "vector"`},
		{"argument without a type", resp.Array(infoEntry("cmd")), pairs(str("cmd"), docEntry(pairs(str("name"), str("x")))), `cmd: argument "x" has no type`},
		{"docs not a map", resp.Array(infoEntry("cmd")), pairs(str("cmd"), resp.Int(1)), "cmd: unexpected entry of kind integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, err := commands.Parse(tt.info, tt.docs, commands.Strict)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(Strict) = %+v, %v; want an error containing %q", cmds, err, tt.want)
			}
			// What Strict refuses, Lenient reads as far as it can.
			if _, err := commands.Parse(tt.info, tt.docs, commands.Lenient); err != nil {
				t.Errorf("Parse(Lenient): %v", err)
			}
		})
	}
}

// TestParseLenient is how the shell reads a live server's COMMAND DOCS:
// no COMMAND INFO, module commands, things this table does not know.
func TestParseLenient(t *testing.T) {
	docs := pairs(
		str("MOD.ADD"), docEntry(
			pairs(str("name"), str("key"), str("type"), str("key"), str("key_spec_index"), resp.Int(0)),
			pairs(str("name"), str("vec"), str("type"), str("vector"), str("flags"), strs("multiple", "sparkly")),
			pairs(str("name"), str("fast"), str("type"), str("pure-token"), str("token"), str("FAST"), str("flags"), strs("optional")),
		),
		str("broken"), resp.Int(3),
		str("mod.cfg"), pairs(str("summary"), str("container"), str("subcommands"), pairs(
			str("mod.cfg|set"), docEntry(),
			str("mod.cfg|get"), docEntry(),
		)),
	)
	cmds, err := commands.Parse(resp.Value{}, docs, commands.Lenient)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
		for _, s := range c.Subcommands {
			names = append(names, s.Name)
		}
	}
	if want := []string{"mod.add", "mod.cfg", "mod.cfg|get", "mod.cfg|set"}; !slices.Equal(names, want) {
		t.Fatalf("names %q, want %q (sorted, lower-case, the broken entry left out)", names, want)
	}
	add := cmds[0]
	if add.Summary != "does things" || len(add.Args) != 3 {
		t.Fatalf("mod.add = %+v", add)
	}
	if a := add.Args[1]; a.Type != commands.ArgString || a.Flags != commands.ArgMultiple {
		t.Errorf("unknown type and flag: %+v, want a string, multiple", a)
	}
	if got, want := add.Usage(), "MOD.ADD key vec [vec ...] [FAST]"; got != want {
		t.Errorf("Usage() = %q, want %q", got, want)
	}
}

// TestParseReadsRESP3 checks that COMMAND DOCS as a RESP3 connection
// gets it (maps where RESP2 has arrays of pairs) parses to the same
// commands as the RESP2 reply of the snapshot.
func TestParseReadsRESP3(t *testing.T) {
	snap := readSnapshot(t)
	// The maps of COMMAND DOCS: name to doc, doc fields, argument fields,
	// subcommands.
	var docMap, doc, args func(v resp.Value) resp.Value
	docMap = func(v resp.Value) resp.Value {
		out := resp.Value{Kind: resp.KindMap}
		for _, kv := range v.Pairs() {
			out.Elems = append(out.Elems, kv[0], doc(kv[1]))
		}
		return out
	}
	doc = func(v resp.Value) resp.Value {
		out := resp.Value{Kind: resp.KindMap}
		for _, kv := range v.Pairs() {
			val := kv[1]
			switch kv[0].Text() {
			case "arguments":
				val = args(val)
			case "subcommands":
				val = docMap(val)
			}
			out.Elems = append(out.Elems, kv[0], val)
		}
		return out
	}
	args = func(v resp.Value) resp.Value {
		out := resp.Array()
		for _, a := range v.Elems {
			out.Elems = append(out.Elems, doc(a))
		}
		return out
	}
	// Through the wire and back, as a RESP3 connection reads it.
	wire := resp.AppendValue(nil, docMap(snap.Docs))
	docs, err := resp.NewReader(bufio.NewReader(bytes.NewReader(wire))).ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	if docs.Kind != resp.KindMap || docs.Elems[1].Kind != resp.KindMap {
		t.Fatalf("the docs are not RESP3 maps: %s of %s", docs.Kind, docs.Elems[1].Kind)
	}
	want, err := snap.Commands()
	if err != nil {
		t.Fatal(err)
	}
	got, err := commands.Parse(snap.Info, docs, commands.Strict)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RESP3 docs parse differently from RESP2 docs")
	}
}

// FuzzParse reads arbitrary replies as COMMAND DOCS and COMMAND INFO: a
// live server's docs reach the shell's parser, which must never fail in
// Lenient mode nor panic in either mode.
func FuzzParse(f *testing.F) {
	version := string(resp.AppendValue(nil, resp.BulkString("7.0.15")))
	info := "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*1\r\n+@read\r\n*0\r\n" +
		"*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
		"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"
	docs := "%1\r\n$3\r\nget\r\n%2\r\n$7\r\nsummary\r\n$3\r\nGet\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n"
	f.Add([]byte(version + info + docs))
	f.Add([]byte(version + "*0\r\n" + docs))
	f.Add([]byte(version + info + "*2\r\n$3\r\nget\r\n*2\r\n$11\r\nsubcommands\r\n*2\r\n$5\r\nget|x\r\n*0\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 4096 {
			return
		}
		rd := resp.NewReader(bufio.NewReader(bytes.NewReader(in)))
		var vs [3]resp.Value
		for i := range vs {
			v, err := rd.ReadValue()
			if err != nil {
				break
			}
			vs[i] = v
		}
		info, docs := vs[1], vs[2]
		if _, err := commands.Parse(info, docs, commands.Lenient); err != nil {
			t.Fatalf("Parse(Lenient): %v", err)
		}
		if cmds, err := commands.Parse(resp.Value{}, docs, commands.Lenient); err != nil {
			t.Fatalf("Parse(Lenient) of docs alone: %v", err)
		} else {
			for _, c := range cmds {
				_ = c.Usage()
			}
		}
		commands.Parse(info, docs, commands.Strict)
	})
}
