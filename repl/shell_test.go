package repl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// fakeEditor replays lines and records what the shell asks of it.
type fakeEditor struct {
	lines    []string
	errs     map[int]error // error returned with lines[i]
	password string
	prompts  []string
	history  []string
	n        int

	// announced records Announce calls, "line|prompt", which come from
	// another goroutine.
	amu       sync.Mutex
	announced []string
}

func (e *fakeEditor) Announce(line, prompt string) {
	e.amu.Lock()
	e.announced = append(e.announced, line+"|"+prompt)
	e.amu.Unlock()
}

func (e *fakeEditor) ReadLine(prompt string) (string, error) {
	e.prompts = append(e.prompts, prompt)
	if e.n >= len(e.lines) {
		return "", io.EOF
	}
	i := e.n
	e.n++
	return e.lines[i], e.errs[i]
}

func (e *fakeEditor) AddHistory(line string)                       { e.history = append(e.history, line) }
func (e *fakeEditor) SetCompleter(func(string) (string, []string)) {}
func (e *fakeEditor) SetPainter(func(string) Painted)              {}
func (e *fakeEditor) ReadPassword(string) (string, error)          { return e.password, nil }
func (e *fakeEditor) Close() error                                 { return nil }

// fakeClient answers commands with do and records them.
type fakeClient struct {
	mu       sync.Mutex
	do       func(ctx context.Context, args []string) (resp.Value, error)
	read     func(ctx context.Context) (resp.Value, error)
	sent     [][]string
	state    State
	connects int
	addr     string
	policy   retry.Policy
	observer func(retry.Event)
}

func (c *fakeClient) Do(ctx context.Context, args [][]byte) (resp.Value, error) {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = string(a)
	}
	c.mu.Lock()
	c.sent = append(c.sent, s)
	c.mu.Unlock()
	if strings.EqualFold(s[0], "COMMAND") {
		return resp.ErrorReply("ERR unknown command"), nil
	}
	if c.do == nil {
		return resp.Status("OK"), nil
	}
	return c.do(ctx, s)
}

func (c *fakeClient) ReadReply(ctx context.Context) (resp.Value, error) { return c.read(ctx) }
func (c *fakeClient) Connect(context.Context) error {
	c.connects++
	c.state.Connected = true
	return nil
}
func (c *fakeClient) SetAddr(host string, port int) error {
	c.addr = host + ":" + strconv.Itoa(port)
	c.state.Addr = c.addr
	return nil
}
func (c *fakeClient) State() State                                   { return c.state }
func (c *fakeClient) ScanKeys(context.Context, string, int) []string { return nil }
func (c *fakeClient) Close() error                                   { return nil }
func (c *fakeClient) RetryPolicy() retry.Policy                      { return c.policy }
func (c *fakeClient) SetRetryPolicy(p retry.Policy)                  { c.policy = p }
func (c *fakeClient) Observer() func(retry.Event)                    { return c.observer }
func (c *fakeClient) SetObserver(f func(retry.Event))                { c.observer = f }
func (c *fakeClient) commands() [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out [][]string
	for _, s := range c.sent {
		if !strings.EqualFold(s[0], "COMMAND") {
			out = append(out, s)
		}
	}
	return out
}

type shellRun struct {
	out, errOut bytes.Buffer
	ed          *fakeEditor
	client      *fakeClient
	err         error
}

func runShell(t *testing.T, cfg Config, ed *fakeEditor, client *fakeClient) *shellRun {
	t.Helper()
	r := &shellRun{ed: ed, client: client}
	if client.state.Addr == "" {
		client.state.Addr = "127.0.0.1:6379"
	}
	cfg.Client, cfg.Editor = client, ed
	cfg.Out, cfg.ErrOut = &r.out, &r.errOut
	if cfg.Format == (format.Options{}) {
		cfg.Format = format.DefaultOptions(format.TTY)
	}
	r.err = NewShell(cfg).Run(context.Background())
	return r
}

