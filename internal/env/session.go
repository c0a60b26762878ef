package env

import (
	"context"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// Session is what the modes need of a client. redisx.Client (standalone),
// redisx.ClusterClient (-c) and redisx.SentinelClient (--sentinel)
// implement it; a mode that needs more (a pipeline, a scan of every
// primary) asks for it with a type switch.
type Session interface {
	// Do sends one command and reads its reply, retrying per the policy.
	Do(ctx context.Context, args [][]byte) (resp.Value, error)
	// ReadReply reads the next message the server pushes on the connection
	// the last command used (after SUBSCRIBE or MONITOR).
	ReadReply(ctx context.Context) (resp.Value, error)
	Close() error
}

var (
	_ Session = (*redisx.Client)(nil)
	_ Session = (*redisx.ClusterClient)(nil)
	_ Session = (*redisx.SentinelClient)(nil)
)
