package repl

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Client is what the shell needs of its connection to Redis. Standalone
// adapts a *redisx.Client, Cluster a *redisx.ClusterClient.
type Client interface {
	// Do sends one command and reads its reply, retrying per the policy.
	// A server error reply is a Value of KindError, not an error.
	Do(ctx context.Context, args [][]byte) (resp.Value, error)
	// ReadReply reads the next message the server pushes on the
	// connection the last command used (after SUBSCRIBE or MONITOR).
	ReadReply(ctx context.Context) (resp.Value, error)
	// Connect dials now if there is no live connection, so that the
	// prompt tells the truth after a start, a "connect" or an interrupt.
	Connect(ctx context.Context) error
	// SetAddr points the client at another server (the "connect" built-in)
	// and closes the current connection; the session (credentials,
	// protocol, database, name) carries over. A client that cannot move
	// says why.
	SetAddr(host string, port int) error
	// State is what the prompt shows.
	State() State
	// ScanKeys lists up to max keys starting with prefix, for completion,
	// on a connection of its own: the shell's may be inside MULTI or
	// subscribed. It returns what it found when ctx ends.
	ScanKeys(ctx context.Context, prefix string, max int) []string
	// Close closes every connection.
	Close() error
}

// State is what the prompt shows of a Client.
type State struct {
	// Addr is "host:port" ("[::1]:6379" for IPv6), or the node the last
	// command went to in cluster mode.
	Addr string
	// Socket is the unix socket path, "" over TCP.
	Socket string
	// DB is the selected database.
	DB int
	// InTx is true inside MULTI.
	InTx bool
	// Connected is false when the last attempt to connect failed, or the
	// connection was lost and not made again yet.
	Connected bool
	// Cluster is true in cluster mode (-c).
	Cluster bool
	// Sentinel is the name of the primary the sentinels were asked for
	// (--sentinel), "" otherwise.
	Sentinel string
}

// Watcher is implemented by clients whose server can move while the
// shell waits for input (Sentinel): Watch follows the moves until stop is
// called, passing each to notice from another goroutine.
type Watcher interface {
	Watch(ctx context.Context, notice func(Notice)) (stop func())
}

// Notice is what a Watcher reports: a line that --verbose prints, and the
// server's new address when it moved.
type Notice struct {
	Line string
	Addr string
}

// RetryControl is implemented by clients whose retry policy and --verbose
// output can change while the shell runs (:retry and :verbose).
type RetryControl interface {
	// RetryPolicy returns the policy commands run under.
	RetryPolicy() retry.Policy
	// SetRetryPolicy makes p the policy of the next commands.
	SetRetryPolicy(p retry.Policy)
	// Observer returns the function receiving retry events, nil when
	// retries are silent.
	Observer() func(retry.Event)
	// SetObserver sets the function receiving retry events; nil silences
	// them.
	SetObserver(func(retry.Event))
}

// EventControl is implemented by clients that report, under --verbose and
// :verbose, events besides retries: in cluster mode, redirects, topology
// reads and cluster-level attempts.
type EventControl interface {
	// SetEventLines sets the function receiving those events, each as
	// the line --verbose prints; nil silences them.
	SetEventLines(func(line string))
}

// AttemptsControl is implemented by clients with a second, outer level of
// attempts that :retry can change: the cluster-level attempts of cluster
// mode (--cluster-error-attempts).
type AttemptsControl interface {
	// ErrorAttempts returns the attempts made after the first one fails.
	ErrorAttempts() int
	// SetErrorAttempts sets them.
	SetErrorAttempts(n int)
}

// Standalone adapts a *redisx.Client to Client and RetryControl.
type Standalone struct {
	c *redisx.Client
	// scan is the connection used for key completion, made when first
	// needed.
	scan *redisx.Client
}

// NewStandalone returns the shell's view of c. The shell owns c from then
// on: Close closes it.
func NewStandalone(c *redisx.Client) *Standalone { return &Standalone{c: c} }