func TestShellLines(t *testing.T) {
	ed := &fakeEditor{lines: []string{
		"SET k v",
		"3 INCR n",
		"",
		`SET "open`,
		"0 PING",
		"help get",
		":set nohints",
		":set",
		":set bogus",
		":bogus",
		"clear",
		"quit",
		"PING",
	}}
	client := &fakeClient{do: func(_ context.Context, args []string) (resp.Value, error) {
		if strings.EqualFold(args[0], "INCR") {
			return resp.Int(1), nil
		}
		return resp.Status("OK"), nil
	}}
	r := runShell(t, Config{Version: "1.0", Pager: "off"}, ed, client)
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "OK\n" +
		"(integer) 1\n(integer) 1\n(integer) 1\n" +
		"Invalid argument(s)\n" +
		"Invalid redis-cli repeat command option value.\n" +
		format.HelpDetail([]string{"get"}, "1.0", false) +
		"hints off: no syntax hints\n" +
		"hints    off\nkeys     on\ntheme    dark (colour is off)\ndecode   none\npager    off\nconfirm  on\n" +
		"unknown redish preference 'bogus' (hints, nohints, keys, nokeys, theme, decode, pager, confirm)\n" +
		"unknown redish internal command ':bogus'\n" +
		"\x1b[H\x1b[2J"
	if got := r.out.String(); got != want {
		t.Errorf("output:\n%q\nwant\n%q", got, want)
	}
	sent := client.commands()
	if len(sent) != 4 || strings.Join(sent[0], " ") != "SET k v" || strings.Join(sent[3], " ") != "INCR n" {
		t.Errorf("sent %q", sent)
	}
	if ed.n != 12 {
		t.Errorf("read %d lines, want 12 (nothing after quit)", ed.n)
	}
	if ed.prompts[0] != "127.0.0.1:6379> " {
		t.Errorf("prompt %q", ed.prompts[0])
	}
}

func TestShellExitsOnCtrlC(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		errs  map[int]error
		reads int
	}{
		{"empty prompt", []string{"", "PING"}, map[int]error{0: ErrInterrupt}, 1},
		{"blank prompt", []string{"  ", "PING"}, map[int]error{0: ErrInterrupt}, 1},
		{"cancels a line being typed", []string{"GET k", "PING"}, map[int]error{0: ErrInterrupt}, 3},
		{"Ctrl-D", []string{"", "PING"}, map[int]error{0: io.EOF}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ed := &fakeEditor{lines: tc.lines, errs: tc.errs}
			client := &fakeClient{}
			r := runShell(t, Config{}, ed, client)
			if r.err != nil {
				t.Fatalf("Run = %v, want nil (exit 0)", r.err)
			}
			if len(ed.prompts) != tc.reads {
				t.Errorf("%d prompts, want %d", len(ed.prompts), tc.reads)
			}
		})
	}
}

func TestShellInterruptCancelsCommand(t *testing.T) {
	intr := env.NewInterrupts(nil)
	started := make(chan struct{})
	ed := &fakeEditor{lines: []string{"BLPOP k 0", "GET k"}}
	client := &fakeClient{do: func(ctx context.Context, args []string) (resp.Value, error) {
		if args[0] == "BLPOP" {
			close(started)
			<-ctx.Done()
			return resp.Value{}, ctx.Err()
		}
		return resp.BulkString("v"), nil
	}}
	go func() {
		<-started
		intr.Interrupt()
	}()
	r := runShell(t, Config{Interrupts: intr}, ed, client)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got, want := r.out.String(), "\n\"v\"\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	if r.errOut.Len() != 0 {
		t.Errorf("stderr %q, want nothing for an interrupt", r.errOut.String())
	}
	if client.connects != 2 {
		t.Errorf("%d connects, want 2 (at start, after the interrupt)", client.connects)
	}
}

func TestShellStreams(t *testing.T) {
	intr := env.NewInterrupts(nil)
	msgs := []resp.Value{
		resp.Array(resp.BulkString("message"), resp.BulkString("ch"), resp.BulkString("hello")),
	}
	ed := &fakeEditor{lines: []string{"SUBSCRIBE ch"}}
	client := &fakeClient{
		do: func(context.Context, []string) (resp.Value, error) {
			return resp.Array(resp.BulkString("subscribe"), resp.BulkString("ch"), resp.Int(1)), nil
		},
	}
	client.read = func(ctx context.Context) (resp.Value, error) {
		if len(msgs) > 0 {
			v := msgs[0]
			msgs = msgs[1:]
			return v, nil
		}
		intr.Interrupt()
		<-ctx.Done()
		return resp.Value{}, ctx.Err()
	}
	r := runShell(t, Config{Interrupts: intr}, ed, client)
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "Reading messages... (press Ctrl-C to quit)\n" +
		"1) \"subscribe\"\n2) \"ch\"\n3) (integer) 1\n" +
		"1) \"message\"\n2) \"ch\"\n3) \"hello\"\n" +
		"\n"
	if got := r.out.String(); got != want {
		t.Errorf("output:\n%q\nwant\n%q", got, want)
	}
}

