package cmd

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/internal/redistest"
)

// TestTerminalGetsNoControlBytes: replies whose status or error text holds
// escape sequences (a window title, a screen clear) reach a terminal
// escaped, on stdout and, with -e, on stderr; into a pipe the human format
// keeps the bytes, as redis-cli does.
func TestTerminalGetsNoControlBytes(t *testing.T) {
	s := redistest.Start(t)
	port := strconv.Itoa(s.Port)
	const title = "\x1b]0;pwned\x07"
	const clear = "\x1b[2J"
	cases := []struct {
		name string
		args []string
		want string // escaped, on the terminal
	}{
		{"error reply", []string{title}, `(error) ERR unknown command '\x1b]0;pwned\x07'`},
		{"status reply", []string{"EVAL", "return {ok='a\\27[2Jb'}", "0"}, `a\x1b[2Jb`},
		{"error reply with -e", []string{"-e", "EVAL", "return {err='x\\27[2Jy'}", "0"}, `x\x1b[2Jy`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tm := startTerm(t, nil, append([]string{"-p", port}, tc.args...)...)
			tm.wait(tc.want)
			tm.exit()
			if screen := tm.screen(); strings.Contains(screen, title) || strings.Contains(screen, clear) {
				t.Errorf("the terminal got an escape sequence: %q", screen)
			}
		})
		t.Run(tc.name+", not a terminal", func(t *testing.T) {
			env := map[string]string{"FAKETTY": "1"}
			args := append([]string{"-p", port}, tc.args...)
			got, want := runRedish(t, env, "", args...), runCLI(t, env, "", args...)
			if got != want || !strings.Contains(got.out+got.err, "\x1b") {
				t.Errorf("redish %+v\nredis-cli %+v", got, want)
			}
		})
	}
}

// TestErrorLinesGetNoControlBytes: the lines redish writes on stderr that
// quote a server (a refused handshake step, --verbose retries) have their
// control bytes escaped, terminal or not: they are messages, not replies.
func TestErrorLinesGetNoControlBytes(t *testing.T) {
	s := redistest.Start(t)
	qHost, qPort := quotingServer(t)
	for _, args := range [][]string{
		{"-p", strconv.Itoa(s.Port), "--retries", "1", "--retry-on-error", "ResponseError", "--verbose", "\x1b]0;pwned\x07"},
		{"-h", qHost, "-p", strconv.Itoa(qPort), "--user", "\x1b[2J", "-a", "pw", "--no-auth-warning", "PING"},
	} {
		r := runRedish(t, nil, "", args...)
		if strings.Contains(r.err, "\x1b") || !strings.Contains(r.err, `\x1b`) {
			t.Errorf("%q: stderr %q", args, r.err)
		}
	}
}
