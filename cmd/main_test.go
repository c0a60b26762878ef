package cmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// redishBin is the redish binary built once for the tests that need a real
// process: signals, terminals, the speed of a whole run.
var redishBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "redish-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	redishBin = filepath.Join(dir, "redish")
	build := exec.Command("go", "build", "-o", redishBin, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building redish:", err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		// In-process runs must not leave goroutines behind (connections,
		// context watchers, retry timers).
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
