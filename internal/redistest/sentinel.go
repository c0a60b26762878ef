package redistest

import (
	"github.com/redish/redish/internal/redisproc"
)

// SentinelConfig says what StartSentinels starts (see
// redisproc.SentinelConfig): by default a primary named "mymaster" with
// two replicas, watched by three sentinels with a quorum of two, and low
// timings so that a failover takes seconds.
type SentinelConfig = redisproc.SentinelConfig

// WithSentinelMode starts redis-server with --sentinel: a sentinel, which
// needs a "sentinel monitor" directive (WithConfig) to watch a primary.
func WithSentinelMode() Option { return redisproc.WithSentinelMode() }

// SentinelSet is a primary, its replicas and the sentinels watching them,
// started by StartSentinels. After a failover the roles of Nodes change:
// ask the sentinels (PrimaryAddr, Primary) which one is the primary now.
type SentinelSet struct {
	set *redisproc.SentinelSet
	// MasterName is the name the sentinels know the primary by.
	MasterName string
	// Quorum is the quorum the sentinels monitor the primary with.
	Quorum int
	// Nodes are the data nodes: the primary at start, then its replicas.
	Nodes []*Server
	// Sentinels are the sentinels, in start order.
	Sentinels []*Server
	// CACert, CertFile and KeyFile are the CA and client certificate of a
	// TLS set.
	CACert, CertFile, KeyFile string
}

// StartSentinels starts a sentinel set as cfg says, in the test's
// TempDir, and waits until it has settled: every sentinel names the
// primary, knows every replica with its link up, and knows every other
// sentinel. The processes are stopped when the test ends.
func StartSentinels(t TB, cfg SentinelConfig) *SentinelSet {
	t.Helper()
	RedisServer(t)
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	set, err := redisproc.LaunchSentinels(cfg)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(set.Close)
	ss := &SentinelSet{set: set, MasterName: set.MasterName, Quorum: set.Quorum,
		CACert: set.CACert, CertFile: set.CertFile, KeyFile: set.KeyFile}
	for _, s := range set.Nodes {
		ss.Nodes = append(ss.Nodes, &Server{s})
	}
	for _, s := range set.Sentinels {
		ss.Sentinels = append(ss.Sentinels, &Server{s})
	}
	return ss
}

// SentinelAddrs returns the addresses clients reach the sentinels at.
func (ss *SentinelSet) SentinelAddrs() []string { return ss.set.SentinelAddrs() }

// Node returns the data node known by addr (its own or its announced
// address), or nil.
func (ss *SentinelSet) Node(addr string) *Server {
	for _, n := range ss.Nodes {
		if n.Addr() == addr || n.PublicAddr() == addr {
			return n
		}
	}
	return nil
}

// PrimaryAddr returns the primary's address as the first sentinel that
// answers names it.
func (ss *SentinelSet) PrimaryAddr() (string, error) { return ss.set.PrimaryAddr() }

// Primary returns the data node the sentinels name as the primary. It
// fails the test when no sentinel answers.
func (ss *SentinelSet) Primary(t TB) *Server {
	t.Helper()
	s, err := ss.set.Primary()
	if err != nil {
		t.Fatalf("%v", err)
	}
	return ss.Node(s.Addr())
}

// AwaitSettled waits until the set has settled again, on a primary other
// than old when old is not empty, and returns the primary's address (see
// redisproc.SentinelSet.AwaitSettled).
func (ss *SentinelSet) AwaitSettled(old string) (string, error) { return ss.set.AwaitSettled(old) }

// Failover makes the sentinels fail the primary over (SENTINEL FAILOVER),
// waits until the set has settled on the new primary and returns its
// address.
func (ss *SentinelSet) Failover() (string, error) { return ss.set.Failover() }
