package commands_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx/commands"
)

func byteArgs(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// keyTests are commands with the indexes of their keys. Every key name is
// distinct so the server's COMMAND GETKEYS (which returns names) can be
// compared with the indexes.
var keyTests = []struct {
	name string
	args []string
	want []int
}{
	{"GET", []string{"GET", "k1"}, []int{1}},
	{"SET with options", []string{"set", "k1", "v", "NX", "GET"}, []int{1}},
	{"MSET", []string{"MSET", "k1", "v1", "k2", "v2"}, []int{1, 3}},
	{"MGET", []string{"MGET", "k1", "k2", "k3"}, []int{1, 2, 3}},
	{"DEL", []string{"DEL", "k1", "k2"}, []int{1, 2}},
	{"RENAME", []string{"RENAME", "k1", "k2"}, []int{1, 2}},
	{"BITOP", []string{"BITOP", "AND", "dst", "k1", "k2"}, []int{2, 3, 4}},
	{"BZPOPMIN last key before the timeout", []string{"BZPOPMIN", "k1", "k2", "0"}, []int{1, 2}},
	{"LMOVE", []string{"LMOVE", "k1", "k2", "LEFT", "RIGHT"}, []int{1, 2}},
	{"EVAL numkeys", []string{"EVAL", "return 1", "2", "k1", "k2", "arg"}, []int{3, 4}},
	{"EVAL no keys", []string{"EVAL", "return 1", "0", "arg"}, nil},
	{"FCALL", []string{"FCALL", "f", "1", "k1", "arg"}, []int{3}},
	{"XREAD STREAMS", []string{"XREAD", "COUNT", "2", "STREAMS", "k1", "k2", "0-0", "0-1"}, []int{4, 5}},
	{"XREAD lower-case keyword", []string{"xread", "block", "0", "streams", "k1", "$"}, []int{4}},
	{"XREADGROUP", []string{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "k1", ">"}, []int{5}},
	{"ZUNIONSTORE", []string{"ZUNIONSTORE", "dst", "2", "k1", "k2", "WEIGHTS", "1", "2"}, []int{1, 3, 4}},
	{"ZUNION", []string{"ZUNION", "2", "k1", "k2", "WITHSCORES"}, []int{2, 3}},
	{"SORT", []string{"SORT", "k1"}, []int{1}},
	{"SORT STORE", []string{"SORT", "k1", "BY", "w_*", "GET", "o_*", "STORE", "dst"}, []int{1, 7}},
	{"SORT LIMIT STORE", []string{"SORT", "k1", "LIMIT", "0", "10", "ALPHA", "STORE", "dst"}, []int{1, 7}},
	{"SORT GET store", []string{"SORT", "k1", "GET", "store", "DESC"}, []int{1}},
	{"SORT_RO", []string{"SORT_RO", "k1", "BY", "w_*"}, []int{1}},
	{"MIGRATE one key", []string{"MIGRATE", "h", "6379", "k1", "0", "5000", "COPY"}, []int{3}},
	{"MIGRATE KEYS", []string{"MIGRATE", "h", "6379", "", "0", "5000", "REPLACE", "AUTH", "pw", "KEYS", "k1", "k2"}, []int{10, 11}},
	{"MIGRATE AUTH2 password keys", []string{"MIGRATE", "h", "6379", "", "0", "5000", "AUTH2", "user", "keys", "KEYS", "k1"}, []int{10}},
	{"GEORADIUS STORE", []string{"GEORADIUS", "k1", "0", "0", "10", "km", "STORE", "dst"}, []int{1, 7}},
	{"GEORADIUS STOREDIST", []string{"GEORADIUS", "k1", "0", "0", "10", "km", "WITHDIST", "STOREDIST", "dst"}, []int{1, 8}},
	{"GEOSEARCHSTORE", []string{"GEOSEARCHSTORE", "dst", "k1", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"}, []int{1, 2}},
	{"OBJECT ENCODING", []string{"OBJECT", "ENCODING", "k1"}, []int{2}},
	{"MEMORY USAGE", []string{"memory", "usage", "k1", "SAMPLES", "5"}, []int{2}},
	{"XINFO STREAM", []string{"XINFO", "STREAM", "k1", "FULL"}, []int{2}},
	{"LMPOP", []string{"LMPOP", "2", "k1", "k2", "LEFT", "COUNT", "3"}, []int{2, 3}},
	{"BLMPOP", []string{"BLMPOP", "0", "2", "k1", "k2", "RIGHT"}, []int{3, 4}},
	{"BZMPOP", []string{"BZMPOP", "1", "1", "k1", "MIN"}, []int{3}},
	{"SINTERCARD", []string{"SINTERCARD", "2", "k1", "k2", "LIMIT", "1"}, []int{2, 3}},
	{"XADD", []string{"XADD", "k1", "*", "f", "v"}, []int{1}},
	{"PING has no keys", []string{"PING"}, nil},
}

func TestKeyIndexes(t *testing.T) {
	for _, tt := range keyTests {
		t.Run(tt.name, func(t *testing.T) {
			args := byteArgs(tt.args)
			cmd := commands.LookupBytes(args)
			if cmd == nil {
				t.Fatalf("LookupBytes(%q) = nil", tt.args)
			}
			got, err := commands.KeyIndexes(cmd, args)
			if err != nil {
				t.Fatalf("KeyIndexes(%q): %v", tt.args, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("KeyIndexes(%q) = %v, want %v", tt.args, got, tt.want)
			}
		})
	}
}

func TestKeyIndexesErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"GET without key", []string{"GET"}},
		{"EVAL numkeys not a number", []string{"EVAL", "s", "two", "k1"}},
		{"EVAL numkeys negative", []string{"EVAL", "s", "-1", "k1"}},
		{"EVAL numkeys past the end", []string{"EVAL", "s", "3", "k1"}},
		{"EVAL numkeys huge", []string{"EVAL", "s", "99999999999999999999", "k1"}},
		{"MSET without keys", []string{"MSET"}},
		{"MIGRATE KEYS with a key", []string{"MIGRATE", "h", "1", "k1", "0", "5", "KEYS", "k2"}},
		{"MIGRATE too short", []string{"MIGRATE", "h"}},
		{"SORT without key", []string{"SORT"}},
		{"ZUNIONSTORE numkeys past the end", []string{"ZUNIONSTORE", "dst", "5", "k1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := byteArgs(tt.args)
			got, err := commands.KeyIndexes(commands.LookupBytes(args), args)
			if !errors.Is(err, commands.ErrKeyArgs) {
				t.Errorf("KeyIndexes(%q) = %v, %v; want an ErrKeyArgs error", tt.args, got, err)
			}
		})
	}
	if _, err := commands.KeyIndexes(nil, byteArgs([]string{"NOSUCH", "k"})); !errors.Is(err, commands.ErrKeyArgs) {
		t.Errorf("KeyIndexes(nil command) error = %v, want ErrKeyArgs", err)
	}
}

func TestRoutingIndexes(t *testing.T) {
	tests := []struct {
		args         []string
		keys, routes []int
	}{
		{[]string{"SPUBLISH", "ch", "msg"}, nil, []int{1}},
		{[]string{"SSUBSCRIBE", "ch1", "ch2"}, nil, []int{1, 2}},
		{[]string{"GET", "k1"}, []int{1}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			args := byteArgs(tt.args)
			cmd := commands.LookupBytes(args)
			keys, err := commands.KeyIndexes(cmd, args)
			if err != nil || !slices.Equal(keys, tt.keys) {
				t.Errorf("KeyIndexes(%q) = %v, %v; want %v", tt.args, keys, err, tt.keys)
			}
			routes, err := commands.RoutingIndexes(cmd, args)
			if err != nil || !slices.Equal(routes, tt.routes) {
				t.Errorf("RoutingIndexes(%q) = %v, %v; want %v", tt.args, routes, err, tt.routes)
			}
		})
	}
}

