package cmd

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
)

// TestInterruptEndsRetries sends SIGINT to a real redish process while it
// waits between retries or retries forever: it must end at once with exit
// code 130 and, after its --verbose lines, one line on stderr. The signal
// goes once redish has said it is retrying (its first --verbose line):
// with a backoff of 10s it is then in the wait.
func TestInterruptEndsRetries(t *testing.T) {
	s := redistest.Start(t)
	port := strconv.Itoa(s.Port)
	s.Stop()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"during a backoff wait", []string{"--retries", "3", "--retry-backoff", "constant", "--retry-backoff-base", "10s"}},
		{"retrying forever", []string{"--retries", "-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-p", port, "--verbose"}, tc.args...)
			cmd := exec.Command(redishBin, append(args, "PING")...)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var (
				mu       sync.Mutex
				lines    []string
				retrying = make(chan struct{})
				read     = make(chan struct{})
			)
			go func() {
				defer close(read)
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					mu.Lock()
					lines = append(lines, sc.Text())
					if len(lines) == 1 {
						close(retrying)
					}
					mu.Unlock()
				}
			}()
			select {
			case <-retrying:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatal("redish never said it was retrying")
			}
			sent := time.Now()
			cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() {
				<-read
				done <- cmd.Wait()
			}()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatal("redish did not end after SIGINT")
			}
			t.Logf("ended %v after SIGINT", time.Since(sent).Round(time.Millisecond))
			mu.Lock()
			defer mu.Unlock()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).ExitStatus() != 130 {
				t.Fatalf("exit: %v, want status 130; stderr %q", err, lines)
			}
			last := lines[len(lines)-1]
			for _, l := range lines[:len(lines)-1] {
				if !strings.HasPrefix(l, "retry ") && !strings.HasPrefix(l, "interrupted after ") {
					t.Fatalf("stderr: %q, want --verbose lines, then one line", lines)
				}
			}
			if !strings.HasPrefix(last, "Interrupted") {
				t.Fatalf("stderr: %q, want an Interrupted line last", lines)
			}
		})
	}
}

// TestIgnoredInterruptStaysIgnored starts redish with SIGINT ignored, as a
// non-interactive shell starts a job with &: it must leave it ignored (the
// kernel still ignores it once redish handles signals) and go on through a
// Ctrl-C, as redis-cli does.
func TestIgnoredInterruptStaysIgnored(t *testing.T) {
	s := redistest.Start(t)
	cmd := exec.Command("sh", "-c", `trap '' INT; exec "$0" "$@"`, redishBin, "-p", strconv.Itoa(s.Port), "BLPOP", "ignored", "0")
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	// The event: BLPOP waits on the server, so redish handles signals.
	redistest.WaitUntil(t, 10*time.Second, "BLPOP blocked", func() bool {
		return strings.Contains(s.Do(t, "INFO", "clients").Text(), "blocked_clients:1\r")
	})
	status, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	const sigint = 1 << (2 - 1)
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "SigIgn:\t"); ok {
			mask, err := strconv.ParseUint(v, 16, 64)
			if err != nil || mask&sigint == 0 {
				t.Errorf("SigIgn %q: SIGINT is no longer ignored", v)
			}
		}
	}
	cmd.Process.Signal(os.Interrupt)
	s.Do(t, "RPUSH", "ignored", "x")
	err = cmd.Wait()
	if err != nil || out.String() != "ignored\nx\n" {
		t.Errorf("exit %v, stdout %q; want it to go on through SIGINT and print the list's element", err, out.String())
	}
}
