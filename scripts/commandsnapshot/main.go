// Command commandsnapshot records what a running redis-server says about
// its commands, for the command table of package redisx/commands to be
// generated from without a server. Run it through
// scripts/refresh-command-snapshot.sh, which starts a throw-away server,
// writes the snapshot and regenerates the table.
//
// Usage:
//
//	commandsnapshot -addr 127.0.0.1:PORT -o redisx/commands/testdata/snapshot.resp
//
// The snapshot holds three RESP values: the server's version as a bulk
// string, then the replies to COMMAND INFO and COMMAND DOCS byte for byte
// as a RESP2 connection received them (see commands.ReadSnapshot).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/redish/redish/resp"
)

func main() {
	addr := flag.String("addr", "", "address (host:port) of the redis-server to record")
	out := flag.String("o", "", "the snapshot file to write")
	flag.Parse()
	if *addr == "" || *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: commandsnapshot -addr HOST:PORT -o FILE")
		os.Exit(2)
	}
	if err := run(*addr, *out); err != nil {
		fmt.Fprintln(os.Stderr, "commandsnapshot:", err)
		os.Exit(1)
	}
}

func run(addr, out string) error {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer nc.Close()
	c := &conn{nc: nc, rec: &recorder{r: nc}}
	c.br = bufio.NewReader(c.rec)
	c.rd = resp.NewReader(c.br)

	info, _, err := c.do("INFO", "server")
	if err != nil {
		return err
	}
	version := infoField(info.Text(), "redis_version")
	if version == "" {
		return errors.New("INFO server: no redis_version")
	}
	snapshot := resp.AppendValue(nil, resp.BulkString(version))
	for _, args := range [][]string{{"COMMAND", "INFO"}, {"COMMAND", "DOCS"}} {
		v, raw, err := c.do(args...)
		if err != nil {
			return err
		}
		if v.Kind != resp.KindArray || len(v.Elems) == 0 {
			return fmt.Errorf("%s: expected a non-empty array, got %s", strings.Join(args, " "), v.Kind)
		}
		snapshot = append(snapshot, raw...)
	}
	// Written whole or not at all: a failed refresh leaves the old
	// snapshot in place.
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, snapshot, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// conn is a minimal RESP2 connection that keeps the bytes of each reply.
type conn struct {
	nc  net.Conn
	rec *recorder
	br  *bufio.Reader
	rd  *resp.Reader
}

// do sends a command and returns its reply, both read and as the bytes
// the server sent.
func (c *conn) do(args ...string) (resp.Value, []byte, error) {
	name := strings.Join(args, " ")
	if err := c.nc.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return resp.Value{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := c.nc.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
		return resp.Value{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	c.rec.buf.Reset()
	v, err := c.rd.ReadValue()
	if err != nil {
		return resp.Value{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := v.Err(); err != nil {
		return resp.Value{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	// One request, one reply: the server sent nothing after it, so the
	// bytes received are exactly the reply.
	if c.br.Buffered() != 0 {
		return resp.Value{}, nil, fmt.Errorf("%s: %d bytes after the reply", name, c.br.Buffered())
	}
	return v, bytes.Clone(c.rec.buf.Bytes()), nil
}

// recorder keeps a copy of what is read through it.
type recorder struct {
	r   io.Reader
	buf bytes.Buffer
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf.Write(p[:n])
	return n, err
}

func infoField(info, name string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
