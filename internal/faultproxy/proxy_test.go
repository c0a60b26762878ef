package faultproxy_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/resp"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// client is a raw connection to the proxy.
type client struct {
	t  *testing.T
	nc net.Conn
	rd *resp.Reader
}

func connect(t *testing.T, p *faultproxy.Proxy) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", p.Addr(), err)
	}
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, rd: resp.NewReader(bufio.NewReader(nc))}
}

func (c *client) send(args ...string) {
	c.t.Helper()
	if _, err := c.nc.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
		c.t.Fatalf("write %v: %v", args, err)
	}
}

// read reads one reply, waiting at most d.
func (c *client) read(d time.Duration) (resp.Value, error) {
	c.nc.SetReadDeadline(time.Now().Add(d))
	return c.rd.ReadValue()
}

// do sends a command and returns its reply, failing the test on error.
func (c *client) do(args ...string) resp.Value {
	c.t.Helper()
	c.send(args...)
	v, err := c.read(5 * time.Second)
	if err != nil {
		c.t.Fatalf("%v: %v", args, err)
	}
	return v
}

// wantReset checks that the next read fails with a connection reset.
func (c *client) wantReset() {
	c.t.Helper()
	v, err := c.read(5 * time.Second)
	if !errors.Is(err, syscall.ECONNRESET) {
		c.t.Fatalf("got %s %q, %v; want connection reset", v.Kind, v.Str, err)
	}
}

// wantSilence checks that nothing arrives for a short while: the fault
// under test holds the reply back indefinitely, so this cannot be flaky.
func (c *client) wantSilence() {
	c.t.Helper()
	v, err := c.read(50 * time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		c.t.Fatalf("got %s %q, %v; want no reply", v.Kind, v.Str, err)
	}
}

func setup(t *testing.T) (*redistest.Server, *faultproxy.Proxy) {
	t.Helper()
	s := redistest.Start(t)
	return s, faultproxy.New(t, s.Addr())
}

func TestPass(t *testing.T) {
	s, p := setup(t)
	c := connect(t, p)
	if v := c.do("SET", "k", "v"); v.Text() != "OK" {
		t.Fatalf("SET: %s %q", v.Kind, v.Str)
	}
	if v := c.do("GET", "k"); v.Text() != "v" {
		t.Fatalf("GET: %s %q", v.Kind, v.Str)
	}
	// An inline command and two pipelined ones.
	c.nc.Write([]byte("PING\r\n"))
	c.send("INCR", "n")
	c.send("INCR", "n")
	for _, want := range []string{"PONG", "1", "2"} {
		v, err := c.read(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(v.Text(), v.Int); !strings.Contains(got, want) {
			t.Fatalf("got %s %q %d, want %s", v.Kind, v.Str, v.Int, want)
		}
	}
	if p.Conns() != 1 || p.Requests() != 5 {
		t.Errorf("Conns() = %d, Requests() = %d; want 1 and 5", p.Conns(), p.Requests())
	}
	if got := s.Do(t, "GET", "n"); got.Text() != "2" {
		t.Errorf("n = %q on the server", got.Str)
	}
}

func TestRefuse(t *testing.T) {
	_, p := setup(t)
	p.Set(faultproxy.Refuse())
	_, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial while refusing: %v, want connection refused", err)
	}
	p.Set(faultproxy.Pass())
	if v := connect(t, p).do("PING"); v.Text() != "PONG" {
		t.Fatalf("PING after Refuse: %s %q", v.Kind, v.Str)
	}
	if p.Conns() != 1 {
		t.Errorf("Conns() = %d, want 1", p.Conns())
	}
}

// wantResetOnUse checks that a connection to p is reset by the time a
// command is sent and read: the RST may beat the end of the connect, the
// write or the read.
func wantResetOnUse(t *testing.T, p *faultproxy.Proxy) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second)
	if err == nil {
		defer nc.Close()
		_, err = nc.Write(resp.AppendCommandStrings(nil, "PING"))
	}
	if err == nil {
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = resp.NewReader(bufio.NewReader(nc)).ReadValue()
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("got %v, want connection reset", err)
	}
}

func TestResetOnConnect(t *testing.T) {
	_, p := setup(t)
	p.Set(faultproxy.ResetOnConnect())
	wantResetOnUse(t, p)
	if p.Requests() != 0 {
		t.Errorf("Requests() = %d, want 0", p.Requests())
	}
}

