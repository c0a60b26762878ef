package cmd

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
)

// The credentials of the sentinel set of TestSentinel: the data nodes
// and the sentinels have passwords of their own.
const (
	sentinelDataPass = "data-secret-pw"
	sentinelPass     = "sentinel-secret-pw"
)

// TestSentinel runs redish through Sentinel against one primary, two
// replicas and three sentinels, shared by the subtests. The subtests
// that fail the primary over come last.
func TestSentinel(t *testing.T) {
	ss := redistest.StartSentinels(t, redistest.SentinelConfig{
		Password: sentinelDataPass, SentinelPassword: sentinelPass,
		// An ACL user that may only find the primary and its replicas.
		SentinelOptions: []redistest.Option{redistest.WithUser("watcher", "watcher-pw", "-@all", "+auth", "+ping",
			"+sentinel|get-master-addr-by-name", "+sentinel|replicas", "+subscribe", "&*")},
	})
	addrs := ss.SentinelAddrs()
	// sentinelArgs reach the set with the flags; args follow.
	sentinelArgs := func(args ...string) []string {
		return append([]string{
			"--sentinel", addrs[0] + "," + addrs[1], "--sentinel", addrs[2], "--master-name", ss.MasterName,
			"--sentinel-pass", sentinelPass, "-a", sentinelDataPass, "--no-auth-warning",
		}, args...)
	}
	first := ss.Primary(t)

	t.Run("one-shot", func(t *testing.T) {
		r := runRedish(t, nil, "", sentinelArgs("--verbose", "-r", "2", "INCR", "oneshot")...)
		if r.code != 0 || r.out != "1\n2\n" {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
		}
		want := "primary mymaster is " + first.Addr() + " (from sentinel " + addrs[0] + ")\n"
		if r.err != want {
			t.Errorf("stderr %q, want %q", r.err, want)
		}
		if v := first.Do(t, "GET", "oneshot"); v.Text() != "2" {
			t.Errorf("oneshot = %q on the primary", v.Str)
		}
	})

	t.Run("URIs and the configuration file", func(t *testing.T) {
		host0, port0, _ := net.SplitHostPort(addrs[0])
		for _, tc := range []struct {
			name string
			args []string
		}{
			{"Lettuce's form", []string{"-u", "redis-sentinel://:" + sentinelDataPass + "@" + addrs[0] + "," + addrs[1] + "/2#mymaster",
				"--sentinel-pass", sentinelPass, "--no-auth-warning"}},
			{"go-redis's form", []string{"-u", "redis://:" + sentinelPass + "@" + host0 + ":" + port0 + "/2?master_name=mymaster&addr=" + addrs[1] +
				"&password=" + sentinelDataPass, "--no-auth-warning"}},
			{"an ACL user on the sentinels", []string{"--sentinel", addrs[1], "--master-name", "mymaster",
				"--sentinel-user", "watcher", "--sentinel-pass", "watcher-pw", "-a", sentinelDataPass, "-n", "2", "--no-auth-warning"}},
			{"go-redis's form with an ACL user", []string{"-u", "redis://watcher:watcher-pw@" + addrs[2] + "/2?master_name=mymaster" +
				"&password=" + sentinelDataPass, "--no-auth-warning"}},
			{"a profile", []string{"--config", writeConfig(t, `
[profile.ha]
sentinel = ["`+addrs[2]+`", "`+addrs[1]+`"]
master-name = "mymaster"
sentinel-pass = "`+sentinelPass+`"
pass = "`+sentinelDataPass+`"
db = 2
`), "--profile", "ha"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				key := "uri:" + strings.ReplaceAll(tc.name, " ", "-")
				r := runRedish(t, nil, "", append(tc.args, "SET", key, "v")...)
				if r.code != 0 || r.out != "OK\n" || r.err != "" {
					t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
				}
				r = runRedish(t, nil, "", append(tc.args, "GET", key)...)
				if r.out != "v\n" {
					t.Errorf("GET in db 2: %q %q", r.out, r.err)
				}
				settings, _ := printConfig(t, nil, tc.args...)
				if got := settings["sentinel-pass"].value; got != `"****"` {
					t.Errorf("--print-config shows sentinel-pass = %s", got)
				}
				if got := settings["master-name"].value; got != `"mymaster"` {
					t.Errorf("--print-config shows master-name = %s", got)
				}
				for key, s := range settings {
					if strings.Contains(s.value, sentinelPass) || strings.Contains(s.value, sentinelDataPass) || strings.Contains(s.value, "watcher-pw") {
						t.Errorf("--print-config shows a password in %s = %s", key, s.value)
					}
				}
			})
		}
	})

	t.Run("wrong sentinel password", func(t *testing.T) {
		args := sentinelArgs("--retries", "3", "PING")
		for i, a := range args {
			if a == sentinelPass {
				args[i] = "nope"
			}
		}
		r := runRedish(t, nil, "", args...)
		want := "AUTH failed: WRONGPASS invalid username-password pair or user is disabled."
		if r.code != 1 || !strings.Contains(r.err, "no primary for mymaster from 3 sentinels: ") || !strings.Contains(r.err, want) {
			t.Fatalf("exit %d, stderr %q", r.code, r.err)
		}
	})

	t.Run("--read-from-replicas", func(t *testing.T) {
		r := runRedish(t, nil, "SET rr v\nWAIT 2 5000\nGET rr\n", sentinelArgs("--read-from-replicas", "--verbose")...)
		if r.code != 0 || r.out != "OK\n2\nv\n" {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
		}
		if !strings.Contains(r.err, "reading from replica ") || strings.Contains(r.err, "reading from replica "+first.Addr()) {
			t.Errorf("stderr %q", r.err)
		}
	})

	t.Run("--topology", func(t *testing.T) {
		r := runRedish(t, nil, "", sentinelArgs("--topology")...)
		if r.code != 0 {
			t.Fatalf("exit %d, stderr %q", r.code, r.err)
		}
		for _, want := range []string{
			"primary mymaster " + first.Addr() + " (flags master, quorum 2, offset ",
			"last failover: none seen (config epoch 0)\n",
			ss.Nodes[1].Addr() + "  slave ",
			"3 sentinels, 3 agree on " + first.Addr() + "; flags and lists from sentinel " + addrs[0] + "\n",
		} {
			if !strings.Contains(r.out, want) {
				t.Errorf("no %q in\n%s", want, r.out)
			}
		}
		r = runRedish(t, nil, "", sentinelArgs("--topology", "--json")...)
		var got struct {
			Primary struct {
				Addr string `json:"addr"`
			} `json:"primary"`
			Replicas  []any `json:"replicas"`
			Sentinels []struct {
				Agrees bool `json:"agrees"`
			} `json:"sentinels"`
		}
		if err := json.Unmarshal([]byte(r.out), &got); err != nil {
			t.Fatalf("--json: %v\n%s", err, r.out)
		}
		if got.Primary.Addr != first.Addr() || len(got.Replicas) != 2 || len(got.Sentinels) != 3 || !got.Sentinels[2].Agrees {
			t.Errorf("--json: %s", r.out)
		}
	})

	t.Run("the other modes find the primary", func(t *testing.T) {
		r := runRedish(t, nil, "SET piped 1\nINCR piped\n", sentinelArgs("--pipe")...)
		if r.code != 0 || !strings.Contains(r.out, "errors: 0, replies: 2") {
			t.Fatalf("--pipe: exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
		}
		if v := first.Do(t, "GET", "piped"); v.Text() != "2" {
			t.Errorf("piped = %q on the primary", v.Str)
		}
		r = runRedish(t, nil, "", sentinelArgs("--scan", "--pattern", "pipe*")...)
		if r.code != 0 || r.out != "piped\n" {
			t.Errorf("--scan: exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
		}
		r = runRedish(t, nil, "", sentinelArgs("--bigkeys")...)
		if r.code != 0 || !strings.Contains(r.out, "keys in the keyspace") {
			t.Errorf("--bigkeys: exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
		}
		rdb := filepath.Join(t.TempDir(), "dump.rdb")
		r = runRedish(t, nil, "", sentinelArgs("--rdb", rdb)...)
		if b, err := os.ReadFile(rdb); r.code != 0 || err != nil || !bytes.HasPrefix(b, []byte("REDIS")) {
			t.Errorf("--rdb: exit %d, stderr %q, file %v", r.code, r.err, err)
		}
	})

	// From here on the primary moves.

	t.Run("a stream of INCRs while the primary is killed", func(t *testing.T) {
		testSentinelKill(t, ss, sentinelArgs)
	})

	t.Run("the shell's prompt follows +switch-master", func(t *testing.T) {
		primary, err := ss.PrimaryAddr()
		if err != nil {
			t.Fatal(err)
		}
		tm := startTerm(t, nil, sentinelArgs()...)
		tm.wait("sentinel mymaster " + primary + "> ")
		tm.run("SET before failover", "OK")
		tm.wait("sentinel mymaster " + primary + "> ")
		next, err := ss.Failover()
		if err != nil {
			t.Fatal(err)
		}
		// Nothing typed: the prompt changes by itself.
		tm.wait("sentinel mymaster " + next + "> ")
		// The subscription is lost and made again, on another
		// sentinel: the prompt still names the new primary.
		subscribers := func() []string {
			var out []string
			for _, s := range ss.Sentinels {
				for _, line := range strings.Split(strings.TrimSpace(s.Do(t, "CLIENT", "LIST", "TYPE", "pubsub").Text()), "\n") {
					if id, _, ok := strings.Cut(line, " "); ok {
						out = append(out, s.Addr()+" "+id)
					}
				}
			}
			return out
		}
		before := subscribers()
		for _, s := range ss.Sentinels {
			s.Do(t, "CLIENT", "KILL", "TYPE", "pubsub")
		}
		redistest.WaitUntil(t, 10*time.Second, "the shell to subscribe again", func() bool {
			for _, sub := range subscribers() {
				if !slices.Contains(before, sub) {
					return true
				}
			}
			return false
		})
		tm.enter("")
		tm.wait("sentinel mymaster " + next + "> ")
		tm.run("SET after failover", "OK")
		if v := ss.Node(next).Do(t, "GET", "after"); v.Text() != "failover" {
			t.Errorf("after = %q on the new primary", v.Str)
		}
		// A command fails on the primary, killed; the prompt names the
		// new primary once the sentinels switch, with nothing typed.
		ss.Node(next).Kill()
		tm.run("PING", "not connected> ")
		last, err := ss.AwaitSettled(next)
		if err != nil {
			t.Fatal(err)
		}
		tm.wait("sentinel mymaster " + last + "> ")
		tm.run("PING", "PONG")
		// Without --verbose the switch shows in the prompt only.
		for _, line := range []string{"primary mymaster is ", "+switch-master ", "primary mymaster moved "} {
			if strings.Contains(tm.screen(), line) {
				t.Errorf("the shell printed a --verbose line %q... without --verbose", line)
			}
		}
		tm.enter("quit")
		if code := tm.exit(); code != 0 {
			t.Errorf("exit %d", code)
		}
	})
}

// testSentinelKill streams INCRs from stdin, with retries, and SIGKILLs
// the primary once the counter shows the stream is under way: the stream
// completes on the new primary, every INCR reported done is in the final
// counter, and the counter exceeds the reported count by at most the
// INCRs reported as "may have run".
func testSentinelKill(t *testing.T, ss *redistest.SentinelSet, sentinelArgs func(...string) []string) {
	const total = 20000
	old := ss.Primary(t)
	input := strings.Repeat("INCR killed\n", total)
	done := make(chan result, 1)
	go func() {
		done <- runRedish(t, nil, input, sentinelArgs("--retries", "-1", "--retry-deadline", "30s",
			"--retry-backoff", "constant", "--retry-backoff-base", "100ms", "--verbose")...)
	}()
	// The event: the counter on the primary passed 2000.
	redistest.WaitUntil(t, 30*time.Second, "2000 INCRs on the primary", func() bool {
		v, err := old.Call("GET", "killed")
		n, _ := strconv.Atoi(v.Text())
		return err == nil && n >= 2000
	})
	old.Kill()
	r := <-done
	next, err := ss.AwaitSettled(old.Addr())
	if err != nil {
		t.Fatal(err)
	}
	replies := 0
	for _, line := range strings.Split(strings.TrimSuffix(r.out, "\n"), "\n") {
		if _, err := strconv.Atoi(line); err != nil {
			t.Fatalf("stdout line %q is not a counter", line)
		}
		replies++
	}
	mayHaveRun := strings.Count(r.err, "INCR killed may have run: ")
	v := ss.Node(next).Do(t, "GET", "killed")
	counter, _ := strconv.Atoi(v.Text())
	t.Logf("%d INCRs done, %d may have run, counter %d on %s; exit %d", replies, mayHaveRun, counter, next, r.code)
	if replies+mayHaveRun != total {
		t.Errorf("%d replies and %d may have run, want %d in all\nstderr:\n%s", replies, mayHaveRun, total, r.err)
	}
	if counter < replies || counter > replies+mayHaveRun {
		t.Errorf("counter %d, want from %d (done) to %d (done + may have run)", counter, replies, replies+mayHaveRun)
	}
	if wantCode := map[bool]int{true: 1, false: 0}[mayHaveRun > 0]; r.code != wantCode {
		t.Errorf("exit %d, want %d", r.code, wantCode)
	}
	if !strings.Contains(r.err, "primary mymaster moved "+old.Addr()+" -> "+next+" (from sentinel ") {
		t.Errorf("no move in stderr:\n%s", r.err)
	}
}

// TestSentinelOptionErrors: options that contradict each other, or miss
// their partner, are refused before anything connects.
func TestSentinelOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sentinel", "127.0.0.1:1", "PING"}, "Option --sentinel needs --master-name NAME: the name the sentinels monitor the primary under.\n"},
		{[]string{"--master-name", "m", "PING"}, "Option --master-name needs --sentinel HOST:PORT (or a Sentinel URI).\n"},
		{[]string{"--sentinel-pass", "x", "PING"}, "Option --sentinel-pass needs --sentinel HOST:PORT (or a Sentinel URI).\n"},
		{[]string{"--sentinel", "127.0.0.1:1", "--master-name", "m", "-c", "PING"}, "Options -c and --sentinel are mutually exclusive.\n"},
		{[]string{"--sentinel", "127.0.0.1:1", "--master-name", "m", "--cluster", "check", "127.0.0.1:1"}, "Options --cluster and --sentinel are mutually exclusive: the cluster manager takes a cluster node's address.\n"},
		{[]string{"--sentinel", "127.0.0.1:1", "--master-name", "m", "-p", "7000", "PING"}, "Options -h/-p and --sentinel are mutually exclusive: the sentinels name the primary.\n"},
		{[]string{"--sentinel", "127.0.0.1:1", "--master-name", "m", "-s", "/tmp/x.sock", "PING"}, "Options -s and --sentinel are mutually exclusive: the sentinels name the primary.\n"},
		{[]string{"--sentinel", "127.0.0.1:1", "--master-name", "m", "-u", "redis://h", "PING"}, "Options -u and --sentinel are mutually exclusive, unless the URI names sentinels (redis-sentinel://).\n"},
		{[]string{"--sentinel", "127.0.0.1:1", "--master-name", "m", "--sentinel-user", "u", "PING"}, "Option --sentinel-user needs --sentinel-pass.\n"},
		{[]string{"--sentinel", "h:0", "--master-name", "m", "PING"}, `Option --sentinel: sentinel address "h:0": port must be a number from 1 to 65535.` + "\n"},
		{[]string{"--sentinel", "a,,b", "--master-name", "m", "PING"}, `Option --sentinel: sentinel address "a,,b": empty address.` + "\n"},
		{[]string{"--read-from-replicas", "PING"}, "Option --read-from-replicas needs -c (cluster mode) or --sentinel.\n"},
		{[]string{"--topology"}, "Option --topology needs -c (cluster mode) or --sentinel.\n"},
		{[]string{"-u", "redis-sentinel://h", "PING"}, "Invalid URI: a Sentinel URI needs the primary's name after '#', as in redis-sentinel://127.0.0.1:26379#mymaster\n"},
		{[]string{"--sentinel", "", "--master-name", "m", "PING"}, "--sentinel"},
		{[]string{"-u", "redis-sentinel://127.0.0.1:1#m", "-p", "7000", "PING"}, "Option -h/-p and a Sentinel URI (-u) are mutually exclusive: the sentinels name the primary.\n"},
		{[]string{"-u", "redis://127.0.0.1:1?master_name=m", "-c", "PING"}, "Option -c and a Sentinel URI (-u) are mutually exclusive.\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runRedish(t, nil, "", tc.args...)
			if r.code != 1 || r.out != "" || !strings.Contains(r.err, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", r.code, r.out, r.err, tc.want)
			}
		})
	}
}

