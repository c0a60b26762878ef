package cmd

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/redish/redish/internal/redistest"
)

// waitTimeout bounds every wait for output from the shell. It is generous
// for slow machines; nothing is asserted about how long things take.
const waitTimeout = 15 * time.Second

// ptyTerm is a redish process in a pseudo-terminal, driven as a person
// would: type, then wait for the screen to show something.
type ptyTerm struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File
	home string

	mu   sync.Mutex
	out  bytes.Buffer
	mark int // wait looks for text after this offset
	// done is closed when the process has exited, drained when everything
	// it wrote has been read.
	done    chan struct{}
	drained chan struct{}
	err     error // the process's exit, once done is closed
}

// startTerm runs redish with args in a 200x50 terminal. HOME is a fresh
// directory (history file, .redishrc) and colour is off unless env says
// otherwise.
func startTerm(t *testing.T, env []string, args ...string) *ptyTerm {
	t.Helper()
	return startTermBin(t, redishBin, env, args...)
}

// startTermBin is startTerm for the program bin: redis-cli, to compare.
func startTermBin(t *testing.T, bin string, env []string, args ...string) *ptyTerm {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm",
		"NO_COLOR=1",
	}, env...)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatalf("starting redish in a terminal: %v", err)
	}
	tm := &ptyTerm{t: t, cmd: cmd, ptmx: ptmx, home: home, done: make(chan struct{}), drained: make(chan struct{})}
	go tm.read()
	go func() {
		tm.err = cmd.Wait()
		close(tm.done)
	}()
	t.Cleanup(func() {
		select {
		case <-tm.done:
		default:
			cmd.Process.Kill()
			<-tm.done
		}
		ptmx.Close()
		if t.Failed() {
			t.Logf("terminal output:\n%s", tm.screen())
		}
	})
	return tm
}

