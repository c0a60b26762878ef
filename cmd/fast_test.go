package cmd

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/redish/redish/internal/redistest"
)

// fastLines are command lines of every shape: the fast path takes some
// and leaves the others to cobra and pflag.
var fastLines = [][]string{
	{"PING"},
	{"-p", "7000", "GET", "k"},
	{"-h", "localhost", "-p", "7000", "-n", "2", "INCRBY", "c", "-5"},
	{"--host", "127.0.0.1", "--port=7001", "SET", "k", "v"},
	{"-a", "secret", "--user", "u", "--no-auth-warning", "PING"},
	{"-u", "redis://:pw@127.0.0.1:7000/3", "PING"},
	{"-c", "-3", "--raw", "GET", "k"},
	{"--json", "-e", "-r", "3", "PING"},
	{"-p", "0x1F40", "PING"},
	{"-p", "-1", "PING"},
	{"-p", "7000", "-p", "7001", "PING"},
	{"-a", "-dash-", "PING"},
	{"--scan", "--pattern", "k*", "--count", "10"},
	{"--bigkeys"},
	{"--pipe"},
	{"-p", "7000"},
	{},
	{"-p", "7000", "GET", "-p"},
	{"-x", "SET", "k"},
	{"--name", "n", "--verbose", "--retries", "3", "GET", "k"},
	{"-", "x"},
	// Left to pflag and cobra.
	{"-p7000", "PING"},
	{"-cx", "PING"},
	{"--cluster=true", "PING"},
	{"--cluster", "check", "127.0.0.1:7000"},
	{"--", "PING"},
	{"-p", "x", "PING"},
	{"-p"},
	{"--nope", "PING"},
	{"-h", "", "PING"},
	{"--host=", "PING"},
	{"-t", "1.5", "PING"},
	{"-i", "0.1", "-r", "2", "PING"},
	{"--retry-on-error", "LOADING", "PING"},
	{"--help"},
	{"-v"},
	{"--config", "x.toml", "PING"},
	{"--no-config", "PING"},
	{"--print-config"},
	{"lab"},
	{"-p", "7000", "completion", "bash"},
	{"__complete", ""},
	{"help", "SET"},
}

// TestFastParseMatchesPflag parses each command line both ways: where the
// fast path takes one, it must set the same options to the same values,
// mark the same ones given and leave the same words, as cobra and pflag.
func TestFastParseMatchesPflag(t *testing.T) {
	taken := 0
	for _, args := range fastLines {
		fast := &Options{}
		rest, ok := fastParse(optionTable(fast), fast, slices.Clone(args))
		if !ok {
			continue
		}
		taken++
		ios, _, _ := Test("")
		root, full := newRoot(context.Background(), ios, nil)
		if err := root.ParseFlags(args); err != nil {
			t.Errorf("%q: the fast path took it; pflag: %v", args, err)
			continue
		}
		given := map[string]bool{}
		for name := range fast.given {
			if f := root.Flags().Lookup(name); f == nil || !f.Changed {
				t.Errorf("%q: the fast path has --%s given, pflag does not", args, name)
			}
		}
		root.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Changed {
				given[f.Name] = true
			}
		})
		if !maps.Equal(given, fast.given) {
			t.Errorf("%q: given %v, pflag %v", args, fast.given, given)
		}
		if got, want := rest, root.Flags().Args(); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%q: words %q, pflag %q", args, got, want)
		}
		fast.given, fast.rows, full.given, full.rows = nil, nil, nil, nil
		if !reflect.DeepEqual(*fast, *full) {
			t.Errorf("%q: options\n%+v\npflag\n%+v", args, *fast, *full)
		}
	}
	if taken < 20 {
		t.Errorf("the fast path took %d of the command lines, want the common ones (20)", taken)
	}
}

// TestFastPathSameAsFull runs command lines, good and bad, through Run with
// and without the fast path: the output, the errors and the exit code must
// be the same.
func TestFastPathSameAsFull(t *testing.T) {
	s := redistest.Start(t)
	s.Do(t, "SET", "k", "v")
	s.Do(t, "ACL", "SETUSER", "u", "on", ">pw", "+@all", "~*")
	port := strconv.Itoa(s.Port)
	lines := [][]string{
		{"-p", port, "PING"},
		{"-p", port, "GET", "k"},
		{"-p", port, "--no-raw", "GET", "k"},
		{"-p", port, "--json", "GET", "k"},
		{"-p", port, "-3", "HGETALL", "k"},
		{"-p", port, "-n", "1", "GET", "k"},
		{"-p", port, "-n", "-1", "GET", "k"},
		{"-p", port, "--user", "u", "-a", "pw", "ACL", "WHOAMI"},
		{"-p", port, "--user", "u", "ACL", "WHOAMI"},
		{"-p", port, "-a", "wrong", "PING"},
		{"-p", port, "NOSUCHCOMMAND", "x"},
		{"-p", port, "-r", "2", "ECHO", "n"},
		{"-p", port, "-e", "LPOP", "k"},
		{"-p", "0", "PING"},
		{"-p", "70000", "PING"},
		{"-p", "x", "PING"},
		{"-p", port, "-2", "-3", "PING"},
		{"-p", port, "--raw", "--csv", "GET", "k"},
		{"-p", port, "--show-pushes", "maybe", "PING"},
		{"-p", port, "--primaries", "PING"},
		{"-p", port, "--retries", "-2", "PING"},
		{"-u", "redis://127.0.0.1:" + port + "/0", "GET", "k"},
		{"-u", "nope://x", "PING"},
		{"-p", port, "--scan", "--pattern", "k*"},
		{"-p", port, "--nope"},
		{"--cluster", "check", "127.0.0.1:" + port},
		{"-a", "pw", "--cluster", "info", "127.0.0.1:" + port},
	}
	for _, args := range lines {
		fastPath = true
		fast := runRedish(t, nil, "", args...)
		fastPath = false
		full := runRedish(t, nil, "", args...)
		fastPath = true
		if fast != full {
			t.Errorf("%q:\nfast path: %+v\nfull path: %+v", args, fast, full)
		}
	}
}

// TestInterruptBlockedAtOnce: a one-shot command that blocks (BLPOP) or
// streams (SUBSCRIBE) handles Ctrl-C from its start, not only once it
// lasts: interrupted as soon as the server has it, it says so and exits
// 130.
func TestInterruptBlockedAtOnce(t *testing.T) {
	s := redistest.Start(t)
	port := strconv.Itoa(s.Port)
	for _, tc := range []struct {
		args  []string
		ready func() bool
		want  string
	}{
		{[]string{"BLPOP", "lazy:list", "0"}, func() bool {
			return strings.Contains(s.Do(t, "INFO", "clients").Text(), "blocked_clients:1\r\n")
		}, "Interrupted while running BLPOP."},
		{[]string{"SUBSCRIBE", "lazy:channel"}, func() bool {
			v := s.Do(t, "PUBSUB", "NUMSUB", "lazy:channel")
			return len(v.Elems) == 2 && v.Elems[1].Int == 1
		}, "Interrupted while running SUBSCRIBE."},
	} {
		cmd := exec.Command(redishBin, append([]string{"-p", port}, tc.args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !tc.ready() {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("%s never reached the server", tc.args[0])
			}
			time.Sleep(time.Millisecond)
		}
		cmd.Process.Signal(os.Interrupt)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 || strings.TrimSpace(stderr.String()) != tc.want {
			t.Errorf("%s: %v, stderr %q; want exit status 130 and %q", tc.args[0], err, stderr.String(), tc.want)
		}
	}
}
