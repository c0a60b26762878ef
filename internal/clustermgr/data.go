package clustermgr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx"

	"github.com/redish/redish/resp"
)

// endpoint is a server the manager opens a session to.
type endpoint struct {
	Host string
	Port int
	// Source marks the server import reads from, which is not part of the
	// cluster: it is reached with the credentials below (import's
	// --cluster-from-user and --cluster-from-pass), not the command
	// line's.
	Source      bool
	User        string
	Password    string
	PasswordSet bool
}

// importData is --cluster import HOST:PORT --cluster-from SRC: move (or,
// with --cluster-copy, copy) every key of a standalone server's db 0 to
// the node that serves its slot.
func (m *manager) importData(ctx context.Context, args []string) (bool, error) {
	host, port, ok := hostPort(args)
	if !ok {
		m.errorf("%s", invalidHostArg)
		return false, nil
	}
	if !m.opts.FromSet {
		m.errorf("[ERR] Option '--cluster-from' is required for subcommand 'import'.\n")
		return false, nil
	}
	srcHost, srcPort, ok := hostPort([]string{m.opts.From})
	if !ok {
		m.errorf("[ERR] Invalid --cluster-from host. You need to pass a valid address (ie. 120.0.0.1:7000).\n")
		return false, nil
	}
	m.logf(lvlInfo, ">>> Importing data from %s:%d to cluster %s:%d\n", srcHost, srcPort, host, port)
	if ok, err := m.load(ctx, host, port); err != nil || !ok {
		return false, err
	}
	if ok, _, err := m.checkCluster(ctx, false, false); !ok || err != nil {
		return m.okOrReported(err)
	}

	src := &session{m: m, end: endpoint{
		Host: srcHost, Port: srcPort, Source: true,
		User: m.opts.FromUser, Password: m.opts.FromPass, PasswordSet: m.opts.FromAuth,
	}}
	m.extra = append(m.extra, src)
	if err := src.dial(ctx); err != nil {
		if ctx.Err() != nil {
			return false, err
		}
		m.errorf("%s\n", m.describe(err))
		return false, nil
	}
	srcFailed := func(msg string) (bool, error) {
		m.logf(lvlErr, "Source %s:%d replied with error:\n%s\n", srcHost, srcPort, msg)
		return false, nil
	}
	info, err := src.do(ctx, redo, "INFO")
	if err != nil {
		return false, err
	}
	if info.Kind == resp.KindError {
		return srcFailed(info.Text())
	}
	if infoField(info.Text(), "cluster_enabled") != 0 {
		m.logf(lvlErr, "[ERR] The source node should not be a cluster node.\n")
		return false, nil
	}
	size, err := src.do(ctx, redo, "DBSIZE")
	if err != nil {
		return false, err
	}
	if size.Kind == resp.KindError {
		return srcFailed(size.Text())
	}
	m.logf(lvlWarn, "*** Importing %d keys from DB 0\n", size.Int)

	var owners [redisx.SlotCount]*node
	for s := range owners {
		for _, n := range m.nodes {
			if !n.replica && n.slotsCount > 0 && n.slots[s] {
				owners[s] = n
				break
			}
		}
	}
	var opts [][]byte
	opts = append(opts, m.migrateAuth()...)
	if m.opts.Copy {
		opts = append(opts, []byte("COPY"))
	}
	if m.opts.Replace {
		opts = append(opts, []byte("REPLACE"))
	}
	// Moving a key twice finds it gone the second time (NOKEY); copying
	// it twice finds it on the target, which only REPLACE accepts.
	safe := safety(!m.opts.Copy || m.opts.Replace)
	cursor := "0"
	for {
		v, err := src.do(ctx, redo, "SCAN", cursor, "COUNT", "1000")
		if err != nil {
			return false, err
		}
		if v.Kind == resp.KindError {
			return srcFailed(v.Text())
		}
		if len(v.Elems) < 2 {
			return srcFailed("unexpected reply to SCAN")
		}
		cursor = string(v.Elems[0].Str)
		if v.Elems[0].Kind == resp.KindInt {
			cursor = strconv.FormatInt(v.Elems[0].Int, 10)
		}
		for _, k := range v.Elems[1].Elems {
			target := owners[redisx.HashSlot(k.Str)]
			if target == nil {
				m.logf(lvlErr, "[ERR] No node serves slot %d of key %s.\n", redisx.HashSlot(k.Str), k.Str)
				return false, nil
			}
			m.printf("Migrating %s to %s: ", k.Str, target.addr())
			args := append(redisx.Args("MIGRATE", target.host, strconv.Itoa(target.port)), k.Str)
			args = append(args, redisx.Args("0", strconv.Itoa(m.opts.Timeout))...)
			args = append(args, opts...)
			r, err := src.doBytes(ctx, safe, args)
			if err != nil {
				return false, err
			}
			if r.Kind == resp.KindError {
				return srcFailed(r.Text())
			}
			m.logf(lvlOK, "OK\n")
		}
		if cursor == "0" {
			return true, nil
		}
	}
}