func (tm *ptyTerm) read() {
	defer close(tm.drained)
	buf := make([]byte, 4096)
	for {
		n, err := tm.ptmx.Read(buf)
		tm.mu.Lock()
		tm.out.Write(buf[:n])
		tm.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// screen returns everything the terminal received.
func (tm *ptyTerm) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// wait waits until text appears after the mark, and moves the mark past
// it.
func (tm *ptyTerm) wait(text string) {
	tm.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		tm.mu.Lock()
		i := strings.Index(tm.out.String()[tm.mark:], text)
		if i >= 0 {
			tm.mark += i + len(text)
		}
		tm.mu.Unlock()
		if i >= 0 {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the terminal did not show %q", text)
		}
		select {
		case <-tm.done:
			select {
			case <-tm.drained:
			case <-time.After(waitTimeout):
			}
			tm.mu.Lock()
			found := strings.Contains(tm.out.String()[tm.mark:], text)
			tm.mu.Unlock()
			if !found {
				tm.t.Fatalf("redish exited (%v) before showing %q", tm.err, text)
			}
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// since returns what the terminal received after the mark.
func (tm *ptyTerm) since() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()[tm.mark:]
}

// typeText sends keys.
func (tm *ptyTerm) typeText(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.ptmx, keys); err != nil {
		tm.t.Fatalf("typing %q: %v", keys, err)
	}
}

// enter types a line and Enter, and waits for the line to be taken: the
// redraws of the line being typed all show the prompt, so waits for the
// next prompt must start after them.
func (tm *ptyTerm) enter(line string) {
	tm.t.Helper()
	tm.typeText(line + "\r")
	tm.wait("\n")
}

// run enters a line and waits for want.
func (tm *ptyTerm) run(line, want string) {
	tm.t.Helper()
	tm.enter(line)
	tm.wait(want)
}

// interrupt types Ctrl-C while a command runs and waits for the prompt.
func (tm *ptyTerm) interrupt(prompt string) {
	tm.t.Helper()
	tm.typeText("\x03")
	tm.wait("^C")
	tm.wait(prompt)
}

// exit waits for the process to end and returns its exit code.
func (tm *ptyTerm) exit() int {
	tm.t.Helper()
	select {
	case <-tm.done:
	case <-time.After(waitTimeout):
		tm.t.Fatal("redish did not exit")
	}
	var ee *exec.ExitError
	if errors.As(tm.err, &ee) {
		return ee.Sys().(syscall.WaitStatus).ExitStatus()
	}
	if tm.err != nil {
		tm.t.Fatalf("wait: %v", tm.err)
	}
	return 0
}

func prompt(s *redistest.Server) string { return s.Addr() + "> " }

// waitBlocked waits until the server shows a client blocked in cmd.
func waitBlocked(t *testing.T, s *redistest.Server, cmd string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !strings.Contains(s.Do(t, "CLIENT", "LIST").Text(), "cmd="+cmd) {
		if time.Now().After(deadline) {
			t.Fatalf("no client blocked in %s", cmd)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitBusy waits until the server stops answering: a command such as
// DEBUG SLEEP holds it.
func waitBusy(t *testing.T, s *redistest.Server) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		nc, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(200 * time.Millisecond))
		_, err = nc.Write([]byte("PING\r\n"))
		if err == nil {
			_, err = nc.Read(make([]byte, 16))
		}
		nc.Close()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never got busy")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestInteractivePrompts(t *testing.T) {
	srv := redistest.Start(t, redistest.WithUnixSocket())
	p := srv.Addr()
	tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port))
	tm.wait(p + "> ")
	tm.run("SELECT 2", p+"[2]> ")
	tm.run("MULTI", p+"[2](TX)> ")
	tm.run("SET k v", p+"[2](TX)> ")
	tm.run("EXEC", p+"[2]> ")

	dead := redistest.Start(t)
	deadPort := strconv.Itoa(dead.Port)
	dead.Stop()
	tm.enter("connect 127.0.0.1 " + deadPort)
	tm.wait("Could not connect to Redis at 127.0.0.1:" + deadPort + ": Connection refused")
	tm.wait("not connected> ")
	tm.run("connect 127.0.0.1 "+strconv.Itoa(srv.Port), p+"[2]> ")
	tm.enter("quit")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}

	t.Run("unix socket", func(t *testing.T) {
		tm := startTerm(t, nil, "-s", srv.Socket, "-n", "1")
		tm.wait("redis " + srv.Socket + "[1]> ")
		tm.typeText("\x04") // Ctrl-D
		if code := tm.exit(); code != 0 {
			t.Errorf("exit code %d after Ctrl-D, want 0", code)
		}
	})

	t.Run("server down at start", func(t *testing.T) {
		tm := startTerm(t, nil, "-p", deadPort)
		tm.wait("Could not connect to Redis at 127.0.0.1:" + deadPort + ": Connection refused")
		tm.wait("not connected> ")
		tm.typeText("\x03") // Ctrl-C at an empty prompt
		if code := tm.exit(); code != 0 {
			t.Errorf("exit code %d after Ctrl-C, want 0", code)
		}
	})
}

