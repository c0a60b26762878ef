package lab

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/memserver"
	"github.com/redish/redish/internal/redisproc"
	"github.com/redish/redish/resp"
)

// maxLabFault bounds :lab pause and :lab latency, so a typo cannot freeze
// a node for a day.
const maxLabFault = 10 * time.Minute

// labServer is one server the lab started: a redis-server process
// (*redisproc.Server) or the embedded server.
type labServer interface {
	// Addr is the server's own address, "127.0.0.1:PORT".
	Addr() string
	// Running reports whether the server is alive (it may be paused).
	Running() bool
	// Call sends one command straight to the server, not through its
	// proxy.
	Call(args ...string) (resp.Value, error)
	// Kill stops the server at once, as a crash would.
	Kill()
	// Relaunch stops the server if it runs and starts it again on the
	// same port.
	Relaunch() error
	// Pause freezes the server: connections are accepted, nothing is
	// answered until Resume. A redis-server process cannot be paused on
	// Windows (redisproc.ErrNoPause).
	Pause() error
	// Resume ends a Pause.
	Resume()
	// Close stops the server for good and removes its files.
	Close()
}

// labNode is a server and the fault proxy in front of it: clients reach
// the node only through the proxy.
type labNode struct {
	server labServer
	proxy  *faultproxy.Proxy

	// Guarded by lab.mu.
	latency time.Duration
	// resume is the timer ending a :lab pause; nil when not paused.
	resume *time.Timer
	// pausedUntil is when the pause ends.
	pausedUntil time.Time
}

// lab is the servers redish lab started: one server, or the nodes of a
// cluster, each behind a fault proxy, in a temporary directory. Its
// methods are the :lab commands; they may be called from any goroutine.
type lab struct {
	dir      string
	cluster  bool
	sentinel bool
	embedded bool
	// set is the primary, replicas and sentinels of a Sentinel lab.
	set      *redisproc.SentinelSet
	version  string // redis-server's version, "" for the embedded server
	nodes    []*labNode
	closeAll func() // stops the servers: the cluster's Close, or each node's

	mu     sync.Mutex
	closed bool
	// timers counts the pause timers whose function may still run, so
	// Close can wait for them.
	timers sync.WaitGroup
}

// msgLabNoRedisServer says what to install for lab --cluster and lab
// --sentinel.
const msgLabNoRedisServer = "lab: %s needs redis-server, which is not on PATH: install it " +
	"(Debian, Ubuntu: apt-get install redis-server; Fedora: dnf install redis; macOS: brew install redis), " +
	"or leave out %[1]s to use the embedded server"

