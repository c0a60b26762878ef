// Package redisproc starts and stops real redis-server processes: plain,
// with a password or ACL users, on a unix socket, TLS-only, as the nodes
// of a cluster, or as a primary with replicas and the sentinels watching
// them (redis-server --sentinel). redish lab starts its servers with it, and the test
// helpers of internal/redistest wrap it for tests.
//
// Every server listens on a free loopback port chosen at start (never a
// fixed one) and keeps its config, log and sockets in a directory of its
// own. Launch and LaunchCluster return errors; the caller stops what they
// started with Close.
//
// On Linux each server gets SIGKILL when the process that started it dies,
// so not even a killed lab or test binary leaves servers behind.
//
// Every wait is bounded; when a bound is reached the error carries the
// tail of the server's log.
package redisproc

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// Bounds on the waits of this package. They are generous because a loaded
// CI machine can be slow; a healthy server answers in milliseconds.
const (
	startTimeout = 10 * time.Second // until a new process answers PING
	stopTimeout  = 5 * time.Second  // between SIGTERM and SIGKILL
	doTimeout    = 10 * time.Second // one Do round trip
	portAttempts = 8                // new ports tried when one is taken
)

// Server is one redis-server process started by Launch or LaunchCluster.
// Its methods may be called from any goroutine.
type Server struct {
	// Host is the address the server is reached on: "127.0.0.1".
	Host string
	// Port is the TCP port; for a server started WithTLS it is the TLS port.
	Port int
	// ClusterPort is the cluster bus port of a server started WithCluster.
	ClusterPort int
	// AnnouncedPort is the port the cluster (cluster-announce-port) or a
	// sentinel set (replica-announce-port, sentinel announce-port) tells
	// others for this server, set by LaunchCluster WithAnnounce or
	// LaunchSentinels with Announce; 0 when they tell Port.
	AnnouncedPort int
	// Socket is the unix socket path of a server started WithUnixSocket.
	Socket string
	// Dir is the server's directory: config, log, socket, certificates.
	Dir string
	// IPv6 reports whether the server also listens on [::1].
	IPv6 bool
	// Password is the requirepass of the default user ("" when none).
	Password string

	// CACert is the PEM file of the CA that signed both the server and the
	// client certificate (WithTLS only).
	CACert string
	// CertFile and KeyFile are the client certificate and key (WithTLS only).
	CertFile string
	KeyFile  string
	// ServerCert and ServerKey are the server's certificate and key (WithTLS
	// only).
	ServerCert string
	ServerKey  string

	cfg     *config
	bin     string
	logPath string
	// announce is the directives that make the server announce another
	// address (cluster-announce-*, replica-announce-*, sentinel
	// announce-*), kept so a Relaunch announces the same address.
	announce [][]string
	// owned are the directories Launch made for the server, removed by
	// Close.
	owned []string

	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{} // closed when cmd has exited
	paused bool
}

// workDir returns dir, or when it is empty a new temporary directory
// named after prefix, which made also names: the caller removes it.
func workDir(dir, prefix string) (root, made string, err error) {
	if dir != "" {
		return dir, "", nil
	}
	if root, err = os.MkdirTemp("", prefix); err != nil {
		return "", "", fmt.Errorf("redisproc: %w", err)
	}
	return root, root, nil
}

// Launch starts a redis-server from PATH configured by opts and waits
// until it answers PING. Without WithDir the server's files go to a new
// temporary directory. The caller stops the server with Close. When
// redis-server is not on PATH the error matches exec.ErrNotFound.
func Launch(opts ...Option) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redisproc: %w", err)
	}
	cfg := newConfig(opts)
	var owned []string
	dir, made, err := workDir(cfg.dir, "redis-")
	if err != nil {
		return nil, err
	}
	if made != "" {
		owned = append(owned, made)
	}
	s, err := launchIn(bin, cfg, dir)
	if s != nil {
		s.owned = append(owned, s.owned...)
	}
	if err != nil {
		if s != nil {
			s.Close()
		} else {
			removeAll(owned)
		}
		return nil, err
	}
	return s, nil
}

