package cmd

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
)

// cellTimeout bounds one cell of the fault matrix. A cell that has not
// ended by then has hung: it fails, and the run is cancelled.
const cellTimeout = 20 * time.Second

// faultValue is the value of faultKey, long enough that a trickled reply
// takes a while.
const (
	faultKey   = "k"
	faultValue = "a value of some thirty bytes"
)

// outcome is what redish must do in one cell of the fault matrix.
type outcome struct {
	retried bool   // --verbose prints at least one "retry" line
	code    int    // exit code (the shell's, after quit, in the REPL)
	out     string // stdout, exactly (all modes but the REPL)
	msg     string // the last line of stderr; "" means no error; ADDR stands for the proxy's address
	// stops is true when a stdin script ends at the failure instead of
	// going on with its next line.
	stops bool
}

// faultRow is one fault and its outcome in each mode.
type faultRow struct {
	name    string
	fault   faultproxy.Fault // put in place through the proxy
	restart bool             // instead of a fault, the server restarts
	flags   []string         // beyond faultFlags
	modes   map[string]outcome
}

// faultFlags is the retry policy of every cell: one immediate retry of
// ConnectionError and TimeoutError (rule 4), every attempt shown.
var faultFlags = []string{"--retries", "1", "--verbose"}

// pipeDone is what --pipe prints when every reply came back.
const pipeDone = "All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 0, replies: 2\n"

// faultRows is the matrix. How a fault is put in place depends on the
// mode (see the run functions): it lasts for both attempts of the
// command under test, then the proxy passes traffic again.
func faultRows() []faultRow {
	const (
		reset    = "Error: Connection reset by peer"
		refused  = "Could not connect to Redis at ADDR: Connection refused"
		timeout  = "Error: timed out waiting for the reply (--timeout)"
		closed   = "Error: Server closed the connection"
		garbage  = "Error: Protocol error: unknown reply type byte '@' (connection closed)"
		value    = faultValue + "\n"
		after    = "after\n"
		pipeSent = "All data transferred. Waiting for the last reply...\n"
		// --pipe never sends its stream again: it says what went out
		// without a reply.
		pipeLost = "; 0 replies came, and 2 commands sent after them got none: they may have run (--pipe does not send them again)"
	)
	return []faultRow{
		{
			name:  "connection refused",
			fault: faultproxy.Refuse(),
			modes: map[string]outcome{
				"one-shot": {retried: true, code: 1, msg: refused},
				// A connection that cannot be made ends a script.
				"stdin":   {retried: true, code: 1, msg: refused, stops: true},
				"pipe":    {retried: true, code: 1, msg: refused},
				"cluster": {retried: true, code: 1, msg: refused},
				"repl":    {retried: true, msg: refused},
			},
		},
		{
			name:  "reset before send",
			fault: faultproxy.ResetBeforeSend().On("GET"),
			modes: map[string]outcome{
				"one-shot": {retried: true, code: 1, msg: reset},
				// A lost connection fails one line; the next dials again.
				"stdin": {retried: true, code: 1, out: after, msg: reset},
				// --pipe retries connecting only: once bytes are sent,
				// which commands ran is unknown.
				"pipe": {code: 1, out: pipeSent, msg: reset + pipeLost},
				// The node level gives up, the cluster level succeeds.
				"cluster": {retried: true, out: value},
				"repl":    {retried: true, msg: reset},
			},
		},
		{
			name:  "reset after send",
			fault: faultproxy.ResetAfterSend().On("GET"),
			modes: map[string]outcome{
				"one-shot": {retried: true, code: 1, msg: reset},
				"stdin":    {retried: true, code: 1, out: after, msg: reset},
				"pipe":     {code: 1, out: pipeSent, msg: reset + pipeLost},
				"cluster":  {retried: true, out: value},
				"repl":     {retried: true, msg: reset},
			},
		},
		{
			name:  "stall until timeout",
			fault: faultproxy.Stall().On("GET"),
			flags: []string{"--timeout", "200ms", "--pipe-timeout", "1"},
			modes: map[string]outcome{
				"one-shot": {retried: true, code: 1, msg: timeout},
				"stdin":    {retried: true, code: 1, out: after, msg: timeout},
				"pipe":     {code: 1, out: pipeSent + "errors: 1, replies: 0\n", msg: "No replies for 1 seconds: exiting."},
				"cluster":  {retried: true, out: value},
				"repl":     {retried: true, msg: timeout},
			},
		},
		{
			name:  "one byte per millisecond",
			fault: faultproxy.Trickle(1, time.Millisecond),
			modes: map[string]outcome{
				"one-shot": {out: value},
				"stdin":    {out: value + after},
				"pipe":     {out: pipeDone},
				"cluster":  {out: value},
				"repl":     {},
			},
		},
		{
			name:  "truncated reply",
			fault: faultproxy.Truncate(3),
			modes: map[string]outcome{
				"one-shot": {retried: true, code: 1, msg: closed},
				"stdin":    {retried: true, code: 1, out: after, msg: closed},
				"pipe":     {code: 1, out: pipeSent, msg: closed + pipeLost},
				"cluster":  {retried: true, out: value},
				"repl":     {retried: true, msg: closed},
			},
		},
		{
			name:  "garbage reply",
			fault: faultproxy.Garbage([]byte("@garbage\r\n")).On("GET"),
			modes: map[string]outcome{
				"one-shot": {retried: true, code: 1, msg: garbage},
				// A protocol error ends a script: the server is not
				// speaking RESP.
				"stdin":   {retried: true, code: 1, msg: garbage, stops: true},
				"pipe":    {code: 1, out: pipeSent, msg: "Error: protocol error: unknown reply type byte '@'" + pipeLost},
				"cluster": {retried: true, out: value},
				"repl":    {retried: true, msg: garbage},
			},
		},
		{
			name:    "server restart",
			restart: true,
			flags:   []string{"--retries", "-1", "--retry-backoff", "constant", "--retry-backoff-base", "20ms", "--retry-deadline", "15s"},
			modes: map[string]outcome{
				// One-shot and --pipe: the server is down when redish
				// starts, and comes back while it retries.
				"one-shot": {retried: true, out: value},
				"pipe":     {retried: true, out: pipeDone},
				// The others: the server restarts between two commands;
				// the second finds its connection closed before sending
				// anything and connects again, quietly: nothing failed.
				"stdin":   {out: value + value},
				"cluster": {out: value + value},
				"repl":    {},
			},
		},
	}
}