func TestResetBeforeSend(t *testing.T) {
	s, p := setup(t)
	p.Set(faultproxy.ResetBeforeSend())
	c := connect(t, p)
	c.send("INCR", "n")
	c.wantReset()
	if v := s.Do(t, "EXISTS", "n"); v.Int != 0 {
		t.Error("the request reached the server")
	}
	if p.Requests() != 0 {
		t.Errorf("Requests() = %d, want 0", p.Requests())
	}
}

func TestResetAfterSend(t *testing.T) {
	s, p := setup(t)
	p.Set(faultproxy.ResetAfterSend())
	c := connect(t, p)
	c.send("INCR", "n")
	c.wantReset()
	if v := s.Do(t, "GET", "n"); v.Text() != "1" {
		t.Errorf("n = %s %q on the server, want 1: the command must run", v.Kind, v.Str)
	}
	if p.Requests() != 1 {
		t.Errorf("Requests() = %d, want 1", p.Requests())
	}
}

func TestStall(t *testing.T) {
	s, p := setup(t)
	p.Set(faultproxy.Stall())
	c := connect(t, p)
	c.send("INCR", "n")
	c.wantSilence()
	if v := s.Do(t, "EXISTS", "n"); v.Int != 0 {
		t.Error("a stalled request reached the server")
	}
	// Switching back lets later requests through on the same connection;
	// the stalled one stays unanswered.
	p.Set(faultproxy.Pass())
	if v := c.do("PING"); v.Text() != "PONG" {
		t.Fatalf("PING after Stall: %s %q", v.Kind, v.Str)
	}
}

func TestDelay(t *testing.T) {
	s, p := setup(t)
	s.Do(t, "SET", "k", "v")

	p.Set(faultproxy.Delay(time.Millisecond))
	if v := connect(t, p).do("GET", "k"); v.Text() != "v" {
		t.Fatalf("GET through Delay: %s %q", v.Kind, v.Str)
	}

	// A reply held for an hour is not seen; closing the proxy ends the wait.
	p.Set(faultproxy.Delay(time.Hour))
	c := connect(t, p)
	c.send("GET", "k")
	c.wantSilence()
}

func TestTrickle(t *testing.T) {
	s, p := setup(t)
	value := strings.Repeat("x", 20)
	s.Do(t, "SET", "k", value)

	t.Run("whole reply", func(t *testing.T) {
		p.Set(faultproxy.Trickle(1, time.Microsecond))
		if v := connect(t, p).do("GET", "k"); v.Text() != value {
			t.Fatalf("GET through Trickle: %s %q", v.Kind, v.Str)
		}
	})

	t.Run("pieces", func(t *testing.T) {
		// With an hour between pieces exactly one piece arrives.
		p.Set(faultproxy.Trickle(3, time.Hour))
		c := connect(t, p)
		c.send("GET", "k")
		got := readAvailable(t, c.nc)
		if got != "$20" {
			t.Fatalf("got %q, want the first 3 bytes", got)
		}
	})
}

// readAvailable reads what arrives until nothing more comes for a short
// while (waiting longer for the first byte).
func readAvailable(t *testing.T, nc net.Conn) string {
	t.Helper()
	var got []byte
	buf := make([]byte, 1024)
	wait := 5 * time.Second
	for range 1000 {
		nc.SetReadDeadline(time.Now().Add(wait))
		n, err := nc.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				break
			}
			t.Fatalf("read: %v", err)
		}
		wait = 50 * time.Millisecond
	}
	return string(got)
}

func TestTruncate(t *testing.T) {
	s, p := setup(t)
	s.Do(t, "SET", "k", "hello world")
	p.Set(faultproxy.Truncate(5))
	c := connect(t, p)
	c.send("GET", "k")
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(c.nc)
	if err != nil {
		t.Fatalf("read: %v (want a clean close)", err)
	}
	if string(got) != "$11\r\n" {
		t.Fatalf("got %q, want the first 5 bytes of the reply", got)
	}
}

