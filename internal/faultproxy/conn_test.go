package faultproxy

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestRequestSplitter(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		reqs []string
		cmds []string
	}{
		{"resp", "*1\r\n$4\r\nPING\r\n", []string{"*1\r\n$4\r\nPING\r\n"}, []string{"PING"}},
		{
			"pipelined",
			"*2\r\n$3\r\nget\r\n$1\r\nk\r\n*1\r\n$4\r\nping\r\n",
			[]string{"*2\r\n$3\r\nget\r\n$1\r\nk\r\n", "*1\r\n$4\r\nping\r\n"},
			[]string{"GET", "PING"},
		},
		{"inline", "set k v\r\nPING\n", []string{"set k v\r\n", "PING\n"}, []string{"SET", "PING"}},
		{"empty line", "\r\n", []string{"\r\n"}, []string{""}},
		{"empty array", "*0\r\n", []string{"*0\r\n"}, []string{""}},
		{"not resp", "*x\r\nrest", []string{"*x\r\nrest"}, []string{""}},
		{"unterminated inline", "PING", []string{"PING"}, []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newRequestSplitter(strings.NewReader(tc.in))
			var reqs, cmds []string
			for range 100 {
				req, cmd, err := s.next()
				if len(req) > 0 {
					reqs = append(reqs, string(req))
					cmds = append(cmds, cmd)
				}
				if err != nil {
					if !errors.Is(err, io.EOF) {
						t.Fatalf("next: %v", err)
					}
					break
				}
			}
			if strings.Join(reqs, "|") != strings.Join(tc.reqs, "|") || strings.Join(cmds, "|") != strings.Join(tc.cmds, "|") {
				t.Errorf("got %q %q, want %q %q", reqs, cmds, tc.reqs, tc.cmds)
			}
		})
	}
}

func TestRequestSplitterLongInline(t *testing.T) {
	in := strings.Repeat("x", maxInline+copyBufferSize) + "\r\n"
	s := newRequestSplitter(strings.NewReader(in))
	var got strings.Builder
	for range 1000 {
		req, _, err := s.next()
		got.Write(req)
		if err != nil {
			break
		}
	}
	if got.String() != in {
		t.Errorf("forwarded %d bytes of %d", got.Len(), len(in))
	}
}