// startLab starts what o asks for: with o.Cluster, o.Primaries primaries
// with o.Replicas replicas each; otherwise one server, the embedded one
// when o.Embedded is set. On error nothing is left running.
func startLab(o Options) (*lab, error) {
	cluster := o.Cluster
	embedded := o.Embedded
	if cluster && o.Sentinel {
		return nil, errors.New("lab: --cluster and --sentinel are mutually exclusive")
	}
	if !embedded {
		if _, err := exec.LookPath("redis-server"); err != nil {
			switch {
			case cluster:
				return nil, fmt.Errorf(msgLabNoRedisServer, "--cluster")
			case o.Sentinel:
				return nil, fmt.Errorf(msgLabNoRedisServer, "--sentinel")
			}
			embedded = true
		}
	}
	switch {
	case embedded && cluster:
		return nil, errors.New("lab: the embedded server cannot form a cluster: leave out --embedded (--cluster needs redis-server)")
	case embedded && o.Sentinel:
		return nil, errors.New("lab: the embedded server has no Sentinel: leave out --embedded (--sentinel needs redis-server)")
	}
	dir, err := os.MkdirTemp("", "redish-lab-")
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	l := &lab{dir: dir, cluster: cluster, sentinel: o.Sentinel, embedded: embedded}
	switch {
	case cluster:
		err = l.startCluster(o)
	case o.Sentinel:
		err = l.startSentinel()
	case embedded:
		err = l.startEmbedded()
	default:
		err = l.startServer()
	}
	if err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// startServer starts one redis-server behind a proxy.
func (l *lab) startServer() error {
	s, err := redisproc.Launch(redisproc.WithDir(l.dir))
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	l.closeAll = s.Close
	if err := l.addNode(s); err != nil {
		return err
	}
	l.version = serverVersion(s)
	return nil
}

// startEmbedded starts the embedded server behind a proxy.
func (l *lab) startEmbedded() error {
	s, err := memserver.Start()
	if err != nil {
		return fmt.Errorf("lab: embedded server: %w", err)
	}
	l.closeAll = s.Close
	return l.addNode(s)
}

// addNode puts a proxy in front of s and adds the pair to the nodes.
func (l *lab) addNode(s labServer) error {
	p, err := faultproxy.Listen(s.Addr())
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	l.nodes = append(l.nodes, &labNode{server: s, proxy: p})
	return nil
}

// startCluster starts the cluster. Each node announces its proxy's
// address, so the slot map and redirects send clients through the
// proxies; the cluster bus does not go through them.
func (l *lab) startCluster(o Options) error {
	if o.Primaries < 1 || o.Primaries > 100 {
		return fmt.Errorf("lab: --primaries %d: must be between 1 and 100", o.Primaries)
	}
	if o.Replicas < 0 || o.Replicas > 10 {
		return fmt.Errorf("lab: --replicas %d: must be between 0 and 10", o.Replicas)
	}
	opts := []redisproc.Option{
		redisproc.WithDir(l.dir),
		redisproc.WithAnnounce(func(s *redisproc.Server) (string, error) {
			if err := l.addNode(s); err != nil {
				return "", err
			}
			return l.nodes[len(l.nodes)-1].proxy.Addr(), nil
		}),
	}
	if o.NodeTimeout > 0 {
		opts = append(opts, redisproc.WithNodeTimeout(o.NodeTimeout))
	}
	c, err := redisproc.LaunchCluster(o.Primaries, o.Replicas, opts...)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	l.closeAll = c.Close
	l.version = serverVersion(c.Nodes[0])
	return nil
}

// startSentinel starts a primary, two replicas and three sentinels, each
// behind a proxy whose address it announces: the sentinels name the data
// nodes by their proxies, know each other by theirs, and watch the data
// nodes through them, so a fault put on a proxy reaches the sentinels
// too, as a network fault would.
func (l *lab) startSentinel() error {
	set, err := redisproc.LaunchSentinels(redisproc.SentinelConfig{
		MasterName: MasterName,
		Dir:        l.dir,
		Announce: func(s *redisproc.Server) (string, error) {
			if err := l.addNode(s); err != nil {
				return "", err
			}
			return l.nodes[len(l.nodes)-1].proxy.Addr(), nil
		},
	})
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	l.set = set
	l.closeAll = set.Close
	l.version = serverVersion(set.Nodes[0])
	return nil
}

// serverVersion returns redis_version from INFO server, "" if unknown.
func serverVersion(s labServer) string {
	v, err := s.Call("INFO", "server")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(v.Text(), "\n") {
		if ver, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			return ver
		}
	}
	return ""
}

// Addrs returns the nodes' proxy addresses: where clients connect.
func (l *lab) Addrs() []string {
	addrs := make([]string, len(l.nodes))
	for i, n := range l.nodes {
		addrs[i] = n.proxy.Addr()
	}
	return addrs
}

// ShellAddrs returns where the shell connects: the sentinels' proxies
// in a Sentinel lab, every node's proxy otherwise.
func (l *lab) ShellAddrs() []string {
	if l.set != nil {
		return l.set.SentinelAddrs()
	}
	return l.Addrs()
}