// TestFaultMatrix runs every fault in every mode against real servers
// behind a fault-injecting proxy, and checks what the cell states:
// whether the failure was retried, the exit code, the output and the
// message. Every cell is bounded in time and must leave no goroutine
// behind.
func TestFaultMatrix(t *testing.T) {
	standalone := newFaultFixture(t, false)
	cluster := newFaultFixture(t, true)
	modes := []struct {
		name string
		fx   *faultFixture
		run  func(t *testing.T, fx *faultFixture, row faultRow, want outcome)
	}{
		{"one-shot", standalone, runOneShotCell},
		{"stdin", standalone, runStdinCell},
		{"pipe", standalone, runPipeCell},
		{"cluster", cluster, runClusterCell},
		{"repl", standalone, runREPLCell},
	}
	for _, row := range faultRows() {
		for _, m := range modes {
			want, ok := row.modes[m.name]
			if !ok {
				t.Errorf("%s: no outcome stated for mode %s", row.name, m.name)
				continue
			}
			before := goleak.IgnoreCurrent()
			t.Run(row.name+"/"+m.name, func(t *testing.T) {
				m.fx.reset(t)
				m.run(t, m.fx, row, want)
			})
			m.fx.proxy.Set(faultproxy.Pass())
			if err := goleak.Find(append([]goleak.Option{before}, ignoreTestServers...)...); err != nil {
				t.Errorf("%s/%s left goroutines behind: %v", row.name, m.name, err)
			}
		}
	}
}

// ignoreTestServers are the goroutines of the test's own servers and
// proxies, which a cell may start (a restarted server, a proxy listening
// again after a refusal) and which end with the test.
var ignoreTestServers = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/redish/redish/internal/redisproc.(*Server).launch.func1"),
	goleak.IgnoreAnyFunction("github.com/redish/redish/internal/faultproxy.(*Proxy).serve.func1"),
	goleak.IgnoreAnyFunction("github.com/redish/redish/internal/faultproxy.(*Proxy).accept.func1"),
}