func TestInteractiveHintsAndCompletion(t *testing.T) {
	srv := redistest.Start(t)
	srv.Do(t, "SET", "user:1000", "alice")
	p := prompt(srv)

	t.Run("plain", func(t *testing.T) {
		tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port))
		tm.wait(p)
		tm.typeText("SET k v ")
		tm.wait("[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]")
		tm.typeText("NX ")
		tm.wait("[GET] [EX seconds|")
		tm.typeText("\x15") // Ctrl-U

		// A command name, in the case typed, and a key name.
		tm.typeText("hgetal\t")
		tm.wait("hgetall")
		tm.enter("")
		tm.wait("(error) ERR wrong number of arguments for 'hgetall' command")
		tm.wait(p)
		tm.typeText("GET user:1\t")
		tm.wait("user:1000")
		tm.enter("")
		tm.wait(`"alice"`)
		tm.wait(p)

		// :set nohints turns hints off.
		tm.run(":set nohints", p)
		tm.typeText("SET k v ")
		tm.typeText("\x15")
		tm.run("PING", "PONG")
		if strings.Contains(tm.since(), "[NX|XX]") {
			t.Error("a hint was drawn after :set nohints")
		}
	})

	t.Run("colour", func(t *testing.T) {
		tm := startTerm(t, []string{"NO_COLOR="}, "-p", strconv.Itoa(srv.Port))
		tm.wait("\x1b[1m" + srv.Addr())
		tm.typeText("GET ")
		tm.wait("\x1b[90mkey")
	})

	t.Run("no colour", func(t *testing.T) {
		tm := startTerm(t, nil, "--no-color", "-p", strconv.Itoa(srv.Port))
		tm.wait(p)
		tm.typeText("GET ")
		tm.wait("key")
		tm.typeText("\x15")
		tm.run("PING", "PONG")
		for _, esc := range []string{"\x1b[1m", "\x1b[90m", "\x1b[31m", "\x1b[33m", "\x1b[36m"} {
			if strings.Contains(tm.screen(), esc) {
				t.Errorf("colour %q with --no-color", esc)
			}
		}
	})
}

func TestInteractiveHistory(t *testing.T) {
	srv := redistest.Start(t)
	p := prompt(srv)
	histDir := t.TempDir()
	hist := filepath.Join(histDir, "history")
	env := []string{"REDISH_HISTFILE=" + hist}

	tm := startTerm(t, env, "-p", strconv.Itoa(srv.Port))
	tm.wait(p)
	for _, line := range []string{
		"SET histkey v1",
		"AUTH secret-one",
		"2 auth default secret-two",
		`HELLO 3 AUTH default "secret three"`,
		"ACL SETUSER bob on >secret-four",
		"CONFIG SET masterauth secret-five",
		"GET histkey",
	} {
		tm.run(line, p)
	}
	tm.enter("quit")
	tm.exit()

	st, err := os.Stat(hist)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("history mode %v, want 0600", st.Mode().Perm())
	}
	b, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "SET histkey v1\nGET histkey\nquit\n"; got != want {
		t.Errorf("history file %q, want %q", got, want)
	}

	// Ctrl-R finds a line of the previous session.
	srv.Do(t, "SET", "histkey", "v2")
	tm = startTerm(t, env, "-p", strconv.Itoa(srv.Port))
	tm.wait(p)
	tm.typeText("\x12") // Ctrl-R
	tm.typeText("GET hist")
	tm.wait("GET histkey")
	tm.enter("")
	tm.wait(`"v2"`)
	tm.wait(p)

	t.Run("default file", func(t *testing.T) {
		tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port))
		tm.wait(p)
		tm.run("PING", "PONG")
		tm.typeText("\x04")
		tm.exit()
		b, err := os.ReadFile(filepath.Join(tm.home, ".redish_history"))
		if err != nil || string(b) != "PING\n" {
			t.Errorf("~/.redish_history: %q, %v", b, err)
		}
	})

	t.Run("disabled", func(t *testing.T) {
		tm := startTerm(t, []string{"REDISH_HISTFILE=/dev/null"}, "-p", strconv.Itoa(srv.Port))
		tm.wait(p)
		tm.run("PING", "PONG")
		tm.typeText("\x04")
		tm.exit()
		if entries, _ := os.ReadDir(tm.home); len(entries) != 0 {
			t.Errorf("HOME holds %v with history disabled", entries)
		}
	})
}

func TestInteractiveInterrupt(t *testing.T) {
	srv := redistest.Start(t)
	p := srv.Addr() + "[3]> "
	tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port), "-n", "3")
	tm.wait(p)

	tm.enter("BLPOP queue 0")
	waitBlocked(t, srv, "blpop")
	tm.interrupt(p)
	// The BLPOP is gone with its connection: the element stays.
	tm.run("RPUSH queue x", "(integer) 1")
	tm.run("LLEN queue", "(integer) 1")

	tm.enter("DEBUG SLEEP 5")
	waitBusy(t, srv)
	tm.interrupt(p)
	// The new connection has the session back: database 3.
	tm.run("CLIENT INFO", "db=3")
	tm.wait(p)

	// Commands of 500ms or more print their time.
	tm.run("DEBUG SLEEP 0.6", "OK")
	tm.wait("(0.6")
	tm.wait("s)")
	tm.wait(p)

	tm.typeText("\x03")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit code %d after Ctrl-C at the prompt, want 0", code)
	}
}