// Do runs one command on the client.
func (s *Standalone) Do(ctx context.Context, args [][]byte) (resp.Value, error) {
	return s.c.Do(ctx, args)
}

// ReadReply reads the next pushed message.
func (s *Standalone) ReadReply(ctx context.Context) (resp.Value, error) {
	return s.c.ReadReply(ctx)
}

// Connect dials when there is no live connection.
func (s *Standalone) Connect(ctx context.Context) error {
	_, err := s.c.Conn(ctx)
	return err
}

// SetAddr points the client at host:port over TCP.
func (s *Standalone) SetAddr(host string, port int) error {
	o := s.c.Options()
	o.Host, o.Port, o.Socket = host, port, ""
	s.c.SetOptions(o)
	return nil
}

// State returns the address, database and transaction state.
func (s *Standalone) State() State {
	o := s.c.Options()
	st := State{DB: o.DB, InTx: s.c.InTx(), Connected: s.c.Connected()}
	if o.Socket != "" {
		st.Socket = o.Socket
	} else {
		st.Addr = o.Addr()
	}
	return st
}

// ScanKeys runs SCAN MATCH prefix* on a second connection to the same
// server and database until the keyspace is covered, max keys are found
// or ctx ends.
func (s *Standalone) ScanKeys(ctx context.Context, prefix string, max int) []string {
	return scanKeys(ctx, s.scanClient().Do, prefix, max)
}

// scanClient returns the connection used for completion, on the same
// server and database as the shell's.
func (s *Standalone) scanClient() *redisx.Client {
	o := s.c.Options()
	if s.scan == nil {
		s.scan = redisx.NewClient(o)
	} else if so := s.scan.Options(); so.Addr() != o.Addr() || so.Socket != o.Socket || so.DB != o.DB || so.User != o.User || so.Password != o.Password {
		s.scan.SetOptions(o)
	}
	return s.scan
}

// scanKeys drives SCAN with do, bounded by ctx and max.
func scanKeys(ctx context.Context, do func(context.Context, [][]byte) (resp.Value, error), prefix string, max int) []string {
	var keys []string
	cursor := "0"
	pattern := globEscape(prefix) + "*"
	for range 1000 {
		v, err := do(ctx, redisx.Args("SCAN", cursor, "MATCH", pattern, "COUNT", "1000"))
		if err != nil || v.Kind != resp.KindArray || len(v.Elems) != 2 {
			break
		}
		for _, k := range v.Elems[1].Elems {
			keys = append(keys, k.Text())
		}
		cursor = v.Elems[0].Text()
		if cursor == "0" || len(keys) >= max || ctx.Err() != nil {
			break
		}
	}
	if len(keys) > max {
		keys = keys[:max]
	}
	return keys
}

// globEscape escapes the characters SCAN MATCH gives a meaning to.
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Close closes both connections.
func (s *Standalone) Close() error {
	var err error
	if s.scan != nil {
		err = s.scan.Close()
	}
	return errors.Join(s.c.Close(), err)
}

// RetryPolicy returns the client's policy: no retries when it has none.
func (s *Standalone) RetryPolicy() retry.Policy {
	if s.c.Retry == nil {
		return retry.DefaultPolicy()
	}
	return s.c.Retry.Policy
}

// SetRetryPolicy replaces the client's policy, keeping its clock and
// random source.
func (s *Standalone) SetRetryPolicy(p retry.Policy) {
	r := retry.Retry{}
	if s.c.Retry != nil {
		r = *s.c.Retry
	}
	r.Policy = p
	s.c.Retry = &r
}

// Observer returns the client's retry event hook.
func (s *Standalone) Observer() func(retry.Event) { return s.c.Observe }

// SetObserver sets the client's retry event hook.
func (s *Standalone) SetObserver(f func(retry.Event)) { s.c.Observe = f }

// parsePort parses the port of "connect HOST PORT" as redis-cli's atoi
// does not: strictly, 0 to 65535.
func parsePort(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	// Port 0 would dial the default port: perhaps another server.
	return n, err == nil && n >= 1 && n <= 65535
}
