package redistest

import (
	"bufio"
	"crypto/tls"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/resp"
)

// roundTrip sends one command on nc and reads one reply.
func roundTrip(t *testing.T, nc net.Conn, args ...string) resp.Value {
	t.Helper()
	if err := nc.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
		t.Fatalf("write %v: %v", args, err)
	}
	v, err := resp.NewReader(bufio.NewReader(nc)).ReadValue()
	if err != nil {
		t.Fatalf("read reply to %v: %v", args, err)
	}
	return v
}

func dial(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}

func wantStatus(t *testing.T, v resp.Value, want string) {
	t.Helper()
	if v.Kind != resp.KindStatus || v.Text() != want {
		t.Fatalf("got %s %q, want status %q", v.Kind, v.Str, want)
	}
}

func wantErrorPrefix(t *testing.T, v resp.Value, prefix string) {
	t.Helper()
	if v.Kind != resp.KindError || !strings.HasPrefix(v.Text(), prefix) {
		t.Fatalf("got %s %q, want an error starting %q", v.Kind, v.Str, prefix)
	}
}

func TestStart(t *testing.T) {
	s := Start(t)
	if s.Addr() != "127.0.0.1:"+strconv.Itoa(s.Port) {
		t.Errorf("Addr() = %q", s.Addr())
	}
	wantStatus(t, s.Do(t, "SET", "k", "v"), "OK")
	if v := s.Do(t, "GET", "k"); v.Kind != resp.KindBulk || v.Text() != "v" {
		t.Errorf("GET k = %s %q", v.Kind, v.Str)
	}
	// Error replies are values, not failures.
	wantErrorPrefix(t, s.Do(t, "NOSUCHCOMMAND"), "ERR unknown command")
	// DEBUG is enabled.
	wantStatus(t, s.Do(t, "DEBUG", "SLEEP", "0"), "OK")
	if v := s.Do(t, "CONFIG", "GET", "save"); v.Len() != 2 || v.Elems[1].Text() != "" {
		t.Errorf("CONFIG GET save = %+v", v)
	}
	if !strings.Contains(s.LogTail(), "Ready to accept connections") {
		t.Errorf("LogTail() lacks the ready line:\n%s", s.LogTail())
	}
}

func TestIPv6(t *testing.T) {
	if !HasIPv6() {
		t.Skip("no IPv6 loopback")
	}
	s := Start(t)
	if !s.IPv6 {
		t.Fatal("server does not listen on ::1 although it is available")
	}
	nc := dial(t, "tcp", net.JoinHostPort("::1", strconv.Itoa(s.Port)))
	wantStatus(t, roundTrip(t, nc, "PING"), "PONG")
}

func TestPassword(t *testing.T) {
	s := Start(t, WithPassword("s3cret pass"))
	wantStatus(t, s.Do(t, "PING"), "PONG") // Do authenticates

	nc := dial(t, "tcp", s.Addr())
	wantErrorPrefix(t, roundTrip(t, nc, "PING"), "NOAUTH")
	wantErrorPrefix(t, roundTrip(t, nc, "AUTH", "wrong"), "WRONGPASS")
	wantStatus(t, roundTrip(t, nc, "AUTH", "s3cret pass"), "OK")
	wantStatus(t, roundTrip(t, nc, "PING"), "PONG")
}

func TestUsers(t *testing.T) {
	s := Start(t,
		WithUser("alice", "secret"),
		WithUser("reader", "pw", "~*", "+@read", "+auth"),
	)
	nc := dial(t, "tcp", s.Addr())
	wantStatus(t, roundTrip(t, nc, "AUTH", "alice", "secret"), "OK")
	wantStatus(t, roundTrip(t, nc, "SET", "k", "v"), "OK")
	if v := roundTrip(t, nc, "ACL", "WHOAMI"); v.Text() != "alice" {
		t.Errorf("ACL WHOAMI = %q", v.Str)
	}

	nc = dial(t, "tcp", s.Addr())
	wantErrorPrefix(t, roundTrip(t, nc, "AUTH", "alice", "nope"), "WRONGPASS")
	wantStatus(t, roundTrip(t, nc, "AUTH", "reader", "pw"), "OK")
	if v := roundTrip(t, nc, "GET", "k"); v.Text() != "v" {
		t.Errorf("GET k as reader = %s %q", v.Kind, v.Str)
	}
	wantErrorPrefix(t, roundTrip(t, nc, "SET", "k", "w"), "NOPERM")
}

