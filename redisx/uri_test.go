package redisx

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		uri  string
		want URI
	}{
		{"redis://", URI{}},
		{"redis://localhost", URI{Host: "localhost"}},
		{"redis://127.0.0.1:7000", URI{Host: "127.0.0.1", Port: 7000}},
		{"redis://host:65535/15", URI{Host: "host", Port: 65535, DB: 15, DBSet: true}},
		{"redis://host/0", URI{Host: "host", DBSet: true}},
		{"redis://host/", URI{Host: "host"}},
		{"redis://host:", URI{Host: "host"}},
		{"redis://:7000", URI{Port: 7000}},
		{"redis:///3", URI{DB: 3, DBSet: true}},
		{"REDIS://Host", URI{Host: "Host"}},
		{"rediss://host:6380", URI{TLS: true, Host: "host", Port: 6380}},
		{"RedisS://host", URI{TLS: true, Host: "host"}},
		{"redis://[::1]:7000/2", URI{Host: "::1", Port: 7000, DB: 2, DBSet: true}},
		{"redis://[fe80::1%25eth0]:7000", URI{Host: "fe80::1%eth0", Port: 7000}},
		{"redis://[fe80::1%eth0]", URI{Host: "fe80::1%eth0"}},
		{"redis://[::1]", URI{Host: "::1"}},
		{"redis://[::1]:", URI{Host: "::1"}},

		// User info: a single word is the password, as in redis-cli.
		{"redis://secret@host", URI{Password: "secret", PasswordSet: true, Host: "host"}},
		{"redis://:secret@host", URI{UserSet: true, Password: "secret", PasswordSet: true, Host: "host"}},
		{"redis://alice:secret@host:7000/1", URI{
			User: "alice", UserSet: true, Password: "secret", PasswordSet: true,
			Host: "host", Port: 7000, DB: 1, DBSet: true,
		}},
		{"redis://alice:@host", URI{User: "alice", UserSet: true, PasswordSet: true, Host: "host"}},
		{"redis://@host", URI{PasswordSet: true, Host: "host"}},
		{"redis://:pass@", URI{UserSet: true, Password: "pass", PasswordSet: true}},
		{"redis://alice:pa:ss/?x@host", URI{User: "alice", UserSet: true, Password: "pa:ss/?x", PasswordSet: true, Host: "host"}},
		{"redis://al%69ce:p%40ss%3a%2F+%25@host", URI{User: "alice", UserSet: true, Password: "p@ss:/+%", PasswordSet: true, Host: "host"}},
		{"redis://:%00%ff@host", URI{UserSet: true, Password: "\x00\xff", PasswordSet: true, Host: "host"}},

		// Query parameters.
		{"redis://host?db=4", URI{Host: "host", DB: 4, DBSet: true}},
		{"redis://host/4?db=4", URI{Host: "host", DB: 4, DBSet: true}},
		{"redis://host?timeout=1.5s", URI{Host: "host", Timeout: 1500 * time.Millisecond, TimeoutSet: true}},
		{"redis://host?timeout=2", URI{Host: "host", Timeout: 2 * time.Second, TimeoutSet: true}},
		{"redis://host?timeout=0.25", URI{Host: "host", Timeout: 250 * time.Millisecond, TimeoutSet: true}},
		{"redis://host?timeout=0", URI{Host: "host", TimeoutSet: true}},
		{"redis://host:1/?db=2&timeout=500ms", URI{Host: "host", Port: 1, DB: 2, DBSet: true, Timeout: 500 * time.Millisecond, TimeoutSet: true}},
		{"redis://host?", URI{Host: "host"}},
		{"rediss://u:p@[::1]:7000/1?timeout=1s", URI{
			TLS: true, User: "u", UserSet: true, Password: "p", PasswordSet: true,
			Host: "::1", Port: 7000, DB: 1, DBSet: true, Timeout: time.Second, TimeoutSet: true,
		}},

		// Unix sockets.
		{"unix:///run/redis.sock", URI{Socket: "/run/redis.sock"}},
		{"UNIX:///run/redis.sock?db=3&timeout=1s", URI{Socket: "/run/redis.sock", DB: 3, DBSet: true, Timeout: time.Second, TimeoutSet: true}},
		{"unix://:secret@/run/redis.sock", URI{Socket: "/run/redis.sock", UserSet: true, Password: "secret", PasswordSet: true}},
		{"unix:///tmp/my%20dir/r%3F.sock", URI{Socket: "/tmp/my dir/r?.sock"}},
		{"unix://redis.sock", URI{Socket: "redis.sock"}},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			got, err := ParseURI(tt.uri)
			if err != nil {
				t.Fatalf("ParseURI(%q): %v", tt.uri, err)
			}
			if got != tt.want {
				t.Errorf("ParseURI(%q)\n got %+v\nwant %+v", tt.uri, got, tt.want)
			}
		})
	}
}