// Summary is the line printed when the lab has started.
func (l *lab) Summary() string {
	switch {
	case l.set != nil:
		return fmt.Sprintf("lab: started a primary, %s and %s watching them as %s (redis-server %s), each behind a fault proxy, the sentinels at %s, files in %s",
			env.Count(len(l.set.Nodes)-1, "replica", "replicas"), env.Count(len(l.set.Sentinels), "sentinel", "sentinels"),
			MasterName, l.version, strings.Join(l.set.SentinelAddrs(), ","), l.dir)
	case l.embedded:
		return fmt.Sprintf("lab: started the embedded server at %s behind a fault proxy at %s",
			l.nodes[0].server.Addr(), l.nodes[0].proxy.Addr())
	case l.cluster:
		primaries := 0
		for _, n := range l.nodes {
			if l.role(n) == "primary" {
				primaries++
			}
		}
		return fmt.Sprintf("lab: started a cluster of %s and %s (redis-server %s), each node behind a fault proxy, the first at %s, files in %s",
			env.Count(primaries, "primary", "primaries"), env.Count(len(l.nodes)-primaries, "replica", "replicas"),
			l.version, l.nodes[0].proxy.Addr(), l.dir)
	}
	return fmt.Sprintf("lab: started redis-server %s at %s behind a fault proxy at %s, files in %s",
		l.version, l.nodes[0].server.Addr(), l.nodes[0].proxy.Addr(), l.dir)
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// Close stops every server and proxy and removes the lab's directory.
// Closing twice does nothing.
func (l *lab) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	for _, n := range l.nodes {
		l.stopResumeLocked(n)
	}
	l.mu.Unlock()
	l.timers.Wait()
	if l.closeAll != nil {
		l.closeAll()
	}
	for _, n := range l.nodes {
		n.proxy.Close()
	}
	os.RemoveAll(l.dir)
}

// node returns the node spec names: its number in :lab nodes (from 1),
// the host:port of its proxy or its server, or, in a Sentinel lab,
// "primary": the node the sentinels name.
func (l *lab) node(spec string) (int, *labNode, error) {
	if strings.EqualFold(spec, "primary") {
		if l.set == nil {
			return 0, nil, errors.New("primary names a node only in a Sentinel lab (redish lab --sentinel): give its number in :lab nodes")
		}
		addr, err := l.set.PrimaryAddr()
		if err != nil {
			return 0, nil, fmt.Errorf("the sentinels do not name the primary: %w", err)
		}
		spec = addr
	}
	if i, err := strconv.Atoi(spec); err == nil {
		if i < 1 || i > len(l.nodes) {
			return 0, nil, fmt.Errorf("no node %d: the nodes are 1 to %d (:lab nodes)", i, len(l.nodes))
		}
		return i, l.nodes[i-1], nil
	}
	if _, _, err := net.SplitHostPort(spec); err != nil {
		return 0, nil, fmt.Errorf("%q is not a node: give its number in :lab nodes or its host:port", spec)
	}
	port := portOf(spec)
	for i, n := range l.nodes {
		if spec == n.proxy.Addr() || spec == n.server.Addr() || port == portOf(n.proxy.Addr()) || port == portOf(n.server.Addr()) {
			return i + 1, n, nil
		}
	}
	return 0, nil, fmt.Errorf("no node at %s (:lab nodes)", spec)
}

// WriteNodes prints the table of :lab nodes.
func (l *lab) WriteNodes(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tADDRESS\tSERVER\tSTATE")
	for i, n := range l.nodes {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", i+1, l.role(n), n.proxy.Addr(), n.server.Addr(), l.state(n))
	}
	return tw.Flush()
}

// role returns "primary", "replica" or "-" when the node cannot say (it
// is killed or paused).
func (l *lab) role(n *labNode) string {
	if !l.answers(n) {
		return "-"
	}
	v, err := n.server.Call("ROLE")
	if err != nil || v.Len() == 0 {
		return "-"
	}
	switch v.Elems[0].Text() {
	case "master":
		return "primary"
	case "slave":
		return "replica"
	}
	return v.Elems[0].Text()
}

// answers reports whether the node is running and not paused.
func (l *lab) answers(n *labNode) bool {
	l.mu.Lock()
	paused := n.resume != nil
	l.mu.Unlock()
	return !paused && n.server.Running()
}