func TestUnixSocket(t *testing.T) {
	s := Start(t, WithUnixSocket())
	if s.Socket == "" {
		t.Fatal("Socket is empty")
	}
	fi, err := os.Stat(s.Socket)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("socket permissions %o, want 700", perm)
	}
	nc := dial(t, "unix", s.Socket)
	wantStatus(t, roundTrip(t, nc, "PING"), "PONG")
}

func TestTLS(t *testing.T) {
	s := Start(t, WithTLS())
	for _, f := range []string{s.CACert, s.CertFile, s.KeyFile, s.ServerCert} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("certificate file: %v", err)
		}
	}
	wantStatus(t, s.Do(t, "PING"), "PONG")

	hosts := []string{"127.0.0.1", "localhost"}
	if s.IPv6 {
		hosts = append(hosts, "::1")
	}
	for _, host := range hosts {
		t.Run(host, func(t *testing.T) {
			addr := net.JoinHostPort(host, strconv.Itoa(s.Port))
			d := &tls.Dialer{Config: s.TLSConfig(), NetDialer: &net.Dialer{Timeout: 5 * time.Second}}
			nc, err := d.Dial("tcp", addr)
			if err != nil {
				t.Fatalf("TLS dial %s: %v", addr, err)
			}
			defer nc.Close()
			wantStatus(t, roundTrip(t, nc, "PING"), "PONG")
		})
	}

	t.Run("plaintext is refused", func(t *testing.T) {
		nc := dial(t, "tcp", s.Addr())
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		nc.Write(resp.AppendCommandStrings(nil, "PING"))
		if v, err := resp.NewReader(bufio.NewReader(nc)).ReadValue(); err == nil && v.Kind == resp.KindStatus {
			t.Fatalf("plaintext PING answered %q on a TLS-only port", v.Str)
		}
	})

	t.Run("unknown CA is rejected", func(t *testing.T) {
		cfg := s.TLSConfig()
		cfg.RootCAs = nil // system roots do not include the test CA
		nc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.Addr(), cfg)
		if err == nil {
			nc.Close()
			t.Fatal("TLS dial without the test CA succeeded")
		}
	})
}

func TestWithConfig(t *testing.T) {
	s := Start(t, WithConfig("maxmemory-policy", "allkeys-lru"), WithConfig("databases", "4"))
	v := s.Do(t, "CONFIG", "GET", "maxmemory-policy")
	if v.Len() != 2 || v.Elems[1].Text() != "allkeys-lru" {
		t.Errorf("maxmemory-policy = %+v", v)
	}
	wantErrorPrefix(t, s.Do(t, "SELECT", "4"), "ERR DB index is out of range")
}

func TestRestart(t *testing.T) {
	s := Start(t, WithPassword("pw"))
	port := s.Port
	s.Do(t, "SET", "k", "v")
	s.Kill()
	if s.Running() {
		t.Fatal("Running() after Kill")
	}
	if _, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		t.Fatal("dial succeeded after Kill")
	}
	s.Restart(t)
	if s.Port != port {
		t.Fatalf("port changed from %d to %d", port, s.Port)
	}
	wantStatus(t, s.Do(t, "PING"), "PONG") // same password
	if v := s.Do(t, "EXISTS", "k"); v.Int != 0 {
		t.Errorf("the dataset survived a restart without persistence")
	}
	s.Restart(t) // restarting a running server stops it first
	wantStatus(t, s.Do(t, "PING"), "PONG")
	s.Stop()
	s.Stop() // idempotent
}

func TestPauseResume(t *testing.T) {
	s := Start(t)
	nc := dial(t, "tcp", s.Addr())
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write(resp.AppendCommandStrings(nil, "PING")); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var b [1]byte
	if _, err := nc.Read(b[:]); err == nil {
		t.Fatal("a paused server answered")
	}
	s.Resume()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, err := resp.NewReader(bufio.NewReader(nc)).ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, v, "PONG")
	if err := s.Pause(); err != nil { // Stop in cleanup must not hang on a paused server
		t.Fatal(err)
	}
}