// armTwice puts the row's fault in place for the next two connections:
// the command's first attempt and its retry. The next command, or a
// cluster-level attempt, gets a healthy connection. A refusal cannot be
// counted by connection: it lasts until the cell ends.
func (row faultRow) armTwice(p *faultproxy.Proxy) {
	if row.fault.String() == faultproxy.Refuse().String() {
		p.Set(row.fault)
		return
	}
	p.SetFor(2, row.fault)
}

// faultFixture is a server (or a one-node cluster) with the proxy every
// command goes through.
type faultFixture struct {
	srv     *redistest.Server
	cluster *redistest.Cluster
	proxy   *faultproxy.Proxy
}

// newFaultFixture starts the server and the proxy. For a cluster, the
// node announces the proxy's port, so CLUSTER SHARDS sends commands
// through the proxy while the seed (-p) is the node itself.
func newFaultFixture(t *testing.T, cluster bool) *faultFixture {
	fx := &faultFixture{}
	if cluster {
		fx.cluster = redistest.StartCluster(t, 1, 0)
		fx.srv = fx.cluster.Nodes[0]
	} else {
		fx.srv = redistest.Start(t)
	}
	fx.proxy = faultproxy.New(t, fx.srv.Addr())
	if cluster {
		fx.announceProxy(t)
	}
	return fx
}

// reset puts the fixture back in its healthy state: the proxy passes
// traffic, the server runs, and the key is set and saved (so it survives
// a restart).
func (fx *faultFixture) reset(t *testing.T) {
	t.Helper()
	fx.proxy.Set(faultproxy.Pass())
	if !fx.srv.Running() {
		fx.restart(t)
	}
	fx.srv.Do(t, "SET", faultKey, faultValue)
	fx.srv.Do(t, "SAVE")
}

// restart restarts the server and waits until it serves again; a cluster
// node announces the proxy again (the setting is not in its config file)
// and waits out the delay before a restarted primary accepts writes.
func (fx *faultFixture) restart(t *testing.T) {
	t.Helper()
	fx.srv.Restart(t)
	if fx.cluster == nil {
		return
	}
	fx.announceProxy(t)
	deadline := time.Now().Add(cellTimeout)
	for !strings.Contains(fx.srv.Do(t, "CLUSTER", "INFO").Text(), "cluster_state:ok") {
		if time.Now().After(deadline) {
			t.Fatalf("the restarted node did not report cluster_state:ok within %v", cellTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// announceProxy makes the cluster node give the proxy's address in
// CLUSTER SHARDS, so commands reach it through the proxy.
func (fx *faultFixture) announceProxy(t *testing.T) {
	t.Helper()
	fx.srv.Do(t, "CONFIG", "SET", "cluster-announce-ip", "127.0.0.1")
	fx.srv.Do(t, "CONFIG", "SET", "cluster-announce-port", strconv.Itoa(fx.proxy.Port()))
}

// args returns the command line of a cell: through the proxy, with the
// cell's flags.
func (fx *faultFixture) args(row faultRow, extra ...string) []string {
	return fx.argsTo(fx.proxy.Port(), row, extra...)
}

// argsTo is args with the server at port (standalone).
func (fx *faultFixture) argsTo(port int, row faultRow, extra ...string) []string {
	args := []string{"-p", strconv.Itoa(port)}
	if fx.cluster != nil {
		args = []string{"-c", "-p", strconv.Itoa(fx.srv.Port), "--cluster-error-attempts", "1"}
	}
	args = append(args, faultFlags...)
	args = append(args, row.flags...)
	return append(args, extra...)
}

// check compares a run with the cell's outcome.
func (want outcome) check(t *testing.T, fx *faultFixture, r result) {
	t.Helper()
	lines := stderrLines(r.err)
	retried := false
	for _, l := range lines {
		if strings.HasPrefix(l, "retry ") {
			retried = true
		}
	}
	last := ""
	if len(lines) > 0 {
		last = lines[len(lines)-1]
	}
	msg := strings.ReplaceAll(want.msg, "ADDR", fx.proxy.Addr())
	if want.msg == "" && strings.Contains(r.err, "Error") {
		last, msg = r.err, "(no error)"
	}
	if retried != want.retried || r.code != want.code || r.out != want.out || (want.msg != "" && last != msg) || last == "" && want.msg != "" {
		t.Errorf("got exit %d, stdout %q, retried %v, last stderr line %q\nwant exit %d, stdout %q, retried %v, last stderr line %q\nstderr:\n%s",
			r.code, r.out, retried, last, want.code, want.out, want.retried, msg, r.err)
	}
}

// pipeSession is an in-process redish run whose stdin and stdout are
// pipes, so a test can interleave its commands with faults.
type pipeSession struct {
	in     *io.PipeWriter
	out    *bufio.Reader
	errOut *lockedBuffer
	done   chan struct{} // closed when Run has returned
	code   int           // Run's result, once done is closed
	cancel context.CancelFunc
}

// startSession starts redish with args; it is cancelled after cellTimeout.
func startSession(t *testing.T, args ...string) *pipeSession {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ios, _, _ := Test("")
	errOut := &lockedBuffer{}
	ios.In, ios.Out, ios.ErrOut = inR, outW, errOut
	ctx, cancel := context.WithTimeout(context.Background(), cellTimeout)
	s := &pipeSession{in: inW, out: bufio.NewReader(outR), errOut: errOut, done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.done)
		s.code = Run(ctx, args, ios)
		outW.Close()
		inR.Close()
	}()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		outR.Close()
		select {
		case <-s.done:
		case <-time.After(cellTimeout):
			t.Errorf("redish did not end %v after it was cancelled", cellTimeout)
		}
	})
	return s
}

// send writes one line to redish's stdin.
func (s *pipeSession) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		t.Fatalf("writing %q: %v", line, err)
	}
}

