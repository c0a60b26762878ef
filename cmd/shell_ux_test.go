package cmd

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
)

// Tests of the shell's terminal experience, each in a real terminal
// (creack/pty) running the real binary.

// waitScreen waits until the terminal, as a 200x50 xterm shows what
// redish wrote, satisfies ok.
func (tm *ptyTerm) waitScreen(what string, ok func(*vtScreen) bool) *vtScreen {
	tm.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		s := newVTScreen(200, 50)
		s.feed(tm.screen())
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen never showed %s; cursor row %d col %d, row text %q", what, s.row, s.col, s.line(s.row))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestShellHighlighting(t *testing.T) {
	srv := redistest.Start(t)
	p := prompt(srv)
	port := strconv.Itoa(srv.Port)

	t.Run("dark theme", func(t *testing.T) {
		tm := startTerm(t, []string{"NO_COLOR="}, "-p", port)
		tm.wait(srv.Addr())
		tm.wait("> ")
		tm.typeText("SET k 10 EX 100 ")
		// Command, key, string/number, option word and number, each in
		// its colour, then the hint in grey.
		tm.wait("\x1b[1;33mSET\x1b[0m \x1b[36mk\x1b[0m \x1b[94m10\x1b[0m \x1b[35mEX\x1b[0m \x1b[32m100\x1b[0m \x1b[90m[NX|XX] [GET]")
		tm.typeText("\x15CONFIG GET maxmemory")
		tm.wait("\x1b[1;33mCONFIG\x1b[0m \x1b[33mGET\x1b[0m \x1b[94mmaxmemory")
		// Problems show before Enter.
		tm.typeText("\x15NOSUCH ")
		tm.wait("\x1b[4;31mNOSUCH\x1b[0m \x1b[31m(unknown command)")
		tm.typeText("\x15GET a b")
		tm.wait("\x1b[4;31mb\x1b[0m\x1b[31m (wrong number of arguments)")
		tm.typeText("\x15SET k v EX soon ")
		tm.wait("\x1b[31m(not a number)")
		tm.typeText("\x15")
		tm.run(":set theme light", "theme light")
		tm.typeText("GET k")
		tm.wait("\x1b[1;34mGET\x1b[0m \x1b[35mk")
		tm.typeText("\x15")
		tm.run(":set theme none", "theme none")
		tm.typeText("GET ")
		tm.wait("GET # key")
	})

	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"NO_COLOR", nil, nil},
		{"--no-color", []string{"NO_COLOR="}, []string{"--no-color"}},
		{"CLICOLOR=0", []string{"NO_COLOR=", "CLICOLOR=0"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := startTerm(t, tc.env, append(tc.args, "-p", port)...)
			tm.wait(p)
			// Without colour the hint is marked, so it does not read as
			// typed text.
			tm.typeText("GET ")
			tm.wait("GET # key")
			tm.typeText("\x15NOSUCH ")
			tm.wait("NOSUCH # (unknown command)")
			tm.typeText("\x15")
			tm.run("PING", "PONG")
			if strings.Contains(tm.screen(), "\x1b[3") || strings.Contains(tm.screen(), "\x1b[9") {
				t.Errorf("colour sequences without colour:\n%q", tm.screen())
			}
		})
	}
}

func TestShellWideCharacters(t *testing.T) {
	srv := redistest.Start(t)
	p := prompt(srv)
	tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port))
	tm.wait(p)
	line := `SET 日本 "e` + "\u0301" + ` 😀x"`
	tm.typeText(line)
	tm.waitScreen("the line", func(s *vtScreen) bool { return strings.HasSuffix(s.cursorText(), `😀x"`) })
	// Left over x, then over the emoji: the cursor is drawn before it.
	tm.typeText("\x1b[D\x1b[D\x1b[D")
	tm.waitScreen("the cursor before the emoji", func(s *vtScreen) bool {
		return s.cursorText() == p+`SET 日本 "e`+"\u0301 "
	})
	// Left over the space and the combining accent: the cursor stays
	// after the e the accent belongs to, then goes before it.
	tm.typeText("\x1b[D\x1b[D")
	tm.waitScreen("the cursor after the e", func(s *vtScreen) bool { return s.cursorText() == p+`SET 日本 "e`+"\u0301" })
	tm.typeText("\x1b[D\x1b[D\x1b[D")
	tm.waitScreen("the cursor after 日本", func(s *vtScreen) bool { return s.cursorText() == p+`SET 日本` })
	// Delete the CJK character before the cursor: the line closes up.
	tm.typeText("\x7f")
	tm.waitScreen("本 deleted", func(s *vtScreen) bool {
		return s.cursorText() == p+`SET 日` && strings.HasPrefix(s.line(s.row), p+`SET 日 "e`+"\u0301"+` 😀x"`)
	})
	// Ctrl-A and Ctrl-E go to the ends.
	tm.typeText("\x01")
	tm.waitScreen("the start", func(s *vtScreen) bool { return s.cursorText() == p })
	tm.typeText("\x05")
	tm.waitScreen("the end", func(s *vtScreen) bool { return s.cursorText() == p+`SET 日 "e`+"\u0301"+` 😀x"` })
	tm.enter("")
	tm.wait("OK")
	tm.wait(p)

	// Values print as redis-cli prints them, or as text with :set
	// decode utf-8.
	tm.run("GET 日", `"e\xcc\x81 \xf0\x9f\x98\x80x"`)
	tm.run(":set decode utf-8", "decode utf-8")
	tm.run("GET 日", `"e`+"\u0301"+` 😀x"`)
	tm.run(`SET bin "\xff\x01ok"`, "OK")
	tm.run("GET bin", `"\xff\x01ok"`)
}

