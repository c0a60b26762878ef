package redisproc

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/resp"
)

// Defaults of SentinelConfig. The timings are low so that a failover
// takes two or three seconds: a sentinel marks the primary down after
// DownAfter without an answer, and the sentinels then elect a leader that
// promotes a replica.
const (
	DefaultMasterName      = "mymaster"
	DefaultDownAfter       = 1000 * time.Millisecond
	DefaultFailoverTimeout = 2000 * time.Millisecond
)

// sentinelTimeout bounds the waits for a sentinel set to settle or fail
// over. With the defaults a set settles in about two seconds (sentinels
// find each other through hello messages every two seconds) and a
// failover after a kill completes in three or four.
const sentinelTimeout = 30 * time.Second

// SentinelConfig says what LaunchSentinels starts. The
// zero value is a primary named "mymaster" with two replicas, watched by
// three sentinels with a quorum of two.
type SentinelConfig struct {
	// MasterName is the name the sentinels monitor the primary under.
	MasterName string
	// Replicas is the number of replicas of the primary (0 means 2).
	Replicas int
	// Sentinels is the number of sentinels (0 means 3).
	Sentinels int
	// Quorum is the number of sentinels that must agree the primary is
	// down (0 means a majority of Sentinels).
	Quorum int
	// DownAfter is sentinel down-after-milliseconds (0 means
	// DefaultDownAfter).
	DownAfter time.Duration
	// FailoverTimeout is sentinel failover-timeout (0 means
	// DefaultFailoverTimeout). A sentinel does not try to fail the same
	// primary over again before twice this time.
	FailoverTimeout time.Duration

	// Password is the requirepass of the primary and replicas (and their
	// masterauth); the sentinels authenticate to them with it (sentinel
	// auth-pass).
	Password string
	// SentinelPassword is the requirepass of the sentinels; they
	// authenticate to each other with it (sentinel sentinel-pass).
	SentinelPassword string
	// NodeOptions apply to the primary and the replicas, SentinelOptions
	// to the sentinels: WithUser for ACL users, WithConfig for directives.
	NodeOptions, SentinelOptions []Option
	// TLS makes every process TLS-only, with certificates of one CA: the
	// replicas replicate and the sentinels talk over TLS.
	TLS bool
	// Announce, when set, is asked for the "host:port" each process
	// should announce (a proxy in front of it): replicas announce it to
	// their primary (replica-announce-ip and -port), sentinels to each
	// other (sentinel announce-ip and -port), the sentinels monitor the
	// primary at its announced address and the replicas replicate
	// through it.
	Announce func(s *Server) (addr string, err error)
	// Dir holds one directory per process; empty means a new temporary
	// directory that Close removes.
	Dir string
}

// SentinelSet is a primary, its replicas and the sentinels watching them,
// started by LaunchSentinels. After a failover the roles
// of Nodes change: ask the sentinels (PrimaryAddr) or the nodes (Primary)
// which one is the primary now.
//
// A sentinel started again with Relaunch starts from its first
// configuration, monitoring the primary Nodes[0] was.
type SentinelSet struct {
	// MasterName is the name the sentinels know the primary by.
	MasterName string
	// Nodes are the data nodes: the primary at start, then its replicas.
	Nodes []*Server
	// Sentinels are the sentinels, in start order.
	Sentinels []*Server
	// Quorum is the quorum the sentinels monitor the primary with.
	Quorum int
	// CACert, CertFile and KeyFile are the CA and client certificate of a
	// TLS set.
	CACert, CertFile, KeyFile string

	// owned is the directory LaunchSentinels made, removed by Close.
	owned string
}

// LaunchSentinels starts a sentinel set as cfg says and waits until it
// has settled: every sentinel names the primary, knows every replica with
// its link up, and knows every other sentinel. On error it has stopped
// every process it started. The caller stops the set with Close. When
// redis-server is not on PATH the error matches exec.ErrNotFound.
func LaunchSentinels(cfg SentinelConfig) (*SentinelSet, error) {
	cfg = cfg.withDefaults()
	if cfg.Quorum > cfg.Sentinels {
		return nil, fmt.Errorf("redisproc: quorum %d is more than the %d sentinels", cfg.Quorum, cfg.Sentinels)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redisproc: %w", err)
	}
	ss := &SentinelSet{MasterName: cfg.MasterName, Quorum: cfg.Quorum}
	root, made, err := workDir(cfg.Dir, "redis-sentinel-")
	if err != nil {
		return nil, err
	}
	ss.owned = made
	if err := ss.launch(bin, cfg, root); err != nil {
		ss.Close()
		return nil, err
	}
	return ss, nil
}

