// Package redistest starts real redis-server processes for tests: plain,
// with a password or ACL users, on a unix socket, TLS-only, or as the
// nodes of a cluster. It wraps internal/redisproc, which starts the
// processes (and is what redish lab uses), with what tests want: servers
// in the test's t.TempDir, stopped in t.Cleanup, and helpers that fail the
// test instead of returning errors.
//
// When redis-server is not installed, Start and StartCluster skip the
// test, unless the CI environment variable is set: CI must never pass by
// skipping.
//
// The package does not import testing: TB is the part of testing.TB the
// helpers use. The redish binary does not link it.
package redistest

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/internal/redisproc"
	"github.com/redish/redish/resp"
)

// TB is the part of testing.TB that Start, StartCluster and the other
// helpers taking a test use; *testing.T, *testing.B and testing.TB satisfy
// it.
type TB interface {
	Helper()
	Cleanup(func())
	TempDir() string
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Server is one redis-server process started by Start or StartCluster:
// a redisproc.Server with helpers that fail the test. Its methods may be
// called from any goroutine, except those taking a TB, which must be
// called from the test's goroutine.
type Server struct {
	*redisproc.Server
}

// Option configures a server started by Start or StartCluster.
type Option = redisproc.Option

// DefaultNodeTimeout is the cluster-node-timeout of cluster nodes: low,
// so failover tests take seconds.
const DefaultNodeTimeout = redisproc.DefaultNodeTimeout

// ErrNoPause is Pause's error on systems without SIGSTOP and SIGCONT
// (Windows).
var ErrNoPause = redisproc.ErrNoPause

// WithPassword sets requirepass (and masterauth, so replicas can attach).
// Do and Options authenticate with it.
func WithPassword(password string) Option { return redisproc.WithPassword(password) }

// WithUser adds an ACL user (see redisproc.WithUser).
func WithUser(name, pass string, rules ...string) Option {
	return redisproc.WithUser(name, pass, rules...)
}

// WithUnixSocket makes the server listen on a unix socket in its directory
// too (Server.Socket).
func WithUnixSocket() Option { return redisproc.WithUnixSocket() }

// WithTLS makes the server TLS-only (see redisproc.WithTLS).
func WithTLS() Option { return redisproc.WithTLS() }

// WithConfig adds a config directive: WithConfig("maxclients", "10").
func WithConfig(key string, values ...string) Option { return redisproc.WithConfig(key, values...) }

// WithCluster starts the server with cluster-enabled yes, alone until
// joined.
func WithCluster() Option { return redisproc.WithCluster() }

// WithNodeTimeout sets cluster-node-timeout (default DefaultNodeTimeout).
func WithNodeTimeout(d time.Duration) Option { return redisproc.WithNodeTimeout(d) }

// HasIPv6 reports whether the IPv6 loopback [::1] can be listened on.
// Servers bind it too when it can, so tests may dial [::1]:PORT.
func HasIPv6() bool { return redisproc.HasIPv6() }

// RedisServer returns the path of redis-server. When it is not on PATH it
// skips the test, or fails it when the CI environment variable is set.
func RedisServer(t TB) string {
	t.Helper()
	return lookBinary(t, "redis-server")
}

// RedisCLI returns the path of redis-cli, the reference implementation
// output is compared against. When it is not on PATH it skips the test, or
// fails it when the CI environment variable is set.
func RedisCLI(t TB) string {
	t.Helper()
	return lookBinary(t, "redis-cli")
}

func lookBinary(t TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("redistest: %s is required when CI is set: %v", name, err)
		}
		t.Skipf("redistest: %s not installed: %v", name, err)
	}
	return path
}

