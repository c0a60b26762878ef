package diag

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// replicaAckEvery is how often --replica repeats REPLCONF ACK 0 until the
// primary streams its first command. A primary ignores the ACK that comes
// before it has noticed the end of a diskless transfer, and then never
// puts the replica online; redis-cli sleeps a second and sends one ACK,
// which a busy primary can miss.
const replicaAckEvery = 250 * time.Millisecond

// copyBufSize is the buffer --rdb copies the payload through.
const copyBufSize = 64 << 10

// replicationConn dials a connection of its own for the replication
// handshake (the session's connection stays a normal client), under the
// retry policy, and announces that it accepts diskless transfers
// (REPLCONF capa eof), which every mode here does.
func replicationConn(ctx context.Context, e *env.Env) (*redisx.Conn, error) {
	var conn *redisx.Conn
	err := e.Retry.Do(ctx, func(ctx context.Context) error {
		var err error
		conn, err = redisx.Dial(ctx, &e.Conn)
		return err
	}, retry.Hooks{
		Node:    func() string { return e.Conn.Addr() },
		Observe: e.Observe,
	})
	if err != nil {
		return nil, err
	}
	// Both --rdb and --replica accept a diskless transfer's EOF marker.
	if _, err := replconf(ctx, e, conn, "capa", "eof"); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// replconf sends REPLCONF name value, saying so on stderr as redis-cli
// does. A refusal is reported and is not fatal (older servers lack some
// options); it returns false then.
func replconf(ctx context.Context, e *env.Env, conn *redisx.Conn, name, value string) (bool, error) {
	fmt.Fprintf(e.IO.ErrOut, "sending REPLCONF %s %s\n", name, value)
	err := conn.ReplConf(ctx, name, value)
	var re *resp.RedisError
	if errors.As(err, &re) {
		fmt.Fprintf(e.IO.ErrOut, "REPLCONF %s error: %s\n", name, re.Msg)
		return false, nil
	}
	return err == nil, err
}

// requestSync sends SYNC, with redis-cli's message for a refusal.
func requestSync(ctx context.Context, conn *redisx.Conn) (*redisx.RDBPayload, error) {
	payload, err := conn.Sync(ctx)
	var re *resp.RedisError
	switch {
	case errors.As(err, &re):
		return nil, env.Fail("SYNC with master failed: -" + re.Msg)
	case err != nil && ctx.Err() == nil:
		return nil, env.Fail("Error reading bulk length while SYNCing: " + env.Reason(err))
	}
	return payload, err
}

// runRDB runs --rdb FILE and --functions-rdb FILE: it asks for a full
// synchronisation as a replica would (REPLCONF capa eof, REPLCONF rdb-only
// 1, for functions REPLCONF rdb-filter-only functions, then SYNC) and
// copies the RDB payload to FILE, or to stdout for "-", streaming it.
// The messages on stderr are redis-cli's.
//
// Unlike redis-cli, the file is opened (and truncated) before SYNC, so a
// bad path does not make the server produce an RDB for nothing, and the
// end marker of a diskless transfer never reaches stdout.
func runRDB(ctx context.Context, e *env.Env, filename string, functionsOnly bool) error {
	toStdout := filename == "-"
	var dst io.Writer = e.IO.Out
	var f *os.File
	if !toStdout {
		var err error
		f, err = os.OpenFile(filename, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return env.Fail(fmt.Sprintf("Error opening '%s': %s", filename, env.FileReason(err)))
		}
		defer f.Close()
		dst = f
	}
	conn, err := replicationConn(ctx, e)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := replconf(ctx, e, conn, "rdb-only", "1"); err != nil {
		return err
	}
	if functionsOnly {
		ok, err := replconf(ctx, e, conn, "rdb-filter-only", "functions")
		if err != nil {
			return err
		}
		if !ok {
			return env.Fail("Failed requesting functions only RDB from server, aborting")
		}
	}
	payload, err := requestSync(ctx, conn)
	if err != nil {
		return err
	}
	if payload.Diskless() {
		fmt.Fprintf(e.IO.ErrOut, "SYNC sent to master, writing bytes of bulk transfer until EOF marker to '%s'\n", filename)
	} else {
		fmt.Fprintf(e.IO.ErrOut, "SYNC sent to master, writing %d bytes to '%s'\n", payload.Size(), filename)
	}
	if err := copyPayload(ctx, dst, payload); err != nil {
		return err
	}
	if payload.Diskless() {
		fmt.Fprintf(e.IO.ErrOut, "Transfer finished with success after %d bytes\n", payload.N())
	} else {
		fmt.Fprintln(e.IO.ErrOut, "Transfer finished with success.")
	}
	// Close the connection before fsync, which may take time: the server
	// is done with us.
	conn.Close()
	if f != nil {
		if err := f.Sync(); err != nil {
			return env.Fail(fmt.Sprintf("Fail to fsync '%s': %s", filename, env.FileReason(err)))
		}
		if err := f.Close(); err != nil {
			return env.Fail(fmt.Sprintf("Error writing data to file: %s", env.FileReason(err)))
		}
	}
	return nil
}

// copyPayload streams the payload to dst, telling read errors (the
// server) from write errors (the file) as redis-cli does.
func copyPayload(ctx context.Context, dst io.Writer, payload *redisx.RDBPayload) error {
	buf := make([]byte, copyBufSize)
	for {
		n, rerr := payload.Read(buf)
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return env.Fail("Error writing data to file: " + env.FileReason(err))
			}
		}
		switch {
		case rerr == io.EOF:
			return nil
		case rerr != nil && ctx.Err() != nil:
			return rerr
		case rerr != nil:
			return env.Fail("I/O Error reading RDB payload from socket: " + env.Reason(rerr))
		}
	}
}

