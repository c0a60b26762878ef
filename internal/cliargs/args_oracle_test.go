package cliargs_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/cliargs"
	"github.com/redish/redish/internal/redistest"
)

// hexArgs is a Lua script that returns its arguments hex-encoded and
// comma-joined after "ok:", so one reply line shows exactly which
// arguments redis-cli sent, whatever bytes they hold.
const hexArgs = `local t={} for i,a in ipairs(ARGV) do t[i]=(a:gsub('.',function(c) return string.format('%02x',c:byte()) end)) end return 'ok:'..table.concat(t,',')`

// oracleLines are command-line tails whose split is easy to get wrong.
// They hold no raw newline: redis-cli reads standard input line by line.
var oracleLines = []string{
	``,
	`a b  c`,
	"a\tb\rc\vd\fe",
	"\v\fa",
	`"hello world" 'hello world'`,
	`"" ''`,
	`"\x41\x42\x00\xff\xFf\x7"`,
	`"\x4" "\xg1" "\x" "\xx"`,
	`"\n\r\t\b\a\"\\\q\0\'\ "`,
	`'it\'s' 'a\nb\x41\\c' 'say "hi"' "it's"`,
	`foo"bar baz" foo'bar baz'`,
	`a\"b c"`,
	"\"a\"\tb 'c'\vd \"e\"\ff",
	"\xff\xfe \xe2\x82\xac",
	`SET "foo`,
	`SET 'foo`,
	`"`,
	`'`,
	`"foo\"`,
	`'foo\'`,
	`"foo\`,
	`foo"bar`,
	`"foo"bar`,
	`'foo'bar`,
	`"foo""bar"`,
	`"foo"'bar'`,
	`""x`,
	"a \"b\"\v",
}

// TestSplitArgsOracle feeds lines to redis-cli on standard input, where it
// splits them with the C function SplitArgs ports, and checks that every
// line gives the same arguments (or the same error).
func TestSplitArgsOracle(t *testing.T) {
	srv := redistest.Start(t)
	cli := redistest.RedisCLI(t)

	var in, want bytes.Buffer
	for _, line := range oracleLines {
		full := `EVAL "` + hexArgs + `" 0 ` + line
		in.WriteString(full + "\n")
		args, err := cliargs.SplitArgs(full)
		if err != nil {
			want.WriteString("Invalid argument(s)\n")
			continue
		}
		enc := make([]string, 0, len(args))
		for _, a := range args[3:] {
			enc = append(enc, hex.EncodeToString([]byte(a)))
		}
		want.WriteString("ok:" + strings.Join(enc, ",") + "\n")
	}

	out := runCLI(t, cli, in.Bytes(), "-h", srv.Host, "-p", strconv.Itoa(srv.Port))
	gotLines := strings.Split(string(out), "\n")
	wantLines := strings.Split(want.String(), "\n")
	if len(gotLines) != len(wantLines) {
		t.Fatalf("redis-cli printed %d lines, want %d:\n%s", len(gotLines), len(wantLines), out)
	}
	for i, line := range oracleLines {
		if gotLines[i] != wantLines[i] {
			t.Errorf("line %q: redis-cli gives %s, SplitArgs %s", line, gotLines[i], wantLines[i])
		}
	}
}

// TestUnquoteArgOracle runs redis-cli --quoted-input with arguments that
// unquote well or badly and checks UnquoteArg agrees.
func TestUnquoteArgOracle(t *testing.T) {
	srv := redistest.Start(t)
	cli := redistest.RedisCLI(t)
	tests := []string{
		`"\x41\x41"`,
		`"\x00\x00"`,
		`'a b'`,
		`plain`,
		`""`,
		`"Unterminated`,
		`"arg1" "arg2"`,
		`"a"b`,
		``,
	}
	for _, arg := range tests {
		t.Run(arg, func(t *testing.T) {
			want := "Invalid quoted string\n"
			unq, err := cliargs.UnquoteArg(arg)
			if err == nil {
				want = "ok:" + hex.EncodeToString([]byte(unq)) + "\n"
			} else if !errors.Is(err, cliargs.ErrInvalidQuotedString) {
				t.Fatalf("UnquoteArg(%q): %v does not wrap ErrInvalidQuotedString", arg, err)
			}
			out := runCLI(t, cli, nil, "-h", srv.Host, "-p", strconv.Itoa(srv.Port),
				"--quoted-input", "EVAL", cliargs.QuoteArg(hexArgs), "0", arg)
			if string(out) != want {
				t.Errorf("redis-cli --quoted-input ... %s printed %q, UnquoteArg gives %q", arg, out, want)
			}
		})
	}
}

// runCLI runs redis-cli with stdin and returns what it printed on stdout.
// A non-zero exit is fine (a bad --quoted-input exits 1); a hang is not.
func runCLI(t *testing.T, cli string, stdin []byte, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = []string{"HOME=" + t.TempDir()}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) || ctx.Err() != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes()
}