func TestGarbage(t *testing.T) {
	_, p := setup(t)
	p.Set(faultproxy.Garbage([]byte("?garbage\r\n")))
	c := connect(t, p)
	c.send("PING")
	var pe *resp.ProtocolError
	if _, err := c.read(5 * time.Second); !errors.As(err, &pe) {
		t.Fatalf("first reply: %v, want a protocol error", err)
	}
	if p.Requests() != 0 {
		t.Errorf("Requests() = %d, want 0", p.Requests())
	}

	// Later requests pass; a well-formed "garbage" reply shows it plainly.
	p.Set(faultproxy.Garbage([]byte("+not the server\r\n")))
	c = connect(t, p)
	for _, want := range []string{"not the server", "PONG"} {
		if v := c.do("PING"); v.Text() != want {
			t.Fatalf("PING: %s %q, want %q", v.Kind, v.Str, want)
		}
	}
}

func TestSetFor(t *testing.T) {
	_, p := setup(t)
	open := connect(t, p)
	open.do("PING") // accepted by the proxy, not only by the kernel
	p.SetFor(2, faultproxy.ResetBeforeSend())
	for i := range 2 {
		c := connect(t, p)
		c.send("PING")
		c.wantReset()
		// Connections open before SetFor pass through.
		if v := open.do("PING"); v.Text() != "PONG" {
			t.Fatalf("open connection after reset %d: %s %q", i, v.Kind, v.Str)
		}
	}
	if v := connect(t, p).do("PING"); v.Text() != "PONG" {
		t.Fatalf("third connection: %s %q", v.Kind, v.Str)
	}
	if p.Conns() != 4 || p.Requests() != 4 {
		t.Errorf("Conns() = %d, Requests() = %d; want 4 and 4", p.Conns(), p.Requests())
	}
}

// recorder captures the errors a proxy reports to its test.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestSetForRefuse(t *testing.T) {
	s := redistest.Start(t)
	rec := &recorder{TB: t}
	p := faultproxy.New(rec, s.Addr())
	p.SetFor(1, faultproxy.Refuse())
	if len(rec.errs) != 1 {
		t.Fatalf("SetFor(1, Refuse()) reported %q, want one error", rec.errs)
	}
	if v := connect(t, p).do("PING"); v.Text() != "PONG" {
		t.Fatalf("PING: %s %q", v.Kind, v.Str)
	}
}

func TestSetAffectsOpenConnections(t *testing.T) {
	_, p := setup(t)
	c := connect(t, p)
	c.do("PING")
	p.Set(faultproxy.ResetBeforeSend())
	c.send("PING")
	c.wantReset()
}

func TestOn(t *testing.T) {
	s, p := setup(t)
	p.Set(faultproxy.ResetAfterSend().On("incr"))
	c := connect(t, p)
	if v := c.do("PING"); v.Text() != "PONG" {
		t.Fatalf("PING: %s %q", v.Kind, v.Str)
	}
	c.send("INCR", "n")
	c.wantReset()
	if v := s.Do(t, "GET", "n"); v.Text() != "1" {
		t.Errorf("n = %q on the server, want 1", v.Str)
	}
}

func TestResetConns(t *testing.T) {
	_, p := setup(t)
	a, b := connect(t, p), connect(t, p)
	a.do("PING")
	b.do("PING")
	p.ResetConns()
	for _, c := range []*client{a, b} {
		// The RST may already have arrived, failing the write itself.
		if _, err := c.nc.Write(resp.AppendCommandStrings(nil, "PING")); err != nil {
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("write: %v, want connection reset", err)
			}
			continue
		}
		c.wantReset()
	}
	if v := connect(t, p).do("PING"); v.Text() != "PONG" {
		t.Fatalf("new connection: %s %q", v.Kind, v.Str)
	}
}

func TestTargetDown(t *testing.T) {
	s, p := setup(t)
	s.Kill()
	wantResetOnUse(t, p)
}

func TestServerCloses(t *testing.T) {
	_, p := setup(t)
	c := connect(t, p)
	c.send("QUIT")
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(c.nc)
	if err != nil || string(got) != "+OK\r\n" {
		t.Fatalf("QUIT: %q, %v", got, err)
	}
}

func TestClose(t *testing.T) {
	_, p := setup(t)
	p.Set(faultproxy.Stall())
	c := connect(t, p)
	c.send("PING")
	c.wantSilence()
	p.Close()
	p.Close()
	if _, err := c.read(5 * time.Second); err == nil {
		t.Fatal("a connection survived Close")
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second); err == nil {
		t.Fatal("dial succeeded after Close")
	}
	p.Set(faultproxy.Pass()) // no effect once closed
	if _, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second); err == nil {
		t.Fatal("Set reopened a closed proxy")
	}
}

