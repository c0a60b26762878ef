package memserver

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redish/redish/format"
	"github.com/redish/redish/internal/cliargs"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func startServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func dial(t *testing.T, s *Server, proto int) *redisx.Conn {
	t.Helper()
	_, portText, _ := net.SplitHostPort(s.Addr())
	port, _ := strconv.Atoi(portText)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := redisx.Dial(ctx, &redisx.Options{Port: port, Protocol: proto, ForceProtocol: proto == 3, Name: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestCommands runs a script of commands and compares each reply, printed
// as redis-cli prints it, with what Redis answers.
func TestCommands(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := dial(t, startServer(t), proto)
			for _, tc := range []struct{ cmd, want string }{
				{"PING", "PONG"},
				{"ECHO hi", `"hi"`},
				{"CLIENT GETNAME", `"tester"`},
				{"SET k v", "OK"},
				{"GET k", `"v"`},
				{"SET k w NX", "(nil)"},
				{"SET k w XX GET", `"v"`},
				{"APPEND k x", "(integer) 2"},
				{"STRLEN k", "(integer) 2"},
				{"GETDEL k", `"wx"`},
				{"GET k", "(nil)"},
				{"INCR n", "(integer) 1"},
				{"INCRBY n 10", "(integer) 11"},
				{"DECR n", "(integer) 10"},
				{"DECRBY n x", "(error) ERR value is not an integer or out of range"},
				{"MSET a 1 b 2", "OK"},
				{"MGET a b c", "1) \"1\"\n2) \"2\"\n3) (nil)"},
				{"EXISTS a b c", "(integer) 2"},
				{"DEL a c", "(integer) 1"},
				{"TYPE n", "string"},
				{"RPUSH l 1 2", "(integer) 2"},
				{"LPUSH l 0", "(integer) 3"},
				{"LRANGE l 0 -1", "1) \"0\"\n2) \"1\"\n3) \"2\""},
				{"LPOP l", `"0"`},
				{"LLEN l", "(integer) 2"},
				{"GET l", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"},
				{"HSET h f 1 g 2", "(integer) 2"},
				{"HGET h g", `"2"`},
				{"HLEN h", "(integer) 2"},
				{"HDEL h f", "(integer) 1"},
				{"KEYS *", "1) \"b\"\n2) \"h\"\n3) \"l\"\n4) \"n\""},
				{"SCAN 0 MATCH h* COUNT 100", "1) \"0\"\n2) 1) \"h\""},
				{"DBSIZE", "(integer) 4"},
				{"EXPIRE b 100", "(integer) 1"},
				{"TTL b", "(integer) 100"},
				{"PERSIST b", "(integer) 1"},
				{"TTL b", "(integer) -1"},
				{"TTL nokey", "(integer) -2"},
				{"SELECT 1", "OK"},
				{"DBSIZE", "(integer) 0"},
				{"SELECT 99", "(error) ERR DB index is out of range"},
				{"MULTI", "OK"},
				{"SET t 1", "QUEUED"},
				{"INCR t", "QUEUED"},
				{"EXEC", "1) OK\n2) (integer) 2"},
				{"FLUSHALL", "OK"},
				{"DEBUG SLEEP 0", "OK"},
				{"GET", "(error) ERR wrong number of arguments for 'get' command"},
				{"NOSUCH a", "(error) ERR unknown command 'NOSUCH', with args beginning with: 'a' "},
			} {
				args, err := cliargs.SplitArgs(tc.cmd)
				if err != nil {
					t.Fatal(err)
				}
				v, err := c.DoStrings(context.Background(), args...)
				if err != nil {
					t.Fatalf("%s: %v", tc.cmd, err)
				}
				got := strings.TrimSuffix(string(format.Append(nil, v, format.DefaultOptions(format.TTY))), "\n")
				if got != tc.want {
					t.Errorf("%s: %q, want %q", tc.cmd, got, tc.want)
				}
			}
		})
	}
}

// TestFaults checks Kill, Relaunch and Pause as a client sees them.
func TestFaults(t *testing.T) {
	s := startServer(t)
	c := dial(t, s, 2)
	if _, err := c.DoStrings(context.Background(), "SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	if s.Running() {
		t.Error("Running after Kill")
	}
	if _, err := c.DoStrings(context.Background(), "PING"); err == nil {
		t.Error("PING answered on a killed server")
	}
	if err := s.Relaunch(); err != nil {
		t.Fatal(err)
	}
	c = dial(t, s, 2)
	if v, err := c.DoStrings(context.Background(), "GET", "k"); err != nil || v.Kind != resp.KindNil {
		t.Errorf("GET k after a restart: %v %v, want nil: the dataset is lost", v, err)
	}

	s.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err := c.DoStrings(ctx, "PING")
	cancel()
	if err == nil {
		t.Error("PING answered while paused")
	}
	s.Resume()
	c = dial(t, s, 2)
	if _, err := c.DoStrings(context.Background(), "PING"); err != nil {
		t.Errorf("PING after Resume: %v", err)
	}
	// Close ends a pause and a DEBUG SLEEP at once.
	s.Pause()
	s.Close()
	if s.Relaunch() == nil {
		t.Error("Relaunch after Close succeeded")
	}
}