func TestShellPager(t *testing.T) {
	srv := redistest.Start(t)
	args := []string{"RPUSH", "l"}
	for i := range 200 {
		args = append(args, "item"+strconv.Itoa(i))
	}
	srv.Do(t, args...)
	p := prompt(srv)
	port := strconv.Itoa(srv.Port)

	t.Run("less", func(t *testing.T) {
		tm := startTerm(t, nil, "-p", port)
		tm.wait(p)
		tm.enter("LRANGE l 0 -1")
		tm.wait(`"item0"`)
		// less waits at its prompt; q returns to the shell's.
		tm.wait(":")
		tm.typeText("q")
		tm.wait(p)
		tm.enter("INFO")
		tm.wait("# Server")
		tm.typeText("\x03")
		tm.wait(p)
		tm.run("PING", "PONG")
		// A short reply is not paged.
		tm.run("LRANGE l 0 2", `3) "item2"`)
		tm.wait(p)
	})

	t.Run(":set pager", func(t *testing.T) {
		tm := startTerm(t, []string{"PAGER=sed s/^/paged:/"}, "-p", port)
		tm.wait(p)
		tm.run(":set", "pager    on (sed s/^/paged:/)")
		tm.run("LRANGE l 0 -1", `paged:200) "item199"`)
		tm.run(":set pager off", "pager off")
		tm.run("LRANGE l 0 -1", `200) "item199"`)
		if strings.Contains(tm.since(), "paged:") {
			t.Error("paged with :set pager off")
		}
		tm.run(":set pager sed s/^/mine:/", "pager sed s/^/mine:/")
		tm.run("LRANGE l 0 -1", `mine:200) "item199"`)
	})

	t.Run("pipe", func(t *testing.T) {
		tm := startTerm(t, nil, "-p", port)
		tm.wait(p)
		tm.run("LRANGE l 0 -1 | grep -c 9", "38\r\n")
		tm.run("LRANGE l 0 -1 | grep item19 | tail -1", "item199\r\n")
		// A line that is valid with | as an argument is sent as it is.
		tm.run("SET pipe |", "OK")
		tm.run("GET pipe", `"|"`)
		srv.Do(t, "SET", "a", "1")
		srv.Do(t, "SET", "b", "1")
		tm.run("DEL a | b", "(integer) 2")
		tm.run("ECHO x | nosuchcommand-redish", "command not found")
	})

	t.Run("never in one-shot or stdin mode", func(t *testing.T) {
		tm := startTerm(t, []string{"PAGER=sed s/^/paged:/"}, "-p", port, "LRANGE", "l", "0", "-1")
		tm.wait(`200) "item199"`)
		if code := tm.exit(); code != 0 || strings.Contains(tm.screen(), "paged:") {
			t.Errorf("one-shot: exit %d, output %q", code, tm.screen())
		}
		cmd := exec.Command(redishBin, "-p", port)
		cmd.Stdin = strings.NewReader("LRANGE l 0 -1\n")
		cmd.Env = append(os.Environ(), "PAGER=sed s/^/paged:/", "FAKETTY=1")
		out, err := cmd.Output()
		if err != nil || strings.Contains(string(out), "paged:") || !strings.Contains(string(out), "item199") {
			t.Errorf("stdin mode: %v, output %q", err, out)
		}
	})
}

