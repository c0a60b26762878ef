package redisx

import (
	"errors"
	"net"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

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