func TestString(t *testing.T) {
	for _, tc := range []struct {
		f    faultproxy.Fault
		want string
	}{
		{faultproxy.Pass(), "Pass"},
		{faultproxy.Fault{}, "Pass"},
		{faultproxy.Refuse(), "Refuse"},
		{faultproxy.Delay(time.Second), "Delay(1s)"},
		{faultproxy.Trickle(0, time.Millisecond), "Trickle(1, 1ms)"},
		{faultproxy.Truncate(-1), "Truncate(0)"},
		{faultproxy.Garbage([]byte("x")), `Garbage("x")`},
		{faultproxy.Stall().On("get", "Set"), "Stall.On(GET, SET)"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.f.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestEvery resets after every third INCR, whatever connection it came
// on, and counts what it did.
func TestEvery(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	p.Set(faultproxy.ResetAfterSend().On("INCR").Every(3))
	c := connect(t, p)
	for i := 1; i <= 2; i++ {
		if v := c.do("INCR", "e"); v.Int != int64(i) {
			t.Fatalf("INCR %d: %v", i, v)
		}
	}
	c.send("INCR", "e")
	c.wantReset()
	c = connect(t, p)
	if v := c.do("PING"); v.Text() != "PONG" {
		t.Fatalf("PING: %v", v)
	}
	if v := c.do("INCR", "e"); v.Int != 4 {
		t.Fatalf("INCR after the reset: %v (the third one ran)", v)
	}
	if p.Resets() != 1 || p.Received() != 5 || p.Requests() != 5 || p.Conns() != 2 {
		t.Errorf("resets %d, received %d, forwarded %d, conns %d; want 1, 5, 5, 2", p.Resets(), p.Received(), p.Requests(), p.Conns())
	}
}

// TestFunc lets a function decide per connection and per request: a
// reset on connect, a reset before sending, a stall of the connection.
func TestFunc(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	var mu sync.Mutex
	var seen []string
	p.Set(faultproxy.Func(func(r faultproxy.Request) faultproxy.Fault {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%d:%s:%v", r.Conn, r.Command, r.Accept))
		switch {
		case r.Conn == 1 && r.Accept:
			return faultproxy.ResetOnConnect()
		case r.Command == "GET":
			return faultproxy.ResetBeforeSend()
		case r.Command == "BLOCKME":
			return faultproxy.Stall()
		}
		return faultproxy.Pass()
	}))
	// The reset may come before the connect returns, or at the first read.
	if nc, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second); err == nil {
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		_, err = nc.Write(resp.AppendCommandStrings(nil, "PING"))
		if err == nil {
			_, err = nc.Read(make([]byte, 16))
		}
		nc.Close()
		if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
			t.Fatalf("first connection: %v, want a reset", err)
		}
	} else if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("dial: %v, want a reset", err)
	}
	c := connect(t, p)
	if v := c.do("SET", "f", "1"); v.Text() != "OK" {
		t.Fatalf("SET: %v", v)
	}
	c.send("GET", "f")
	c.wantReset()
	c = connect(t, p)
	c.send("BLOCKME")
	c.send("PING") // stalled with the connection
	c.wantSilence()
	want := []string{"1::true", "2::true", "2:SET:false", "2:GET:false", "3::true", "3:BLOCKME:false"}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("decided on %q, want %q", seen, want)
	}
	if p.Resets() != 2 || p.Requests() != 1 {
		t.Errorf("resets %d, forwarded %d; want 2, 1", p.Resets(), p.Requests())
	}
}

// TestErrorReply answers every SET with LOADING, in order with the
// replies around it, without running it.
func TestErrorReply(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	p.Set(faultproxy.ErrorReply("LOADING Redis is loading the dataset in memory").On("SET"))
	c := connect(t, p)
	c.send("PING")
	c.send("SET", "k", "v")
	c.send("ECHO", "after")
	for _, want := range []string{"PONG", "LOADING Redis is loading the dataset in memory", "after"} {
		v, err := c.read(5 * time.Second)
		if err != nil || v.Text() != want {
			t.Fatalf("got %v %v, want %q", v, err, want)
		}
	}
	if v := s.Do(t, "EXISTS", "k"); v.Int != 0 {
		t.Errorf("SET ran")
	}
}