// launchIn starts the server in dir. It returns the server with an error
// when a process may have been started or a directory made: the caller
// closes it.
func launchIn(bin string, cfg *config, dir string) (*Server, error) {
	s := &Server{
		Host:     "127.0.0.1",
		Dir:      dir,
		IPv6:     HasIPv6(),
		Password: cfg.password,
		cfg:      cfg,
		bin:      bin,
		logPath:  filepath.Join(dir, "redis.log"),
	}
	if cfg.unixSocket {
		s.Socket = filepath.Join(dir, "redis.sock")
		if len(s.Socket) > maxSocketPath {
			short, err := os.MkdirTemp("", "redis")
			if err != nil {
				return nil, fmt.Errorf("redisproc: %w", err)
			}
			s.owned = append(s.owned, short)
			s.Socket = filepath.Join(short, "redis.sock")
		}
	}
	if cfg.tls {
		certs := cfg.certs
		if certs == nil {
			var err error
			certs, err = writeCerts(dir)
			if err != nil {
				return s, fmt.Errorf("redisproc: TLS certificates: %w", err)
			}
		}
		s.CACert, s.CertFile, s.KeyFile = certs.CACert, certs.ClientCert, certs.ClientKey
		s.ServerCert, s.ServerKey = certs.ServerCert, certs.ServerKey
	}

	var lastErr error
	for range portAttempts {
		var err error
		s.Port, err = freePort(s.IPv6)
		if err == nil && cfg.cluster {
			s.ClusterPort, err = freePort(s.IPv6)
		}
		if err != nil {
			return s, fmt.Errorf("redisproc: no free port: %w", err)
		}
		lastErr = s.launch()
		if !errors.Is(lastErr, errAddrInUse) {
			break
		}
	}
	if lastErr != nil {
		return s, fmt.Errorf("redisproc: start redis-server: %w\n%s", lastErr, s.LogTail())
	}
	return s, nil
}

func removeAll(dirs []string) {
	for _, d := range dirs {
		os.RemoveAll(d)
	}
}

// maxSocketPath keeps unix socket paths under the 108 bytes of sun_path.
const maxSocketPath = 100

var errAddrInUse = errors.New("address already in use")

// launch writes the config, starts the process and waits for PING.
func (s *Server) launch() error {
	conf := filepath.Join(s.Dir, "redis.conf")
	if err := os.WriteFile(conf, s.configText(), 0o600); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer logf.Close() // the child has its own copy
	args := []string{conf}
	if s.cfg.sentinel {
		args = append(args, "--sentinel")
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.Dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	// A process group of its own, so a terminal's Ctrl-C reaches only the
	// test binary or the lab, which then stops the server; and, where the
	// system can, SIGKILL when that process dies (see procAttr).
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done, s.paused = cmd, done, false
	s.mu.Unlock()

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-done:
			if strings.Contains(s.LogTail(), "Address already in use") {
				return errAddrInUse
			}
			return fmt.Errorf("redis-server exited: %s", cmd.ProcessState)
		default:
		}
		// LOADING and other error replies mean "not yet": keep waiting.
		v, err := s.do("PING")
		if err == nil && v.Kind == resp.KindStatus {
			return nil
		}
		if time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("no answer to PING after %v (last: %v)", startTimeout, describe(v, err))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func describe(v resp.Value, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s %q", v.Kind, v.Str)
}

// configText renders the server's config file.
func (s *Server) configText() []byte {
	var b bytes.Buffer
	line := func(args ...string) {
		for i, a := range args {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(quote(a))
		}
		b.WriteByte('\n')
	}
	line("daemonize", "no")
	line("dir", s.Dir)
	line("logfile", "")
	line("save", "")
	line("appendonly", "no")
	line("protected-mode", "no")
	line("enable-debug-command", "yes")
	// Replicas attach as soon as they ask instead of after 5s.
	line("repl-diskless-sync-delay", "0")
	if s.IPv6 {
		line("bind", "127.0.0.1", "::1")
	} else {
		line("bind", "127.0.0.1")
	}
	if s.cfg.tls {
		line("port", "0")
		line("tls-port", strconv.Itoa(s.Port))
		line("tls-cert-file", s.ServerCert)
		line("tls-key-file", s.ServerKey)
		line("tls-ca-cert-file", s.CACert)
		line("tls-auth-clients", "optional")
		if s.cfg.cluster {
			line("tls-cluster", "yes")
			line("tls-replication", "yes")
		}
	} else {
		line("port", strconv.Itoa(s.Port))
	}
	if s.Socket != "" {
		line("unixsocket", s.Socket)
		line("unixsocketperm", "700")
	}
	if s.cfg.password != "" {
		line("requirepass", s.cfg.password)
		// Replicas of a cluster or of ReplicaOf authenticate to the primary.
		line("masterauth", s.cfg.password)
	}
	for _, u := range s.cfg.users {
		line(append([]string{"user"}, u...)...)
	}
	if s.cfg.cluster {
		line("cluster-enabled", "yes")
		line("cluster-config-file", filepath.Join(s.Dir, "nodes.conf"))
		line("cluster-node-timeout", strconv.FormatInt(s.cfg.nodeTimeout.Milliseconds(), 10))
		line("cluster-port", strconv.Itoa(s.ClusterPort))
	}
	for _, d := range s.announce {
		line(d...)
	}
	for _, d := range s.cfg.directives {
		line(d...)
	}
	return b.Bytes()
}

// quote renders one config argument the way redis-server's config parser
// reads it back.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\r\n\"'\\") {
		return s
	}
	return strconv.Quote(s)
}

