package redisx_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// scriptedPrimary accepts one connection, reads one command, and answers
// with script one byte at a time, so that every header, payload and marker
// arrives split at every possible place. Then it closes the connection.
type scriptedPrimary struct {
	ln   net.Listener
	wg   sync.WaitGroup
	got  []string // the command read
	port int
}

func startScripted(t *testing.T, script string) *scriptedPrimary {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scriptedPrimary{ln: ln, port: ln.Addr().(*net.TCPAddr).Port}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		v, err := resp.NewReader(bufio.NewReader(nc)).ReadValue()
		if err != nil {
			return
		}
		for _, e := range v.Elems {
			s.got = append(s.got, string(e.Str))
		}
		for i := 0; i < len(script); i++ {
			if _, err := nc.Write([]byte{script[i]}); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func dialScripted(t *testing.T, s *scriptedPrimary) *redisx.Conn {
	t.Helper()
	c, err := redisx.Dial(context.Background(), &redisx.Options{Port: s.port, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

const testMark = "0123456789abcdef0123456789abcdef01234567"

func TestSyncPayload(t *testing.T) {
	ping := "*1\r\n$4\r\nPING\r\n"
	tests := []struct {
		name     string
		script   string
		size     int64  // Size() expected
		want     string // payload expected
		wantErr  error  // from reading the payload (errors.Is)
		redisErr string // a refusal expected from Sync
		stream   bool   // a PING follows the payload
	}{
		{name: "sized", script: "$5\r\nhello" + ping, size: 5, want: "hello", stream: true},
		{name: "sized empty", script: "$0\r\n" + ping, size: 0, want: "", stream: true},
		{name: "keep-alives before the header", script: "\n\n\n$3\r\nabc" + ping, size: 3, want: "abc", stream: true},
		{name: "diskless", script: "$EOF:" + testMark + "\r\nREDIS0010data" + testMark + ping, size: -1, want: "REDIS0010data", stream: true},
		{name: "diskless with a false start of the marker",
			script: "\n$EOF:" + testMark + "\r\n" + testMark[:39] + "x" + testMark[:20] + testMark,
			size:   -1, want: testMark[:39] + "x" + testMark[:20]},
		{name: "diskless empty", script: "$EOF:" + testMark + "\r\n" + testMark, size: -1, want: ""},
		{name: "refused", script: "-ERR not now\r\n", redisErr: "ERR not now"},
		{name: "sized cut short", script: "$10\r\nabc", size: 10, want: "abc", wantErr: io.ErrUnexpectedEOF},
		{name: "diskless cut short", script: "$EOF:" + testMark + "\r\nabc", size: -1, want: "", wantErr: io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startScripted(t, tc.script)
			c := dialScripted(t, s)
			ctx := context.Background()
			p, err := c.Sync(ctx)
			if tc.redisErr != "" {
				var re *resp.RedisError
				if !errors.As(err, &re) || re.Msg != tc.redisErr {
					t.Fatalf("Sync error = %v, want the error reply %q", err, tc.redisErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Sync: %v", err)
			}
			if p.Size() != tc.size || p.Diskless() != (tc.size < 0) {
				t.Errorf("Size() = %d, Diskless() = %v, want %d", p.Size(), p.Diskless(), tc.size)
			}
			var got bytes.Buffer
			_, err = io.Copy(&got, p)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("copy error = %v, want %v", err, tc.wantErr)
				}
				var ce *redisx.ConnError
				if !errors.As(err, &ce) {
					t.Errorf("copy error %T is not a *ConnError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("copy: %v", err)
			}
			if got.String() != tc.want || p.N() != int64(len(tc.want)) {
				t.Errorf("payload = %q (N %d), want %q", got.String(), p.N(), tc.want)
			}
			if tc.stream {
				v, err := c.ReadReply(ctx)
				if err != nil || v.Len() != 1 || string(v.Elems[0].Str) != "PING" {
					t.Errorf("after the payload: %v, %v; want the PING that follows it", v, err)
				}
			}
			if strings.Join(s.got, " ") != "SYNC" {
				t.Errorf("sent %q, want SYNC", s.got)
			}
		})
	}
}

func TestPSync(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   redisx.PSyncResult
		data   string
	}{
		{name: "full", script: "+FULLRESYNC " + testMark + " 42\r\n\n$2\r\nab", want: redisx.PSyncResult{FullResync: true, ReplID: testMark, Offset: 42}, data: "ab"},
		{name: "continue", script: "+CONTINUE " + testMark + "\r\n", want: redisx.PSyncResult{ReplID: testMark}},
		{name: "continue without id", script: "+CONTINUE\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startScripted(t, tc.script)
			c := dialScripted(t, s)
			r, err := c.PSync(context.Background(), "?", -1)
			if err != nil {
				t.Fatal(err)
			}
			if r.FullResync != tc.want.FullResync || r.ReplID != tc.want.ReplID || r.Offset != tc.want.Offset {
				t.Errorf("PSync = %+v, want %+v", *r, tc.want)
			}
			if (r.Payload != nil) != tc.want.FullResync {
				t.Fatalf("Payload = %v with FullResync %v", r.Payload, r.FullResync)
			}
			if r.Payload != nil {
				b, err := io.ReadAll(r.Payload)
				if err != nil || string(b) != tc.data {
					t.Errorf("payload %q, %v; want %q", b, err, tc.data)
				}
			}
			if strings.Join(s.got, " ") != "PSYNC ? -1" {
				t.Errorf("sent %q, want PSYNC ? -1", s.got)
			}
		})
	}
}

// TestSyncReal takes an RDB from a real server, disk-based and diskless,
// puts it in place of another server's dump file and loads it with DEBUG
// RELOAD: the keys come back.
func TestSyncReal(t *testing.T) {
	for _, diskless := range []string{"yes", "no"} {
		t.Run("repl-diskless-sync "+diskless, func(t *testing.T) {
			src := redistest.Start(t, redistest.WithConfig("repl-diskless-sync", diskless))
			src.Do(t, "SET", "k", "v")
			src.Do(t, "RPUSH", "l", "a", "b", "c")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			o := src.Options()
			c, err := redisx.Dial(ctx, &o)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for _, args := range [][]string{{"capa", "eof"}, {"rdb-only", "1"}} {
				if err := c.ReplConf(ctx, args...); err != nil {
					t.Fatalf("REPLCONF %v: %v", args, err)
				}
			}
			if err := c.ReplConf(ctx, "no-such-option", "1"); err == nil {
				t.Error("REPLCONF no-such-option: no error")
			}
			p, err := c.Sync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if p.Diskless() != (diskless == "yes") {
				t.Errorf("Diskless() = %v with repl-diskless-sync %s", p.Diskless(), diskless)
			}
			dst := redistest.Start(t)
			f, err := os.Create(filepath.Join(dst.Dir, "dump.rdb"))
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(f, p)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Size() >= 0 && n != p.Size() {
				t.Errorf("copied %d bytes of %d", n, p.Size())
			}
			if v := dst.Do(t, "DEBUG", "RELOAD", "NOSAVE"); v.Kind == resp.KindError {
				t.Fatalf("DEBUG RELOAD: %s", v.Str)
			}
			if v := dst.Do(t, "GET", "k"); string(v.Str) != "v" {
				t.Errorf("GET k after reload = %v", v)
			}
			if v := dst.Do(t, "LLEN", "l"); v.Int != 3 {
				t.Errorf("LLEN l after reload = %v", v)
			}
		})
	}
}

// TestReplicaStream follows the replication stream of a real server after
// a SYNC, acknowledging from another goroutine until the first command
// arrives.
func TestReplicaStream(t *testing.T) {
	s := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := s.Options()
	c, err := redisx.Dial(ctx, &o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.ReplConf(ctx, "capa", "eof"); err != nil {
		t.Fatal(err)
	}
	p, err := c.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, p); err != nil {
		t.Fatal(err)
	}
	w, err := redisx.Dial(ctx, &o)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	got := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			if i%5 == 0 {
				if _, err := w.DoStrings(ctx, "SET", "seen", strconv.Itoa(i)); err != nil {
					return
				}
			}
			if c.ReplAck(0) != nil {
				return
			}
			select {
			case <-got:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	defer wg.Wait()
	defer close(got)
	for {
		v, err := c.ReadReply(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v.Len() == 3 && strings.EqualFold(string(v.Elems[0].Str), "SET") {
			return
		}
	}
}
