package hotkeys

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// redisCLI runs redis-cli with args and returns its stdout, stderr and
// exit status.
func redisCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(redistest.RedisCLI(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// runHotKeys runs the mode on s and returns what it printed and the exit
// status the run would have.
func runHotKeys(t *testing.T, s *redistest.Server, o Options) (string, string, int) {
	t.Helper()
	c := redisx.NewClient(s.Options())
	defer c.Close()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), &out, &errOut, []Node{c}, func(context.Context, time.Duration) error { return nil }, o)
	var e *Error
	switch {
	case err == nil:
		return out.String(), errOut.String(), 0
	case errors.As(err, &e):
		return out.String(), errOut.String() + e.Msg + "\n", 1
	}
	t.Fatalf("Run: %v", err)
	return "", "", 0
}

func TestMatchesRedisCLI(t *testing.T) {
	// lfu-log-factor 0: every access counts one, so the counters are
	// exact and the pool sees ties, increases and decreases.
	s := redistest.Start(t, redistest.WithConfig("maxmemory-policy", "allkeys-lfu"), redistest.WithConfig("lfu-log-factor", "0"))
	port := strconv.Itoa(s.Port)

	t.Run("no keys", func(t *testing.T) {
		wantOut, wantErr, wantCode := redisCLI(t, "-p", port, "--hotkeys")
		out, errOut, code := runHotKeys(t, s, Options{})
		if out != wantOut || errOut != wantErr || code != wantCode {
			t.Errorf("got %d\n%q\n%q\nredis-cli %d\n%q\n%q", code, out, errOut, wantCode, wantOut, wantErr)
		}
	})

	rnd := rand.New(rand.NewPCG(7, 11))
	order := rnd.Perm(60)
	c := redisx.NewClient(s.Options())
	defer c.Close()
	ctx := context.Background()
	for _, i := range order {
		key := "hot:" + strconv.Itoa(i)
		if i == 7 {
			key = "hot:\n\"quoted\"\xff" // escaped in the report
		}
		if _, err := c.Do(ctx, redisx.Args("SET", key, "v")); err != nil {
			t.Fatal(err)
		}
		// Accesses: some ties, some large counts.
		for range (i * 7) % 45 {
			if _, err := c.Do(ctx, redisx.Args("GET", key)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		o    Options
	}{
		{"all keys", nil, Options{}},
		{"pattern", []string{"--pattern", "hot:1*"}, Options{Pattern: []byte("hot:1*")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOut, wantErr, wantCode := redisCLI(t, append([]string{"-p", port, "--hotkeys"}, tc.args...)...)
			out, errOut, code := runHotKeys(t, s, tc.o)
			if out != wantOut || errOut != wantErr || code != wantCode {
				t.Errorf("got %d\n%s\n%q\nredis-cli %d\n%s\n%q", code, out, errOut, wantCode, wantOut, wantErr)
			}
			if code != 0 || len(out) < 500 {
				t.Errorf("a short report:\n%s", out)
			}
		})
	}
	t.Run("without LFU", func(t *testing.T) {
		s.Do(t, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
		defer s.Do(t, "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
		wantOut, wantErr, wantCode := redisCLI(t, "-p", port, "--hotkeys")
		out, errOut, code := runHotKeys(t, s, Options{})
		if out != wantOut || errOut != wantErr || code != wantCode || code != 1 {
			t.Errorf("got %d\n%q\n%q\nredis-cli %d\n%q\n%q", code, out, errOut, wantCode, wantOut, wantErr)
		}
	})
}

// scripted is a node that answers from functions of the command.
type scripted struct {
	reply func(args []string) resp.Value
	sent  [][]string
}

func (n *scripted) Pipeline(_ context.Context, cmds [][][]byte, fn redisx.ReplyFunc) error {
	for i, c := range cmds {
		var args []string
		for _, a := range c {
			args = append(args, string(a))
		}
		n.sent = append(n.sent, args)
		if err := fn(i, n.reply(args), nil); err != nil {
			return err
		}
	}
	return nil
}

// TestGoneKeyAndInterval: a key deleted between SCAN and OBJECT FREQ gets
// redis-cli's warning; -i pauses after every 100th SCAN; COUNT is sent.
func TestGoneKeyAndInterval(t *testing.T) {
	calls := 0
	n := &scripted{reply: func(args []string) resp.Value {
		switch args[0] {
		case "DBSIZE":
			return resp.Int(300)
		case "SCAN":
			calls++
			next := strconv.Itoa(calls)
			if calls == 250 {
				next = "0"
			}
			return resp.Array(resp.BulkString(next), resp.Array(resp.BulkString("k"+strconv.Itoa(calls))))
		}
		if args[2] == "k3" {
			return resp.Nil()
		}
		return resp.Int(int64(calls % 5))
	}}
	var out, errOut bytes.Buffer
	var sleeps []time.Duration
	err := Run(context.Background(), &out, &errOut, []Node{n}, func(_ context.Context, d time.Duration) error {
		sleeps = append(sleeps, d)
		return nil
	}, Options{Interval: time.Second, Count: []byte("1")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Warning: OBJECT freq on '\"k3\"' failed (may have been deleted)\n"; errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
	if fmt.Sprint(sleeps) != "[1s 1s]" {
		t.Errorf("sleeps %v, want two (after SCAN 100 and 200)", sleeps)
	}
	if got := n.sent[1]; fmt.Sprint(got) != "[SCAN 0 COUNT 1]" {
		t.Errorf("first SCAN %q", got)
	}
	if !bytes.Contains(out.Bytes(), []byte("Sampled 250 keys in the keyspace!\n")) {
		t.Errorf("summary:\n%s", out.String())
	}
}

// TestInterrupted: Ctrl-C prints the summary of what was sampled, with
// the progress reached, and returns the interruption.
func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	n := &scripted{reply: func(args []string) resp.Value {
		switch args[0] {
		case "DBSIZE":
			return resp.Int(4)
		case "SCAN":
			calls++
			if calls == 3 {
				cancel()
			}
			return resp.Array(resp.BulkString("1"), resp.Array(resp.BulkString("k"+strconv.Itoa(calls))))
		}
		// OBJECT FREQ goes before the SCAN of the same round trip.
		return resp.Int(int64(calls))
	}}
	var out bytes.Buffer
	err := Run(ctx, &out, &bytes.Buffer{}, []Node{n}, nil, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	want := Header +
		"[00.00%] Hot key '\"k1\"' found so far with counter 1\n" +
		"[25.00%] Hot key '\"k2\"' found so far with counter 2\n" +
		"\n-------- summary -------\n\n" +
		"[25.00%] Sampled 2 keys in the keyspace!\n" +
		"hot key found with counter: 2\tkeyname: \"k2\"\n" +
		"hot key found with counter: 1\tkeyname: \"k1\"\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