// TestSentinelAllDown: no sentinel answers; the error names each one and
// comes after the policy's attempts.
func TestSentinelAllDown(t *testing.T) {
	var addrs []string
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, l.Addr().String())
		l.Close()
	}
	r := runRedish(t, nil, "", "--sentinel", strings.Join(addrs, ","), "--master-name", "mymaster",
		"--retries", "2", "--retry-backoff", "constant", "--retry-backoff-base", "10ms", "--verbose", "PING")
	lines := strings.Split(strings.TrimSuffix(r.err, "\n"), "\n")
	if r.code != 1 || len(lines) != 4 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.err)
	}
	for i, want := range []string{"retry 1/2 in 10ms after ConnectionError: no primary for mymaster from 2 sentinels: ",
		"retry 2/2 in 10ms after ConnectionError: ", "giving up after 3 attempts: ConnectionError: ",
		"Could not connect to Redis through Sentinel: no primary for mymaster from 2 sentinels: " + addrs[0] + ": dial tcp " + addrs[0] + ": connect: connection refused; " + addrs[1] + ": "} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d: %q, want it to start with %q", i+1, lines[i], want)
		}
	}
}

// TestMaskSentinelURI: --print-config masks every password of a
// Sentinel URI, in the user info and in password=.
func TestMaskSentinelURI(t *testing.T) {
	for raw, want := range map[string]string{
		"redis-sentinel://:pw@h1,h2#m":                                    "redis-sentinel://:****@h1,h2#m",
		"redis-sentinel://pw@h1#m":                                        "redis-sentinel://****@h1#m",
		"redis-sentinel://h1#m":                                           "redis-sentinel://h1#m",
		"redis://su:spw@h1?master_name=m&password=dpw&addr=h2":            "redis://su:****@h1?master_name=m&password=****&addr=h2",
		"rediss://h1?password=dpw&master_name=m":                          "rediss://h1?password=****&master_name=m",
		"redis://u:p%40w@h1/2?master_name=m&username=x&password=a%26b#no": "redis://u:****@h1/2?master_name=m&username=x&password=****",
	} {
		u, err := redisx.ParseURI(raw)
		if err != nil {
			// The last case's fragment is part of password= for go-redis's
			// form: ParseURI must still read it.
			t.Fatalf("%s: %v", raw, err)
		}
		if got := maskURI(raw, u); got != want {
			t.Errorf("maskURI(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestSentinelTLS: --tls reaches TLS-only sentinels and data nodes with
// the same certificates.
func TestSentinelTLS(t *testing.T) {
	ss := redistest.StartSentinels(t, redistest.SentinelConfig{Replicas: 1, Sentinels: 2, TLS: true})
	r := runRedish(t, nil, "", "--tls", "--cacert", ss.CACert, "--cert", ss.CertFile, "--key", ss.KeyFile,
		"--sentinel", strings.Join(ss.SentinelAddrs(), ","), "--master-name", ss.MasterName, "--verbose", "SET", "tls", "yes")
	if r.code != 0 || r.out != "OK\n" || r.err != "primary mymaster is "+ss.Nodes[0].Addr()+" (from sentinel "+ss.SentinelAddrs()[0]+")\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}
	// Without --tls the sentinels cannot be asked.
	r = runRedish(t, nil, "", "--sentinel", ss.SentinelAddrs()[0], "--master-name", ss.MasterName, "PING")
	if r.code != 1 || !strings.HasPrefix(r.err, "Could not connect to Redis through Sentinel: no primary for mymaster from 1 sentinel: ") {
		t.Errorf("without --tls: exit %d, stderr %q", r.code, r.err)
	}
}

// TestSentinelURIPasswordWarns: a password in a Sentinel URI is a
// password in -u, whoever it is for (the data nodes in Lettuce's form
// and password=, the sentinels in go-redis's user info): redis-cli's
// warning is printed, unless --no-auth-warning.
func TestSentinelURIPasswordWarns(t *testing.T) {
	s := "127.0.0.1:" + deadPort(t)
	for _, tc := range []struct {
		uri  string
		warn bool
	}{
		{"redis-sentinel://:pw@" + s + "#m", true},
		{"redis://:pw@" + s + "?master_name=m", true},
		{"redis://su:pw@" + s + "?master_name=m", true},
		{"redis://" + s + "?master_name=m&password=pw", true},
		{"redis://" + s + "?master_name=m", false},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			r := runRedish(t, nil, "", "-u", tc.uri, "PING")
			if got := strings.HasPrefix(r.err, authWarning+"\n"); r.code != 1 || got != tc.warn {
				t.Errorf("exit %d, stderr %q; want the warning: %v", r.code, r.err, tc.warn)
			}
			r = runRedish(t, nil, "", "--no-auth-warning", "-u", tc.uri, "PING")
			if strings.Contains(r.err, authWarning) {
				t.Errorf("--no-auth-warning: stderr %q", r.err)
			}
		})
	}
}
