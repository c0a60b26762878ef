// Package clustermgr is redish's cluster manager, the --cluster mode of
// redis-cli 7.0: create, check, info, fix, reshard, rebalance, add-node,
// del-node, call, set-timeout, import, backup and help.
//
// Its output, prompts and exit statuses are redis-cli's wherever redis-cli
// is deterministic, so scripts written for redis-cli keep working. Where it
// differs, it is on purpose, for clusters that misbehave:
//
//   - Every step runs under the retry policy: a connection reset, a
//     timeout or a TRYAGAIN while a slot moves is retried (and shown under
//     --verbose) instead of leaving the cluster half-way through a reshard.
//     Steps are marked safe to repeat or not (see safety); one that may
//     have run is never sent again unless --retry-sent all says so.
//   - An interrupted move (Ctrl-C, a node lost for good) says which slot
//     it left open and that fix closes it.
//   - check and info can print JSON (--json) for scripts and monitoring.
//   - Where redis-cli picks an order from a hash table (open slots,
//     uncovered slots), the manager goes in slot order.
//   - A prompt that reaches the end of its input stops the run instead of
//     asking forever.
//
// The package knows nothing of flags: cmd builds its Options and the
// environment (streams, how to connect, the retry policy, a clock) and
// calls Run.
package clustermgr

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"
)

// Defaults of the options, as redis-cli sets them.
const (
	DefaultTimeout   = 60000 // --cluster-timeout, milliseconds (MIGRATE)
	DefaultPipeline  = 10    // --cluster-pipeline, keys per MIGRATE
	DefaultThreshold = 2     // --cluster-threshold, percent
)

// Options are a manager run's subcommand, its arguments and the
// --cluster-* options. Start from DefaultOptions: the zero value of a
// field means "not given" except where a Set field says otherwise.
type Options struct {
	// Command is the subcommand ("check") and Args its arguments
	// ("127.0.0.1:7000").
	Command string
	Args    []string

	Replicas int  // --cluster-replicas (create)
	Yes      bool // --cluster-yes, or REDISCLI_CLUSTER_YES=1

	From       string // --cluster-from (reshard: node IDs or "all"; import: host:port)
	FromSet    bool
	To         string // --cluster-to (reshard: the receiving node ID)
	ToSet      bool
	Slots      int      // --cluster-slots; 0 asks
	Timeout    int      // --cluster-timeout, ms
	Pipeline   int      // --cluster-pipeline
	Weights    []string // --cluster-weight, "node=weight" each
	Threshold  float64  // --cluster-threshold, percent
	UseEmpty   bool     // --cluster-use-empty-masters
	Simulate   bool     // --cluster-simulate
	Replace    bool     // --cluster-replace
	Copy       bool     // --cluster-copy
	Replica    bool     // --cluster-slave, --cluster-replica
	MasterID   string   // --cluster-master-id
	MasterSet  bool
	FromUser   string // --cluster-from-user (import)
	FromPass   string // --cluster-from-pass or --cluster-from-askpass (import)
	FromAuth   bool   // a source password was given, even empty
	OnlyMaster bool   // --cluster-only-masters (call)
	OnlyRepl   bool   // --cluster-only-replicas (call)

	SearchMultipleOwners      bool // --cluster-search-multiple-owners
	FixWithUnreachableMasters bool // --cluster-fix-with-unreachable-masters

	// Delim separates the elements of an aggregate reply printed by call
	// (redis-cli -d).
	Delim string
	// Verbose prints the retry loop's events and rebalance's balances.
	Verbose bool
	// JSON prints check and info as one JSON document on stdout.
	JSON bool
}

// DefaultPolicy is the retry policy of the manager's steps when the
// command line gives no retry option: a few retries with a short backoff
// on the failures a flaky cluster produces (a lost or refused connection,
// a timeout, TRYAGAIN while a slot moves), so that a blip does not leave
// a reshard half-way. Retry options replace it; --retries 0 makes one
// attempt, as redis-cli does.
func DefaultPolicy() retry.Policy {
	return retry.Policy{
		Retries: 3,
		Backoff: "exponential",
		Base:    100 * time.Millisecond,
		Cap:     time.Second,
		On:      []retry.Class{retry.ConnectionError, retry.TimeoutError, retry.TryAgainError},
	}
}