// line sends a command and returns the line printed for it.
func (s *pipeSession) line(t *testing.T, cmd string) string {
	t.Helper()
	s.send(t, cmd)
	got := make(chan string, 1)
	go func() {
		l, _ := s.out.ReadString('\n')
		got <- l
	}()
	select {
	case l := <-got:
		return l
	case <-time.After(cellTimeout):
		s.cancel()
		t.Fatalf("no reply to %q after %v", cmd, cellTimeout)
		return ""
	}
}

// end closes stdin, waits for the run to end and returns it, with out
// (what was read already) before the rest of stdout.
func (s *pipeSession) end(t *testing.T, out string) result {
	t.Helper()
	s.in.Close()
	rest := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(s.out)
		rest <- b
	}()
	select {
	case <-s.done:
		return result{out: out + string(<-rest), err: s.errOut.String(), code: s.code}
	case <-time.After(cellTimeout):
		s.cancel()
		t.Fatalf("redish did not end after its stdin was closed")
		return result{}
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// runBounded runs redish in-process with stdin, cancelled after
// cellTimeout.
func runBounded(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cellTimeout)
	defer cancel()
	ios, out, errOut := Test(stdin)
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, ios) }()
	select {
	case code := <-done:
		if ctx.Err() != nil {
			t.Fatalf("redish ran for over %v", cellTimeout)
		}
		return result{out: out.String(), err: errOut.String(), code: code}
	case <-time.After(cellTimeout + 5*time.Second):
		t.Fatalf("redish did not end %v after it was cancelled", 5*time.Second)
		return result{}
	}
}

func runOneShotCell(t *testing.T, fx *faultFixture, row faultRow, want outcome) {
	if !row.restart {
		row.armTwice(fx.proxy)
		want.check(t, fx, runBounded(t, "", fx.args(row, "GET", faultKey)...))
		return
	}
	want.check(t, fx, fx.downThenUp(t, "", fx.argsTo(fx.srv.Port, row, "GET", faultKey)...))
}

func runPipeCell(t *testing.T, fx *faultFixture, row faultRow, want outcome) {
	const input = "GET " + faultKey + "\r\nECHO after\r\n"
	if !row.restart {
		row.armTwice(fx.proxy)
		want.check(t, fx, runBounded(t, input, fx.args(row, "--pipe")...))
		return
	}
	want.check(t, fx, fx.downThenUp(t, input, fx.argsTo(fx.srv.Port, row, "--pipe")...))
}

