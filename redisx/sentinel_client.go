package redisx

import (
	"context"

	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
)

// SentinelClient is a client of the primary that a set of sentinels
// monitor, and optionally of its replicas for reads. Every new
// connection finds its server through the Sentinel first (DialPrimary,
// DialReplica), so the retry loop rides out a failover: a reset or
// refused connection to the old primary fails an attempt, and the next
// attempt asks the sentinels again. A READONLY reply from a primary that
// was turned into a replica fails the attempt the same way (the command
// did not run), and when the retries are spent it is the reply. What may
// be sent again after its request left is decided by the policy's
// Resend, as for any client.
//
// The embedded *Client is the primary's: its fields (Retry, Observe,
// OnResend, OnPush, OnConnect) and the methods SentinelClient does not
// redefine apply to it, and the replica client takes the same hooks.
//
// With reads from replicas, a read-only command with keys goes to a
// replica (round robin over new connections, see DialReplica); every
// other command, and everything inside WATCH or MULTI, goes to the
// primary. A replica may lag behind the primary. Session changes made on
// the primary (SELECT, AUTH, HELLO, CLIENT SETNAME) are carried over to
// the replica connection.
//
// SentinelClient is not safe for concurrent use, except Watch.
type SentinelClient struct {
	*Client
	sentinel *Sentinel
	replica  *Client // nil unless reads go to replicas
	last     *Client // the client of the last command, for ReadReply
}

// NewSentinelClient returns a client of the primary s finds, connecting
// with o (credentials, database, protocol, client name, TLS, timeouts;
// its Host, Port and Socket are not used). With readFromReplicas,
// read-only commands with keys go to replicas. It does not dial.
func NewSentinelClient(s *Sentinel, o Options, readFromReplicas bool) *SentinelClient {
	o.Host, o.Port, o.Socket = "", 0, ""
	c := &SentinelClient{Client: NewClient(o), sentinel: s}
	c.Client.source = primarySource{s}
	if readFromReplicas {
		c.replica = NewClient(o)
		c.replica.source = replicaSource{s}
	}
	c.last = c.Client
	return c
}

// Sentinel returns the Sentinel the client finds its servers through.
func (c *SentinelClient) Sentinel() *Sentinel { return c.sentinel }

// Do runs one command on the primary, or on a replica (see the type's
// comment), under the retry policy; see Client.Do.
func (c *SentinelClient) Do(ctx context.Context, args [][]byte) (resp.Value, error) {
	cl := c.route(args, c.Client.InTx())
	c.last = cl
	v, err := cl.Do(ctx, args)
	if cl == c.Client {
		c.syncReplica()
	}
	return v, err
}

// ReadReply reads the next message on the connection the last command
// used; see Client.ReadReply.
func (c *SentinelClient) ReadReply(ctx context.Context) (resp.Value, error) {
	return c.last.ReadReply(ctx)
}

// Pipeline runs cmds as Client.Pipeline does; with reads from replicas,
// each run of consecutive commands for the same server is one pipeline,
// run in order.
func (c *SentinelClient) Pipeline(ctx context.Context, cmds [][][]byte, fn ReplyFunc) error {
	if c.replica == nil {
		return c.Client.Pipeline(ctx, cmds, fn)
	}
	if err := validatePipeline(cmds); err != nil {
		return err
	}
	targets := c.routeAll(cmds)
	for start := 0; start < len(cmds); {
		cl := targets[start]
		end := start + 1
		for end < len(cmds) && targets[end] == cl {
			end++
		}
		base := start
		c.last = cl
		err := cl.Pipeline(ctx, cmds[start:end], func(i int, v resp.Value, err error) error {
			return fn(base+i, v, err)
		})
		if cl == c.Client {
			c.syncReplica()
		}
		if err != nil {
			return err
		}
		start = end
	}
	return nil
}