func (cfg SentinelConfig) withDefaults() SentinelConfig {
	if cfg.MasterName == "" {
		cfg.MasterName = DefaultMasterName
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 2
	}
	if cfg.Sentinels <= 0 {
		cfg.Sentinels = 3
	}
	if cfg.Quorum <= 0 {
		cfg.Quorum = cfg.Sentinels/2 + 1
	}
	if cfg.DownAfter <= 0 {
		cfg.DownAfter = DefaultDownAfter
	}
	if cfg.FailoverTimeout <= 0 {
		cfg.FailoverTimeout = DefaultFailoverTimeout
	}
	return cfg
}

// launch starts the data nodes, attaches the replicas, starts the
// sentinels and waits until the set has settled.
func (ss *SentinelSet) launch(bin string, cfg SentinelConfig, root string) error {
	nodeOpts := append([]Option(nil), cfg.NodeOptions...)
	sentOpts := append([]Option{WithSentinelMode()}, cfg.SentinelOptions...)
	if cfg.Password != "" {
		nodeOpts = append(nodeOpts, WithPassword(cfg.Password))
	}
	if cfg.SentinelPassword != "" {
		sentOpts = append(sentOpts, WithPassword(cfg.SentinelPassword))
	}
	if cfg.TLS {
		dir := filepath.Join(root, "certs")
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fmt.Errorf("redisproc: %w", err)
		}
		certs, err := writeCerts(dir)
		if err != nil {
			return fmt.Errorf("redisproc: TLS certificates: %w", err)
		}
		ss.CACert, ss.CertFile, ss.KeyFile = certs.CACert, certs.ClientCert, certs.ClientKey
		shared := func(c *config) { c.tls, c.certs = true, certs }
		nodeOpts = append(nodeOpts, shared, WithConfig("tls-replication", "yes"))
		sentOpts = append(sentOpts, shared, WithConfig("tls-replication", "yes"))
	}

	nodeCfg := newConfig(nodeOpts)
	for i := range 1 + cfg.Replicas {
		s, err := ss.launchIn(bin, nodeCfg, root, fmt.Sprintf("node-%d", i+1))
		if s != nil {
			ss.Nodes = append(ss.Nodes, s)
		}
		if err != nil {
			return err
		}
	}
	if cfg.Announce != nil {
		for _, s := range ss.Nodes {
			if err := s.announceReplica(cfg.Announce); err != nil {
				return err
			}
		}
	}
	primary := ss.Nodes[0]
	host, port := primary.Host, primary.Port
	if primary.AnnouncedPort != 0 {
		host, port = primary.announcedHost(), primary.AnnouncedPort
	}
	for _, s := range ss.Nodes[1:] {
		if err := s.expectOK("REPLICAOF", host, strconv.Itoa(port)); err != nil {
			return err
		}
	}

	name := cfg.MasterName
	directives := [][]string{
		{"sentinel", "monitor", name, host, strconv.Itoa(port), strconv.Itoa(cfg.Quorum)},
		{"sentinel", "down-after-milliseconds", name, strconv.FormatInt(cfg.DownAfter.Milliseconds(), 10)},
		{"sentinel", "failover-timeout", name, strconv.FormatInt(cfg.FailoverTimeout.Milliseconds(), 10)},
	}
	if cfg.Password != "" {
		directives = append(directives, []string{"sentinel", "auth-pass", name, cfg.Password})
	}
	if cfg.SentinelPassword != "" {
		directives = append(directives, []string{"sentinel", "sentinel-pass", cfg.SentinelPassword})
	}
	for _, d := range directives {
		sentOpts = append(sentOpts, WithConfig(d[0], d[1:]...))
	}
	sentCfg := newConfig(sentOpts)
	for i := range cfg.Sentinels {
		s, err := ss.launchIn(bin, sentCfg, root, fmt.Sprintf("sentinel-%d", i+1))
		if s != nil {
			ss.Sentinels = append(ss.Sentinels, s)
		}
		if err != nil {
			return err
		}
		if cfg.Announce != nil {
			if err := s.announceSentinel(cfg.Announce); err != nil {
				return err
			}
		}
	}
	return ss.wait("the sentinel set to settle", func() error { return ss.settled("") })
}