func TestShellConnectionErrors(t *testing.T) {
	lost := &redisx.ConnError{Op: "read", Addr: "127.0.0.1:6379", Err: io.EOF}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"lost", lost, "lost\n"},
		// The whole error goes to Describe, which says what was lost.
		{"lost inside MULTI", &redisx.TxLostError{Err: lost, Multi: true}, "the transaction was discarded (the connection was lost inside MULTI) and none of its commands ran: read 127.0.0.1:6379: EOF\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ed := &fakeEditor{lines: []string{"PING"}}
			client := &fakeClient{do: func(context.Context, []string) (resp.Value, error) { return resp.Value{}, tc.err }}
			describe := func(err error) string {
				if err == lost {
					return "lost"
				}
				return err.Error()
			}
			r := runShell(t, Config{Describe: describe}, ed, client)
			if got := r.errOut.String(); got != tc.want {
				t.Errorf("stderr %q, want %q", got, tc.want)
			}
		})
	}
}

func TestShellRetryBuiltins(t *testing.T) {
	ed := &fakeEditor{lines: []string{
		":retry",
		":retry retries=5 backoff=exponential sent=all",
		":retry bogus=1",
		":verbose on",
		":verbose",
		":verbose off",
		":verbose",
	}}
	client := &fakeClient{policy: retry.DefaultPolicy()}
	r := runShell(t, Config{}, ed, client)
	want := "retry retries=0 backoff=none on=ConnectionError,TimeoutError sent=safe\n" +
		"retry retries=5 backoff=exponential(base=8ms,cap=512ms) on=ConnectionError,TimeoutError sent=all\n" +
		"verbose on: retries are printed on stderr as they happen\nverbose on\n" +
		"verbose off: retries happen silently\nverbose off\n"
	if got := r.out.String(); got != want {
		t.Errorf("output:\n%q\nwant\n%q", got, want)
	}
	if !strings.Contains(r.errOut.String(), ":retry: unknown setting \"bogus\"") {
		t.Errorf("stderr %q", r.errOut.String())
	}
	if client.policy.Retries != 5 || client.policy.BackoffName() != "exponential" || client.policy.Resend != retry.ResendAll {
		t.Errorf("policy %v", client.policy)
	}
}

