package redisx

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// ScanOptions say which keys a scan lists and how fast.
type ScanOptions struct {
	// Match is the MATCH pattern; "" lists every key.
	Match string
	// Count is the COUNT hint: how much work the server does per SCAN
	// call. 0 sends no COUNT (the server's default, 10).
	Count int
	// Interval is a pause after every SCAN call, on each node (redis-cli's
	// -i with --scan), to spare a busy server.
	Interval time.Duration
}

// args returns the SCAN command for cursor.
func (o ScanOptions) args(cursor []byte) [][]byte {
	args := [][]byte{[]byte("SCAN"), cursor}
	if o.Match != "" {
		args = append(args, []byte("MATCH"), []byte(o.Match))
	}
	if o.Count > 0 {
		args = append(args, []byte("COUNT"), []byte(strconv.Itoa(o.Count)))
	}
	return args
}

// ScanError is an error reply to SCAN, or a reply that is not SCAN's
// [cursor, keys].
type ScanError struct {
	Addr string // the node that sent it
	Msg  string // the server's message, or what was wrong with the reply
}

// Error returns "SCAN error: " and the message, as redis-cli prints it.
func (e *ScanError) Error() string { return "SCAN error: " + e.Msg }

// scanLoop runs SCAN from cursor 0 until the cursor comes back to 0,
// passing the keys of every reply to fn. A key is passed at least once,
// and may be passed twice if the keyspace is rehashed meanwhile, as
// SCAN guarantees (redis-cli prints it twice too).
//
// Each SCAN goes out as soon as the reply before it is read, before fn
// handles that reply's keys: the server looks for the next keys while the
// caller prints these. (Not with an Interval: the pause comes between two
// SCAN calls.) The replies are read into the connection's scratch memory,
// so the keys are valid only until fn returns.
//
// Every SCAN runs under r's policy (nil: one attempt), as Do runs a
// command: a failed connection is dialed again and the SCAN sent again
// from the same cursor, which is safe as SCAN only reads. retried says
// which error replies the policy retries.
func (c *Client) scanLoop(ctx context.Context, o ScanOptions, r *retry.Retry, retried func(resp.Value) bool, observe, onResend func(retry.Event), fn func(keys []resp.Value) error) error {
	cursor := []byte("0")
	var sentOn *Conn // the connection a SCAN for cursor went out on, if any
	for {
		args := o.args(cursor)
		var v resp.Value
		var replied bool // the last failure was an error reply, not the connection
		op := func(ctx context.Context) error {
			replied = false
			conn, err := c.Conn(ctx)
			if err != nil {
				return err
			}
			if sentOn != conn {
				conn.Write(args...)
				if err := conn.Flush(ctx); err != nil {
					c.Close()
					return err
				}
			}
			sentOn = nil // read now: the next attempt sends it again
			if v, err = conn.ReadReplyScratch(ctx, args); err != nil {
				c.Close()
				return err
			}
			if retried(v) {
				replied = true
				return &replyError{resp.RedisError{Msg: string(v.Str)}}
			}
			return nil
		}
		var err error
		if r == nil {
			err = op(ctx)
		} else {
			err = r.Do(ctx, op, retry.Hooks{
				OnFailure: func(error) {
					if !replied {
						c.Close()
					}
				},
				Node:     c.opts.Addr,
				Observe:  observe,
				Safe:     func() bool { return true },
				Command:  func() string { return "SCAN" },
				OnResend: onResend,
			})
		}
		var re *replyError
		if err != nil && !errors.As(err, &re) {
			return err
		}
		if v.Kind == resp.KindError {
			return &ScanError{Addr: c.opts.Addr(), Msg: v.Text()}
		}
		if v.Kind != resp.KindArray || len(v.Elems) != 2 || !v.Elems[1].Kind.IsAggregate() {
			return &ScanError{Addr: c.opts.Addr(), Msg: "expected [cursor, keys], got " + v.Kind.String()}
		}
		cursor = append(cursor[:0], v.Elems[0].Str...)
		done := string(cursor) == "0"
		if !done && o.Interval <= 0 && c.conn != nil {
			// The next SCAN goes out now; a failure to send it is found,
			// and handled, when its reply is read.
			c.conn.Write(o.args(cursor)...)
			if c.conn.Flush(ctx) == nil {
				sentOn = c.conn
			}
		}
		if err := fn(v.Elems[1].Elems); err != nil {
			if sentOn != nil {
				// Its reply would be read as the next command's.
				c.Close()
			}
			return err
		}
		if done {
			return nil
		}
		if o.Interval > 0 {
			if err := (retry.SystemClock{}).Sleep(ctx, o.Interval); err != nil {
				return err
			}
		}
	}
}

