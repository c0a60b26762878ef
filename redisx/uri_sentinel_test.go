package redisx

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseSentinelURI(t *testing.T) {
	tests := []struct {
		uri  string
		want URI
	}{
		// Lettuce's form: the user info is for the data nodes.
		{"redis-sentinel://h1#mymaster", URI{Sentinel: &SentinelURI{MasterName: "mymaster", Addrs: []string{"h1:26379"}}}},
		{"redis-sentinel://:pw@h1:26380,h2,[::1]:5000/3?timeout=2s#my%20master", URI{
			UserSet: true, Password: "pw", PasswordSet: true, DB: 3, DBSet: true, Timeout: 2 * time.Second, TimeoutSet: true,
			Sentinel: &SentinelURI{MasterName: "my master", Addrs: []string{"h1:26380", "h2:26379", "[::1]:5000"}},
		}},
		{"rediss-sentinel://u:p#w@h?sentinelMasterId=m&db=1", URI{
			TLS: true, User: "u", UserSet: true, Password: "p#w", PasswordSet: true, DB: 1, DBSet: true,
			Sentinel: &SentinelURI{MasterName: "m", Addrs: []string{"h:26379"}},
		}},
		{"REDIS-SENTINEL://h,h:26379#m", URI{Sentinel: &SentinelURI{MasterName: "m", Addrs: []string{"h:26379"}}}},
		// go-redis's form: the user info is for the sentinels, username=
		// and password= for the data nodes.
		{"redis://S1:26379?master_name=NAME&addr=S2:26379", URI{
			Sentinel: &SentinelURI{MasterName: "NAME", Addrs: []string{"S1:26379", "S2:26379"}},
		}},
		{"rediss://su:sp@s1/2?master_name=m&addr=s2:5000&addr=s1&username=u&password=p%26q&timeout=1s", URI{
			TLS: true, User: "u", UserSet: true, Password: "p&q", PasswordSet: true, DB: 2, DBSet: true,
			Timeout: time.Second, TimeoutSet: true,
			Sentinel: &SentinelURI{MasterName: "m", Addrs: []string{"s1:26379", "s2:5000"},
				User: "su", UserSet: true, Password: "sp", PasswordSet: true},
		}},
		{"redis://?master_name=m&addr=[::1]", URI{Sentinel: &SentinelURI{MasterName: "m", Addrs: []string{"[::1]:26379"}}}},
		{"redis://:7000?master_name=m", URI{Sentinel: &SentinelURI{MasterName: "m", Addrs: []string{"127.0.0.1:7000"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			got, err := ParseURI(tt.uri)
			if err != nil {
				t.Fatalf("ParseURI(%q): %v", tt.uri, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseURI(%q)\n got %+v %+v\nwant %+v %+v", tt.uri, got, got.Sentinel, tt.want, tt.want.Sentinel)
			}
		})
	}
}

func TestParseSentinelURIErrors(t *testing.T) {
	for uri, want := range map[string]string{
		"redis-sentinel://h":                            "needs the primary's name after '#'",
		"redis-sentinel://h#":                           "needs the primary's name after '#'",
		"redis-sentinel://#m":                           "empty sentinel address",
		"redis-sentinel://h,,i#m":                       "empty sentinel address",
		"redis-sentinel://h:0#m":                        "port must be a number from 1 to 65535",
		"redis-sentinel://h?foo=1#m":                    `unknown query parameter "foo" (known: db, timeout, sentinelMasterId)`,
		"redis-sentinel://h?sentinelMasterId=a#b":       `primary name given twice, as "b" and "a"`,
		"redis-sentinel://h/x#m":                        `db "x"`,
		"redis-sentinel://h#m%zz":                       "primary name: bad percent-encoding",
		"redis-sentinel://:secret%@h#m":                 "password: bad percent-encoding",
		"redis-sentinel://h%20x#m":                      "invalid character ' ' in the host",
		"redis://h?addr=s2":                             "they need master_name=",
		"redis://h?password=secret":                     "they need master_name=",
		"redis://h?master_name=":                        "master_name is empty",
		"redis://h?master_name=a&master_name=b":         "master_name given twice",
		"redis://?master_name=m":                        "no sentinel address",
		"redis://h?master_name=m&addr=":                 "empty sentinel address",
		"redis://h?master_name=m&addr=::1":              "must be written in brackets",
		"redis://h?master_name=m&password=a&password=b": "password given twice",
		"redis://h?master_name=m&foo=1":                 `unknown query parameter "foo" (known: db, timeout; for Sentinel: master_name, addr, username, password)`,
		"unix:///s?master_name=m":                       `unknown query parameter "master_name" (known: db, timeout)`,
	} {
		t.Run(uri, func(t *testing.T) {
			got, err := ParseURI(uri)
			if err == nil || !errors.Is(err, ErrBadURI) || !strings.Contains(err.Error(), want) {
				t.Fatalf("ParseURI(%q) = %+v, %v; want an error with %q", uri, got, err, want)
			}
			if !reflect.DeepEqual(got, URI{}) {
				t.Errorf("ParseURI(%q) returned %+v with its error", uri, got)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}