// state describes the faults a node is under: "up", "killed",
// "paused 4s more", and "latency 200ms".
func (l *lab) state(n *labNode) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var parts []string
	switch {
	case !n.server.Running():
		parts = append(parts, "killed")
	case n.resume != nil:
		left := time.Until(n.pausedUntil).Round(100 * time.Millisecond)
		parts = append(parts, fmt.Sprintf("paused %v more", max(left, 0)))
	default:
		parts = append(parts, "up")
	}
	if n.latency > 0 {
		parts = append(parts, "latency "+n.latency.String())
	}
	return strings.Join(parts, ", ")
}

// Kill kills the node with SIGKILL (the embedded server closes its
// listener and connections); its proxy then refuses connections.
func (l *lab) Kill(spec string) (string, error) {
	i, n, err := l.node(spec)
	if err != nil {
		return "", err
	}
	if !n.server.Running() {
		return "", fmt.Errorf("node %d is not running: :lab restart %d starts it", i, i)
	}
	l.mu.Lock()
	l.stopResumeLocked(n)
	l.mu.Unlock()
	n.server.Kill()
	l.syncProxy(n)
	return fmt.Sprintf("node %d (%s) killed", i, n.proxy.Addr()), nil
}

// Restart stops the node if it runs and starts it again on the same port,
// with an empty dataset; a cluster node keeps its cluster configuration
// and rejoins.
func (l *lab) Restart(spec string) (string, error) {
	i, n, err := l.node(spec)
	if err != nil {
		return "", err
	}
	l.mu.Lock()
	l.stopResumeLocked(n)
	l.mu.Unlock()
	err = n.server.Relaunch()
	l.syncProxy(n)
	if err != nil {
		return "", fmt.Errorf("node %d: %w", i, err)
	}
	return fmt.Sprintf("node %d (%s) restarted", i, n.proxy.Addr()), nil
}

// Pause freezes the node for d: connections are accepted but nothing is
// answered until it ends (SIGSTOP, then SIGCONT). A new pause replaces
// the current one.
func (l *lab) Pause(spec string, d time.Duration) (string, error) {
	i, n, err := l.node(spec)
	if err != nil {
		return "", err
	}
	if d <= 0 || d > maxLabFault {
		return "", fmt.Errorf("pause %v: give a duration above 0 and at most %v", d, maxLabFault)
	}
	if !n.server.Running() {
		return "", fmt.Errorf("node %d is not running", i)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return "", errors.New("the lab is closed")
	}
	l.stopResumeLocked(n)
	if err := n.server.Pause(); err != nil {
		if errors.Is(err, redisproc.ErrNoPause) {
			return "", fmt.Errorf("node %d: %w; :lab latency NODE DURATION delays its replies instead", i, redisproc.ErrNoPause)
		}
		return "", fmt.Errorf("node %d: %w", i, err)
	}
	l.timers.Add(1)
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		defer l.timers.Done()
		l.mu.Lock()
		defer l.mu.Unlock()
		if n.resume == t {
			n.resume = nil
			n.server.Resume()
		}
	})
	n.resume, n.pausedUntil = t, time.Now().Add(d)
	return fmt.Sprintf("node %d (%s) paused for %v", i, n.proxy.Addr(), d), nil
}

// stopResumeLocked ends a pause early: it stops the timer and resumes the
// node. l.mu is held.
func (l *lab) stopResumeLocked(n *labNode) {
	if n.resume == nil {
		return
	}
	if n.resume.Stop() {
		l.timers.Done()
	}
	n.resume = nil
	n.server.Resume()
}

// Latency makes the node's proxy hold every reply for d before passing it
// on; 0 removes the delay. The cluster bus and the lab's own commands are
// not delayed.
func (l *lab) Latency(spec string, d time.Duration) (string, error) {
	i, n, err := l.node(spec)
	if err != nil {
		return "", err
	}
	if d < 0 || d > maxLabFault {
		return "", fmt.Errorf("latency %v: give a duration from 0 to %v", d, maxLabFault)
	}
	l.mu.Lock()
	n.latency = d
	l.mu.Unlock()
	l.syncProxy(n)
	if d == 0 {
		return fmt.Sprintf("node %d (%s): no added latency", i, n.proxy.Addr()), nil
	}
	return fmt.Sprintf("node %d (%s): every reply delayed by %v", i, n.proxy.Addr(), d), nil
}

