package retry_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redish/redish/retry"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// replyErr is a server error reply, like "-LOADING ..." on the wire.
type replyErr string

func (e replyErr) Error() string { return string(e) }

func (e replyErr) RedisCode() string {
	code, _, _ := strings.Cut(string(e), " ")
	return code
}

// connErr is a connection-level failure with the methods the classifier
// looks for.
type connErr struct {
	msg     string
	timeout bool
	sent    bool
	err     error
}

func (e *connErr) Error() string           { return e.msg }
func (e *connErr) Unwrap() error           { return e.err }
func (e *connErr) Timeout() bool           { return e.timeout }
func (e *connErr) ConnectionFailure() bool { return true }
func (e *connErr) RequestSent() bool       { return e.sent }

var aLongTimeAgo = time.Unix(1, 0)

// closedPortDialError dials a loopback port nobody listens on.
func closedPortDialError(t *testing.T) error {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
		t.Skip("a listener appeared on the freed port")
	}
	return err
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want retry.Class
	}{
		{"nil", nil, ""},
		{"loading", replyErr("LOADING Redis is loading the dataset in memory"), retry.BusyLoadingError},
		{"readonly", replyErr("READONLY You can't write against a read only replica."), retry.ReadOnlyError},
		{"tryagain", replyErr("TRYAGAIN Multiple keys request during rehashing of slot"), retry.TryAgainError},
		{"clusterdown", replyErr("CLUSTERDOWN The cluster is down"), retry.ClusterDownError},
		{"masterdown", replyErr("MASTERDOWN Link with MASTER is down"), retry.MasterDownError},
		{"moved", replyErr("MOVED 3999 127.0.0.1:6381"), retry.MovedError},
		{"ask", replyErr("ASK 3999 127.0.0.1:6381"), retry.AskError},
		{"crossslot", replyErr("CROSSSLOT Keys in request don't hash to the same slot"), retry.CrossSlotError},
		{"noscript", replyErr("NOSCRIPT No matching script."), retry.NoScriptError},
		{"wrongpass", replyErr("WRONGPASS invalid username-password pair or user is disabled."), retry.AuthenticationError},
		{"noauth", replyErr("NOAUTH Authentication required."), retry.AuthenticationError},
		{"old invalid password", replyErr("ERR invalid password"), retry.AuthenticationError},
		{"auth without password", replyErr("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"), retry.AuthenticationError},
		{"max clients", replyErr("ERR max number of clients reached"), retry.ConnectionError},
		{"wrongtype", replyErr("WRONGTYPE Operation against a key holding the wrong kind of value"), retry.ResponseError},
		{"err", replyErr("ERR unknown command 'FOO'"), retry.ResponseError},
		{"wrapped reply", fmt.Errorf("GET: %w", replyErr("LOADING x")), retry.BusyLoadingError},
		{"reply wins over timeout", &connErr{msg: "x", timeout: true, err: replyErr("READONLY x")}, retry.ReadOnlyError},
		{"deadline exceeded", os.ErrDeadlineExceeded, retry.TimeoutError},
		{"timeout method", &connErr{msg: "read 127.0.0.1:6379: i/o timeout", timeout: true}, retry.TimeoutError},
		{"net timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, retry.TimeoutError},
		{"connection failure", &connErr{msg: "write 127.0.0.1:6379: broken pipe"}, retry.ConnectionError},
		{"eof", io.EOF, retry.ConnectionError},
		{"unexpected eof", fmt.Errorf("reading reply: %w", io.ErrUnexpectedEOF), retry.ConnectionError},
		{"net closed", net.ErrClosed, retry.ConnectionError},
		{"econnrefused", os.NewSyscallError("connect", syscall.ECONNREFUSED), retry.ConnectionError},
		{"econnreset", syscall.ECONNRESET, retry.ConnectionError},
		{"epipe", syscall.EPIPE, retry.ConnectionError},
		{"econnaborted", syscall.ECONNABORTED, retry.ConnectionError},
		{"op error", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route")}, retry.ConnectionError},
		{"tls", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, retry.ConnectionError},
		{"joined timeout", errors.Join(errors.New("a"), &connErr{msg: "b", timeout: true}), retry.TimeoutError},
		{"joined with the context deadline", errors.Join(context.DeadlineExceeded, &connErr{msg: "b", timeout: true}), retry.TimeoutError},
		{"joined connection failure", errors.Join(errors.New("a"), io.EOF), retry.ConnectionError},
		{"canceled", context.Canceled, ""},
		{"canceled in a connection failure", &connErr{msg: "dial: operation was canceled", err: context.Canceled}, ""},
		{"context deadline", context.DeadlineExceeded, ""},
		{"wrapped context deadline", fmt.Errorf("GET: %w", context.DeadlineExceeded), ""},
		{"other", errors.New("boom"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retry.Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestClassifyRealErrors(t *testing.T) {
	t.Run("refused dial", func(t *testing.T) {
		err := closedPortDialError(t)
		if got := retry.Classify(err); got != retry.ConnectionError {
			t.Errorf("Classify(%v) = %q, want ConnectionError", err, got)
		}
	})
	t.Run("read deadline", func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		if err := a.SetReadDeadline(aLongTimeAgo); err != nil {
			t.Fatal(err)
		}
		_, err := a.Read(make([]byte, 1))
		if got := retry.Classify(err); got != retry.TimeoutError {
			t.Errorf("Classify(%v) = %q, want TimeoutError", err, got)
		}
	})
}

func TestClassIs(t *testing.T) {
	tests := []struct {
		c, target retry.Class
		want      bool
	}{
		{retry.BusyLoadingError, retry.ConnectionError, true},
		{retry.ConnectionError, retry.ConnectionError, true},
		{retry.ConnectionError, retry.BusyLoadingError, false},
		{retry.MasterDownError, retry.ClusterDownError, true},
		{retry.MasterDownError, retry.ResponseError, true},
		{retry.ClusterDownError, retry.MasterDownError, false},
		{retry.AuthenticationError, retry.ResponseError, true},
		{retry.TimeoutError, retry.ConnectionError, false},
		{retry.ReadOnlyError, retry.ConnectionError, false},
		{"LOADING", retry.BusyLoadingError, false},
		{"LOADING", "LOADING", true},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.c)+"/"+string(tt.target), func(t *testing.T) {
			if got := tt.c.Is(tt.target); got != tt.want {
				t.Errorf("%q.Is(%q) = %v, want %v", tt.c, tt.target, got, tt.want)
			}
		})
	}
}

func TestClassMatch(t *testing.T) {
	tests := []struct {
		c    retry.Class
		err  error
		want bool
	}{
		{"LOADING", replyErr("LOADING x"), true},
		{"LOADING", replyErr("READONLY x"), false},
		{"LOADING", &connErr{msg: "EOF"}, false},
		{"ERR", replyErr("ERR max number of clients reached"), true},
		{retry.ConnectionError, replyErr("LOADING x"), true},
		{retry.ConnectionError, replyErr("ERR max number of clients reached"), true},
		{retry.ResponseError, replyErr("MOVED 1 127.0.0.1:7000"), true},
		{retry.ResponseError, io.EOF, false},
		{retry.ClusterDownError, replyErr("MASTERDOWN x"), true},
		{retry.TimeoutError, os.ErrDeadlineExceeded, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.c)+"/"+tt.err.Error(), func(t *testing.T) {
			if got := tt.c.Match(tt.err); got != tt.want {
				t.Errorf("%q.Match(%v) = %v, want %v", tt.c, tt.err, got, tt.want)
			}
		})
	}
}

func TestParseClass(t *testing.T) {
	tests := []struct {
		in       string
		want     retry.Class
		wantCode bool
		wantErr  string
	}{
		{"ConnectionError", retry.ConnectionError, false, ""},
		{"connectionerror", retry.ConnectionError, false, ""},
		{"CONNECTIONERROR", retry.ConnectionError, false, ""},
		{" masterDownError ", retry.MasterDownError, false, ""},
		{"LOADING", "LOADING", true, ""},
		{"ERR", "ERR", true, ""},
		{"NOREPLICAS", "NOREPLICAS", true, ""},
		{"loading", "", false, `unknown error class "loading"`},
		{"", "", false, `unknown error class ""`},
		{"Foo", "", false, `unknown error class "Foo" (valid: ConnectionError, BusyLoadingError, TimeoutError, ResponseError, ReadOnlyError, TryAgainError, ClusterDownError, MasterDownError, MovedError, AskError, CrossSlotError, NoScriptError, AuthenticationError, or a Redis error code in capitals such as LOADING)`},
		{"LOAD ING", "", false, "unknown error class"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := retry.ParseClass(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, retry.ErrUnknownClass) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseClass(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || got.IsCode() != tt.wantCode || !got.Valid() {
				t.Errorf("ParseClass(%q) = %q (code %v), %v; want %q (code %v)", tt.in, got, got.IsCode(), err, tt.want, tt.wantCode)
			}
		})
	}
}

func TestClassesAndParents(t *testing.T) {
	cs := retry.Classes()
	if len(cs) != 13 || cs[0] != retry.ConnectionError {
		t.Fatalf("Classes() = %v", cs)
	}
	for _, c := range cs {
		if c.IsCode() || !c.Valid() {
			t.Errorf("%q: IsCode %v, Valid %v", c, c.IsCode(), c.Valid())
		}
		if p := c.Parent(); p != "" && !c.Is(p) {
			t.Errorf("%q is not its parent %q", c, p)
		}
	}
	if retry.Class("Nope").Valid() {
		t.Error(`Class("Nope").Valid() = true`)
	}
}

func TestRequestSent(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"sent", fmt.Errorf("GET: %w", &connErr{msg: "read: EOF", sent: true}), true},
		{"not sent", &connErr{msg: "dial: refused"}, false},
		{"no method", io.EOF, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retry.RequestSent(tt.err); got != tt.want {
				t.Errorf("RequestSent(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestCode(t *testing.T) {
	if got := retry.Code(fmt.Errorf("x: %w", replyErr("BUSY Redis is busy"))); got != "BUSY" {
		t.Errorf("Code = %q, want BUSY", got)
	}
	if got := retry.Code(io.EOF); got != "" {
		t.Errorf("Code(io.EOF) = %q, want empty", got)
	}
}