// runReplica runs --replica: it syncs as a replica whose RDB holds
// nothing (REPLCONF rdb-filter-only with no filter, so the primary sends
// an empty RDB, diskless), discards it, and prints every command the
// primary then streams, in CSV ("SELECT","0" / "set","k","v"), until the
// connection ends or the user interrupts.
func runReplica(ctx context.Context, e *env.Env) error {
	p := e.Printer
	conn, err := replicationConn(ctx, e)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := replconf(ctx, e, conn, "rdb-filter-only", ""); err != nil {
		return err
	}
	payload, err := requestSync(ctx, conn)
	if err != nil {
		return err
	}
	if payload.Diskless() {
		fmt.Fprintln(e.IO.ErrOut, "SYNC with master, discarding bytes of bulk transfer until EOF marker...")
	} else {
		fmt.Fprintf(e.IO.ErrOut, "SYNC with master, discarding %d bytes of bulk transfer...\n", payload.Size())
	}
	if _, err := io.Copy(io.Discard, payload); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return env.Fail("Error reading RDB payload while SYNCing: " + env.Reason(err))
	}
	stopAcks := func() {}
	if payload.Diskless() {
		fmt.Fprintf(e.IO.ErrOut, "SYNC done after %d bytes. Logging commands from master.\n", payload.N())
		fmt.Fprintln(e.IO.ErrOut, "sending REPLCONF ACK 0")
		stopAcks = ackUntilStopped(ctx, conn)
	} else {
		fmt.Fprintln(e.IO.ErrOut, "SYNC done. Logging commands from master.")
	}
	defer stopAcks()
	csv := format.DefaultOptions(format.CSV)
	var buf []byte
	for {
		v, err := conn.ReadReply(ctx)
		stopAcks()
		if err != nil {
			return err
		}
		buf = format.Append(buf[:0], v, csv)
		if _, err := p.Writer().Write(buf); err != nil {
			return err
		}
		if err := p.Flush(); err != nil {
			return err
		}
	}
}

// ackUntilStopped sends REPLCONF ACK 0 now and every replicaAckEvery
// from a goroutine, until the returned func is called (which waits for
// the goroutine; calling it again does nothing).
func ackUntilStopped(ctx context.Context, conn *redisx.Conn) func() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(replicaAckEvery)
		defer t.Stop()
		for {
			if conn.ReplAck(0) != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
		})
	}
}
