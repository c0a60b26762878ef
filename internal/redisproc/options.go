package redisproc

import "time"

// DefaultNodeTimeout is the cluster-node-timeout of servers started
// WithCluster: low, so failover tests take seconds.
const DefaultNodeTimeout = 1000 * time.Millisecond

// Option configures a server started by Launch or LaunchCluster.
type Option func(*config)

type config struct {
	password    string
	users       [][]string // rules of each "user" directive, name first
	unixSocket  bool
	tls         bool
	certs       *certFiles // shared by the nodes of a cluster
	cluster     bool
	sentinel    bool // redis-server --sentinel (see sentinel.go)
	nodeTimeout time.Duration
	directives  [][]string
	dir         string
	announce    func(*Server) (string, error)
}

func newConfig(opts []Option) *config {
	c := &config{nodeTimeout: DefaultNodeTimeout}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithPassword sets requirepass (and masterauth, so replicas can attach).
// Call and Options authenticate with it.
func WithPassword(password string) Option {
	return func(c *config) { c.password = password }
}

// WithUser adds an ACL user that is on, has the password pass, and the
// given rules. With no rules the user may run every command on every key
// and channel ("~*", "&*", "+@all"). For example WithUser("reader", "pw",
// "~*", "+@read") allows only reads.
func WithUser(name, pass string, rules ...string) Option {
	return func(c *config) {
		if len(rules) == 0 {
			rules = []string{"~*", "&*", "+@all"}
		}
		u := append([]string{name, "on", ">" + pass}, rules...)
		c.users = append(c.users, u)
	}
}

// WithUnixSocket makes the server listen on a unix socket in its directory
// too (Server.Socket), with unixsocketperm 700.
func WithUnixSocket() Option {
	return func(c *config) { c.unixSocket = true }
}

// WithTLS makes the server TLS-only: it generates a CA, a server
// certificate for 127.0.0.1, ::1 and localhost, and a client certificate,
// and serves TLS on Server.Port with tls-auth-clients optional. The PEM
// files are in Server.CACert, CertFile, KeyFile and ServerCert.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithConfig adds a config directive: WithConfig("maxclients", "10"),
// WithConfig("rename-command", "CONFIG", ""). Directives come after the
// ones this package writes, so they override them.
func WithConfig(key string, values ...string) Option {
	return func(c *config) {
		c.directives = append(c.directives, append([]string{key}, values...))
	}
}

// WithCluster starts the server with cluster-enabled yes, its own
// cluster-config-file and a cluster bus port (Server.ClusterPort). The
// node is alone until joined; LaunchCluster does that.
func WithCluster() Option {
	return func(c *config) { c.cluster = true }
}

// WithNodeTimeout sets cluster-node-timeout (default DefaultNodeTimeout)
// for servers started WithCluster or by LaunchCluster.
func WithNodeTimeout(d time.Duration) Option {
	return func(c *config) { c.nodeTimeout = d }
}

// WithDir makes Launch keep the server's files in dir, and LaunchCluster
// in one directory per node under dir, instead of in a new temporary
// directory; Close leaves dir in place.
func WithDir(dir string) Option {
	return func(c *config) { c.dir = dir }
}

// WithAnnounce makes LaunchCluster ask announce, for each node once it
// runs, for the "host:port" address the cluster should tell clients for
// that node (cluster-announce-ip and cluster-announce-port), for example
// a proxy in front of it. Clients then reach the node only through that
// address: CLUSTER SHARDS, CLUSTER SLOTS and MOVED name it, and replicas
// replicate through it; the cluster bus stays direct.
func WithAnnounce(announce func(s *Server) (addr string, err error)) Option {
	return func(c *config) { c.announce = announce }
}
