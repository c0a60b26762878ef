package redisx_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// TestHandshakeSendsCredentialsInAuthOnly: the password goes in AUTH,
// first, and never inside HELLO, so a server that refuses HELLO has no
// password to quote back; a client name HELLO would have set is set with
// CLIENT SETNAME when HELLO is refused.
func TestHandshakeSendsCredentialsInAuthOnly(t *testing.T) {
	const pw = "hunter2-pw"
	tests := []struct {
		name    string
		opts    redisx.Options
		noHello bool
		want    []string
	}{
		{"RESP2, password", redisx.Options{Password: pw}, false,
			[]string{"AUTH " + pw}},
		{"RESP2, empty password given", redisx.Options{PasswordSet: true}, false,
			[]string{"AUTH "}},
		{"RESP2, user, name, db", redisx.Options{User: "alice", Password: pw, Name: "me", DB: 3}, false,
			[]string{"AUTH alice " + pw, "CLIENT SETNAME me", "SELECT 3"}},
		{"RESP3, password", redisx.Options{Password: pw, Protocol: 3}, false,
			[]string{"AUTH " + pw, "HELLO 3"}},
		{"RESP3, user, name, db", redisx.Options{User: "alice", Password: pw, Name: "me", DB: 3, Protocol: 3}, false,
			[]string{"AUTH alice " + pw, "HELLO 3 SETNAME me", "SELECT 3"}},
		{"RESP3 refused, falls back", redisx.Options{Password: pw, Name: "me", DB: 3, Protocol: 3}, true,
			[]string{"AUTH " + pw, "HELLO 3 SETNAME me", "SELECT 3", "CLIENT SETNAME me"}},
		{"RESP3 refused, no name", redisx.Options{Password: pw, Protocol: 3}, true,
			[]string{"AUTH " + pw, "HELLO 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t)
			node.script(func(args []string) resp.Value {
				if strings.EqualFold(args[0], "HELLO") {
					if tt.noHello {
						return resp.ErrorReply("ERR unknown command 'HELLO', with args beginning with: " + quoteArgs(args[1:]))
					}
					return resp.Value{Kind: resp.KindMap, Elems: []resp.Value{resp.BulkString("proto"), resp.Int(3)}}
				}
				return resp.Status("OK")
			})
			host, port, _ := net.SplitHostPort(node.addr)
			o := tt.opts
			o.Host = host
			o.Port, _ = strconv.Atoi(port)
			c, err := redisx.Dial(context.Background(), &o)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			c.Close()
			got := node.commands()
			if !slices.Equal(got, tt.want) {
				t.Errorf("commands %q, want %q", got, tt.want)
			}
			for _, cmd := range got {
				if strings.HasPrefix(cmd, "HELLO") && strings.Contains(cmd, pw) {
					t.Errorf("HELLO carries the password: %q", cmd)
				}
			}
			if want := 3; o.Protocol == 3 && !tt.noHello && c.Protocol() != want {
				t.Errorf("protocol %d, want %d", c.Protocol(), want)
			}
		})
	}
}

// TestHandshakeReportsRefusedAuth: a refused AUTH is the handshake's
// error even when the steps after it fail too.
func TestHandshakeReportsRefusedAuth(t *testing.T) {
	node := newFakeNode(t)
	node.script(func(args []string) resp.Value {
		if strings.EqualFold(args[0], "AUTH") {
			return resp.ErrorReply("WRONGPASS invalid username-password pair or user is disabled.")
		}
		return resp.ErrorReply("NOAUTH Authentication required.")
	})
	host, port, _ := net.SplitHostPort(node.addr)
	p, _ := strconv.Atoi(port)
	_, err := redisx.Dial(context.Background(), &redisx.Options{Host: host, Port: p, Password: "x", Protocol: 3, DB: 2})
	var he *redisx.HandshakeError
	if !errors.As(err, &he) || he.Step != "AUTH" || !strings.HasPrefix(he.Err.Error(), "WRONGPASS") {
		t.Fatalf("Dial: %v, want AUTH failed: WRONGPASS", err)
	}
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + a + "'"
	}
	return strings.Join(q, " ")
}
