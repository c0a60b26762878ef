package cmd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
)

// childPIDs returns the processes whose parent is pid.
func childPIDs(t *testing.T, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

func TestLabStdin(t *testing.T) {
	redistest.RedisServer(t)
	for _, tc := range []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"redis-server", []string{"lab"}, []string{"lab: started redis-server"}},
		{"embedded", []string{"lab", "--embedded"}, []string{"lab: using the embedded in-memory server", "lab: started the embedded server"}},
		{"cluster", []string{"lab", "--cluster", "--primaries", "2", "--replicas", "0"}, []string{"lab: started a cluster of 2 primaries and 0 replicas"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runRedish(t, nil, "PING\nSET {a}x 1\nINCR {a}x\nGET {a}x\n", tc.args...)
			if r.code != 0 || r.out != "PONG\nOK\n2\n2\n" {
				t.Fatalf("exit %d, out %q, err %q", r.code, r.out, r.err)
			}
			lines := stderrLines(r.err)
			if len(lines) != len(tc.stderr) {
				t.Fatalf("stderr %q, want %d lines", r.err, len(tc.stderr))
			}
			for i, want := range tc.stderr {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("stderr line %d: %q, want %q...", i+1, lines[i], want)
				}
			}
		})
	}
}

func TestLabBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lab", "--primaries", "2"}, "redish lab: --primaries needs --cluster.\n"},
		{[]string{"lab", "-p", "7000"}, "redish lab: unknown shorthand flag: 'p' in -p\n"},
		{[]string{"lab", "PING"}, "redish lab takes no command: it opens the shell (or reads commands from stdin).\n"},
		{[]string{"lab", "--embedded", "--cluster"}, "lab: the embedded server cannot form a cluster: leave out --embedded (--cluster needs redis-server)\n"},
	} {
		r := runRedish(t, nil, "", tc.args...)
		if r.code != 1 || r.err != tc.want || r.out != "" {
			t.Errorf("%q: exit %d, out %q, err %q; want %q", tc.args, r.code, r.out, r.err, tc.want)
		}
	}
}

// TestLabEmbeddedWithoutRedisServer runs the built redish with an empty
// PATH: the lab says it uses the embedded server and answers.
func TestLabEmbeddedWithoutRedisServer(t *testing.T) {
	cmd := exec.Command(redishBin, "lab")
	cmd.Env = []string{"PATH=", "HOME=" + t.TempDir()}
	cmd.Stdin = strings.NewReader("PING\nSET k v\nGET k\n")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v; stderr %q", err, errOut.String())
	}
	if out.String() != "PONG\nOK\nv\n" {
		t.Errorf("stdout %q", out.String())
	}
	lines := stderrLines(errOut.String())
	if len(lines) != 2 || lines[0] != "lab: redis-server is not on PATH: using the embedded in-memory server (a subset of Redis commands)" {
		t.Errorf("stderr %q", errOut.String())
	}
}

// TestLabClusterWithoutRedisServer runs the built redish with an empty
// PATH: lab --cluster says what to install.
func TestLabClusterWithoutRedisServer(t *testing.T) {
	cmd := exec.Command(redishBin, "lab", "--cluster")
	cmd.Env = []string{"PATH=", "HOME=" + t.TempDir()}
	cmd.Stdin = strings.NewReader("PING\n")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want 1", err)
	}
	want := "lab: --cluster needs redis-server, which is not on PATH: install it (Debian, Ubuntu: apt-get install redis-server; " +
		"Fedora: dnf install redis; macOS: brew install redis), or leave out --cluster to use the embedded server\n"
	if out.String() != "" || errOut.String() != want {
		t.Errorf("stdout %q\nstderr %q\nwant   %q", out.String(), errOut.String(), want)
	}
}

// TestLabStopsServersOnSignals starts the built redish lab reading an
// open stdin, signals it, and checks that it exits and that every server
// it started is gone: SIGTERM and SIGINT stop them, and after SIGKILL the
// kernel kills them (Pdeathsig).
func TestLabStopsServersOnSignals(t *testing.T) {
	redistest.RedisServer(t)
	for _, tc := range []struct {
		name    string
		sig     syscall.Signal
		args    []string
		servers int
	}{
		{"SIGTERM", syscall.SIGTERM, []string{"lab", "--cluster", "--primaries", "1", "--replicas", "1"}, 2},
		{"SIGINT", syscall.SIGINT, []string{"lab"}, 1},
		{"SIGKILL", syscall.SIGKILL, []string{"lab", "--cluster", "--primaries", "1", "--replicas", "1"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(redishBin, tc.args...)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			started := make(chan string, 1)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					if strings.HasPrefix(sc.Text(), "lab: started") {
						started <- sc.Text()
						break
					}
				}
				io.Copy(io.Discard, stderr)
				done <- cmd.Wait()
			}()
			select {
			case line := <-started:
				// After SIGKILL nobody removes the lab's directory.
				_, dir, _ := strings.Cut(line, "files in ")
				if strings.Contains(dir, "redish-lab-") {
					t.Cleanup(func() { os.RemoveAll(dir) })
				}
			case err := <-done:
				t.Fatalf("redish lab exited before starting: %v", err)
			case <-time.After(waitTimeout):
				cmd.Process.Kill()
				<-done
				t.Fatal("redish lab did not start")
			}
			pids := childPIDs(t, cmd.Process.Pid)
			if len(pids) != tc.servers {
				t.Errorf("%d child processes, want %d", len(pids), tc.servers)
			}
			cmd.Process.Signal(tc.sig)
			select {
			case <-done:
			case <-time.After(waitTimeout):
				cmd.Process.Kill()
				<-done
				t.Fatalf("redish lab did not exit after %s", tc.name)
			}
			for _, pid := range pids {
				redistest.WaitUntil(t, waitTimeout, "end of server process "+strconv.Itoa(pid), func() bool { return redistest.ProcessGone(pid) })
			}
		})
	}
}

// TestLabShell drives redish lab --cluster in a terminal: the :lab
// commands, a command through the proxies, :help, and Ctrl-C at an empty
// prompt, after which no server is left.
func TestLabShell(t *testing.T) {
	redistest.RedisServer(t)
	tm := startTerm(t, nil, "lab", "--cluster", "--primaries", "2", "--replicas", "1", "--retries", "3", "--verbose")
	tm.wait("lab: started a cluster of 2 primaries and 2 replicas")
	tm.wait("; :lab for help")
	tm.wait("> ")
	pids := childPIDs(t, tm.cmd.Process.Pid)
	if len(pids) != 4 {
		t.Errorf("%d child processes, want 4", len(pids))
	}

	tm.run(":lab", ":lab failover NODE [force|takeover]")
	tm.wait("> ")
	tm.run(":lab nodes", "NODE  ROLE")
	tm.wait("4     replica")
	tm.wait("> ")
	tm.run(":lab latency 2 20ms", "every reply delayed by 20ms")
	tm.wait("> ")
	tm.run(":lab nodes", "up, latency 20ms")
	tm.wait("> ")
	tm.run("SET {k}1 v", "OK")
	tm.wait("> ")
	tm.run("GET {k}1", `"v"`)
	tm.wait("> ")
	tm.run(":help", ":lab latency NODE DURATION")
	tm.wait("> ")
	tm.run(":lab kill 9", "no node 9")
	tm.wait("> ")
	tm.typeText("\x03")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit code %d after Ctrl-C at an empty prompt", code)
	}
	for _, pid := range pids {
		redistest.WaitUntil(t, waitTimeout, "end of server process "+strconv.Itoa(pid), func() bool { return redistest.ProcessGone(pid) })
	}
}