// DefaultOptions returns the options of a command line that gives none.
func DefaultOptions() Options {
	return Options{Timeout: DefaultTimeout, Pipeline: DefaultPipeline, Threshold: DefaultThreshold, Delim: "\n"}
}

// dialFunc opens a session to t.
type dialFunc func(ctx context.Context, t endpoint) (*redisx.Conn, error)

// dialer returns the dialFunc of the sessions cmd's template conn
// describes: the template's credentials, TLS and timeouts, on each node's
// address, in RESP2 on database 0 as redis-cli's manager talks (the
// manager reads replies in their RESP2 shapes). The import source is
// reached with its own credentials and without TLS, as redis-cli reaches
// it.
func dialer(conn redisx.Options) dialFunc {
	return func(ctx context.Context, t endpoint) (*redisx.Conn, error) {
		o := conn
		o.Host, o.Port, o.Socket = t.Host, t.Port, ""
		o.DB, o.Protocol, o.ForceProtocol = 0, 2, false
		if t.Source {
			o.User, o.Password, o.PasswordSet = t.User, t.Password, t.PasswordSet
			o.TLS = nil
		}
		return redisx.Dial(ctx, &o)
	}
}

// ErrFailed is returned by Run when the subcommand failed and has said
// why on its streams, as redis-cli does: the caller exits with status 1
// and prints nothing more.
var ErrFailed = errors.New("cluster manager command failed")

// Run runs the subcommand of opts. A nil error is exit status 0;
// ErrFailed is status 1, already reported; any other error (an
// interruption, a failure the manager did not report) is for the caller
// to print.
//
// The sessions to the nodes are opened as e.Conn says (credentials, TLS,
// timeouts; MIGRATE passes the credentials on to the target node), under
// e.Retry; e.IO.In answers the prompts.
func Run(ctx context.Context, e *env.Env, opts Options) error {
	m := newManager(e, opts)
	defer m.closeAll()
	def := lookupCommand(opts.Command)
	if def == nil {
		m.errorf("Unknown --cluster subcommand\n")
		return ErrFailed
	}
	if !def.arityOK(len(opts.Args)) {
		m.errorf("[ERR] Wrong number of arguments for specified --cluster sub command\n")
		return ErrFailed
	}
	if opts.Pipeline < 1 && def.name != "help" {
		// GETKEYSINSLOT slot 0 would find no key to move, and the slot
		// could not be handed over.
		m.errorf("[ERR] --cluster-pipeline must be at least 1\n")
		return ErrFailed
	}
	ok, err := def.run(m, ctx, opts.Args)
	if mv := m.moving; mv != nil {
		fmt.Fprintf(m.errOut, "*** Slot %d was being moved from %s to %s and is left open: run --cluster fix %s to close it.\n",
			mv.slot, mv.src.addr(), mv.dst.addr(), mv.src.addr())
	}
	if err != nil {
		return m.failure(ctx, err)
	}
	if !ok {
		return ErrFailed
	}
	return nil
}

// manager is one run: the nodes it loaded and its streams.
type manager struct {
	opts   Options
	in     *bufio.Reader
	out    io.Writer
	errOut io.Writer
	dial   dialFunc
	retry  *retry.Retry
	clock  retry.Clock
	// conn is the template of the sessions: MIGRATE passes its
	// credentials on.
	conn redisx.Options
	// color colours the log lines, as redis-cli does on an xterm, here
	// only on a terminal.
	color bool

	nodes []*node
	// errors are the problems check found (redis-cli's
	// cluster_manager.errors).
	errors []string
	// unreachablePrimaries counts the primaries the loaded node knows but
	// the manager could not reach.
	unreachablePrimaries int
	// moving is the slot move in progress, for the message of a run that
	// stops before it ends.
	moving *move
	// fixing is set by fix: a MIGRATE of a slot nobody serves gives the
	// slot to the target.
	fixing bool
	// extra are sessions opened outside the node list (the import
	// source), closed at the end.
	extra []*session
}

// move is one slot on its way from src to dst.
type move struct {
	slot     int
	src, dst *node
}

