package cmd

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
)

// diagBuffer is a strings.Builder safe for one writer and one reader.
type diagBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *diagBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *diagBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// dbConn returns a connection to database db of s, closed when the test
// ends.
func dbConn(t *testing.T, s *redistest.Server, db int) *redisx.Conn {
	t.Helper()
	o := s.Options()
	o.DB = db
	conn, err := redisx.Dial(context.Background(), &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// mustDo runs one command on conn.
func mustDo(t *testing.T, conn *redisx.Conn, args ...string) {
	t.Helper()
	v, err := conn.DoStrings(context.Background(), args...)
	if err != nil || v.IsError() {
		t.Fatalf("%q: %v %s", args, err, v.Str)
	}
}

// seedKeys fills database db with n keys of each type whose sizes grow
// with their number (key i has i elements), so that each type has one
// clear biggest key, plus a string whose name needs escaping.
func seedKeys(t *testing.T, s *redistest.Server, db, n int) {
	t.Helper()
	conn := dbConn(t, s, db)
	for i := 1; i <= n; i++ {
		is := strconv.Itoa(i)
		list, set := []string{"RPUSH", "list:" + is}, []string{"SADD", "set:" + is}
		hash, zset := []string{"HSET", "hash:" + is}, []string{"ZADD", "zset:" + is}
		for j := 0; j < i; j++ {
			js := strconv.Itoa(j)
			list, set = append(list, "m"+js), append(set, "m"+js)
			hash, zset = append(hash, "f"+js, "v"), append(zset, js, "m"+js)
			mustDo(t, conn, "XADD", "stream:"+is, "*", "f", "v")
		}
		mustDo(t, conn, "SET", "str:"+is, strings.Repeat("x", i))
		for _, cmd := range [][]string{list, set, hash, zset} {
			mustDo(t, conn, cmd...)
		}
	}
	mustDo(t, conn, "SET", "quote\"and\nnewline\xff", strings.Repeat("y", 2*n))
}

func TestBigKeysMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	// db 0 stays empty; db 1 holds one key; db 2 the seeded set.
	mustDo(t, dbConn(t, s, 1), "SET", "only", "one")
	seedKeys(t, s, 2, 25)
	// db 3: more keys than one script call sizes, so the scan crosses
	// several calls.
	conn3 := dbConn(t, s, 3)
	for i := 1; i <= 700; i++ {
		mustDo(t, conn3, "SET", "k"+strconv.Itoa(i), strings.Repeat("v", i%97))
	}
	// A user who may not run scripts: the scan goes on with plain commands.
	mustDo(t, dbConn(t, s, 0), "ACL", "SETUSER", "noscripts", "on", ">pw", "~*", "+@all", "-@scripting")
	tests := []struct {
		name string
		args []string
	}{
		{"empty", []string{"-n", "0", "--bigkeys"}},
		{"one key", []string{"-n", "1", "--bigkeys"}},
		{"one key memkeys", []string{"-n", "1", "--memkeys"}},
		{"bigkeys", []string{"-n", "2", "--bigkeys"}},
		{"memkeys", []string{"-n", "2", "--memkeys"}},
		{"memkeys-samples", []string{"-n", "2", "--memkeys-samples", "3"}},
		{"pattern", []string{"-n", "2", "--bigkeys", "--pattern", "l*"}},
		{"quoted-pattern", []string{"-n", "2", "--bigkeys", "--quoted-pattern", `"s*"`}},
		{"with -i", []string{"-n", "2", "--bigkeys", "-i", "0.001"}},
		{"bigkeys wins over memkeys", []string{"-n", "2", "--memkeys", "--bigkeys"}},
		{"several script calls", []string{"-n", "3", "--bigkeys"}},
		{"several script calls memkeys", []string{"-n", "3", "--memkeys"}},
		{"no scripts", []string{"-n", "2", "--bigkeys", "--user", "noscripts", "--pass", "pw", "--no-auth-warning"}},
		{"no scripts memkeys", []string{"-n", "3", "--memkeys", "--user", "noscripts", "--pass", "pw", "--no-auth-warning"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := portArgs(s, tc.args...)
			got := runRedish(t, nil, "", args...)
			want := runCLI(t, nil, "", args...)
			if got.out != want.out || got.code != want.code {
				t.Errorf("redish (exit %d):\n%s\nredis-cli (exit %d):\n%s", got.code, got.out, want.code, want.out)
			}
			if got.err != "" {
				t.Errorf("stderr: %q, want nothing (stderr is not a terminal)", got.err)
			}
		})
	}
}

// TestBigKeysRunsScripts: where the server runs scripts, --bigkeys and
// --memkeys size keys in a few script calls, not with a TYPE and a size
// command per key each; with -i (pauses between SCANs) they send plain commands.
func TestBigKeysRunsScripts(t *testing.T) {
	s := redistest.Start(t)
	conn := dbConn(t, s, 0)
	for i := 1; i <= 700; i++ {
		mustDo(t, conn, "SET", "k"+strconv.Itoa(i), "v")
	}
	calls := func(name string) int {
		v, err := conn.DoStrings(context.Background(), "INFO", "commandstats")
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^cmdstat_` + name + `:calls=(\d+)`).FindStringSubmatch(string(v.Str))
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	for _, tc := range []struct {
		args     []string
		scripted bool
	}{
		{[]string{"--bigkeys"}, true},
		{[]string{"--memkeys"}, true},
		{[]string{"--bigkeys", "-i", "0.0001"}, false},
	} {
		mustDo(t, conn, "CONFIG", "RESETSTAT")
		if r := runRedish(t, nil, "", portArgs(s, tc.args...)...); r.code != 0 {
			t.Fatalf("%q: exit %d: %s", tc.args, r.code, r.err)
		}
		// (TYPE counts its calls from scripts too.)
		evals, types := calls("eval"), calls("type")
		if tc.scripted && (evals < 3 || evals > 10) {
			t.Errorf("%q: %d EVAL calls; want 3 to 10 (700 keys, a few hundred per call)", tc.args, evals)
		}
		if !tc.scripted && (evals != 0 || types != 700) {
			t.Errorf("%q: %d EVAL and %d TYPE calls; want none and 700", tc.args, evals, types)
		}
	}
}

func TestBigKeysProgressOnTerminal(t *testing.T) {
	s := redistest.Start(t)
	seedKeys(t, s, 0, 5)
	plain := runRedish(t, nil, "", portArgs(s, "--bigkeys")...)
	ios, out, errOut := Test("")
	ios.ErrTTY = true
	if code := Run(context.Background(), portArgs(s, "--bigkeys"), ios); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out.String() != plain.out {
		t.Errorf("stdout changed with stderr a terminal:\n%s\nwant:\n%s", out, plain.out)
	}
	progress := regexp.MustCompile(`^\r\x1b\[2K\[\d\d\.\d\d%\] \d+ of 31 keys sampled`)
	if !progress.MatchString(errOut.String()) || !strings.HasSuffix(errOut.String(), "\r\x1b[2K") {
		t.Errorf("stderr = %q, want a progress line, cleared at the end", errOut)
	}
}

func TestBigKeysCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0)
	seed := cl.Primaries()[0]
	ctx := context.Background()
	// Keys on every primary; the biggest of each type on different nodes.
	var cmds []string
	for i := 1; i <= 30; i++ {
		cmds = append(cmds, fmt.Sprintf("SET s%d %s", i, strings.Repeat("x", i)))
		cmds = append(cmds, fmt.Sprintf("RPUSH l%d %s", i, strings.TrimSpace(strings.Repeat("a ", i))))
	}
	ios, _, errOut := Test(strings.Join(cmds, "\n") + "\n")
	if code := Run(ctx, []string{"-c", "-p", strconv.Itoa(seed.Port)}, ios); code != 0 {
		t.Fatalf("seeding: exit %d: %s", code, errOut)
	}
	got := runRedish(t, nil, "", "-c", "-p", strconv.Itoa(seed.Port), "--bigkeys")
	if got.code != 0 || got.err != "" {
		t.Fatalf("exit %d, stderr %q", got.code, got.err)
	}
	for _, want := range []string{
		"Sampled 60 keys in the keyspace!\n",
		"Biggest   list found '\"l30\"' has 30 items\n",
		"Biggest string found '\"s30\"' has 30 bytes\n",
		"30 lists with 465 items (50.00% of keys, avg size 15.50)\n",
		"30 strings with 465 bytes (50.00% of keys, avg size 15.50)\n",
	} {
		if !strings.Contains(got.out, want) {
			t.Errorf("output lacks %q:\n%s", want, got.out)
		}
	}
	// Every primary holds some of the keys: the scan went to all of them.
	for _, p := range cl.Primaries() {
		if n := p.Do(t, "DBSIZE").Int; n == 0 {
			t.Errorf("primary %s holds no key: the test data does not cover it", p.Addr())
		}
	}
}
