package bulk

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/redish/redish/resp"
)

// readAll returns every command of in, copied, and the error that ended
// the input (nil for a clean end).
func readAll(in string) ([][]string, error) {
	p := NewPipeInput(strings.NewReader(in))
	var out [][]string
	for {
		args, err := p.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		cmd := make([]string, len(args))
		for i, a := range args {
			cmd[i] = string(a)
		}
		out = append(out, cmd)
	}
}

func TestPipeInput(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
		err  string // a substring of the error, "" for none
	}{
		{"resp", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", [][]string{{"GET", "k"}}, ""},
		{"inline", "SET k v\r\nGET k\n", [][]string{{"SET", "k", "v"}, {"GET", "k"}}, ""},
		{"inline quotes", `SET k "a b\x00"` + "\n", [][]string{{"SET", "k", "a b\x00"}}, ""},
		{"mixed", "PING\n*1\r\n$4\r\nPING\r\nECHO x\n", [][]string{{"PING"}, {"PING"}, {"ECHO", "x"}}, ""},
		{"empty lines and arrays", "\n\r\n*0\r\n*-1\r\n   \nPING\n", [][]string{{"PING"}}, ""},
		{"last line without newline", "GET k", [][]string{{"GET", "k"}}, ""},
		{"binary bulk", "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\x00\xff\r\n", [][]string{{"ECHO", "\r\n\x00\xff"}}, ""},
		{"empty bulk", "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", [][]string{{"ECHO", ""}}, ""},
		{"unbalanced quotes", "SET \"k\n", nil, "unbalanced quotes"},
		{"bad count", "*x\r\n", nil, "invalid multibulk length"},
		{"count with plus", "*+1\r\n$4\r\nPING\r\n", nil, "invalid multibulk length"},
		{"no dollar", "*1\r\n:4\r\n", nil, "expected '$', got ':'"},
		{"bad bulk length", "*1\r\n$-1\r\n", nil, "invalid bulk length"},
		{"leading zero", "*1\r\n$04\r\nPING\r\n", nil, "invalid bulk length"},
		{"bulk without CRLF", "*1\r\n$4\r\nPINGxx", nil, "not terminated by CRLF"},
		{"truncated array", "*2\r\n$4\r\nECHO\r\n", nil, "unexpected EOF"},
		{"truncated bulk", "*1\r\n$10\r\nPING", nil, "unexpected EOF"},
		{"too long inline", strings.Repeat("x", MaxInlineLen+1) + "\n", nil, "too big inline request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(tt.in)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("error %v, want one containing %q", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("commands %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPipeInputProtocolErrorType(t *testing.T) {
	_, err := readAll("*1\r\n:4\r\n")
	var pe *resp.ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v, want a *ProtocolError", err, err)
	}
}

// FuzzPipeInput checks that the parser never panics, and that every
// command it accepts, encoded as RESP, parses back to the same arguments.
func FuzzPipeInput(f *testing.F) {
	for _, s := range []string{
		"PING\n",
		"SET k \"v \\x00\"\r\n",
		"*2\r\n$4\r\nECHO\r\n$3\r\na\nb\r\n",
		"*0\r\n\n*1\r\n$4\r\nPING\r\n",
		"*1\r\n$-1\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cmds, _ := readAll(string(data))
		var enc []byte
		for _, c := range cmds {
			if len(c) == 0 {
				t.Fatalf("an empty command from %q", data)
			}
			enc = resp.AppendCommandStrings(enc, c...)
		}
		again, err := readAll(string(enc))
		if err != nil {
			t.Fatalf("re-encoded commands do not parse: %v", err)
		}
		if !reflect.DeepEqual(cmds, again) && !(len(cmds) == 0 && len(again) == 0) {
			t.Fatalf("round trip: %q, then %q", cmds, again)
		}
	})
}