func newManager(e *env.Env, opts Options) *manager {
	m := &manager{opts: opts, dial: dialer(e.Conn), conn: e.Conn, retry: e.Retry, clock: e.Clock}
	var in io.Reader = strings.NewReader("")
	m.out, m.errOut = io.Discard, io.Discard
	if e.IO != nil {
		if e.IO.In != nil {
			in = e.IO.In
		}
		if e.IO.Out != nil {
			m.out = e.IO.Out
		}
		if e.IO.ErrOut != nil {
			m.errOut = e.IO.ErrOut
		}
		m.color = e.IO.OutTTY && !e.IO.NoColor
	}
	m.in = bufio.NewReader(in)
	if m.retry == nil {
		m.retry = &retry.Retry{}
	}
	if m.clock == nil {
		m.clock = m.retry.Clock
	}
	if m.clock == nil {
		m.clock = retry.SystemClock{}
	}
	return m
}

func (m *manager) closeAll() {
	for _, n := range m.nodes {
		if n.sess != nil {
			n.sess.close()
		}
	}
	for _, s := range m.extra {
		s.close()
	}
}

// describe is the line printed for err.
func (m *manager) describe(err error) string { return env.Describe(err) }

// failure reports err, which stopped the run, and returns what Run
// returns for it: an interruption goes to the caller as is, after the
// manager said what it left behind.
func (m *manager) failure(ctx context.Context, err error) error {
	if errors.Is(err, ErrFailed) {
		return ErrFailed
	}
	if ctx.Err() != nil {
		return err
	}
	fmt.Fprintln(m.errOut, m.describe(err))
	return ErrFailed
}

// Log levels of redis-cli's manager, which pick the colour of a line.
type level int

const (
	lvlInfo level = iota + 1
	lvlWarn
	lvlErr
	lvlOK
)

// logf prints a log line on stdout, coloured on a colour terminal.
func (m *manager) logf(l level, format string, args ...any) {
	w := m.out
	if m.color {
		code := "0m"
		switch l {
		case lvlInfo:
			code = "29;1m"
		case lvlWarn:
			code = "33;1m"
		case lvlErr:
			code = "31;1m"
		case lvlOK:
			code = "32;1m"
		}
		io.WriteString(w, "\033["+code)
	}
	fmt.Fprintf(w, format, args...)
	if m.color {
		io.WriteString(w, "\033[0m")
	}
}

func (m *manager) printf(format string, args ...any) { fmt.Fprintf(m.out, format, args...) }

func (m *manager) errorf(format string, args ...any) { fmt.Fprintf(m.errOut, format, args...) }

// replyError prints redis-cli's message for an error reply of n.
func (m *manager) replyError(n *node, msg string) {
	m.logf(lvlErr, "Node %s replied with error:\n%s\n", n.addr(), msg)
}

// invalidHostArg is redis-cli's message for an address it cannot parse.
const invalidHostArg = "[ERR] Invalid arguments: you need to pass either a valid address (ie. 120.0.0.1:7000) or space separated IP and port (ie. 120.0.0.1 7000)\n"

// sleep waits d on the manager's clock.
func (m *manager) sleep(ctx context.Context, d time.Duration) error {
	return m.clock.Sleep(ctx, d)
}

// readLine reads one answer, without its line end. At the end of the
// input it returns io.EOF (with what the last line held, if anything).
// An interruption ends the wait, and the prompt's line: the read goes on
// in the background, and the run ends.
func (m *manager) readLine(ctx context.Context) (string, error) {
	type answer struct {
		line string
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		s, err := m.in.ReadString('\n')
		ch <- answer{s, err}
	}()
	select {
	case <-ctx.Done():
		m.printf("\n") // what follows starts on a line of its own
		return "", ctx.Err()
	case a := <-ch:
		s := strings.TrimRight(a.line, "\r\n")
		if a.err == io.EOF && s != "" {
			return s, nil
		}
		return s, a.err
	}
}

// confirm asks msg and reports whether the answer is "yes", as redis-cli
// reads it (the first three characters). --cluster-yes answers for the
// user unless force is set: fix asks about its repairs whatever the
// flags. The error is an interruption.
func (m *manager) confirm(ctx context.Context, msg string, force bool) (bool, error) {
	if !force && m.opts.Yes {
		return true, nil
	}
	m.printf("%s (type 'yes' to accept): ", msg)
	line, err := m.readLine(ctx)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil && line == "" {
		return false, nil
	}
	return strings.HasPrefix(line, "yes"), nil
}
