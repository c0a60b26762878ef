package cmd

import (
	"context"
	"fmt"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"
)

// sentinelMode reports whether the options find the server through
// Sentinel: --sentinel, or a Sentinel URI (redis-sentinel://, or
// redis:// with master_name=).
func (o *Options) sentinelMode() bool {
	if len(o.SentinelOpts.Addrs) > 0 {
		return true
	}
	if o.URI == "" {
		return false
	}
	u, err := redisx.ParseURI(o.URI)
	return err == nil && u.Sentinel != nil
}

// resolveSentinel fills c.sentinel from --sentinel, --master-name,
// --sentinel-user, --sentinel-pass and a Sentinel URI (the flags win over
// the URI), or checks that none of them is given without the others. co
// are the data nodes' options: their timeouts apply to the sentinels too.
func (c *config) resolveSentinel(co *redisx.Options) error {
	o := &c.o.SentinelOpts
	fail := func(msg string) error { return &env.ExitError{Code: 1, Msg: msg} }
	so := redisx.SentinelOptions{}
	if u := c.sentinelURI; u != nil {
		so.MasterName, so.Addrs = u.MasterName, u.Addrs
		if u.UserSet {
			so.Sentinel.User = u.User
		}
		if u.PasswordSet {
			so.Sentinel.Password, so.Sentinel.PasswordSet = u.Password, true
		}
	}
	if len(o.Addrs) > 0 {
		addrs, err := redisx.ParseSentinelAddrs(o.Addrs)
		if err != nil {
			return fail("Option --sentinel: " + err.Error() + ".")
		}
		so.Addrs = addrs
	}
	if o.MasterName != "" {
		so.MasterName = o.MasterName
	}
	if c.o.isGiven("sentinel-user") {
		so.Sentinel.User = o.User
	}
	if c.o.isGiven("sentinel-pass") {
		so.Sentinel.Password, so.Sentinel.PasswordSet = o.Password, true
		c.ios.Secrets.Add(o.Password)
	}

	if len(so.Addrs) == 0 {
		for _, name := range []string{"master-name", "sentinel-user", "sentinel-pass"} {
			if c.o.isGiven(name) {
				return fail("Option --" + name + " needs --sentinel HOST:PORT (or a Sentinel URI).")
			}
		}
		return nil
	}
	// The sentinels come from --sentinel or else from the URI: the
	// messages name the option the user gave.
	exclusive := func(opt string) string { return "Options " + opt + " and --sentinel are mutually exclusive" }
	if len(o.Addrs) == 0 {
		exclusive = func(opt string) string { return "Option " + opt + " and a Sentinel URI (-u) are mutually exclusive" }
	}
	switch {
	case so.MasterName == "":
		return fail("Option --sentinel needs --master-name NAME: the name the sentinels monitor the primary under.")
	case c.o.Cluster:
		return fail(exclusive("-c") + ".")
	case c.o.Manager.given:
		return fail(exclusive("--cluster") + ": the cluster manager takes a cluster node's address.")
	case c.o.Socket != "":
		return fail(exclusive("-s") + ": the sentinels name the primary.")
	case c.o.isGiven("host") || c.o.isGiven("port"):
		return fail(exclusive("-h/-p") + ": the sentinels name the primary.")
	case c.o.isGiven("uri") && c.sentinelURI == nil:
		return fail("Options -u and --sentinel are mutually exclusive, unless the URI names sentinels (redis-sentinel://).")
	case so.Sentinel.User != "" && !so.Sentinel.PasswordSet:
		return fail("Option --sentinel-user needs --sentinel-pass.")
	}
	so.Sentinel.ConnectTimeout, so.Sentinel.Timeout = co.ConnectTimeout, co.Timeout
	c.sentinel = &so
	return nil
}

// newSentinelClient returns the client of a run through Sentinel, with
// the session's policy and hooks. With --verbose every search for the
// primary is told on stderr.
func (c *config) newSentinelClient(p *env.Printer) (*redisx.SentinelClient, error) {
	so := *c.sentinel
	if c.o.Verbose {
		so.OnEvent = func(ev redisx.SentinelEvent) { fmt.Fprintln(c.ios.ErrOut, env.PrintableLine(ev.String())) }
	}
	s, err := redisx.NewSentinel(so)
	if err != nil {
		return nil, env.Fail(err.Error())
	}
	sc := redisx.NewSentinelClient(s, c.conn, c.o.ClusterOpts.ReadFromReplicas)
	sc.Retry = c.retry
	sc.Observe = c.observe()
	sc.OnResend = c.onResend()
	if c.showPushes {
		sc.OnPush = p.Push
	}
	return sc, nil
}

// prepareSentinel readies a run through Sentinel for mode m: the modes
// that open connections of their own to the server (--pipe, --replica,
// --rdb, --functions-rdb, --ldb) find the primary first, under the retry
// policy, and get its address as the session's connection options.
func (c *config) prepareSentinel(ctx context.Context, m mode, sc *redisx.SentinelClient, e *env.Env) error {
	switch m {
	case modePipe, modeReplica, modeRDB, modeFunctionsRDB, modeLDB:
	default:
		return nil
	}
	err := c.retry.Do(ctx, func(ctx context.Context) error {
		_, err := sc.Client.Conn(ctx)
		return err
	}, retry.Hooks{OnFailure: func(error) { sc.Client.Close() }, Observe: e.Observe})
	if err != nil {
		return err
	}
	e.Conn = sc.Client.Options()
	return nil
}

// watchSentinel follows +switch-master during the modes that run for a
// while (commands from stdin, -r, the diagnostic loops), so that a
// connection to a primary that was failed over is given up before the
// next command even while the old primary still accepts writes. It
// prints nothing (its goroutine does not write where the run writes):
// with --verbose the search that follows says where the primary moved.
// The shell follows the switches itself (its prompt shows them). It
// returns nil when it does not watch.
func (c *config) watchSentinel(ctx context.Context, m mode, sc *redisx.SentinelClient) (stop func()) {
	switch {
	case m == modeStdin, m == modeOneShot && c.o.Repeat != 1,
		m == modeLatency, m == modeLatencyHistory, m == modeStat:
		return sc.Sentinel().Watch(ctx, nil)
	}
	return nil
}
