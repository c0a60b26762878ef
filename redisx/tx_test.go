package redisx_test

import (
	"context"
	"errors"
	"testing"

	"github.com/redish/redish/internal/faultproxy"
	"github.com/redish/redish/internal/redistest"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
	"github.com/redish/redish/retry"
)

// TestClientTxState follows the transaction state through the commands
// and failures that end it.
func TestClientTxState(t *testing.T) {
	s := redistest.Start(t)
	p := faultproxy.New(t, s.Addr())
	ctx := context.Background()
	o := s.Options()
	o.Host, o.Port = "127.0.0.1", p.Port()
	c := redisx.NewClient(o)
	c.Retry = &retry.Retry{Policy: retry.Policy{Retries: 2, On: retry.DefaultOn()}}
	defer c.Close()
	do := func(args ...string) (resp.Value, error) {
		t.Helper()
		return c.Do(ctx, redisx.Args(args...))
	}
	must := func(args ...string) resp.Value {
		t.Helper()
		v, err := do(args...)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return v
	}

	for _, end := range [][]string{{"EXEC"}, {"DISCARD"}, {"RESET"}} {
		must("MULTI")
		must("NOSUCHCOMMAND") // EXEC answers EXECABORT
		if !c.InTx() {
			t.Fatalf("not in a transaction after MULTI")
		}
		v := must(end...)
		if c.InTx() {
			t.Errorf("%s (%q) left the transaction open", end[0], v.Text())
		}
	}

	// Lost inside MULTI: dropped up to EXEC, which ends it.
	must("MULTI")
	p.SetFor(1, faultproxy.ResetBeforeSend().On("INCR"))
	p.ResetConns()
	_, err := do("INCR", "n")
	var tl *redisx.TxLostError
	if !errors.As(err, &tl) || !tl.Multi || tl.Ended || !c.InTx() {
		t.Fatalf("INCR inside MULTI on a lost connection: %v, in tx %v", err, c.InTx())
	}
	var td *redisx.TxDroppedError
	if _, err := do("SET", "k", "v"); !errors.As(err, &td) || td.End {
		t.Fatalf("SET after the loss: %v", err)
	}
	if _, err := do("EXEC"); !errors.As(err, &td) || !td.End || c.InTx() {
		t.Fatalf("EXEC after the loss: %v, in tx %v", err, c.InTx())
	}
	if v := must("EXISTS", "k", "n"); v.Int != 0 {
		t.Errorf("%d keys of the lost transaction exist", v.Int)
	}
	// Afterwards commands run, and are retried, again.
	p.SetFor(1, faultproxy.ResetBeforeSend().On("SET"))
	if v := must("SET", "k", "v"); v.Text() != "OK" {
		t.Errorf("SET after the transaction: %q", v.Text())
	}
}
