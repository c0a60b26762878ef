package redisx

import (
	"bufio"
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/redish/redish/resp"
)

// pongServer answers every command read from nc with +PONG until nc is
// closed.
func pongServer(nc net.Conn) {
	rd := resp.NewReader(bufio.NewReader(nc))
	for {
		if _, err := rd.ReadValue(); err != nil {
			return
		}
		if _, err := nc.Write([]byte("+PONG\r\n")); err != nil {
			return
		}
	}
}

// pongConn returns a Conn to a pongServer over an in-memory pipe.
func pongConn(t testing.TB) *Conn {
	client, server := net.Pipe()
	t.Cleanup(func() {
		client.Close()
		server.Close()
	})
	go pongServer(server)
	return newConn(client, &Options{})
}

// TestArmStopWaitsForRunningCallback cancels an operation's context as
// the operation ends: the cancellation callback is already running (held
// by a hook before it sets its deadline in the past) when the operation
// disarms. Disarming must wait for the callback, or its deadline would
// land on the next command, which would fail at once.
func TestArmStopWaitsForRunningCallback(t *testing.T) {
	c := pongConn(t)

	running := make(chan struct{})
	release := make(chan struct{})
	waiting := make(chan struct{})
	c.hooks = &armHooks{
		interrupting: func() {
			close(running)
			<-release
		},
		waiting: func() { close(waiting) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	stop := c.arm(ctx)
	cancel() // the late Ctrl-C
	<-running

	stopped := make(chan struct{})
	go func() {
		stop()
		close(stopped)
	}()
	select {
	case <-stopped:
		close(release)
		t.Fatal("disarming returned while the cancellation callback was still running")
	case <-waiting:
	}
	close(release)
	<-stopped
	stop() // again: nothing left to wait for
	c.hooks = nil

	v, err := c.DoStrings(context.Background(), "PING")
	if err != nil || v.Kind != resp.KindStatus || v.Text() != "PONG" {
		t.Fatalf("the next command: %v, %v; want PONG", v, err)
	}
}

// TestArmStopBeforeCancel checks the common case: an operation that ends
// before any cancellation disarms at once, and a cancellation after it
// changes nothing.
func TestArmStopBeforeCancel(t *testing.T) {
	c := pongConn(t)
	var ran atomic.Bool
	c.hooks = &armHooks{interrupting: func() { ran.Store(true) }}

	ctx, cancel := context.WithCancel(context.Background())
	v, err := c.DoStrings(ctx, "PING")
	cancel()
	if err != nil || v.Text() != "PONG" {
		t.Fatalf("PING: %v, %v", v, err)
	}
	if ran.Load() {
		t.Error("the cancellation callback ran after the operation disarmed")
	}
	if v, err := c.DoStrings(context.Background(), "PING"); err != nil || v.Text() != "PONG" {
		t.Fatalf("the next command: %v, %v; want PONG", v, err)
	}
}

// BenchmarkArm is what every operation on a connection pays to honour a
// cancellable context: arming and disarming.
func BenchmarkArm(b *testing.B) {
	c := pongConn(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		c.arm(ctx)()
	}
}
