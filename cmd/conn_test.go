package cmd

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/resp"
)

// TestConnectionKinds reaches servers over every transport and handshake
// the command line offers, and checks the session CLIENT INFO reports.
func TestConnectionKinds(t *testing.T) {
	plain := redistest.Start(t, redistest.WithUnixSocket(), redistest.WithUser("alice", "s3cret"))
	tlsSrv := redistest.Start(t, redistest.WithTLS())
	port := strconv.Itoa(plain.Port)
	tlsPort := strconv.Itoa(tlsSrv.Port)

	type tc struct {
		name string
		args []string
		want []string // fields CLIENT INFO must show
	}
	cases := []tc{
		{"ipv4", []string{"-h", "127.0.0.1", "-p", port}, []string{"db=0", "resp=2"}},
		{"unix socket", []string{"-s", plain.Socket}, []string{"db=0"}},
		{"acl user", []string{"--user", "alice", "--pass", "s3cret", "--no-auth-warning", "-p", port}, []string{"user=alice"}},
		{"db, name, resp3", []string{"-p", port, "-n", "5", "--name", "shell", "-3"}, []string{"db=5", "name=shell", "resp=3"}},
		{"json asks for resp3", []string{"-p", port, "--json"}, []string{"resp=3"}},
		{"json with -2", []string{"-p", port, "--json", "-2"}, []string{"resp=2"}},
		{"uri", []string{"-u", "redis://alice:s3cret@127.0.0.1:" + port + "/4", "--no-auth-warning"}, []string{"db=4", "user=alice"}},
		{"uri percent-decoding", []string{"-u", "redis://alice:s3%63ret@127.0.0.1:" + port + "?db=6", "--no-auth-warning"}, []string{"db=6", "user=alice"}},
		{"unix uri", []string{"-u", "unix://" + plain.Socket + "?db=2"}, []string{"db=2"}},
		{"flag over uri", []string{"-u", "redis://127.0.0.1:" + port + "/4", "-n", "7"}, []string{"db=7"}},
		{"connect timeout in seconds", []string{"-p", port, "-t", "1.5"}, []string{"db=0"}},
		{"tls", []string{"-p", tlsPort, "--tls", "--cacert", tlsSrv.CACert}, []string{"db=0"}},
		{"tls client cert", []string{"-p", tlsPort, "--tls", "--cacert", tlsSrv.CACert, "--cert", tlsSrv.CertFile, "--key", tlsSrv.KeyFile}, []string{"db=0"}},
		{"tls sni by name", []string{"-h", "localhost", "-p", tlsPort, "--tls", "--cacert", tlsSrv.CACert}, []string{"db=0"}},
		{"rediss uri", []string{"-u", "rediss://127.0.0.1:" + tlsPort, "--cacert", tlsSrv.CACert}, []string{"db=0"}},
		{"tls insecure", []string{"-p", tlsPort, "--tls", "--insecure"}, []string{"db=0"}},
		{"tls 1.2 ciphers", []string{"-p", tlsPort, "--tls", "--cacert", tlsSrv.CACert, "--tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256"}, []string{"db=0"}},
	}
	if redistest.HasIPv6() && plain.IPv6 {
		cases = append(cases,
			tc{"ipv6", []string{"-h", "::1", "-p", port}, []string{"db=0"}},
			tc{"ipv6 uri", []string{"-u", "redis://[::1]:" + port + "/1"}, []string{"db=1"}},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runRedish(t, nil, "", append(c.args, "CLIENT", "INFO")...)
			if r.code != 0 || r.err != "" {
				t.Fatalf("got %+v", r)
			}
			fields := strings.Fields(r.out)
			for _, w := range c.want {
				if !contains(fields, w) {
					t.Errorf("CLIENT INFO lacks %s: %s", w, r.out)
				}
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestBadConnectionOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad uri scheme", []string{"-u", "http://host", "PING"}, "Invalid URI: "},
		{"bad uri port", []string{"-u", "redis://host:99999", "PING"}, "Invalid URI: "},
		{"cert without key", []string{"--tls", "--cert", "x.pem", "PING"}, "--cert and --key must be given together."},
		{"missing cacert", []string{"--tls", "--cacert", "/nonexistent/ca.pem", "PING"}, "--cacert: "},
		{"unknown cipher", []string{"--tls", "--tls-ciphers", "NOPE", "PING"}, "--tls-ciphers: unknown or insecure cipher \"NOPE\""},
		{"bad port", []string{"-p", "70000", "PING"}, "Invalid port 70000"},
		{"bad timeout", []string{"--timeout", "soon", "PING"}, "--timeout: \"soon\" is not a duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runRedish(t, nil, "", tc.args...)
			if r.code != 1 || r.out != "" || !strings.HasPrefix(r.err, tc.want) {
				t.Fatalf("got %+v, want exit 1 and stderr starting %q", r, tc.want)
			}
		})
	}
}

// TestHelloFallback: against a server that does not know HELLO (Redis
// before 6), --json falls back to RESP2 and authenticates with AUTH; -3
// asked for RESP3 explicitly and fails.
func TestHelloFallback(t *testing.T) {
	addr := oldServer(t)
	_, port, _ := net.SplitHostPort(addr)

	r := runRedish(t, nil, "", "-p", port, "--json", "-a", "pw", "--no-auth-warning", "PING")
	if r.code != 0 || r.out != "\"PONG\"\n" {
		t.Fatalf("--json: got %+v", r)
	}
	r = runRedish(t, nil, "", "-p", port, "-3", "PING")
	if r.code != 1 || !strings.HasPrefix(r.err, "HELLO failed: ERR unknown command") {
		t.Fatalf("-3: got %+v", r)
	}
}

// oldServer is a scripted server that answers like Redis 5: no HELLO,
// AUTH with one argument, PING.
func oldServer(t *testing.T) string {
	return scriptedServer(t, func(args []string) string {
		switch strings.ToUpper(args[0]) {
		case "HELLO":
			return "-ERR unknown command 'HELLO'\r\n"
		case "AUTH":
			return "+OK\r\n"
		case "PING":
			return "+PONG\r\n"
		}
		return "-ERR unknown command\r\n"
	})
}

// scriptedServer serves on a free loopback port until the test ends,
// answering each command (its words) with the bytes reply returns, and
// returns its address.
func scriptedServer(t *testing.T, reply func(args []string) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				rd := resp.NewReader(bufio.NewReader(nc))
				for {
					v, err := rd.ReadValue()
					if err != nil || len(v.Elems) == 0 {
						return
					}
					args := make([]string, len(v.Elems))
					for i, e := range v.Elems {
						args[i] = e.Text()
					}
					if _, err := nc.Write([]byte(reply(args))); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestLostConnectionMatchesRedisCLI: the server closes or resets the
// connection after the command was sent; both shells say the same thing.
func TestLostConnectionMatchesRedisCLI(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	for _, tc := range []struct {
		name  string
		fault faultproxy.Fault
	}{
		{"closed", faultproxy.Truncate(0)},
		{"truncated reply", faultproxy.Truncate(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := proxyArgs(p, "GET", "k")
			p.Set(tc.fault)
			want := runCLI(t, nil, "", args...)
			p.Set(tc.fault)
			got := runRedish(t, nil, "", args...)
			p.Set(faultproxy.Pass())
			t.Logf("both: %+v", got)
			if got != want {
				t.Fatalf("redish %+v\nredis-cli %+v", got, want)
			}
		})
	}
}

// TestTLSAgainstPlainServer: --tls against a server that does not speak
// TLS fails with a message that says so, and never hangs (the handshake is
// bounded by -t here, by DefaultTLSHandshakeTimeout without it).
func TestTLSAgainstPlainServer(t *testing.T) {
	s := redistest.Start(t)
	r := runRedish(t, nil, "", portArgs(s, "--tls", "--insecure", "-t", "0.5", "PING")...)
	if r.code != 1 || r.out != "" || r.err != "Could not connect to Redis at "+s.Addr()+": TLS handshake timed out (is the server speaking TLS on this port?)\n" {
		t.Fatalf("got %+v", r)
	}
}
