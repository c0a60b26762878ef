package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

// TestDecodeFlag runs --decode through the binary: valid UTF-8 shown as
// text in the human format only, the default and raw output unchanged,
// bad and empty values refused, the configuration file's key honoured.
func TestDecodeFlag(t *testing.T) {
	srv := redistest.Start(t)
	srv.Do(t, "SET", "k", "h\xc3\xa9llo\x01")
	port := strconv.Itoa(srv.Port)
	run := func(env []string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(redishBin, append([]string{"-p", port}, args...)...)
		cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"default", nil, []string{"--no-raw", "GET", "k"}, "\"h\\xc3\\xa9llo\\x01\"\n"},
		{"none", nil, []string{"--no-raw", "--decode", "none", "GET", "k"}, "\"h\\xc3\\xa9llo\\x01\"\n"},
		{"utf-8", nil, []string{"--no-raw", "--decode", "utf-8", "GET", "k"}, "\"h\u00e9llo\\x01\"\n"},
		{"raw keeps bytes", nil, []string{"--decode", "utf-8", "GET", "k"}, "h\xc3\xa9llo\x01\n"},
		{"stdin", nil, []string{"--no-raw", "--decode", "utf-8"}, "\"h\u00e9llo\\x01\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			cmd := exec.Command(redishBin, append([]string{"-p", port}, args...)...)
			cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
			if tc.name == "stdin" {
				cmd.Stdin = strings.NewReader("GET k\n")
			}
			out, err := cmd.CombinedOutput()
			if err != nil || string(out) != tc.want {
				t.Errorf("redish %s: %v\n got %q\nwant %q", strings.Join(args, " "), err, out, tc.want)
			}
		})
	}
	if _, stderr, code := run(nil, "--decode", "latin-1", "GET", "k"); code != 1 || stderr != "Invalid --decode value: \"latin-1\" is not utf-8 or none.\n" {
		t.Errorf("--decode latin-1: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := run(nil, "--decode", "", "GET", "k"); code != 1 || !strings.Contains(stderr, "--decode was given an empty value") {
		t.Errorf("--decode '': exit %d, stderr %q", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(file, []byte("decode = \"utf-8\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := run(nil, "--config", file, "--no-raw", "GET", "k"); code != 0 || out != "\"h\u00e9llo\\x01\"\n" {
		t.Errorf("decode from the configuration file: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestShellFlags checks --decode and --no-confirm (and its configuration
// key) in the shell on a terminal.
func TestShellFlags(t *testing.T) {
	srv := redistest.Start(t)
	srv.Do(t, "SET", "k", "caf\xc3\xa9")
	p := prompt(srv)
	port := strconv.Itoa(srv.Port)

	tm := startTerm(t, nil, "-p", port, "--decode", "utf-8", "--no-confirm")
	tm.wait(p)
	tm.run("GET k", "\"caf\u00e9\"")
	tm.run("FLUSHDB", "OK")
	if v := srv.Do(t, "DBSIZE"); v.Int != 0 {
		t.Errorf("DBSIZE %d: FLUSHDB asked or did not run with --no-confirm", v.Int)
	}

	srv.Do(t, "SET", "k", "v")
	home := t.TempDir()
	file := filepath.Join(home, "config.toml")
	if err := os.WriteFile(file, []byte("no-confirm = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tm = startTerm(t, []string{"REDISH_CONFIG=" + file}, "-p", port)
	tm.wait(p)
	tm.run("FLUSHALL", "OK")
	if v := srv.Do(t, "DBSIZE"); v.Int != 0 {
		t.Errorf("DBSIZE %d: FLUSHALL asked or did not run with no-confirm in the configuration file", v.Int)
	}
}