func TestShellPeek(t *testing.T) {
	srv := redistest.Start(t)
	srv.Do(t, "HSET", "user:1", "name", "alice", "age", "30")
	srv.Do(t, "ZADD", "scores", "1", "a", "2.5", "b")
	srv.Do(t, "XADD", "events", "1-1", "type", "login")
	srv.Do(t, "SET", "s", "hello", "EX", "1000")
	srv.Do(t, "RPUSH", "q", "x", "y", "z")
	srv.Do(t, "SADD", "tags", "red")
	p := prompt(srv)
	tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port))
	tm.wait(p)
	tm.run("peek user:1", "type      hash")
	for _, want := range []string{"encoding  listpack", "ttl       none (the key does not expire)", "memory    ", "length    2 fields", "first 2 fields:", `1# "name" => "alice"`, `2# "age" => "30"`} {
		tm.wait(want)
	}
	tm.run(":peek scores", "type      zset")
	tm.wait(`1# "a" => "1"`)
	tm.wait(`2# "b" => "2.5"`)
	tm.run("peek events", "length    1 entries")
	tm.wait(`1) 1) "1-1"`)
	tm.wait(`2) 1) "type"`)
	tm.run("peek s", "ttl       expires in ")
	tm.wait(`value     "hello"`)
	tm.run("peek q 2", "first 2 elements:")
	tm.wait(`2) "y"`)
	tm.run("peek tags", `1~ "red"`)
	tm.run("peek nosuchkey", "type      none (the key does not exist)")
	tm.run("peek", "usage: peek KEY [COUNT]")
	tm.run("MULTI", "OK")
	tm.run("peek q", "peek cannot run inside MULTI")
	tm.run("DISCARD", "OK")

	t.Run("cluster", func(t *testing.T) {
		cl := redistest.StartCluster(t, 3, 0)
		seed := cl.Nodes[0]
		key := ""
		for i := 0; key == "" && i < 1000; i++ {
			if k := "h" + strconv.Itoa(i); cl.NodeForKey(t, k) != seed {
				key = k
			}
		}
		cl.NodeForKey(t, key).Do(t, "HSET", key, "field one", "v")
		tm := startTerm(t, nil, "-c", "-p", strconv.Itoa(seed.Port))
		tm.wait("cluster " + seed.Addr() + "> ")
		tm.run("peek "+key, "type      hash")
		tm.wait(`1# "field one" => "v"`)
		// Completion in cluster mode: the key's fields, from its node.
		tm.typeText("HGET " + key + " f\t")
		tm.wait(`"field one"`)
		tm.enter("")
		tm.wait(`"v"`)
	})
}

func TestShellServerCompletion(t *testing.T) {
	srv := redistest.Start(t)
	srv.Do(t, "SET", "café", "1")
	srv.Do(t, "SET", "日本", "2")
	srv.Do(t, "SET", "key with space", "3")
	srv.Do(t, "HSET", "h", "first name", "a", "fax", "b")
	srv.Do(t, "SADD", "set1", "member-one", "other")
	srv.Do(t, "ZADD", "z1", "1", "zmember", "2", "other")
	srv.Do(t, "ACL", "SETUSER", "reporter", "on", ">pw", "+@read")
	// A client with a name, and one subscribed to a channel.
	named := dialRaw(t, srv, "CLIENT SETNAME worker-7\r\n", "+OK")
	id := strings.TrimSpace(strings.TrimPrefix(sendRaw(t, named, "CLIENT ID\r\n", ":"), ":"))
	dialRaw(t, srv, "SUBSCRIBE news.sports\r\n", "news.sports")
	p := prompt(srv)
	tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port))
	tm.wait(p)
	for _, tc := range []struct{ typed, want string }{
		{"GET caf\t", "GET café "},
		{"GET 日\t", "GET 日本 "},
		{"GET key\t", `GET "key with space" `},
		{"HGET h fi\t", `HGET h "first name" `},
		{"HGET h fa\t", "HGET h fax "},
		{"SREM set1 mem\t", "SREM set1 member-one "},
		{"ZSCORE z1 zm\t", "ZSCORE z1 zmember "},
		{"CONFIG GET maxmemory-p\t", "CONFIG GET maxmemory-policy "},
		{"CONFIG SET lazyfree-lazy-user-d\t", "CONFIG SET lazyfree-lazy-user-del "},
		{"ACL DELUSER rep\t", "ACL DELUSER reporter "},
		{"CLIENT KILL ID worker\t", "CLIENT KILL ID " + id + " "},
		{"SUBSCRIBE news.\t", "SUBSCRIBE news.sports "},
	} {
		tm.typeText(tc.typed)
		tm.waitScreen(tc.want, func(s *vtScreen) bool { return s.cursorText() == p+tc.want })
		tm.typeText("\x15")
	}
	// The question takes at most the documented budget even when the
	// server does not answer: a busy server stalls nothing.
	busy := dialRaw(t, srv, "", "")
	busy.Write([]byte("DEBUG SLEEP 3\r\n"))
	waitBusy(t, srv)
	start := time.Now()
	tm.typeText("GET caf\t")
	tm.typeText("X")
	tm.waitScreen("the key typed after Tab", func(s *vtScreen) bool { return strings.HasSuffix(s.cursorText(), "X") })
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Tab held typing for %v with the server busy", d)
	}
}

