package clustermgr

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx"

	"github.com/redish/redish/resp"
)

// addNode is --cluster add-node NEW EXISTING: join an empty node to the
// cluster, as a primary (with the cluster's functions) or, with
// --cluster-slave, as a replica.
func (m *manager) addNode(ctx context.Context, args []string) (bool, error) {
	refHost, refPort, ok1 := hostPort(args[1:])
	host, port, ok2 := hostPort(args[:1])
	if !ok1 || !ok2 {
		m.errorf("%s", invalidHostArg)
		return false, nil
	}
	if m.opts.MasterSet && !m.opts.Replica {
		// redis-cli ignores it then; adding a primary when a replica was
		// meant is worse than stopping.
		m.errorf("[ERR] --cluster-master-id adds the node as a replica: give --cluster-slave (or --cluster-replica) too.\n")
		return false, nil
	}
	m.logf(lvlInfo, ">>> Adding node %s:%d to cluster %s:%d\n", host, port, refHost, refPort)
	ok, err := m.load(ctx, refHost, refPort)
	if err != nil || !ok {
		return false, err
	}
	ref := m.nodes[0]
	if ok, _, err := m.checkCluster(ctx, false, false); !ok || err != nil {
		return m.okOrReported(err)
	}
	var primary *node
	if m.opts.Replica {
		if m.opts.MasterSet {
			// A replica is refused here, before the node joins: the
			// REPLICATE at the end would fail with the node already in.
			if primary = m.byName(m.opts.MasterID); primary == nil || primary.replica || primary.replicate != "" {
				m.logf(lvlErr, "[ERR] No such master ID %s\n", m.opts.MasterID)
				return false, nil
			}
		} else {
			primary = m.leastReplicas()
			m.printf("Automatically selected master %s\n", primary.addr())
		}
	}

	n := newNode(host, port, 0)
	n.sess = m.newSession(host, port)
	if err := n.sess.dial(ctx); err != nil {
		if ctx.Err() != nil {
			return false, err
		}
		m.logf(lvlErr, "[ERR] Sorry, can't connect to node %s:%d\n", host, port)
		return false, nil
	}
	m.extra = append(m.extra, n.sess)
	if ok, err := m.joinable(ctx, n); !ok {
		return false, err
	}
	first := m.nodes[0]
	m.nodes = append(m.nodes, n)

	if primary == nil {
		// A replica gets the functions from its primary; a primary from us.
		if ok, err := m.copyFunctions(ctx, ref, n); !ok || err != nil {
			return false, err
		}
	}
	m.logf(lvlInfo, ">>> Send CLUSTER MEET to node %s:%d to make it join the cluster.\n", host, port)
	ip, err := resolveIP(ctx, first.host)
	if err != nil {
		m.errorf("Invalid IP address or hostname specified: %s\n", first.host)
		return false, nil
	}
	if _, err := m.reply(ctx, n, redo, meetArgs(ip, first)...); err != nil {
		return m.okOrReported(err)
	}
	if primary != nil {
		if err := m.waitForJoin(ctx); err != nil {
			return false, err
		}
		m.logf(lvlInfo, ">>> Configure node as replica of %s.\n", primary.addr())
		if _, err := m.reply(ctx, n, redo, "CLUSTER", "REPLICATE", primary.name); err != nil {
			return m.okOrReported(err)
		}
	}
	m.logf(lvlOK, "[OK] New node added correctly.\n")
	return true, nil
}

// copyFunctions copies the cluster's functions (FUNCTION DUMP of ref) to
// the new node n, which must have none. A server without functions is
// skipped, as redis-cli skips it.
func (m *manager) copyFunctions(ctx context.Context, ref, n *node) (bool, error) {
	m.logf(lvlInfo, ">>> Getting functions from cluster\n")
	dump, err := m.cmd(ctx, ref, redo, "FUNCTION", "DUMP")
	if err != nil {
		return false, err
	}
	if dump.Kind == resp.KindError || dump.Kind == resp.KindNil {
		msg := "NULL reply"
		if dump.Kind == resp.KindError {
			msg = dump.Text()
		}
		m.logf(lvlInfo, ">>> Failed retrieving Functions from the cluster, skip this step as Redis version do not support function command (error = '%s')\n", msg)
		return true, nil
	}
	m.logf(lvlInfo, ">>> Send FUNCTION LIST to %s to verify there is no functions in it\n", n.addr())
	list, err := m.cmd(ctx, n, redo, "FUNCTION", "LIST")
	if err != nil {
		return false, err
	}
	if list.Kind == resp.KindError {
		m.logf(lvlErr, ">>> Failed on CLUSTER LIST (error = '%s')\r\n", list.Text())
		return false, nil
	}
	if len(list.Elems) > 0 {
		m.logf(lvlErr, ">>> New node already contains functions and can not be added to the cluster. Use FUNCTION FLUSH and try again.\r\n")
		return false, nil
	}
	m.logf(lvlInfo, ">>> Send FUNCTION RESTORE to %s\n", n.addr())
	r, err := m.cmd(ctx, n, once, "FUNCTION", "RESTORE", dump.Text())
	if err != nil {
		return false, err
	}
	if r.Kind == resp.KindError {
		m.logf(lvlErr, ">>> Failed loading functions to the new node (error = '%s')\r\n", r.Text())
		return false, nil
	}
	return true, nil
}

