package commands_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
)

func TestLookupCommand(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"get", "get"},
		{"GET", "get"},
		{"GeoRadius_RO", "georadius_ro"},
		{"config", "config"},
		{"client", "client"},
		{"restore-asking", "restore-asking"},
		{"nosuch", ""},
		{"", ""},
		{"ge", ""},
		{"gett", ""},
		{"config|get", ""},
		{"zzzzzz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := commands.LookupCommand(tt.name)
			got := ""
			if c != nil {
				got = c.Name
			}
			if got != tt.want {
				t.Errorf("LookupCommand(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"CONFIG", "GET", "maxmemory"}, "config|get"},
		{[]string{"config", "Set"}, "config|set"},
		{[]string{"client", "no-evict", "on"}, "client|no-evict"},
		{[]string{"CONFIG"}, "config"},
		{[]string{"CONFIG", "nosuch"}, "config"},
		{[]string{"GET", "config"}, "get"},
		{[]string{"nosuch", "get"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, "_"), func(t *testing.T) {
			for _, c := range []*commands.Command{commands.Lookup(tt.args), commands.LookupBytes(byteArgs(tt.args))} {
				got := ""
				if c != nil {
					got = c.Name
				}
				if got != tt.want {
					t.Errorf("Lookup(%q) = %q, want %q", tt.args, got, tt.want)
				}
			}
		})
	}
}

func TestSubcommand(t *testing.T) {
	cfg := commands.LookupCommand("config")
	if got := cfg.Subcommand("GET"); got == nil || got.Name != "config|get" {
		t.Errorf("CONFIG.Subcommand(GET) = %v, want config|get", got)
	}
	if got := cfg.Subcommand("nosuch"); got != nil {
		t.Errorf("CONFIG.Subcommand(nosuch) = %q, want nil", got.Name)
	}
	if got := commands.LookupCommand("get").Subcommand("x"); got != nil {
		t.Errorf("GET.Subcommand(x) = %q, want nil", got.Name)
	}
	var none *commands.Command
	if got := none.Subcommand("x"); got != nil {
		t.Errorf("nil.Subcommand(x) = %q, want nil", got.Name)
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	args := []string{"config", "get", "maxmemory"}
	bargs := byteArgs(args)
	tests := map[string]func(){
		"LookupCommand": func() { commands.LookupCommand("ZRANGEBYSCORE") },
		"Lookup":        func() { commands.Lookup(args) },
		"LookupBytes":   func() { commands.LookupBytes(bargs) },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, f); n != 0 {
				t.Errorf("%s allocates %v times per call, want 0", name, n)
			}
		})
	}
}

// TestTableIsSorted guards the binary searches.
func TestTableIsSorted(t *testing.T) {
	var check func(what string, cmds []commands.Command)
	check = func(what string, cmds []commands.Command) {
		for i := 1; i < len(cmds); i++ {
			if cmds[i-1].Name >= cmds[i].Name {
				t.Errorf("%s: %q sorts before %q", what, cmds[i-1].Name, cmds[i].Name)
			}
		}
		for _, c := range cmds {
			if c.Name != strings.ToLower(c.Name) {
				t.Errorf("%s: name %q is not lower-case", what, c.Name)
			}
			for _, s := range c.Subcommands {
				if !strings.HasPrefix(s.Name, c.Name+"|") {
					t.Errorf("subcommand %q is not named after %q", s.Name, c.Name)
				}
			}
			check(c.Name, c.Subcommands)
		}
	}
	check("table", commands.All())
	if g := commands.Groups(); !slices.IsSorted(g) || len(g) == 0 {
		t.Errorf("Groups() = %q, want a sorted non-empty list", g)
	}
}

