package redisx

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzReader feeds arbitrary bytes to a Reader. It must never panic or
// fail in an unexpected way, and every value it reads must survive a round
// trip through AppendValue. The seed corpus in testdata/fuzz/FuzzReader
// holds one reply of every type and a few malformed ones.
func FuzzReader(f *testing.F) {
	for _, tt := range validReplies {
		// Large seeds breed large inputs, which the fuzzing engine is
		// slow to minimize.
		if len(tt.in) <= 512 {
			f.Add([]byte(tt.in))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 512 {
			return // nothing is found in longer inputs that short ones miss
		}
		r := NewReader(bufio.NewReaderSize(bytes.NewReader(in), 16))
		// Every reply takes at least three bytes, so this bounds the loop
		// without cutting it short.
		for range len(in)/3 + 1 {
			v, err := r.ReadValue()
			if err != nil {
				var pe *ProtocolError
				if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &pe) {
					t.Fatalf("unexpected error %v (%T)", err, err)
				}
				return
			}
			wire := AppendValue(nil, v)
			back, err := NewReader(bufio.NewReader(bytes.NewReader(wire))).ReadValue()
			if err != nil {
				t.Fatalf("reading back %q (from %s): %v", wire, show(v), err)
			}
			if !equalValue(back, v) {
				t.Fatalf("round trip through %q\n got %s\nwant %s", wire, show(back), show(v))
			}
		}
	})
}

// hostileReplies declare more than they send: lengths and counts the
// bytes do not back, nesting, streamed types, lines that do not end.
var hostileReplies = []string{
	"*1073741824\r\n_\r\n_\r\n_\r\n",
	"%1073741824\r\n*0\r\n*0\r\n",
	"~1000\r\n:1\r\n:2\r\n",
	">1024\r\n+a\r\n",
	strings.Repeat("*1024\r\n", 40),
	strings.Repeat("*?\r\n", 40),
	strings.Repeat("%?\r\n_\r\n", 40),
	strings.Repeat("|1000\r\n", 20),
	"*?\r\n_\r\n_\r\n_\r\n.\r\n",
	"$536870912\r\nabc",
	"$1048576\r\nabc",
	"$?\r\n;536870912\r\nabc",
	"$?\r\n;1\r\na\r\n;1\r\nb\r\n;0\r\n",
	"!1000000\r\nERR",
	"=1000000\r\ntxt:",
	"+" + strings.Repeat("x", 300),
	"*3\r\n$1000\r\nab",
}

// FuzzReaderMemory reads arbitrary bytes with no allowance and checks
// what reading them allocates against the bytes the reader consumed:
// at most MemPerByte bytes per byte (and the allocator's rounding), plus
// a few hundred bytes per level of nesting and a constant for error
// values, whatever the input declares.
func FuzzReaderMemory(f *testing.F) {
	for _, tt := range validReplies {
		if len(tt.in) <= 4096 {
			f.Add([]byte(tt.in))
		}
	}
	for _, in := range hostileReplies {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 4096 {
			return
		}
		// TotalAlloc counts every goroutine's allocations, the fuzzing
		// engine's included: the least of three runs is the reader's.
		var consumed, allocated int64 = 0, -1
		replies := 0
		for range 3 {
			src := bytes.NewReader(in)
			r := NewReader(bufio.NewReaderSize(src, 16))
			r.allowance = 1
			replies = 0
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range len(in)/3 + 1 {
				if _, err := r.ReadValue(); err != nil {
					break
				}
				replies++
			}
			runtime.ReadMemStats(&after)
			consumed = int64(len(in) - src.Len() - r.Buffered())
			if n := int64(after.TotalAlloc - before.TotalAlloc); allocated < 0 || n < allocated {
				allocated = n
			}
		}
		// Every level of nesting costs a header of at least 4 bytes.
		levels := min(int64(DefaultMaxDepth), consumed/4+1) * int64(replies+1)
		limit := MemPerByte*consumed*9/8 + levels*perLevel + 8192
		if allocated > limit {
			t.Fatalf("%d bytes allocated for %d bytes consumed (%d replies), want at most %d", allocated, consumed, replies, limit)
		}
	})
}

// perLevel bounds what a level of nesting may allocate ahead of its
// elements: the smallest chunk and the start of the chunk list.
const perLevel = minChunkElems*valueSize + 64

// FuzzSplitArgs checks that SplitArgs never panics, and that the arguments
// of a line it splits, quoted with QuoteArg and joined, split back to the
// same arguments.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{
		"", "SET key value", `SET "a b" 'c d'`, `"\x41\x00\xff\n\r\t\b\a\\\"\q"`,
		`'it\'s'`, `foo"bar baz"`, `"foo"bar`, `"unterminated`, "a\vb \fc\t\r\n",
		"\xff\x00 \"\x00\"", `"\x4" '\'`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args, err := SplitArgs(line)
		if err != nil {
			if args != nil {
				t.Fatalf("SplitArgs(%q) returned %q with error %v", line, args, err)
			}
			if !errors.Is(err, ErrUnterminatedQuote) && !errors.Is(err, ErrQuoteNotFollowedBySpace) {
				t.Fatalf("SplitArgs(%q): unexpected error %v", line, err)
			}
			return
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = QuoteArg(a)
			if back, err := UnquoteArg(quoted[i]); err != nil || back != a {
				t.Fatalf("UnquoteArg(QuoteArg(%q)) = %q, %v", a, back, err)
			}
		}
		joined := strings.Join(quoted, " ")
		again, err := SplitArgs(joined)
		if err != nil || !slices.Equal(again, args) {
			t.Fatalf("SplitArgs(%q) = %q, %v; want %q (from line %q)", joined, again, err, args, line)
		}
	})
}