func TestParseURIErrors(t *testing.T) {
	tests := []struct {
		uri  string
		want string // a part of the message
	}{
		{"", `unknown scheme "": the scheme must be redis://, rediss:// or unix://`},
		{"localhost:6379", "scheme must be"},
		{"http://host", `unknown scheme "http"`},
		{"redis:/:secret@h://x", `unknown scheme ""`},
		{"redis:/host", "scheme must be"},
		{"redis:host", "scheme must be"},
		{"redis://:secret@host:abc", `port "abc"`},
		{"redis://:secret%@host", "password: bad percent-encoding at byte 6"},
		{"rediss//:secret@host", `unknown scheme ""`},
		{"redis://host:0", `port "0"`},
		{"redis://host:65536", `port "65536"`},
		{"redis://host:-1", `port "-1"`},
		{"redis://host:+80", `port "+80"`},
		{"redis://host: 80", `port " 80"`},
		{"redis://host:99999999999999999999999", "port"},
		{"redis://::1", "must be written in brackets"},
		{"redis://[::1", "missing ']'"},
		{"redis://[::1]x", "expected ':port'"},
		{"redis://[]:6379", "empty IPv6 address"},
		{"redis://[::1]:x", `port "x"`},
		{"redis://ho st", "invalid character"},
		{"redis://ho#st", "invalid character"},
		{"redis://a]b", "invalid character"},
		{"redis://host/abc", `db "abc"`},
		{"redis://host/-1", `db "-1"`},
		{"redis://host/1/2", `db "1/2"`},
		{"redis://host/99999999999999999999", "db"},
		{"redis://host?db=", `db ""`},
		{"redis://host?db=x", `db "x"`},
		{"redis://host/1?db=2", "db given twice"},
		{"redis://host?timeout=abc", `timeout "abc"`},
		{"redis://host?timeout=-1s", "must not be negative"},
		{"redis://host?timeout=-1", "must not be negative"},
		{"redis://host?timeout=nan", `timeout "nan"`},
		{"redis://host?timeout=inf", `timeout "inf"`},
		{"redis://host?timeout=1e300", `timeout "1e300"`},
		{"redis://host?timeout=1s&timeout=2s", "timeout given twice"},
		{"redis://host?foo=bar", `unknown query parameter "foo" (known: db, timeout; for Sentinel: master_name, addr, username, password)`},
		{"redis://host?db=1&", `unknown query parameter ""`},
		{"redis://:p%4@host", "password: bad percent-encoding at byte 1"},
		{"redis://:p%@host", "password: bad percent-encoding"},
		{"redis://:p%zz@host", "'%' must be followed by two hex digits"},
		{"redis://u%g1:p@host", "user: bad percent-encoding"},
		{"unix://", "needs a socket path"},
		{"unix://?db=1", "needs a socket path"},
		{"unix:///x%2", "socket path: bad percent-encoding"},
		{"unix:///x?db=-1", `db "-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			got, err := ParseURI(tt.uri)
			if err == nil {
				t.Fatalf("ParseURI(%q) = %+v, want an error", tt.uri, got)
			}
			if !errors.Is(err, ErrBadURI) {
				t.Errorf("ParseURI(%q) error %v does not wrap ErrBadURI", tt.uri, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseURI(%q) error %q does not contain %q", tt.uri, err, tt.want)
			}
			if got != (URI{}) {
				t.Errorf("ParseURI(%q) returned %+v with its error", tt.uri, got)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseURI(%q) error %q shows the password", tt.uri, err)
			}
		})
	}
}

func TestApplyURI(t *testing.T) {
	before := Options{Host: "h0", Port: 7000, Socket: "/s0", User: "u0", Password: "p0", DB: 5, Timeout: time.Minute, ConnectTimeout: time.Hour}
	tests := []struct {
		name string
		uri  string
		want Options
	}{
		{"nothing given keeps everything", "redis://", before},
		{"host only keeps the port", "redis://h1", func() Options {
			o := before
			o.Host = "h1"
			return o
		}()},
		{"everything", "rediss://u1:p1@h1:7001/2?timeout=3s", Options{
			Host: "h1", Port: 7001, Socket: "/s0", User: "u1", Password: "p1", PasswordSet: true, DB: 2,
			Timeout: 3 * time.Second, ConnectTimeout: 3 * time.Second,
		}},
		{"empty user given", "redis://:p1@", func() Options {
			o := before
			o.User, o.Password, o.PasswordSet = "", "p1", true
			return o
		}()},
		{"empty password given", "redis://u1:@", func() Options {
			o := before
			o.User, o.Password, o.PasswordSet = "u1", "", true
			return o
		}()},
		{"socket", "unix:///s1?db=0", func() Options {
			o := before
			o.Socket, o.DB = "/s1", 0
			return o
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseURI(tt.uri)
			if err != nil {
				t.Fatal(err)
			}
			got := before
			got.ApplyURI(u)
			if got != tt.want {
				t.Errorf("ApplyURI(%q)\n got %+v\nwant %+v", tt.uri, got, tt.want)
			}
			if got.TLS != nil {
				t.Errorf("ApplyURI(%q) set TLS", tt.uri)
			}
		})
	}
}
