package cmd

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
)

// TestInterruptEndsRetries sends SIGINT to a real redish process while it
// waits between retries or retries forever: it must end at once with exit
// code 130 and one line on stderr.
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
			args := append([]string{"-p", port}, tc.args...)
			cmd := exec.Command(redishBin, append(args, "PING")...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			sent := time.Now()
			cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatal("redish did not end after SIGINT")
			}
			t.Logf("ended %v after SIGINT", time.Since(sent).Round(time.Millisecond))
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).ExitStatus() != 130 {
				t.Fatalf("exit: %v, want status 130; stderr %q", err, stderr.String())
			}
			lines := stderrLines(stderr.String())
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "Interrupted") {
				t.Fatalf("stderr: %q, want one line", stderr.String())
			}
		})
	}
}