// Addr returns "127.0.0.1:PORT".
func (s *Server) Addr() string {
	return net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// Options returns redisx options that reach the server as the default
// user: address, password and, for a TLS server, a client TLS config.
func (s *Server) Options() redisx.Options {
	o := redisx.Options{Host: s.Host, Port: s.Port, Password: s.Password}
	if s.cfg.tls {
		o.TLS = s.TLSConfig()
	}
	return o
}

// Call sends one command over a fresh connection and returns the reply;
// an error reply is a value of KindError. It authenticates as the default
// user when the server has a password, speaks TLS when the server is
// TLS-only, and waits at most 10 seconds for the reply.
func (s *Server) Call(args ...string) (resp.Value, error) { return s.do(args...) }

// do sends one command over a fresh connection: see Call.
func (s *Server) do(args ...string) (resp.Value, error) {
	nc, err := s.dial()
	if err != nil {
		return resp.Value{}, err
	}
	defer nc.Close()
	if err := nc.SetDeadline(time.Now().Add(doTimeout)); err != nil {
		return resp.Value{}, fmt.Errorf("set deadline: %w", err)
	}
	var buf []byte
	if s.Password != "" {
		buf = resp.AppendCommandStrings(buf, "AUTH", s.Password)
	}
	buf = resp.AppendCommandStrings(buf, args...)
	if _, err := nc.Write(buf); err != nil {
		return resp.Value{}, fmt.Errorf("write: %w", err)
	}
	rd := resp.NewReader(bufio.NewReader(nc))
	if s.Password != "" {
		v, err := rd.ReadValue()
		if err != nil {
			return resp.Value{}, fmt.Errorf("read AUTH reply: %w", err)
		}
		if v.Kind == resp.KindError {
			return resp.Value{}, fmt.Errorf("AUTH: %w", v.Err())
		}
	}
	v, err := rd.ReadValue()
	if err != nil {
		return resp.Value{}, fmt.Errorf("read: %w", err)
	}
	return v, nil
}

func (s *Server) dial() (net.Conn, error) {
	d := &net.Dialer{Timeout: doTimeout}
	if s.cfg.tls {
		td := &tls.Dialer{NetDialer: d, Config: s.TLSConfig()}
		return td.Dial("tcp", s.Addr())
	}
	return d.Dial("tcp", s.Addr())
}

// Kill sends SIGKILL and waits for the process to exit: the server dies
// without closing its connections cleanly or saving anything.
func (s *Server) Kill() {
	s.signalAndWait((*os.Process).Kill, 0)
}

// Stop stops the server: SIGTERM, then SIGKILL if it has not exited within
// a few seconds. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.signalAndWait(terminate, stopTimeout)
}

