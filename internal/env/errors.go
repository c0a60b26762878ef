package env

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// ExitError ends a run with an exit code and the message to print for it
// (on stderr unless ToStdout). An empty message prints nothing: the run
// has said what went wrong already. cmd prints it, once.
type ExitError struct {
	Code     int
	Msg      string
	ToStdout bool
}

func (e *ExitError) Error() string { return e.Msg }

// Fail returns the error that ends a run with exit code 1 and msg on
// stderr; an empty msg prints nothing.
func Fail(msg string) error { return &ExitError{Code: 1, Msg: msg} }

// Describe turns an error into the one line redish prints for it, using
// redis-cli's words where redis-cli has words for the same failure. The
// line may quote a server (an error reply refusing AUTH or SELECT): its
// control bytes are escaped (see PrintableLine).
func Describe(err error) string {
	return PrintableLine(describeRaw(err))
}

// Reason is Describe's text for err without its "Error: " prefix, to
// follow one of redis-cli's own messages.
func Reason(err error) string {
	return strings.TrimPrefix(Describe(err), "Error: ")
}

// PrintableLine escapes the control bytes of a line of error output that
// may quote a server, so that what a server says cannot drive the terminal
// (format.AppendPrintable).
func PrintableLine(s string) string {
	return string(format.AppendPrintable(nil, []byte(s)))
}

func describeRaw(err error) string {
	var mr *redisx.MayHaveRunError
	if errors.As(err, &mr) {
		return describeRaw(mr.Err) + "; " + mr.Cmd + " may have run: " + mr.Reason()
	}
	var td *redisx.TxDroppedError
	if errors.As(err, &td) {
		return "Error: " + td.Error()
	}
	var tl *redisx.TxLostError
	if errors.As(err, &tl) {
		msg := describeRaw(tl.Err) + "; " + tl.Lost()
		switch {
		case tl.Ended:
		case tl.Multi:
			msg += "; the commands up to EXEC or DISCARD will not be sent"
		default:
			msg += "; the commands up to EXEC, DISCARD or UNWATCH will not be sent"
		}
		return msg
	}
	var se *redisx.SentinelError
	if errors.As(err, &se) {
		return "Could not connect to Redis through Sentinel: " + se.Error()
	}
	var he *redisx.HandshakeError
	if errors.As(err, &he) {
		return he.Error()
	}
	var ce *redisx.ConnError
	if errors.As(err, &ce) {
		if ce.Op == "dial" {
			return "Could not connect to Redis at " + ce.Addr + ": " + DialReason(ce.Err)
		}
		return "Error: " + ioReason(ce.Err)
	}
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		return "Error: Protocol error: " + pe.Msg + " (connection closed)"
	}
	if errors.Is(err, context.Canceled) {
		return "Interrupted."
	}
	return "Error: " + err.Error()
}

// DialReason says why a connection could not be made, as libc's strerror
// and gai_strerror say it (redis-cli prints those).
func DialReason(err error) string {
	var te *redisx.TLSError
	if errors.As(err, &te) {
		if errors.Is(te.Err, context.DeadlineExceeded) || errors.Is(te.Err, os.ErrDeadlineExceeded) {
			return "TLS handshake timed out (is the server speaking TLS on this port?)"
		}
		return "TLS handshake failed: " + te.Err.Error() + " (check --cacert, --sni, or use --insecure)"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return "Name or service not known"
		}
		if dns.IsTimeout {
			return "Temporary failure in name resolution"
		}
		return dns.Err
	}
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return "Connection timed out (--connect-timeout)"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return strerror(errno)
	}
	return err.Error()
}

// FileReason says why a file could not be opened or written, as
// strerror says it: "No such file or directory".
func FileReason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return DialReason(pe.Err)
	}
	return err.Error()
}

// ioReason says why a connection failed after it was made.
func ioReason(err error) string {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "Server closed the connection"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out waiting for the reply (--timeout)"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return strerror(errno)
	}
	return err.Error()
}

// strerror returns the C library's text for errno: Go's text with a
// capital first letter ("connection refused" -> "Connection refused").
func strerror(errno syscall.Errno) string {
	s := errno.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ScriptFailure decides what a command that got no reply means for a
// script (commands read from stdin, --pipe with -c): it returns nil when
// the failure only fails that command, which the caller reports before
// going on, or the error that ends the run. A run ends when it is
// interrupted, when the server cannot be reached (standalone: nothing
// else would run either), when the session cannot be set up, or when the
// server stops speaking RESP. In cluster mode a node that cannot be
// reached fails only the commands routed to it.
func ScriptFailure(ctx context.Context, cluster bool, err error) error {
	if ctx.Err() != nil {
		return err
	}
	var td *redisx.TxDroppedError
	var tl *redisx.TxLostError
	if errors.As(err, &td) || errors.As(err, &tl) {
		return nil
	}
	var ce *redisx.ConnError
	if !errors.As(err, &ce) || errors.As(err, new(*redisx.HandshakeError)) || errors.As(err, new(*resp.ProtocolError)) {
		return err
	}
	if ce.Op == "dial" && !cluster {
		return err
	}
	return nil
}