func TestShellVerboseLines(t *testing.T) {
	ed := &fakeEditor{lines: []string{":verbose on", "PING"}}
	client := &fakeClient{}
	client.do = func(context.Context, []string) (resp.Value, error) {
		client.observer(retry.Event{Action: retry.ActionRetry, Attempt: 1, Retries: 2, Class: retry.ConnectionError, Err: errors.New("refused"), Backoff: "none"})
		return resp.Status("PONG"), nil
	}
	r := runShell(t, Config{}, ed, client)
	if got, want := r.errOut.String(), "retry 1/2 in 0s after ConnectionError: refused [none]\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

func TestShellRCFile(t *testing.T) {
	rc := filepath.Join(t.TempDir(), "redishrc")
	text := "# settings\n\n:set nohints nokeys\n:retry retries=2\nSET k v\n"
	if err := os.WriteFile(rc, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	ed := &fakeEditor{lines: []string{":set"}}
	client := &fakeClient{policy: retry.DefaultPolicy()}
	r := runShell(t, Config{RCPath: rc, Pager: "off"}, ed, client)
	want := "redishrc: only :set, :retry and :verbose lines are allowed: SET k v\n" +
		"hints    off\nkeys     off\ntheme    dark (colour is off)\ndecode   none\npager    off\nconfirm  on\n"
	if got := r.out.String(); got != want {
		t.Errorf("output:\n%q\nwant\n%q", got, want)
	}
	if client.policy.Retries != 2 {
		t.Errorf("policy %v, want 2 retries", client.policy)
	}
	if len(client.commands()) != 0 {
		t.Errorf("the rc file sent %q", client.commands())
	}
}

func TestShellHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	if err := os.WriteFile(path, []byte("GET old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ed := &fakeEditor{lines: []string{"SET k v", "AUTH pw", "auth", "config set requirepass x", "GET k"}, password: "typed"}
	client := &fakeClient{}
	runShell(t, Config{HistoryPath: path}, ed, client)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "GET old\nSET k v\nGET k\n"; got != want {
		t.Errorf("history file %q, want %q", got, want)
	}
	if want := []string{"GET old", "SET k v", "GET k"}; !slices.Equal(ed.history, want) {
		t.Errorf("editor history %q, want %q", ed.history, want)
	}
	sent := client.commands()
	if len(sent) != 5 || strings.Join(sent[2], " ") != "auth typed" {
		t.Errorf("sent %q: a bare AUTH asks for the password", sent)
	}
}

func TestShellConnectBuiltin(t *testing.T) {
	ed := &fakeEditor{lines: []string{"connect 10.0.0.1 7000", "connect h port", "connect h"}}
	client := &fakeClient{do: func(context.Context, []string) (resp.Value, error) {
		return resp.ErrorReply("ERR unknown command 'connect'"), nil
	}}
	r := runShell(t, Config{}, ed, client)
	if client.addr != "10.0.0.1:7000" {
		t.Errorf("addr %q", client.addr)
	}
	if !strings.Contains(r.errOut.String(), `Invalid port "port"`) {
		t.Errorf("stderr %q", r.errOut.String())
	}
	// With other than two arguments, connect goes to the server, as in
	// redis-cli.
	if got := r.out.String(); got != "(error) ERR unknown command 'connect'\n" {
		t.Errorf("output %q", got)
	}
	if ed.prompts[1] != "10.0.0.1:7000> " {
		t.Errorf("prompt after connect %q", ed.prompts[1])
	}
}

// fakeClusterClient is a fakeClient with the cluster's outer level of
// attempts and its event lines.
type fakeClusterClient struct {
	fakeClient
	attempts int
	lines    func(string)
}

func (c *fakeClusterClient) ErrorAttempts() int           { return c.attempts }
func (c *fakeClusterClient) SetErrorAttempts(n int)       { c.attempts = n }
func (c *fakeClusterClient) SetEventLines(f func(string)) { c.lines = f }

func runClusterShell(t *testing.T, ed *fakeEditor, client *fakeClusterClient) *shellRun {
	t.Helper()
	r := &shellRun{ed: ed}
	client.state.Addr = "127.0.0.1:7000"
	r.err = NewShell(Config{Client: client, Editor: ed, Out: &r.out, ErrOut: &r.errOut}).Run(context.Background())
	if r.err != nil {
		t.Fatalf("Run: %v", r.err)
	}
	return r
}

// TestShellRetryClusterAttempts: in cluster mode :retry shows and sets
// the cluster-level attempts, all settings or none; elsewhere the key is
// refused.
func TestShellRetryClusterAttempts(t *testing.T) {
	ed := &fakeEditor{lines: []string{
		":retry",
		":retry cluster-error-attempts=7 retries=2",
		":retry cluster-error-attempts=-1",
		":retry cluster-error-attempts=4 bogus=1",
		":retry",
	}}
	client := &fakeClusterClient{fakeClient: fakeClient{policy: retry.DefaultPolicy()}, attempts: 3}
	r := runClusterShell(t, ed, client)
	want := "retry retries=0 backoff=none on=ConnectionError,TimeoutError sent=safe cluster-error-attempts=3\n" +
		"retry retries=2 backoff=none on=ConnectionError,TimeoutError sent=safe cluster-error-attempts=7\n" +
		"retry retries=2 backoff=none on=ConnectionError,TimeoutError sent=safe cluster-error-attempts=7\n"
	if got := r.out.String(); got != want {
		t.Errorf("output:\n%q\nwant\n%q", got, want)
	}
	for _, w := range []string{`cluster-error-attempts: "-1" is not a number of 0 or more`, `unknown setting "bogus"`} {
		if !strings.Contains(r.errOut.String(), w) {
			t.Errorf("stderr %q, want %q", r.errOut.String(), w)
		}
	}
	if client.attempts != 7 {
		t.Errorf("attempts %d, want 7", client.attempts)
	}

	ed = &fakeEditor{lines: []string{":retry cluster-error-attempts=2"}}
	standalone := runShell(t, Config{}, ed, &fakeClient{policy: retry.DefaultPolicy()})
	if got := standalone.errOut.String(); !strings.Contains(got, "cluster-error-attempts applies in cluster mode only (-c)") {
		t.Errorf("standalone stderr %q", got)
	}
}

// TestShellVerboseClusterLines: :verbose on prints the cluster's events
// as well as the retries, :verbose off silences both.
func TestShellVerboseClusterLines(t *testing.T) {
	ed := &fakeEditor{lines: []string{":verbose on", "GET k", ":verbose off", "GET k"}}
	client := &fakeClusterClient{}
	client.do = func(context.Context, []string) (resp.Value, error) {
		if client.lines != nil {
			client.lines("redirect MOVED slot 7 -> 127.0.0.1:7001")
		}
		if client.observer != nil {
			client.observer(retry.Event{Action: retry.ActionRetry, Attempt: 1, Retries: 1, Class: retry.ConnectionError, Err: errors.New("refused"), Backoff: "none"})
		}
		return resp.BulkString("v"), nil
	}
	r := runClusterShell(t, ed, client)
	want := "redirect MOVED slot 7 -> 127.0.0.1:7001\nretry 1/1 in 0s after ConnectionError: refused [none]\n"
	if got := r.errOut.String(); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}