func TestAppendKeyIndexesReusesBuffer(t *testing.T) {
	args := byteArgs([]string{"MSET", "a", "1", "b", "2"})
	cmd := commands.LookupBytes(args)
	buf := make([]int, 0, 8)
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		buf, err = commands.AppendKeyIndexes(buf[:0], cmd, args)
		if err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("AppendKeyIndexes allocates %v times per call, want 0", allocs)
	}
}

// TestKeyIndexesMatchServer checks every case against the server's own
// COMMAND GETKEYS.
func TestKeyIndexesMatchServer(t *testing.T) {
	srv := redistest.Start(t)
	for _, tt := range keyTests {
		if len(tt.want) == 0 {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			reply := srv.Do(t, append([]string{"COMMAND", "GETKEYS"}, tt.args...)...)
			if reply.IsError() {
				t.Fatalf("COMMAND GETKEYS %q: %s", tt.args, reply.Str)
			}
			var want []string
			for _, e := range reply.Elems {
				want = append(want, e.Text())
			}
			var got []string
			for _, i := range tt.want {
				got = append(got, tt.args[i])
			}
			if !slices.Equal(got, want) {
				t.Errorf("keys of %q: table gives %q, server %q", tt.args, got, want)
			}
		})
	}
}

func BenchmarkKeyIndexes(b *testing.B) {
	args := byteArgs([]string{"XREAD", "COUNT", "2", "STREAMS", "k1", "k2", "0-0", "0-1"})
	cmd := commands.LookupBytes(args)
	buf := make([]int, 0, 8)
	for b.Loop() {
		buf, _ = commands.AppendKeyIndexes(buf[:0], cmd, args)
	}
}

// FuzzKeyIndexes checks that any arguments give indexes inside args, in
// increasing order within what one spec finds, or an error, and never
// a panic.
func FuzzKeyIndexes(f *testing.F) {
	for _, tt := range keyTests {
		f.Add(strings.Join(tt.args, "\x00"))
	}
	f.Add("EVAL\x00s\x00-5")
	f.Add("XREAD\x00STREAMS")
	f.Add("MIGRATE\x00h\x00p\x00\x00\x000\x00KEYS")
	f.Fuzz(func(t *testing.T, line string) {
		args := byteArgs(strings.Split(line, "\x00"))
		cmd := commands.LookupBytes(args)
		for _, find := range []func(*commands.Command, [][]byte) ([]int, error){commands.KeyIndexes, commands.RoutingIndexes} {
			idx, err := find(cmd, args)
			if err != nil {
				if !errors.Is(err, commands.ErrKeyArgs) {
					t.Fatalf("%q: error %v does not wrap ErrKeyArgs", line, err)
				}
				continue
			}
			for _, i := range idx {
				if i < 1 || i >= len(args) {
					t.Fatalf("%q: index %d outside the arguments", line, i)
				}
			}
		}
	})
}
