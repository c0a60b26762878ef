package clustermgr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redish/redish/internal/env"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/retry"

	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
)

// session is the manager's connection to one node. Every command it sends
// runs under the retry policy: a failed attempt closes the connection, and
// the next one dials again.
type session struct {
	m    *manager
	end  endpoint
	conn *redisx.Conn
}

// safety says whether a step may be sent again once its request left.
type safety bool

const (
	// redo marks a step whose second run leaves the cluster as its first
	// did: reads, CLUSTER SETSLOT, MEET, REPLICATE, CONFIG SET, and the
	// manager's MIGRATE of the keys a slot still holds (keys already moved
	// are no longer there to move; a key copied but not yet deleted is
	// found on both nodes and handled as redis-cli handles BUSYKEY).
	redo safety = true
	// once marks a step that may change the cluster again when it runs
	// again (CLUSTER ADDSLOTS, FORGET, FUNCTION RESTORE, a user's command):
	// after a failure once its request left, it is reported as possibly
	// run instead of being sent again, unless --retry-sent all.
	once safety = false
)

func (m *manager) newSession(host string, port int) *session {
	return &session{m: m, end: endpoint{Host: host, Port: port}}
}

func (s *session) addr() string { return joinHostPort(s.end.Host, s.end.Port) }

func (s *session) close() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// hooks returns the retry hooks of one step named label.
func (s *session) hooks(label string, safe safety) retry.Hooks {
	return retry.Hooks{
		OnFailure: func(error) { s.close() },
		Node:      s.addr,
		Observe:   s.m.observe,
		OnResend:  s.m.onResend,
		Safe:      func() bool { return bool(safe) },
		Command:   func() string { return label },
	}
}

// dial connects, under the retry policy, when there is no connection.
func (s *session) dial(ctx context.Context) error {
	if s.conn != nil && s.conn.Usable() {
		return nil
	}
	return s.m.retry.Do(ctx, s.dialOnce, s.hooks("connect", redo))
}

func (s *session) dialOnce(ctx context.Context) error {
	s.close()
	c, err := s.m.dial(ctx, s.end)
	if err != nil {
		return err
	}
	s.conn = c
	return nil
}

// do sends one command and returns its reply. A server error reply is a
// Value of KindError; the policy retries the error replies it lists
// (TRYAGAIN, LOADING, ...) and returns the last one when it gives up.
// The error is for a connection that failed on every attempt, or an
// interruption.
func (s *session) do(ctx context.Context, safe safety, args ...string) (resp.Value, error) {
	return s.doBytes(ctx, safe, redisx.Args(args...))
}

func (s *session) doBytes(ctx context.Context, safe safety, args [][]byte) (resp.Value, error) {
	var reply resp.Value
	label := stepLabel(args)
	err := s.m.retry.Do(ctx, func(ctx context.Context) error {
		if s.conn == nil || !s.conn.Usable() {
			if err := s.dialOnce(ctx); err != nil {
				return err
			}
		}
		v, err := s.conn.Do(ctx, args...)
		if err != nil {
			return err
		}
		reply = v
		if v.Kind == resp.KindError && s.m.retry.Policy.Retryable(v.Err()) {
			return v.Err()
		}
		return nil
	}, s.hooks(label, safe))
	var re *resp.RedisError
	if err != nil && errors.As(err, &re) && ctx.Err() == nil {
		// Retried error replies, given up on: the last reply stands.
		return reply, nil
	}
	return reply, mayHaveRun(ctx, safe, args, err)
}

// mayHaveRun marks the failure of a step that is not sent again once its
// request left (once) as "may have run", so that the message says so: the
// step may have changed the cluster although no reply came.
func mayHaveRun(ctx context.Context, safe safety, args [][]byte, err error) error {
	if err == nil || safe == redo || ctx.Err() != nil || !retry.RequestSent(err) || redisx.ReadOnly(args) {
		return err
	}
	if _, ok := errors.AsType[*redisx.MayHaveRunError](err); ok {
		return err
	}
	return &redisx.MayHaveRunError{Cmd: redisx.CommandLabel(args), Err: err}
}