// signalAndWait sends the process a signal, with send, and waits for it to
// exit; after grace (when above 0) it kills it.
func (s *Server) signalAndWait(send func(*os.Process) error, grace time.Duration) {
	s.mu.Lock()
	cmd, done, paused := s.cmd, s.done, s.paused
	s.paused = false
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	send(cmd.Process)
	if paused {
		// A stopped process does not act on SIGTERM until continued.
		thaw(cmd.Process)
	}
	if grace > 0 {
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-done:
			return
		case <-timer.C:
		}
		cmd.Process.Kill()
	}
	<-done
}

// PID returns the process id of the server's current process, 0 before
// the first start.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Running reports whether the server process is alive (it may be paused).
func (s *Server) Running() bool {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// Relaunch stops the server if it is running and starts it again on the
// same port with the same config, waiting until it answers PING. The
// dataset is not kept (persistence is off).
func (s *Server) Relaunch() error {
	s.Stop()
	var err error
	// The port was ours a moment ago; another process taking it in between
	// is possible but rare, so a few short retries are enough.
	for i := range portAttempts {
		if err = s.launch(); !errors.Is(err, errAddrInUse) {
			break
		}
		time.Sleep(time.Duration(i+1) * 50 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("redisproc: restart %s: %w\n%s", s.Addr(), err, s.LogTail())
	}
	return nil
}

// Close stops the server and removes the directories Launch made for it
// (none for a server started WithDir). Closing twice does nothing more.
func (s *Server) Close() {
	s.Stop()
	s.mu.Lock()
	owned := s.owned
	s.owned = nil
	s.mu.Unlock()
	removeAll(owned)
}

// ErrNoPause is Pause's error on systems without SIGSTOP and SIGCONT
// (Windows).
var ErrNoPause = errors.New("pausing a process needs a Unix system (SIGSTOP and SIGCONT)")

// Pause stops the process with SIGSTOP: connections and connects still
// succeed at the TCP level, but nothing is answered until Resume. On
// Windows it returns ErrNoPause.
func (s *Server) Pause() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.paused {
		return nil
	}
	if err := freeze(s.cmd.Process); err != nil {
		return fmt.Errorf("pause %s: %w", s.Addr(), err)
	}
	s.paused = true
	return nil
}

// Resume continues a process stopped by Pause.
func (s *Server) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil && s.paused {
		thaw(s.cmd.Process)
		s.paused = false
	}
}

// logTailLines is how much of the log failures show.
const logTailLines = 30

// LogTail returns the last lines of the server's log (stdout and stderr of
// every process started for it), for failure messages.
func (s *Server) LogTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > logTailLines {
		lines = lines[len(lines)-logTailLines:]
	}
	return "--- " + s.logPath + " (tail)\n" + strings.Join(lines, "\n")
}

// freePort returns a loopback port that was free a moment ago, on ::1 too
// when v6 is set. The caller retries when it is taken before use.
func freePort(v6 bool) (int, error) {
	var lastErr error
	for range portAttempts {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("listen: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if !v6 {
			l.Close()
			return port, nil
		}
		l6, err := net.Listen("tcp6", net.JoinHostPort("::1", strconv.Itoa(port)))
		l.Close()
		if err == nil {
			l6.Close()
			return port, nil
		}
		lastErr = err
	}
	return 0, fmt.Errorf("no port free on both loopbacks: %w", lastErr)
}

var (
	ipv6Once sync.Once
	ipv6OK   bool
)

// HasIPv6 reports whether the IPv6 loopback [::1] can be listened on.
// Servers bind it too when it can, so tests may dial [::1]:PORT.
func HasIPv6() bool {
	ipv6Once.Do(func() {
		l, err := net.Listen("tcp6", "[::1]:0")
		if err == nil {
			l.Close()
			ipv6OK = true
		}
	})
	return ipv6OK
}