func TestSyntax(t *testing.T) {
	// Expected texts are redis-cli 7.0's "help" output for each command.
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"GET"}, "key"},
		{[]string{"SET"}, "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"},
		{[]string{"XADD"}, "key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]"},
		{[]string{"ZADD"}, "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"},
		{[]string{"CLIENT", "KILL"}, "ip:port|[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|[USER username]|[ADDR ip:port]|[LADDR ip:port]|[SKIPME yes/no] [[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|[USER username]|[ADDR ip:port]|[LADDR ip:port]|[SKIPME yes/no] ...]"},
		{[]string{"GEOSEARCH"}, "key FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]"},
		{[]string{"MIGRATE"}, "host port key| destination-db timeout [COPY] [REPLACE] [[AUTH password]|[AUTH2 username password]] [KEYS key [key ...]]"},
		{[]string{"SORT"}, "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] [STORE destination]"},
		{[]string{"CLIENT", "TRACKING"}, "ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]"},
		{[]string{"BITFIELD_RO"}, "key GET encoding offset [GET encoding offset ...]"},
		{[]string{"CONFIG"}, ""},
		{[]string{"PING"}, "[message]"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, "_"), func(t *testing.T) {
			c := commands.Lookup(tt.args)
			if c == nil {
				t.Fatalf("Lookup(%q) = nil", tt.args)
			}
			if got := c.Syntax(); got != tt.want {
				t.Errorf("Syntax() = %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestUsageAndFullName(t *testing.T) {
	if got := commands.Lookup([]string{"config", "get"}).Usage(); got != "CONFIG GET parameter [parameter ...]" {
		t.Errorf("CONFIG GET usage = %q", got)
	}
	if got := commands.LookupCommand("quit").Usage(); got != "QUIT" {
		t.Errorf("QUIT usage = %q", got)
	}
}

func TestFlagStrings(t *testing.T) {
	set := commands.LookupCommand("set")
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"CommandFlag", set.Flags.String(), "write denyoom"},
		{"ACLCategory", set.ACL.String(), "@write @string @slow"},
		{"KeySpecFlag", set.KeySpecs[0].Flags.String(), "RW access update variable_flags"},
		{"DocFlag", commands.LookupCommand("georadius").DocFlags.String(), "deprecated"},
		{"ArgFlag", (commands.ArgOptional | commands.ArgMultiple).String(), "optional multiple"},
		{"ArgType", commands.ArgUnixTime.String(), "unix-time"},
		{"ArgType unknown", commands.ArgType(0).String(), "unknown"},
		{"empty", commands.CommandFlag(0).String(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("String() = %q, want %q", tt.got, tt.want)
			}
		})
	}
	if !set.Flags.Has(commands.FlagWrite|commands.FlagDenyOOM) || set.Flags.Has(commands.FlagReadonly) {
		t.Errorf("SET flags %q: Has is wrong", set.Flags)
	}
}

// TestTableMatchesServer compares the generated table with what the
// server reports, when it is the version the table was generated from.
// (scripts/gen-commands.sh --check compares everything byte for byte.)
func TestTableMatchesServer(t *testing.T) {
	srv := redistest.Start(t)
	info := srv.Do(t, "INFO", "server").Text()
	if !strings.Contains(info, "redis_version:"+commands.TableVersion()+"\r\n") {
		t.Skipf("redis-server is not version %s", commands.TableVersion())
	}
	reply := srv.Do(t, "COMMAND", "INFO")
	if got, want := len(commands.All()), len(reply.Elems); got != want {
		t.Errorf("table has %d commands, server %d", got, want)
	}
	var check func(entries []resp.Value)
	check = func(entries []resp.Value) {
		for _, e := range entries {
			name := e.Elems[0].Text()
			args := strings.SplitN(name, "|", 2)
			c := commands.Lookup(args)
			if c == nil || c.Name != name {
				t.Errorf("%s: not in the table", name)
				continue
			}
			var flags []string
			for _, f := range e.Elems[2].Elems {
				flags = append(flags, f.Text())
			}
			slices.Sort(flags)
			mine := strings.Fields(c.Flags.String())
			slices.Sort(mine)
			if !slices.Equal(flags, mine) {
				t.Errorf("%s: flags %q, server %q", name, mine, flags)
			}
			if c.Arity != int(e.Elems[1].Int) || c.FirstKey != int(e.Elems[3].Int) ||
				c.LastKey != int(e.Elems[4].Int) || c.Step != int(e.Elems[5].Int) {
				t.Errorf("%s: arity/keys %d %d %d %d, server %d %d %d %d", name,
					c.Arity, c.FirstKey, c.LastKey, c.Step,
					e.Elems[1].Int, e.Elems[3].Int, e.Elems[4].Int, e.Elems[5].Int)
			}
			if got, want := len(c.KeySpecs), len(e.Elems[8].Elems); got != want {
				t.Errorf("%s: %d key specs, server %d", name, got, want)
			}
			check(e.Elems[9].Elems)
		}
	}
	check(reply.Elems)
}

func BenchmarkLookupCommand(b *testing.B) {
	for b.Loop() {
		commands.LookupCommand("ZRANGEBYSCORE")
	}
}

func BenchmarkLookupBytes(b *testing.B) {
	args := byteArgs([]string{"CONFIG", "GET", "maxmemory"})
	for b.Loop() {
		commands.LookupBytes(args)
	}
}