// pipeline sends cmds at once and returns their replies in order, as one
// step under the retry policy: a failed attempt sends them all again.
// Only for commands that are safe to repeat.
func (s *session) pipeline(ctx context.Context, cmds [][][]byte) ([]resp.Value, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	var replies []resp.Value
	err := s.m.retry.Do(ctx, func(ctx context.Context) error {
		replies = replies[:0]
		if s.conn == nil || !s.conn.Usable() {
			if err := s.dialOnce(ctx); err != nil {
				return err
			}
		}
		for _, c := range cmds {
			s.conn.Write(c...)
		}
		if err := s.conn.Flush(ctx); err != nil {
			return err
		}
		for _, c := range cmds {
			v, err := s.conn.ReadReplyTo(ctx, c)
			if err != nil {
				return err
			}
			replies = append(replies, v)
		}
		return nil
	}, s.hooks(fmt.Sprintf("%d × %s", len(cmds), stepLabel(cmds[0])), redo))
	return replies, err
}

// multi runs cmds as one transaction (MULTI, cmds, EXEC) in one attempt:
// a failed attempt is retried as a whole, so a transaction never runs
// half on one connection and half on another. It returns EXEC's reply.
func (s *session) multi(ctx context.Context, safe safety, cmds ...[]string) (resp.Value, error) {
	var reply resp.Value
	label := "MULTI/EXEC"
	err := s.m.retry.Do(ctx, func(ctx context.Context) error {
		if s.conn == nil || !s.conn.Usable() {
			if err := s.dialOnce(ctx); err != nil {
				return err
			}
		}
		all := append([][]string{{"MULTI"}}, cmds...)
		all = append(all, []string{"EXEC"})
		for _, c := range all {
			s.conn.Write(redisx.Args(c...)...)
		}
		if err := s.conn.Flush(ctx); err != nil {
			return err
		}
		for i, c := range all {
			v, err := s.conn.ReadReplyTo(ctx, redisx.Args(c...))
			if err != nil {
				return err
			}
			if i == 0 && v.Kind == resp.KindError {
				// MULTI refused: nothing was queued.
				reply = v
				return nil
			}
			reply = v
		}
		return nil
	}, s.hooks(label, safe))
	if err != nil && safe == once && ctx.Err() == nil && retry.RequestSent(err) {
		if _, ok := errors.AsType[*redisx.MayHaveRunError](err); !ok {
			err = &redisx.MayHaveRunError{Cmd: label, Err: err}
		}
	}
	return reply, err
}

// stepLabel names a step in the lines about its retries: the command and
// its subcommand ("CLUSTER SETSLOT"), the number of keys of a MIGRATE,
// never the arguments, which may hold keys or passwords.
func stepLabel(args [][]byte) string {
	if len(args) == 0 {
		return ""
	}
	label := strings.ToUpper(string(args[0]))
	if c := commands.LookupBytes(args); c != nil && strings.Contains(c.Name, "|") && len(args) > 1 {
		label += " " + strings.ToUpper(string(args[1]))
	}
	if label == "MIGRATE" {
		for i, a := range args {
			if strings.EqualFold(string(a), "KEYS") {
				label += fmt.Sprintf(" (%d keys)", len(args)-i-1)
				break
			}
		}
	}
	return label
}

// observe prints the retry loop's events under --verbose, each after the
// step it concerns.
func (m *manager) observe(ev retry.Event) {
	if m.opts.Verbose {
		line := retry.FormatEvent(ev)
		if ev.Command != "" && ev.Action != retry.ActionNotResent {
			line = ev.Command + ": " + line
		}
		fmt.Fprintln(m.errOut, env.PrintableLine(line))
	}
}

// onResend reports a step sent again although it may have run (only
// under --retry-sent all), even without --verbose.
func (m *manager) onResend(ev retry.Event) {
	fmt.Fprintln(m.errOut, env.PrintableLine(retry.FormatResend(ev)))
}
