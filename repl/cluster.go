package repl

import (
	"context"
	"errors"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// Cluster adapts a *redisx.ClusterClient (-c) to Client. The prompt names
// the node the last command went to; redirects are announced by the
// client's OnRedirect hook, which the caller sets.
type Cluster struct {
	c *redisx.ClusterClient
	// connected is false after a connection failure, until a command or
	// Connect succeeds.
	connected bool
}

// A cluster shell's node-level policy, its cluster-level attempts and
// what it prints can change live (:retry, :verbose).
var (
	_ RetryControl    = (*Cluster)(nil)
	_ EventControl    = (*Cluster)(nil)
	_ AttemptsControl = (*Cluster)(nil)
)

// ErrNoConnect is returned by Cluster.SetAddr: a cluster shell keeps its
// startup nodes.
var ErrNoConnect = errors.New("connect is not available in cluster mode: start redish again with -c and the node's address")

// NewCluster returns the shell's view of c. The shell owns c from then
// on: Close closes it.
func NewCluster(c *redisx.ClusterClient) *Cluster { return &Cluster{c: c} }

// Do runs one command on the cluster.
func (s *Cluster) Do(ctx context.Context, args [][]byte) (resp.Value, error) {
	v, err := s.c.Do(ctx, args)
	if err != nil {
		var ce *redisx.ConnError
		if errors.As(err, &ce) {
			s.connected = false
		}
		return v, err
	}
	s.connected = true
	return v, nil
}

// ReadReply reads the next pushed message from the last node.
func (s *Cluster) ReadReply(ctx context.Context) (resp.Value, error) {
	return s.c.ReadReply(ctx)
}

// Connect reads the slot map from the first startup node that answers,
// or learns that the nodes give none (a standalone server): commands then
// follow redirects, as with redis-cli -c.
func (s *Cluster) Connect(ctx context.Context) error {
	err := s.c.Connect(ctx)
	s.connected = err == nil
	return err
}

// RetryPolicy returns the node-level policy commands run under.
func (s *Cluster) RetryPolicy() retry.Policy {
	if r := s.c.Retry(); r != nil {
		return r.Policy
	}
	return retry.DefaultPolicy()
}

// SetRetryPolicy replaces the node-level policy, keeping its clock and
// random source. The cluster level (--cluster-error-attempts) is unchanged.
func (s *Cluster) SetRetryPolicy(p retry.Policy) {
	r := retry.Retry{}
	if cur := s.c.Retry(); cur != nil {
		r = *cur
	}
	r.Policy = p
	s.c.SetRetry(&r)
}

// Observer returns the node-level retry event hook.
func (s *Cluster) Observer() func(retry.Event) { return s.c.OnRetry() }

// SetObserver sets the node-level retry event hook.
func (s *Cluster) SetObserver(f func(retry.Event)) { s.c.SetOnRetry(f) }

// SetEventLines prints the cluster's redirects, topology reads and
// cluster-level attempts with f, as --verbose does; nil silences them.
func (s *Cluster) SetEventLines(f func(string)) {
	if f == nil {
		s.c.SetOnEvent(nil)
		return
	}
	s.c.SetOnEvent(func(ev redisx.ClusterEvent) { f(ev.String()) })
}

// ErrorAttempts returns the cluster-level attempts made after the first
// one fails.
func (s *Cluster) ErrorAttempts() int { return s.c.ErrorAttempts() }

// SetErrorAttempts sets the cluster-level attempts.
func (s *Cluster) SetErrorAttempts(n int) { s.c.SetErrorAttempts(n) }

// SetAddr is not supported in cluster mode: it returns ErrNoConnect.
func (s *Cluster) SetAddr(string, int) error { return ErrNoConnect }

// State names the node of the last command.
func (s *Cluster) State() State {
	return State{Addr: s.c.LastAddr(), Cluster: true, InTx: s.c.InTx(), Connected: s.connected}
}

// errEnough stops a scan once enough keys are found.
var errEnough = errors.New("enough keys")

// ScanKeys scans every primary for keys starting with prefix. Inside
// MULTI it finds nothing: the SCAN would be queued.
func (s *Cluster) ScanKeys(ctx context.Context, prefix string, max int) []string {
	if s.c.InTx() {
		return nil
	}
	var keys []string
	s.c.Scan(ctx, globEscape(prefix)+"*", 1000, func(k []byte) error {
		keys = append(keys, string(k))
		if len(keys) >= max {
			return errEnough
		}
		return nil
	})
	return keys
}

// Close closes every node connection.
func (s *Cluster) Close() error { return s.c.Close() }
