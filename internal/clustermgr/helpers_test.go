package clustermgr

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// result is what one run printed and how it ended.
type result struct {
	out, err string
	code     int
}

// testConn is the template of the test sessions: a generous timeout, so
// that a broken test fails instead of hanging.
func testConn() redisx.Options {
	return redisx.Options{Timeout: 30 * time.Second, ConnectTimeout: 5 * time.Second}
}

// testEnv returns an environment on buffers, with input as stdin, the
// sessions of conn and policy p (nil: no retries).
func testEnv(input string, conn redisx.Options, p *retry.Policy) (*env.Env, *bytes.Buffer, *bytes.Buffer) {
	ios, out, errOut := env.Test(input)
	r := &retry.Retry{}
	if p != nil {
		r.Policy = *p
	}
	return &env.Env{IO: ios, Conn: conn, Retry: r, Clock: retry.SystemClock{}}, out, errOut
}

// run runs the manager in the test with input as the answers to its
// prompts, under policy p (nil: no retries).
func run(t *testing.T, opts Options, input string, p *retry.Policy) result {
	t.Helper()
	return runWith(t, context.Background(), testConn(), opts, input, p)
}

func runCtx(t *testing.T, ctx context.Context, opts Options, input string, p *retry.Policy) result {
	t.Helper()
	return runWith(t, ctx, testConn(), opts, input, p)
}

// runWith is run with a context and the sessions' template conn.
func runWith(t *testing.T, ctx context.Context, conn redisx.Options, opts Options, input string, p *retry.Policy) result {
	t.Helper()
	e, out, errOut := testEnv(input, conn, p)
	err := Run(ctx, e, opts)
	code := 0
	switch {
	case err == nil:
	case errors.Is(err, ErrFailed):
		code = 1
	default:
		code = 2
		errOut.WriteString("RUN ERROR: " + err.Error() + "\n")
	}
	return result{out.String(), errOut.String(), code}
}

// opts returns the default options with command and args.
func opts(command string, args ...string) Options {
	o := DefaultOptions()
	o.Command, o.Args = command, args
	return o
}

// cli runs redis-cli with args, without colours, and returns what it
// printed and its exit status.
func cli(t *testing.T, input string, args ...string) result {
	t.Helper()
	bin := redistest.RedisCLI(t)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TERM=dumb")
	cmd.Stdin = strings.NewReader(input)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("redis-cli: %v", err)
	}
	return result{out.String(), errOut.String(), code}
}

// sameAsCLI fails the test unless got equals redis-cli's result.
func sameAsCLI(t *testing.T, what string, got, want result) {
	t.Helper()
	if got.out != want.out {
		t.Errorf("%s: stdout differs from redis-cli\n--- redish\n%s\n--- redis-cli\n%s", what, got.out, want.out)
	}
	if got.err != want.err {
		t.Errorf("%s: stderr differs from redis-cli\n--- redish\n%q\n--- redis-cli\n%q", what, got.err, want.err)
	}
	if got.code != want.code {
		t.Errorf("%s: exit status %d, redis-cli %d", what, got.code, want.code)
	}
}

// mustOK fails the test unless r ended with status 0.
func mustOK(t *testing.T, what string, r result) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: exit status %d\n--- stdout\n%s\n--- stderr\n%s", what, r.code, r.out, r.err)
	}
}

// exchange is one prompt of a dialogue and the answer typed after it.
type exchange struct {
	prompt, answer string
}

// cliDialogue runs redis-cli with args and answers each prompt once it
// has appeared on stdout, as a user would: redis-cli reads its answers
// with read(2) and loses those that arrive early. It returns what
// redis-cli printed and its exit status.
func cliDialogue(t *testing.T, dialogue []exchange, args ...string) result {
	t.Helper()
	bin := redistest.RedisCLI(t)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TERM=dumb")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A dialogue that goes wrong must fail, not hang.
	stop := time.AfterFunc(settleTimeout, func() { cmd.Process.Kill() })
	defer stop.Stop()
	var out bytes.Buffer
	buf := make([]byte, 4096)
	seen := 0
	for _, ex := range dialogue {
		// Each prompt must appear anew after the previous answer.
		for !strings.HasSuffix(out.String()[seen:], ex.prompt) {
			n, err := stdout.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("redis-cli ended before %q: %v\n%s", ex.prompt, err, out.String())
			}
		}
		seen = out.Len()
		io.WriteString(stdin, ex.answer)
	}
	stdin.Close()
	rest, _ := io.ReadAll(stdout)
	out.Write(rest)
	err = cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("redis-cli: %v", err)
	}
	return result{out.String(), errOut.String(), code}
}

// answers joins the answers of a dialogue, for redish's stdin.
func answers(dialogue []exchange) string {
	var b strings.Builder
	for _, ex := range dialogue {
		b.WriteString(ex.answer)
	}
	return b.String()
}