// delNode is --cluster del-node HOST:PORT ID: make every other node
// forget a node that serves no slot (its replicas move to another
// primary first), then reset it.
func (m *manager) delNode(ctx context.Context, args []string) (bool, error) {
	host, port, ok := hostPort(args[:1])
	if !ok {
		m.errorf("%s", invalidHostArg)
		return false, nil
	}
	id := args[1]
	m.logf(lvlInfo, ">>> Removing node %s from cluster %s:%d\n", id, host, port)
	if ok, err := m.load(ctx, host, port); err != nil || !ok {
		return false, err
	}
	gone := m.byName(id)
	if gone == nil {
		m.logf(lvlErr, "[ERR] No such node ID %s\n", id)
		return false, nil
	}
	if gone.slotsCount != 0 {
		m.logf(lvlErr, "[ERR] Node %s is not empty! Reshard data away and try again.\n", gone.addr())
		return false, nil
	}
	m.logf(lvlInfo, ">>> Sending CLUSTER FORGET messages to the cluster...\n")
	for _, n := range m.nodes {
		if n == gone {
			continue
		}
		if n.replicate != "" && strings.EqualFold(n.replicate, id) {
			p := m.leastReplicas()
			m.logf(lvlInfo, ">>> %s as replica of %s\n", n.addr(), p.addr())
			if _, err := m.reply(ctx, n, redo, "CLUSTER", "REPLICATE", p.name); err != nil {
				return m.okOrReported(err)
			}
		}
		if _, err := m.reply(ctx, n, once, "CLUSTER", "FORGET", id); err != nil {
			return m.okOrReported(err)
		}
	}
	m.logf(lvlInfo, ">>> Sending CLUSTER RESET SOFT to the deleted node.\n")
	_, err := m.reply(ctx, gone, redo, "CLUSTER", "RESET", "SOFT")
	return m.okOrReported(err)
}

// minTimeout is the smallest cluster-node-timeout set-timeout accepts.
const minTimeout = 100

// setTimeout is --cluster set-timeout HOST:PORT MS: set
// cluster-node-timeout on every node and save it in its config file.
func (m *manager) setTimeout(ctx context.Context, args []string) (bool, error) {
	host, port, ok := hostPort(args[:1])
	if !ok {
		m.errorf("%s", invalidHostArg)
		return false, nil
	}
	timeout := atoi(args[1])
	if timeout > math.MaxInt32 {
		// atoi stops at the first digits past an int: the timeout set
		// would not be the one given (redis-cli's wraps around).
		m.errorf("Invalid node timeout %s: at most %d milliseconds.\n", args[1], math.MaxInt32)
		return false, nil
	}
	if timeout < minTimeout {
		m.errorf("Setting a node timeout of less than 100 milliseconds is a bad idea.\n")
		return false, nil
	}
	if ok, err := m.load(ctx, host, port); err != nil || !ok {
		return false, err
	}
	m.logf(lvlInfo, ">>> Reconfiguring node timeout in every cluster node...\n")
	okCount, errCount := 0, 0
	for _, n := range m.nodes {
		msg, err := m.setNodeTimeout(ctx, n, timeout)
		if err != nil && ctx.Err() != nil {
			return false, err
		}
		if err != nil {
			msg = m.describe(err)
		}
		if err != nil || msg != "" {
			m.logf(lvlErr, "ERR setting node-timeout for %s: %s\n", n.addr(), msg)
			errCount++
			continue
		}
		m.logf(lvlWarn, "*** New timeout set for %s\n", n.addr())
		okCount++
	}
	m.logf(lvlInfo, ">>> New node timeout set. %d OK, %d ERR.\n", okCount, errCount)
	return true, nil
}

// setNodeTimeout sets and saves the timeout of n; msg is an error reply.
func (m *manager) setNodeTimeout(ctx context.Context, n *node, timeout int) (msg string, err error) {
	for _, args := range [][]string{
		{"CONFIG", "SET", "cluster-node-timeout", strconv.Itoa(timeout)},
		{"CONFIG", "REWRITE"},
	} {
		v, err := m.cmd(ctx, n, redo, args...)
		if err != nil {
			return "", err
		}
		if v.Kind == resp.KindError {
			return v.Text(), nil
		}
	}
	return "", nil
}

// call is --cluster call HOST:PORT CMD ARG...: run a command on every
// node (or only primaries, or only replicas) and print each reply raw.
func (m *manager) call(ctx context.Context, args []string) (bool, error) {
	if ok, err := m.loadFromArgs(ctx, args[:1]); err != nil || !ok {
		return false, err
	}
	command := args[1:]
	m.logf(lvlInfo, ">>> Calling")
	for _, a := range command {
		m.printf(" %s", a)
	}
	m.printf("\n")
	cmdArgs := redisx.Args(command...)
	safe := safety(redisx.Resendable(cmdArgs))
	fo := format.Options{Mode: format.Raw, Delim: m.opts.Delim}
	for _, n := range m.nodes {
		if m.opts.OnlyMaster && n.replicate != "" || m.opts.OnlyRepl && n.replicate == "" {
			continue
		}
		v, err := n.sess.doBytes(ctx, safe, cmdArgs)
		if err != nil {
			if ctx.Err() != nil {
				return false, err
			}
			m.printf("%s: Failed!\n", n.addr())
			// Whether the command ran is unknown: said even without
			// --verbose.
			_, sent := errors.AsType[*redisx.MayHaveRunError](err)
			if m.opts.Verbose || sent {
				m.errorf("%s: %s\n", n.addr(), m.describe(err))
			}
			continue
		}
		m.printf("%s: %s\n", n.addr(), format.Append(nil, v, fo))
	}
	return true, nil
}