// runStdinCell feeds a script one line at a time, as a slow producer
// would: the fault lasts while the first command runs, and the second
// must run as usual unless the outcome says the script stops.
func runStdinCell(t *testing.T, fx *faultFixture, row faultRow, want outcome) {
	s := startSession(t, fx.args(row)...)
	if row.restart {
		out := s.line(t, "GET "+faultKey)
		fx.restart(t)
		out += s.line(t, "GET "+faultKey)
		want.check(t, fx, s.end(t, out))
		return
	}
	fx.proxy.Set(row.fault)
	out := ""
	switch {
	case want.stops:
		// The run ends at the failure; the pipelined script reports it
		// once its input ends.
		s.send(t, "GET "+faultKey)
		waitFor(t, s.errOut, "giving up after 2 attempts")
	case want.msg != "":
		s.send(t, "GET "+faultKey)
		waitFor(t, s.errOut, strings.ReplaceAll(want.msg, "ADDR", fx.proxy.Addr()))
	default:
		out = s.line(t, "GET "+faultKey)
	}
	fx.proxy.Set(faultproxy.Pass())
	if !want.stops {
		out += s.line(t, "ECHO after")
	}
	want.check(t, fx, s.end(t, out))
}

func runClusterCell(t *testing.T, fx *faultFixture, row faultRow, want outcome) {
	if row.restart {
		runStdinCell(t, fx, row, want)
		return
	}
	row.armTwice(fx.proxy)
	want.check(t, fx, runBounded(t, "", fx.args(row, "GET", faultKey)...))
}

// runREPLCell drives the built binary in a terminal: the fault comes
// while the shell waits at its prompt, connected. The shell must print
// the outcome, come back to the prompt, run the next command and exit 0.
func runREPLCell(t *testing.T, fx *faultFixture, row faultRow, want outcome) {
	tm := startTerm(t, nil, fx.args(row)...)
	prompt := fx.proxy.Addr() + "> "
	tm.wait(prompt)
	switch {
	case row.restart:
		fx.restart(t)
	case row.fault.String() == faultproxy.Refuse().String():
		// The server goes away: its connections with it.
		fx.proxy.Set(row.fault)
		fx.proxy.ResetConns()
	default:
		// From the open connection's next request on, and on every new
		// connection.
		fx.proxy.Set(row.fault)
	}
	tm.enter("GET " + faultKey)
	if want.msg != "" {
		tm.wait(strings.ReplaceAll(want.msg, "ADDR", fx.proxy.Addr()))
	} else {
		tm.wait(strconv.Quote(faultValue))
	}
	screen := tm.screen()
	if got := strings.Contains(screen, "retry 1/"); got != want.retried {
		t.Errorf("retry line on the terminal: %v, want %v", got, want.retried)
	}
	fx.proxy.Set(faultproxy.Pass())
	tm.run("ECHO after", `"after"`)
	tm.wait(prompt)
	tm.enter("quit")
	if code := tm.exit(); code != want.code {
		t.Errorf("exit %d, want %d", code, want.code)
	}
}

// downThenUp runs redish while the server is down, and restarts the
// server once redish has reported a retry. redish connects to the server
// itself: behind the proxy, a server that is down looks like a connection
// accepted and closed, which --pipe rightly does not retry.
func (fx *faultFixture) downThenUp(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	fx.srv.Stop()
	s := startSession(t, args...)
	written := make(chan struct{})
	go func() {
		defer close(written)
		if stdin != "" {
			io.WriteString(s.in, stdin)
		}
	}()
	waitFor(t, s.errOut, "retry 1/")
	fx.restart(t)
	select {
	case <-written:
	case <-time.After(cellTimeout):
		t.Fatalf("redish did not read its input")
	}
	return s.end(t, "")
}

// waitFor waits until b holds text.
func waitFor(t *testing.T, b *lockedBuffer, text string) {
	t.Helper()
	deadline := time.Now().Add(cellTimeout)
	for !strings.Contains(b.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("%q did not appear; stderr so far:\n%s", text, b.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
