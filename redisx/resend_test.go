package redisx_test

import (
	"strings"
	"testing"

	"github.com/redish/redish/redisx"
)

func TestResendable(t *testing.T) {
	tests := []struct {
		cmd      string
		safe, ro bool
	}{
		{"GET k", true, true},
		{"PING", true, true},
		{"CONFIG GET maxmemory", true, true},
		{"CLIENT LIST", true, true},
		{"SELECT 2", true, false},
		{"CLIENT SETNAME x", true, false},
		{"MULTI", true, false},
		{"SET k v", true, false},
		{"set k v xx keepttl", true, false},
		{"SET k v EXAT 1900000000", true, false},
		{"SET k v NX", false, false},
		{"SET k v GET", false, false},
		{"SET k v EX 10", false, false},
		{"SET k v px 10", false, false},
		{"MSET a 1 b 2", true, false},
		{"MSETNX a 1", false, false},
		{"DEL a b", true, false},
		{"HSET h f v", true, false},
		{"HSETNX h f v", false, false},
		{"SADD s m", true, false},
		{"ZADD z 1 m", true, false},
		{"ZADD z GT CH 1 m", true, false},
		{"ZADD z INCR 1 m", false, false},
		{"ZREMRANGEBYRANK z 0 1", false, false},
		{"EXPIREAT k 1900000000", true, false},
		{"EXPIRE k 10", false, false},
		{"PERSIST k", true, false},
		{"LTRIM l 0 99", true, false},
		{"LTRIM l 0 -1", true, false},
		{"LTRIM l -100 -1", true, false},
		{"LTRIM l 1 -1", false, false},
		{"LTRIM l 0 -2", false, false},
		{"LREM l 0 x", true, false},
		{"LREM l 1 x", false, false},
		{"INCR k", false, false},
		{"INCRBY k 2", false, false},
		{"RPUSH l x", false, false},
		{"LPOP l", false, false},
		{"SPOP s", false, false},
		{"APPEND k x", false, false},
		{"GETDEL k", false, false},
		{"SETNX k v", false, false},
		{"GETSET k v", false, false},
		{"EVAL x 0", false, false},
		{"PUBLISH c m", false, false},
		{"EXEC", false, false},
		{"NOSUCHCOMMAND", false, false},
	}
	for _, tt := range tests {
		args := redisx.Args(strings.Fields(tt.cmd)...)
		if got := redisx.Resendable(args); got != tt.safe {
			t.Errorf("Resendable(%s) = %v, want %v", tt.cmd, got, tt.safe)
		}
		if got := redisx.ReadOnly(args); got != tt.ro {
			t.Errorf("ReadOnly(%s) = %v, want %v", tt.cmd, got, tt.ro)
		}
	}
}

func TestCommandLabel(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"incr", "ctr"}, "INCR ctr"},
		{[]string{"SET", "k", "secret value"}, "SET k"},
		{[]string{"MSET", "a", "1", "b", "2", "c", "3", "d", "4"}, "MSET a b c ..."},
		{[]string{"AUTH", "user", "password"}, "AUTH"},
		{[]string{"config", "set", "requirepass", "x"}, "CONFIG SET"},
		{[]string{"GET", "a key"}, `GET "a key"`},
		{[]string{"GET", strings.Repeat("k", 50)}, "GET " + strings.Repeat("k", 40) + "..."},
		{[]string{"NOSUCH", "x"}, "NOSUCH"},
	}
	for _, tt := range tests {
		if got := redisx.CommandLabel(redisx.Args(tt.args...)); got != tt.want {
			t.Errorf("CommandLabel(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}