// launchIn starts one process in its own directory under root.
func (ss *SentinelSet) launchIn(bin string, cfg *config, root, name string) (*Server, error) {
	dir := filepath.Join(root, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("redisproc: %w", err)
	}
	return launchIn(bin, cfg, dir)
}

// WithSentinelMode starts redis-server with --sentinel: a sentinel, which
// needs a "sentinel monitor" directive (WithConfig) to watch a primary.
func WithSentinelMode() Option {
	return func(c *config) { c.sentinel = true }
}

// announceReplica makes a data node announce the address announce gives
// it to its primary, now and after a Relaunch.
func (s *Server) announceReplica(announce func(*Server) (string, error)) error {
	host, port, err := announcedAddr(s, announce)
	if err != nil {
		return err
	}
	if err := s.expectOK("CONFIG", "SET", "replica-announce-ip", host, "replica-announce-port", strconv.Itoa(port)); err != nil {
		return err
	}
	s.AnnouncedPort = port
	s.announce = [][]string{{"replica-announce-ip", host}, {"replica-announce-port", strconv.Itoa(port)}}
	return nil
}

// announceSentinel makes a sentinel announce the address announce gives
// it to the other sentinels, now and after a Relaunch.
func (s *Server) announceSentinel(announce func(*Server) (string, error)) error {
	host, port, err := announcedAddr(s, announce)
	if err != nil {
		return err
	}
	for _, kv := range [][2]string{{"announce-ip", host}, {"announce-port", strconv.Itoa(port)}} {
		if err := s.expectOK("SENTINEL", "CONFIG", "SET", kv[0], kv[1]); err != nil {
			return err
		}
	}
	s.AnnouncedPort = port
	s.announce = [][]string{{"sentinel", "announce-ip", host}, {"sentinel", "announce-port", strconv.Itoa(port)}}
	return nil
}

func announcedAddr(s *Server, announce func(*Server) (string, error)) (string, int, error) {
	addr, err := announce(s)
	if err != nil {
		return "", 0, fmt.Errorf("redisproc: announce %s: %w", s.Addr(), err)
	}
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("redisproc: announce %s as %q: %w", s.Addr(), addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return "", 0, fmt.Errorf("redisproc: announce %s as %q: %w", s.Addr(), addr, err)
	}
	return host, port, nil
}

// announcedHost returns the host s announces, Host when it announces
// none.
func (s *Server) announcedHost() string {
	for _, d := range s.announce {
		if len(d) == 2 && d[0] == "replica-announce-ip" || len(d) == 3 && d[1] == "announce-ip" {
			return d[len(d)-1]
		}
	}
	return s.Host
}

// PublicAddr returns the address clients and sentinels know the server
// by: the announced one, or Addr.
func (s *Server) PublicAddr() string {
	if s.AnnouncedPort == 0 {
		return s.Addr()
	}
	return net.JoinHostPort(s.announcedHost(), strconv.Itoa(s.AnnouncedPort))
}

// Close stops every process and removes the directory LaunchSentinels
// made (none for a set started with Dir).
func (ss *SentinelSet) Close() {
	// Sentinels first: they would otherwise start failovers while the
	// data nodes stop.
	for _, s := range ss.Sentinels {
		s.Close()
	}
	for _, s := range ss.Nodes {
		s.Close()
	}
	if ss.owned != "" {
		os.RemoveAll(ss.owned)
		ss.owned = ""
	}
}

// SentinelAddrs returns the addresses clients reach the sentinels at.
func (ss *SentinelSet) SentinelAddrs() []string {
	out := make([]string, len(ss.Sentinels))
	for i, s := range ss.Sentinels {
		out[i] = s.PublicAddr()
	}
	return out
}