// Start starts a redis-server configured by opts, in the test's TempDir,
// and waits until it answers PING. The server is stopped when the test
// ends.
func Start(t TB, opts ...Option) *Server {
	t.Helper()
	RedisServer(t)
	s, err := redisproc.Launch(append(opts, redisproc.WithDir(t.TempDir()))...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(s.Close)
	return &Server{s}
}

// Do sends one command over a fresh connection and returns the reply.
// An error reply is returned as a value of KindError; failing to reach
// the server fails the test. It authenticates as the default user when the
// server has a password and speaks TLS when the server is TLS-only.
func (s *Server) Do(t TB, args ...string) resp.Value {
	t.Helper()
	v, err := s.Call(args...)
	if err != nil {
		t.Fatalf("redistest: %s %s: %v\n%s", s.Addr(), strings.Join(args, " "), err, s.LogTail())
	}
	return v
}

// Restart stops the server if it is running and starts it again on the
// same port with the same config, waiting until it answers PING. The
// dataset is not kept (persistence is off).
func (s *Server) Restart(t TB) {
	t.Helper()
	if err := s.Relaunch(); err != nil {
		t.Fatalf("%v", err)
	}
}

// Cluster is a Redis cluster started by StartCluster.
type Cluster struct {
	c *redisproc.Cluster
	// Nodes are all the servers: the primaries as created first, then the
	// replicas (the replicas of Nodes[0], then of Nodes[1], ...).
	Nodes []*Server
}

// StartCluster starts primaries*(1+replicasPerPrimary) servers with
// cluster-enabled yes, gives each primary an equal range of the 16384
// slots, attaches replicasPerPrimary replicas to each primary, and waits
// until every node reports cluster_state:ok and sees every replica
// attached. opts apply to every node (WithPassword, WithTLS, WithNodeTimeout
// and so on). The nodes are stopped when the test ends.
func StartCluster(t TB, primaries, replicasPerPrimary int, opts ...Option) *Cluster {
	t.Helper()
	RedisServer(t)
	c, err := redisproc.LaunchCluster(primaries, replicasPerPrimary, append(opts, redisproc.WithDir(t.TempDir()))...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(c.Close)
	w := &Cluster{c: c, Nodes: make([]*Server, len(c.Nodes))}
	for i, s := range c.Nodes {
		w.Nodes[i] = &Server{s}
	}
	return w
}

// wrap returns the node of c that is s.
func (c *Cluster) wrap(s *redisproc.Server) *Server {
	for _, n := range c.Nodes {
		if n.Server == s {
			return n
		}
	}
	return &Server{s}
}

func (c *Cluster) wrapAll(servers []*redisproc.Server) []*Server {
	var out []*Server
	for _, s := range servers {
		out = append(out, c.wrap(s))
	}
	return out
}

// WaitForState waits until every node that is running and not paused
// reports cluster_state:state ("ok" or "fail"). For "ok" it also waits
// until every live node sees every slot served by a live primary, so after
// a Kill of a primary, WaitForState(t, "ok") returns once a replica has
// taken over, not while the others have yet to notice the loss.
func (c *Cluster) WaitForState(t TB, state string) {
	t.Helper()
	if err := c.c.AwaitState(state); err != nil {
		t.Fatalf("%v", err)
	}
}

// Primaries returns the live nodes whose current role is primary, in
// Nodes order. After a failover it includes the promoted replica.
func (c *Cluster) Primaries() []*Server { return c.wrapAll(c.c.Primaries()) }

// Replicas returns the live nodes whose current role is replica, in Nodes
// order.
func (c *Cluster) Replicas() []*Server { return c.wrapAll(c.c.Replicas()) }

// NodeForSlot returns the node that serves slot, according to CLUSTER
// SLOTS asked of the first live node. It fails the test when no node
// answers or the slot is not served.
func (c *Cluster) NodeForSlot(t TB, slot int) *Server {
	t.Helper()
	s, err := c.c.NodeForSlot(slot)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return c.wrap(s)
}

// NodeForKey returns the node that serves key (see NodeForSlot).
func (c *Cluster) NodeForKey(t TB, key string) *Server {
	t.Helper()
	s, err := c.c.NodeForKey(key)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return c.wrap(s)
}

// WaitUntil polls cond until it holds, failing the test with what when it
// does not within timeout: for a state a test can observe but not be told
// of (a process gone, a role changed).
func WaitUntil(t TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ProcessGone reports whether the process pid has exited, from /proc (a
// zombie counts as gone: its reaper may be slow). Where there is no /proc
// it reports true.
func ProcessGone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// pid (comm) STATE ...: the state follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}