// FuzzParseURI checks that ParseURI never panics, that its errors wrap
// ErrBadURI, and that a parsed URI written back out parses to the same
// fields.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"redis://", "redis://localhost", "rediss://u:p@host:6380/2",
		"redis://:secret@[::1]:7000/1?timeout=1.5s", "redis://p%40ss@h",
		"redis://[fe80::1%25eth0]:1", "unix:///run/redis.sock?db=3&timeout=2",
		"unix://:pw@/tmp/a%20b", "REDIS://H:65535?db=0", "http://x",
		"redis://h:0", "redis://h/x", "redis://:%zz@h", "redis://[::1",
		"redis://h?timeout=1e300", "redis://h?foo=1",
		"redis-sentinel://pw@h1:26380,h2/1?timeout=2s#mymaster",
		"rediss-sentinel://[::1]?sentinelMasterId=m", "redis-sentinel://h",
		"redis://su:sp@h1:26379/2?master_name=m&addr=h2:5000&username=u&password=p",
		"redis://?master_name=m&addr=[::1]", "redis://h?addr=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			if !errors.Is(err, ErrBadURI) || u != (URI{}) {
				t.Fatalf("ParseURI(%q) = %+v, %v", s, u, err)
			}
			return
		}
		if u.Port < 0 || u.Port > 65535 || u.DB < 0 || u.Timeout < 0 ||
			(u.Socket != "" && (u.Host != "" || u.Port != 0 || u.TLS)) {
			t.Fatalf("ParseURI(%q) = %+v: fields out of range", s, u)
		}
		if u.Sentinel != nil && (u.Host != "" || u.Port != 0 || u.Socket != "" || len(u.Sentinel.Addrs) == 0 || u.Sentinel.MasterName == "") {
			t.Fatalf("ParseURI(%q) = %+v (%+v): a Sentinel URI with a server or without sentinels", s, u, *u.Sentinel)
		}
		out := formatURI(u)
		back, err := ParseURI(out)
		if err != nil || !reflect.DeepEqual(back, u) {
			t.Fatalf("ParseURI(%q) = %+v, %v; want %+v (written from %q)", out, back, err, u, s)
		}
	})
}

// formatURI writes u as a URI that ParseURI reads back to u.
func formatURI(u URI) string {
	if u.Sentinel != nil {
		return formatSentinelURI(u)
	}
	var b strings.Builder
	switch {
	case u.Socket != "":
		b.WriteString(SchemeUnix)
	case u.TLS:
		b.WriteString(SchemeRedisTLS)
	default:
		b.WriteString(SchemeRedis)
	}
	if u.UserSet {
		b.WriteString(percentEncode(u.User, ":@%") + ":")
	}
	if u.PasswordSet {
		b.WriteString(percentEncode(u.Password, "@%") + "@")
	}
	var query []string
	if u.Socket != "" {
		b.WriteString(percentEncode(u.Socket, "@%?"))
		if u.DBSet {
			query = append(query, "db="+strconv.Itoa(u.DB))
		}
	} else {
		if strings.Contains(u.Host, ":") {
			b.WriteString("[" + strings.Replace(u.Host, "%", "%25", 1) + "]")
		} else {
			b.WriteString(u.Host)
		}
		if u.Port != 0 {
			b.WriteString(":" + strconv.Itoa(u.Port))
		}
		if u.DBSet {
			b.WriteString("/" + strconv.Itoa(u.DB))
		}
	}
	if u.TimeoutSet {
		query = append(query, "timeout="+u.Timeout.String())
	}
	if len(query) > 0 {
		b.WriteString("?" + strings.Join(query, "&"))
	}
	return b.String()
}

func percentEncode(s, special string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(special, s[i]) >= 0 {
			b.WriteString("%" + strconv.FormatUint(uint64(s[i])>>4, 16) + strconv.FormatUint(uint64(s[i])&0xf, 16))
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// formatSentinelURI writes a Sentinel URI in go-redis's form, which can
// say everything: the first sentinel as the host, the others as addr=.
func formatSentinelURI(u URI) string {
	var b strings.Builder
	if u.TLS {
		b.WriteString(SchemeRedisTLS)
	} else {
		b.WriteString(SchemeRedis)
	}
	s := u.Sentinel
	if s.UserSet {
		b.WriteString(percentEncode(s.User, ":@%") + ":")
	}
	if s.PasswordSet {
		b.WriteString(percentEncode(s.Password, "@%") + "@")
	}
	host, port, _ := net.SplitHostPort(s.Addrs[0])
	if strings.Contains(host, ":") {
		b.WriteString("[" + strings.Replace(host, "%", "%25", 1) + "]")
	} else {
		b.WriteString(host)
	}
	b.WriteString(":" + port)
	if u.DBSet {
		b.WriteString("/" + strconv.Itoa(u.DB))
	}
	query := []string{"master_name=" + percentEncode(s.MasterName, "&%")}
	for _, a := range s.Addrs[1:] {
		query = append(query, "addr="+percentEncode(a, "&%"))
	}
	if u.UserSet {
		query = append(query, "username="+percentEncode(u.User, "&%"))
	}
	if u.PasswordSet {
		query = append(query, "password="+percentEncode(u.Password, "&%"))
	}
	if u.TimeoutSet {
		query = append(query, "timeout="+u.Timeout.String())
	}
	b.WriteString("?" + strings.Join(query, "&"))
	return b.String()
}