// Node returns the data node known by addr (its own or its announced
// address), or nil.
func (ss *SentinelSet) Node(addr string) *Server {
	for _, s := range ss.Nodes {
		if s.Addr() == addr || s.PublicAddr() == addr {
			return s
		}
	}
	return nil
}

// PrimaryAddr returns the primary's address as the first sentinel that
// answers names it.
func (ss *SentinelSet) PrimaryAddr() (string, error) {
	var errs []error
	for _, s := range ss.Sentinels {
		if !s.alive() {
			continue
		}
		addr, err := ss.askPrimary(s)
		if err == nil {
			return addr, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return "", errors.New("redisproc: no sentinel is running")
	}
	return "", errors.Join(errs...)
}

// Primary returns the data node the sentinels name as the primary.
func (ss *SentinelSet) Primary() (*Server, error) {
	addr, err := ss.PrimaryAddr()
	if err != nil {
		return nil, err
	}
	s := ss.Node(addr)
	if s == nil {
		return nil, fmt.Errorf("redisproc: the sentinels name %s, which is no node of the set", addr)
	}
	return s, nil
}

// askPrimary asks sentinel s for the primary's address.
func (ss *SentinelSet) askPrimary(s *Server) (string, error) {
	v, err := s.do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", ss.MasterName)
	if err != nil {
		return "", fmt.Errorf("sentinel %s: %w", s.Addr(), err)
	}
	if v.Kind == resp.KindError {
		return "", fmt.Errorf("sentinel %s: %w", s.Addr(), v.Err())
	}
	if v.Len() != 2 {
		return "", fmt.Errorf("sentinel %s: no primary named %s", s.Addr(), ss.MasterName)
	}
	return net.JoinHostPort(v.Elems[0].Text(), v.Elems[1].Text()), nil
}

// settled checks that every running sentinel names the same primary (not
// old, when old is given), that the primary says it is one, that every
// sentinel knows every other running sentinel, and every running replica
// but old with its link up and pointing at that primary.
func (ss *SentinelSet) settled(old string) error {
	primary := ""
	live := 0
	for _, s := range ss.Sentinels {
		if s.alive() {
			live++
		}
	}
	if live == 0 {
		return errors.New("no sentinel is running")
	}
	for _, s := range ss.Sentinels {
		if !s.alive() {
			continue
		}
		addr, err := ss.askPrimary(s)
		if err != nil {
			return err
		}
		if addr == old {
			return fmt.Errorf("sentinel %s still names %s", s.Addr(), old)
		}
		if primary == "" {
			primary = addr
		} else if addr != primary {
			return fmt.Errorf("sentinels disagree: %s and %s", primary, addr)
		}
		others, err := s.do("SENTINEL", "SENTINELS", ss.MasterName)
		if err != nil {
			return err
		}
		if n := len(entriesOf(others)); n < live-1 {
			return fmt.Errorf("sentinel %s knows %d other sentinels, want %d", s.Addr(), n, live-1)
		}
		reps, err := s.do("SENTINEL", "REPLICAS", ss.MasterName)
		if err != nil {
			return err
		}
		if err := ss.replicasOK(s, primary, old, entriesOf(reps)); err != nil {
			return err
		}
	}
	p := ss.Node(primary)
	if p == nil {
		return fmt.Errorf("the sentinels name %s, which is no node of the set", primary)
	}
	v, err := p.do("ROLE")
	if err != nil {
		return err
	}
	if v.Len() == 0 || v.Elems[0].Text() != "master" {
		return fmt.Errorf("%s is named primary but has not taken the role yet", primary)
	}
	return nil
}

// replicasOK checks what sentinel s says of the replicas, and what they
// say themselves: every running data node but the primary and the old
// primary (which the sentinels turn into a replica only when they next
// read its INFO, within ten seconds) is listed,
// neither down nor disconnected, and replicates from primary with its
// link up. The link is asked of the node: a sentinel refreshes what it
// knows of a replica only every ten seconds.
func (ss *SentinelSet) replicasOK(s *Server, primary, old string, reps []map[string]string) error {
	for _, n := range ss.Nodes {
		if !n.alive() || n.PublicAddr() == primary || n.PublicAddr() == old {
			continue
		}
		var found map[string]string
		for _, r := range reps {
			if net.JoinHostPort(r["ip"], r["port"]) == n.PublicAddr() {
				found = r
			}
		}
		if found == nil {
			return fmt.Errorf("sentinel %s does not list replica %s", s.Addr(), n.PublicAddr())
		}
		if flags := found["flags"]; flags != "slave" {
			return fmt.Errorf("sentinel %s: replica %s has flags %s", s.Addr(), n.PublicAddr(), flags)
		}
		v, err := n.do("ROLE")
		if err != nil {
			return err
		}
		// A replica's ROLE: slave, host, port, state, offset.
		if v.Len() < 4 || v.Elems[0].Text() != "slave" ||
			net.JoinHostPort(v.Elems[1].Text(), strconv.FormatInt(v.Elems[2].Int, 10)) != primary || v.Elems[3].Text() != "connected" {
			return fmt.Errorf("%s is not a connected replica of %s yet", n.PublicAddr(), primary)
		}
	}
	return nil
}

// entriesOf turns SENTINEL REPLICAS or SENTINELS (a list of flat
// field-value lists, or maps in RESP3) into maps.
func entriesOf(v resp.Value) []map[string]string {
	out := make([]map[string]string, 0, len(v.Elems))
	for _, e := range v.Elems {
		m := make(map[string]string, len(e.Elems)/2)
		for i := 0; i+1 < len(e.Elems); i += 2 {
			m[e.Elems[i].Text()] = e.Elems[i+1].Text()
		}
		out = append(out, m)
	}
	return out
}

// AwaitSettled waits until the set has settled again, as LaunchSentinels
// waits for it, on a primary other than old when old is not empty (after
// a failover away from it), and returns the primary's address. An old
// primary that still runs may then still be a primary: the sentinels turn
// it into a replica within ten seconds.
func (ss *SentinelSet) AwaitSettled(old string) (string, error) {
	what := "the sentinel set to settle"
	if old != "" {
		what = "the sentinels to fail over from " + old + " and settle"
	}
	if err := ss.wait(what, func() error { return ss.settled(old) }); err != nil {
		return "", err
	}
	return ss.PrimaryAddr()
}

// Failover makes the sentinels fail the primary over (SENTINEL FAILOVER,
// asked again while a sentinel answers that it cannot yet), waits until
// the set has settled on the new primary and returns its address.
func (ss *SentinelSet) Failover() (string, error) {
	old, err := ss.PrimaryAddr()
	if err != nil {
		return "", err
	}
	err = ss.wait("a sentinel to start a failover", func() error {
		for _, s := range ss.Sentinels {
			if !s.alive() {
				continue
			}
			v, err := s.do("SENTINEL", "FAILOVER", ss.MasterName)
			if err != nil {
				return err
			}
			if v.Kind == resp.KindError {
				// NOGOODSLAVE: no replica is fit yet (its state is not
				// refreshed); INPROG: a failover runs already.
				if strings.HasPrefix(v.Text(), "INPROG") {
					return nil
				}
				return fmt.Errorf("sentinel %s: %s", s.Addr(), v.Text())
			}
			return nil
		}
		return errors.New("no sentinel is running")
	})
	if err != nil {
		return "", err
	}
	return ss.AwaitSettled(old)
}

// wait polls check until it returns nil, and returns an error with its
// last error and the sentinels' logs when sentinelTimeout passes.
func (ss *SentinelSet) wait(what string, check func() error) error {
	return poll(what, sentinelTimeout, check, ss.describe)
}

// poll calls check every 20ms until it returns nil, and returns an error
// with check's last error and describe's text when timeout passes.
func poll(what string, timeout time.Duration, check func() error, describe func() string) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redisproc: no %s after %v: %w\n%s", what, timeout, err, describe())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// describe returns the tail of every sentinel's log, for failure
// messages.
func (ss *SentinelSet) describe() string {
	var b strings.Builder
	for _, s := range ss.Sentinels {
		b.WriteString(s.LogTail())
		b.WriteByte('\n')
	}
	return b.String()
}