// backup is --cluster backup HOST:PORT DIR: an RDB of every primary
// (redis-node-HOST-PORT-ID.rdb) and the cluster's layout (nodes.json).
func (m *manager) backup(ctx context.Context, args []string) (bool, error) {
	if ok, err := m.loadFromArgs(ctx, args[:1]); err != nil || !ok {
		return false, err
	}
	healthy, _, err := m.checkCluster(ctx, false, false)
	if err != nil && !errors.Is(err, errReported) {
		return false, err
	}
	errorCount := 0
	if !healthy {
		errorCount = len(m.errors)
	}
	dir := args[1]
	var js strings.Builder
	js.WriteString("[\n")
	for i, n := range m.nodes {
		if i > 0 {
			js.WriteString(",\n")
		}
		js.WriteString(n.json(errorCount))
		if n.replicate != "" {
			continue
		}
		m.logf(lvlInfo, ">>> Node %s -> Saving RDB...\n", n.addr())
		if err := m.saveRDB(ctx, n, rdbPath(dir, n)); err != nil {
			return false, err
		}
	}
	js.WriteString("\n]")
	path := dir
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	path += "nodes.json"
	m.logf(lvlInfo, "Saving cluster configuration to: %s\n", path)
	if err := os.WriteFile(path, []byte(js.String()), 0o644); err != nil {
		m.logf(lvlErr, "Could not save nodes to: %s\n", path)
		m.logf(lvlOK, "[ERR] Failed to back cluster!\n")
		return false, nil
	}
	if !healthy {
		m.logf(lvlWarn, "*** Cluster seems to have some problems, please be aware of it if you're going to restore this backup.\n")
	}
	m.logf(lvlOK, "[OK] Backup created into: %s\n", dir)
	return true, nil
}

// rdbPath is where backup saves n's RDB.
func rdbPath(dir string, n *node) string {
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	return fmt.Sprintf("%sredis-node-%s-%d-%s.rdb", dir, n.host, n.port, n.name)
}

// saveRDB asks n for a full synchronisation as a replica would (SYNC,
// REPLCONF rdb-only so that n closes the link after the file) and writes
// the RDB to path, on a connection of its own. A transfer that fails is
// started again under the retry policy. The messages on stderr are
// redis-cli's; a failure is reported and ends the run.
func (m *manager) saveRDB(ctx context.Context, n *node, path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		m.errorf("Error opening '%s': %s\n", path, errText(err))
		return errReported
	}
	defer f.Close()
	s := m.newSession(n.host, n.port)
	defer s.close()
	var written int64
	var diskless bool
	err = m.retry.Do(ctx, func(ctx context.Context) error {
		if err := s.dialOnce(ctx); err != nil {
			return err
		}
		if err := s.conn.ReplConf(ctx, "rdb-only", "1"); err != nil {
			var re *resp.RedisError
			if !errors.As(err, &re) {
				return err
			}
		}
		payload, err := s.conn.Sync(ctx)
		if err != nil {
			return err
		}
		if err := f.Truncate(0); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		diskless = payload.Diskless()
		if diskless {
			m.errorf("SYNC sent to master, writing bytes of bulk transfer until EOF marker to '%s'\n", path)
		} else {
			m.errorf("SYNC sent to master, writing %d bytes to '%s'\n", payload.Size(), path)
		}
		written, err = io.Copy(f, payload)
		return err
	}, s.hooks("SYNC", redo))
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		var re *resp.RedisError
		switch {
		case errors.As(err, &re):
			m.errorf("SYNC with master failed: -%s\n", re.Msg)
		case errors.As(err, new(*os.PathError)):
			m.errorf("Error writing data to file: %s\n", errText(err))
		default:
			m.errorf("I/O Error reading RDB payload from socket: %s\n", m.describe(err))
		}
		return errReported
	}
	if diskless {
		m.errorf("Transfer finished with success after %d bytes\n", written)
	} else {
		m.errorf("Transfer finished with success.\n")
	}
	s.close()
	if err := f.Sync(); err != nil {
		m.errorf("Fail to fsync '%s': %s\n", path, errText(err))
		return errReported
	}
	return nil
}

// errText is the system's reason in err, as strerror words it.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// json is n in backup's nodes.json, as redis-cli writes it.
func (n *node) json(errorCount int) string {
	replicate := "null"
	if n.replicate != "" {
		replicate = `"` + n.replicate + `"`
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  {\n    \"name\": \"%s\",\n    \"host\": \"%s\",\n    \"port\": %d,\n    \"replicate\": %s,\n    \"slots\": [%s],\n    \"slots_count\": %d,\n    \"flags\": \"%s\",\n    \"current_epoch\": %d",
		n.name, n.host, n.port, replicate, strings.ReplaceAll(slotsString(&n.slots), "-", ","), n.slotsCount, n.flagString(), n.configEpoch)
	if errorCount > 0 {
		fmt.Fprintf(&b, ",\n    \"cluster_errors\": %d", errorCount)
	}
	for _, st := range []struct {
		key  string
		list []openSlot
	}{{"migrating", n.migrating}, {"importing", n.importing}} {
		var parts []string
		for _, o := range st.list {
			parts = append(parts, `"`+o.Slot+`": "`+o.Peer+`"`)
		}
		if len(parts) > 0 {
			fmt.Fprintf(&b, ",\n    \"%s\": {%s}", st.key, strings.Join(parts, ","))
		}
	}
	b.WriteString("\n  }")
	return b.String()
}