func TestInteractiveSubscribe(t *testing.T) {
	srv := redistest.Start(t)
	p := prompt(srv)
	tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port))
	tm.wait(p)
	tm.run("SUBSCRIBE news", "Reading messages... (press Ctrl-C to quit)")
	tm.wait(`2) "news"`)
	deadline := time.Now().Add(waitTimeout)
	for srv.Do(t, "PUBLISH", "news", "hello from elsewhere").Int != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the subscription never showed on the server")
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.wait(`1) "message"`)
	tm.wait(`3) "hello from elsewhere"`)
	tm.interrupt(p)
	tm.run("PING", "PONG") // not "ERR Can't execute 'ping'" of a subscribed connection
	if n := srv.Do(t, "PUBSUB", "NUMSUB", "news").Elems[1].Int; n != 0 {
		t.Errorf("%d subscribers left after Ctrl-C", n)
	}
}

func TestInteractiveReconnect(t *testing.T) {
	srv := redistest.Start(t)
	p := srv.Addr() + "[5]> "
	tm := startTerm(t, nil, "-p", strconv.Itoa(srv.Port))
	tm.wait(prompt(srv))
	tm.run("SELECT 5", p)

	// The server restarts while the shell waits: the next command finds
	// the idle connection closed before sending anything, and connects
	// again quietly, with the database restored.
	before := len(tm.screen())
	srv.Restart(t)
	tm.run("PING", "PONG")
	tm.wait(p)
	tm.run("CLIENT INFO", "db=5")
	tm.wait(p)
	if s := tm.screen()[before:]; strings.Contains(s, "Server closed") || strings.Contains(s, "not connected") {
		t.Errorf("the quiet reconnect was reported:\n%s", s)
	}

	// A transaction lost with its connection is reported, and nothing of
	// it runs.
	tm.run("MULTI", srv.Addr()+"[5](TX)> ")
	tm.run("INCR n", "QUEUED")
	srv.Restart(t)
	tm.run("EXEC", "the transaction was discarded (the connection was lost inside MULTI) and none of its commands ran")
	tm.wait("not connected> ")

	// Without retries, a server that is down is reported, as redis-cli
	// does. With a retry policy set live, the command waits for it.
	srv.Stop()
	before = len(tm.screen())
	tm.run("PING", "Connection refused")
	tm.wait("not connected> ")
	// Without --verbose, nothing but redis-cli's line: no retry line.
	if s := tm.screen()[before:]; strings.Contains(s, "giving up") {
		t.Errorf("a --verbose line without --verbose:\n%s", s)
	}
	tm.run(":verbose", "verbose off")
	tm.run(":retry retries=500 backoff=constant base=20ms", "retry retries=500 backoff=constant")
	tm.run(":verbose on", "not connected> ")
	tm.run("GET n", "retry 1/500")
	srv.Restart(t)
	tm.wait("(nil)")
	tm.wait(p)
}

func TestInteractiveRCFile(t *testing.T) {
	srv := redistest.Start(t)
	rc := filepath.Join(t.TempDir(), "rc")
	if err := os.WriteFile(rc, []byte(":set nohints\n:retry retries=2 backoff=constant\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := startTerm(t, []string{"REDISH_RCFILE=" + rc}, "-p", strconv.Itoa(srv.Port))
	tm.wait(prompt(srv))
	tm.run(":retry", "retry retries=2 backoff=constant")
	tm.typeText("\x04")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit %d", code)
	}
	if strings.Contains(tm.screen(), "unknown") {
		t.Errorf("rc lines were refused:\n%s", tm.screen())
	}
}