// ScanKeys lists the keys of the server's current database with SCAN,
// each call under the retry policy, and passes the keys of each reply to
// fn. The keys are valid only until fn returns: their memory is reused
// for the next reply. An error from fn stops the scan and is returned; an
// error reply to SCAN is a *ScanError.
func (c *Client) ScanKeys(ctx context.Context, o ScanOptions, fn func(keys []resp.Value) error) error {
	retried := func(v resp.Value) bool {
		return v.Kind == resp.KindError && c.Retry != nil && c.Retry.Policy.Retryable(&resp.RedisError{Msg: v.Text()})
	}
	return c.scanLoop(ctx, o, c.Retry, retried, c.Observe, c.OnResend, fn)
}

// ScanKeys lists the keys of the whole cluster: every primary that serves
// slots is scanned at the same time, each by its own goroutine, under the
// node-level retry policy. fn is called from the caller's goroutine with
// the keys of one SCAN reply at a time, valid until it returns; replies of
// different nodes come in no particular order. Keys are not remembered, so
// memory stays bounded whatever the size of the cluster; a key is passed
// twice only if its slot moves during the scan. An error from fn or from
// any node stops every node and is returned. Without a topology (see
// TopologyUnavailableError) the node the client talks to is scanned, as
// redis-cli -c --scan does.
func (c *ClusterClient) ScanKeys(ctx context.Context, o ScanOptions, fn func(keys []resp.Value) error) error {
	if err := c.ensureTopology(ctx); err != nil {
		return err
	}
	var nodes []*clusterNode
	if c.fallback != nil {
		nodes = append(nodes, c.fallbackTarget(-1))
	} else {
		for _, p := range c.topo.Primaries() {
			if len(p.Slots) > 0 {
				nodes = append(nodes, c.node(p.Addr))
			}
		}
	}
	if len(nodes) == 0 {
		return &ClusterError{Msg: "no primary serves slots in the topology"}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	restore := c.serializeObserver()
	defer restore()

	// A node hands its keys over and waits until fn is done with them:
	// the next reply is read into the same memory. Its next SCAN is on
	// its way meanwhile.
	type batch struct {
		keys []resp.Value
		done chan struct{}
	}
	batches := make(chan batch, len(nodes))
	errs := make(chan error, len(nodes))
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			done := make(chan struct{})
			errs <- n.client.scanLoop(ctx, o, c.opts.Retry, c.retriedReply, c.opts.OnRetry, c.opts.OnResend, func(keys []resp.Value) error {
				select {
				case batches <- batch{keys, done}:
				case <-ctx.Done():
					return ctx.Err()
				}
				<-done
				return nil
			})
		}()
	}
	go func() {
		wg.Wait()
		close(batches)
	}()
	var first error
	for b := range batches {
		if first == nil {
			if err := fn(b.keys); err != nil {
				first = err
				cancel()
			}
		}
		b.done <- struct{}{}
	}
	// A node that stopped because another failed says "context
	// canceled": report the failure that caused it.
	for range nodes {
		err := <-errs
		if err != nil && (first == nil || errors.Is(first, context.Canceled) && !errors.Is(err, context.Canceled)) {
			first = err
		}
	}
	return first
}