// Close closes the connections.
func (c *SentinelClient) Close() error {
	err := c.Client.Close()
	if c.replica != nil {
		if rerr := c.replica.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// route returns the client for args; inTx is true when a transaction is
// open on the primary.
func (c *SentinelClient) route(args [][]byte, inTx bool) *Client {
	if c.replica == nil || inTx || !replicaRead(args) {
		return c.Client
	}
	c.shareHooks()
	return c.replica
}

// routeAll returns the client of each command of a pipeline, following
// the transactions the pipeline opens and closes: everything from WATCH
// or MULTI to EXEC, DISCARD or UNWATCH goes to the primary.
func (c *SentinelClient) routeAll(cmds [][][]byte) []*Client {
	out := make([]*Client, len(cmds))
	inTx := c.Client.InTx() || c.Client.tx.watch
	multi := c.Client.tx.multi
	for i, args := range cmds {
		name := args[0]
		switch {
		case eqFold(name, "MULTI"):
			inTx, multi = true, true
		case eqFold(name, "WATCH"):
			inTx = true
		}
		out[i] = c.route(args, inTx)
		switch {
		case eqFold(name, "EXEC"), eqFold(name, "DISCARD"):
			inTx, multi = false, false
		case eqFold(name, "UNWATCH") && !multi:
			inTx = false
		}
	}
	return out
}

// replicaRead reports whether args may go to a replica: a read-only
// command with keys (as the cluster client routes reads).
func replicaRead(args [][]byte) bool {
	cmd := commands.LookupBytes(args)
	if !readOnly(cmd) {
		return false
	}
	keys, err := commands.KeyIndexes(cmd, args)
	return err == nil && len(keys) > 0
}

// shareHooks gives the replica client the primary's policy and hooks,
// which the caller may have changed since (:retry, :verbose).
func (c *SentinelClient) shareHooks() {
	r, p := c.replica, c.Client
	r.Retry, r.Observe, r.OnResend, r.OnPush, r.OnConnect = p.Retry, p.Observe, p.OnResend, p.OnPush, p.OnConnect
}

// syncReplica carries session changes made on the primary (database,
// credentials, protocol, client name) over to the replica client, whose
// connection is then made again.
func (c *SentinelClient) syncReplica() {
	if c.replica == nil {
		return
	}
	p, r := c.Client.opts, c.replica.opts
	if p.DB == r.DB && p.Protocol == r.Protocol && p.User == r.User && p.Password == r.Password &&
		p.PasswordSet == r.PasswordSet && p.Name == r.Name {
		return
	}
	r.DB, r.Protocol, r.User, r.Password, r.PasswordSet, r.Name = p.DB, p.Protocol, p.User, p.Password, p.PasswordSet, p.Name
	c.replica.SetOptions(r)
}

// primarySource finds the primary for a SentinelClient.
type primarySource struct{ s *Sentinel }

func (p primarySource) dial(ctx context.Context, o *Options) (*Conn, error) {
	return p.s.DialPrimary(ctx, o)
}

// retired gives up a connection to a server other than the one the last
// +switch-master named (see Sentinel.Watch).
func (p primarySource) retired(conn *Conn) bool {
	a := p.s.switched.Load()
	return a != nil && a.addr != conn.Addr()
}

// misdirected turns READONLY, the reply of a primary that was turned
// into a replica, into a failure.
func (p primarySource) misdirected(conn *Conn, v resp.Value) error {
	if (&resp.RedisError{Msg: v.Text()}).RedisCode() != "READONLY" {
		return nil
	}
	return &NotPrimaryError{Addr: conn.Addr(), Reply: v}
}

// replicaSource finds a replica for the reads of a SentinelClient.
type replicaSource struct{ s *Sentinel }

func (r replicaSource) dial(ctx context.Context, o *Options) (*Conn, error) {
	return r.s.DialReplica(ctx, o)
}

func (replicaSource) retired(*Conn) bool                  { return false }
func (replicaSource) misdirected(*Conn, resp.Value) error { return nil }
