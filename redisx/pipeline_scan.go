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
func scanLoop(ctx context.Context, addr string, do func(context.Context, [][]byte) (resp.Value, error), o ScanOptions, fn func(keys []resp.Value) error) error {
	cursor := []byte("0")
	for {
		v, err := do(ctx, o.args(cursor))
		if err != nil {
			return err
		}
		if v.Kind == resp.KindError {
			return &ScanError{Addr: addr, Msg: v.Text()}
		}
		if v.Kind != resp.KindArray || len(v.Elems) != 2 || !v.Elems[1].Kind.IsAggregate() {
			return &ScanError{Addr: addr, Msg: "expected [cursor, keys], got " + v.Kind.String()}
		}
		if err := fn(v.Elems[1].Elems); err != nil {
			return err
		}
		cursor = v.Elems[0].Str
		if string(cursor) == "0" {
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
// fn. An error from fn stops the scan and is returned; an error reply to
// SCAN is a *ScanError.
func (c *Client) ScanKeys(ctx context.Context, o ScanOptions, fn func(keys []resp.Value) error) error {
	return scanLoop(ctx, c.opts.Addr(), c.Do, o, fn)
}

// ScanKeys lists the keys of the whole cluster: every primary that serves
// slots is scanned at the same time, each by its own goroutine, under the
// node-level retry policy. fn is called from the caller's goroutine with
// the keys of one SCAN reply at a time; replies of different nodes come
// in no particular order. Keys are not remembered, so memory stays
// bounded whatever the size of the cluster; a key is passed twice only if
// its slot moves during the scan. An error from fn or from any node stops
// every node and is returned. Without a topology (see
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

	batches := make(chan []resp.Value, len(nodes))
	errs := make(chan error, len(nodes))
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do := func(ctx context.Context, args [][]byte) (resp.Value, error) {
				return c.nodeDo(ctx, n, args, false)
			}
			errs <- scanLoop(ctx, n.addr, do, o, func(keys []resp.Value) error {
				select {
				case batches <- keys:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		}()
	}
	go func() {
		wg.Wait()
		close(batches)
	}()
	var first error
	for keys := range batches {
		if first != nil {
			continue
		}
		if err := fn(keys); err != nil {
			first = err
			cancel()
		}
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