// dialRaw connects to srv, sends cmd and waits for a reply holding want.
func dialRaw(t *testing.T, srv *redistest.Server, cmd, want string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if cmd != "" {
		sendRaw(t, c, cmd, want)
	}
	return c
}

// sendRaw sends cmd on c and returns the first line holding want.
func sendRaw(t *testing.T, c net.Conn, cmd, want string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(waitTimeout))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write([]byte(cmd)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("waiting for %q: %v", want, err)
		}
		if strings.Contains(line, want) {
			return line
		}
	}
}

func TestShellGuardRails(t *testing.T) {
	srv := redistest.Start(t)
	srv.Do(t, "SET", "precious", "1")
	p := prompt(srv)
	port := strconv.Itoa(srv.Port)
	tm := startTerm(t, nil, "-p", port)
	tm.wait(p)
	for _, line := range []string{"FLUSHALL", "flushdb async", "SHUTDOWN NOSAVE", "DEBUG SEGFAULT", "CLUSTER RESET HARD"} {
		tm.enter(line)
		tm.wait("Run it? [y/N] ")
		tm.enter("n")
		tm.wait("Not run.")
		tm.wait(p)
	}
	tm.enter("FLUSHALL")
	tm.wait("Run it? [y/N] ")
	tm.typeText("\x03")
	tm.wait("Not run.")
	tm.wait(p)
	if v := srv.Do(t, "EXISTS", "precious"); v.Int != 1 {
		t.Fatal("the key is gone after answering no")
	}
	// KEYS asks only on a big database.
	tm.run("KEYS prec*", `1) "precious"`)
	srv.Do(t, "DEBUG", "POPULATE", "100000")
	tm.enter("KEYS nothing*")
	tm.wait("KEYS looks at all 100,001 keys")
	tm.enter("no")
	tm.wait("Not run.")
	tm.enter("FLUSHDB")
	tm.wait("Run it? [y/N] ")
	tm.enter("y")
	tm.wait("OK")
	if v := srv.Do(t, "DBSIZE"); v.Int != 0 {
		t.Errorf("DBSIZE %d after answering y", v.Int)
	}
	tm.run(":set confirm off", "confirm off")
	srv.Do(t, "SET", "k", "v")
	tm.run("FLUSHALL", "OK")
	if v := srv.Do(t, "DBSIZE"); v.Int != 0 {
		t.Errorf("DBSIZE %d: FLUSHALL did not run with confirm off", v.Int)
	}

	// Never in one-shot or stdin mode.
	srv.Do(t, "SET", "k", "v")
	out, err := exec.Command(redishBin, "-p", port, "FLUSHDB").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Errorf("one-shot FLUSHDB: %v %q", err, out)
	}
	srv.Do(t, "SET", "k", "v")
	cmd := exec.Command(redishBin, "-p", port)
	cmd.Stdin = strings.NewReader("FLUSHALL\n")
	if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Errorf("stdin FLUSHALL: %v %q", err, out)
	}
}

func TestShellDiscoverability(t *testing.T) {
	srv := redistest.Start(t)
	p := prompt(srv)
	tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port))
	tm.wait(p)
	tm.run("help", "redish's own commands")
	tm.wait("peek KEY [COUNT]")
	tm.wait(":help ")
	tm.wait(p)
	tm.run(":help", "peek KEY [COUNT]")
	for _, w := range []string{":set theme dark|light|none", ":set decode utf-8|none", ":set pager on|off|CMD", ":set confirm on|off", ":retry", ":verbose", ":help"} {
		tm.wait(w)
	}
	tm.run(":set nohints", "hints off: no syntax hints")
	tm.run(":set hints", "hints on: syntax hints after the cursor")
	tm.run(":set keys off", "keys off")
	tm.run(":set pager off", "pager off")
	tm.run(":verbose on", "verbose on: retries are printed")
	tm.run(":verbose off", "verbose off")
	tm.run(":set theme nosuch", "unknown theme 'nosuch' (dark, light, none)")
	// History: trailing blanks dropped, consecutive duplicates kept once.
	tm.run("PING", "PONG")
	tm.run("PING   ", "PONG")
	tm.run("PING", "PONG")
	tm.run("ECHO a", `"a"`)
	tm.run("PING", "PONG")
	tm.enter("quit")
	tm.exit()
	hist, err := os.ReadFile(filepath.Join(tm.home, ".redish_history"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(hist)), "\n") {
		if !strings.HasPrefix(l, ":") && l != "help" && l != "quit" {
			got = append(got, l)
		}
	}
	if strings.Join(got, "|") != "PING|ECHO a|PING" {
		t.Errorf("history %q, want PING, ECHO a, PING", got)
	}
}