// syncProxy sets the fault of the node's proxy from the node's state: a
// killed node's proxy refuses connections, as the dead server would (a
// proxy accepting them and then resetting them would look like a reset
// after sending); a live one passes traffic on, delayed by the latency.
func (l *lab) syncProxy(n *labNode) {
	l.mu.Lock()
	latency := n.latency
	l.mu.Unlock()
	switch {
	case !n.server.Running():
		n.proxy.Set(faultproxy.Refuse())
	case latency > 0:
		n.proxy.Set(faultproxy.Delay(latency))
	default:
		n.proxy.Set(faultproxy.Pass())
	}
}

// SentinelFailover asks the first sentinel that answers to fail the
// primary over (SENTINEL FAILOVER). The failover completes in the
// background, in a second or two: the shell's prompt names the new
// primary when the sentinels announce it, and :lab nodes shows the roles.
func (l *lab) SentinelFailover() (string, error) {
	var errs []error
	for i, n := range l.nodes {
		if l.role(n) != "sentinel" {
			continue
		}
		v, err := n.server.Call("SENTINEL", "FAILOVER", MasterName)
		if err == nil && v.Kind == resp.KindError {
			err = errors.New(v.Text())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("node %d: %w", i+1, err))
			continue
		}
		return fmt.Sprintf("node %d (%s): SENTINEL FAILOVER %s started; the prompt shows the new primary once the sentinels switch, :lab nodes the roles",
			i+1, n.proxy.Addr(), MasterName), nil
	}
	if len(errs) == 0 {
		return "", errors.New("no sentinel answers")
	}
	return "", errors.Join(errs...)
}

// Failover runs CLUSTER FAILOVER [FORCE|TAKEOVER] on the node when it is
// a replica, or on its first live replica when it is a primary. The
// promotion completes in the background; :lab nodes shows it.
func (l *lab) Failover(spec, option string) (string, error) {
	if !l.cluster {
		return "", errors.New("failover needs a cluster: redish lab --cluster")
	}
	i, n, err := l.node(spec)
	if err != nil {
		return "", err
	}
	args := []string{"CLUSTER", "FAILOVER"}
	switch strings.ToUpper(option) {
	case "":
	case "FORCE", "TAKEOVER":
		args = append(args, strings.ToUpper(option))
	default:
		return "", fmt.Errorf("failover option %q: give force or takeover, or nothing", option)
	}
	target, ti := n, i
	if l.role(n) != "replica" {
		target, ti = l.replicaOf(n)
		if target == nil {
			return "", fmt.Errorf("node %d has no live replica to promote", i)
		}
	}
	v, err := target.server.Call(args...)
	if err != nil {
		return "", fmt.Errorf("node %d: %w", ti, err)
	}
	if v.Kind == resp.KindError {
		return "", fmt.Errorf("node %d: %s", ti, v.Text())
	}
	return fmt.Sprintf("node %d (%s): %s started; :lab nodes shows the new roles", ti, target.proxy.Addr(), strings.Join(args, " ")), nil
}

// replicaOf returns a live replica of the primary p and its number, or
// nil. A replica's ROLE names its primary by the address the primary
// announces: its proxy's.
func (l *lab) replicaOf(p *labNode) (*labNode, int) {
	for i, n := range l.nodes {
		if n == p || !l.answers(n) {
			continue
		}
		v, err := n.server.Call("ROLE")
		if err != nil || v.Len() < 3 || v.Elems[0].Text() != "slave" {
			continue
		}
		port := strconv.FormatInt(v.Elems[2].Int, 10)
		if port == portOf(p.proxy.Addr()) || port == portOf(p.server.Addr()) {
			return n, i + 1
		}
	}
	return nil, 0
}
