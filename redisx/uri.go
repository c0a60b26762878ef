package redisx

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadURI is wrapped by every error ParseURI returns.
var ErrBadURI = errors.New("invalid URI")

// URI is a server address given as a URI (redis-cli's -u). Fields the URI
// does not give keep their zero value; the ...Set fields tell an empty
// value given on purpose ("redis://:@host") from one not given at all.
type URI struct {
	TLS bool // the scheme was rediss://

	User        string // ACL user name, percent-decoded
	UserSet     bool
	Password    string // percent-decoded
	PasswordSet bool

	Host   string // "" when the URI names no host; IPv6 without brackets, zone as "%eth0"
	Port   int    // 0 when the URI gives no port
	Socket string // unix socket path (unix:// scheme); Host and Port are then empty

	DB    int
	DBSet bool

	Timeout    time.Duration
	TimeoutSet bool

	// Sentinel, when not nil, says that the URI names sentinels to ask
	// for the primary, not the server itself (redis-sentinel://, or
	// redis:// with master_name=): Host, Port and Socket are then empty.
	Sentinel *SentinelURI
}

// URI schemes ParseURI accepts.
const (
	SchemeRedis       = "redis://"
	SchemeRedisTLS    = "rediss://"
	SchemeUnix        = "unix://"
	SchemeSentinel    = "redis-sentinel://"
	SchemeSentinelTLS = "rediss-sentinel://"
)

// ParseURI parses a server URI as redis-cli 7.0 does for -u:
//
//	redis://[[user]:password@]host[:port][/db]
//	rediss://...            (the same, over TLS)
//	unix://[[user]:password@]/path/to/socket
//
// A single word before the @ is the password, not the user, as in
// redis-cli: "redis://secret@host" authenticates the default user with
// "secret". User and password are percent-decoded, an IPv6 host is written
// in brackets ("redis://[::1]:7000"), and an empty host or port means the
// default. The scheme is case-insensitive.
//
// Beyond redis-cli, every scheme accepts the query parameters db=N (the
// database, instead of or equal to the /db path) and timeout=T (a Go
// duration such as "1.5s" or "500ms", or a number of seconds).
//
// Errors wrap ErrBadURI and say what is wrong: an unknown scheme, a port
// that is not a number from 1 to 65535, a db that is not a non-negative
// number, a broken percent-encoding, an unknown query parameter.
func ParseURI(s string) (URI, error) {
	var u URI
	rest, unix, err := u.parseScheme(s)
	if err != nil {
		return URI{}, err
	}
	if u.Sentinel != nil {
		if err := u.parseSentinelURI(rest); err != nil {
			return URI{}, err
		}
		return u, nil
	}

	// The user info ends at the first @, as in redis-cli: a password may
	// then hold ':', '/' and '?' without encoding, but not '@'.
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		if err := u.parseUserInfo(rest[:at]); err != nil {
			return URI{}, err
		}
		rest = rest[at+1:]
	}

	rest, query, hasQuery := strings.Cut(rest, "?")
	if unix {
		if err := u.parseSocket(rest); err != nil {
			return URI{}, err
		}
	} else if err := u.parseHostPortDB(rest); err != nil {
		return URI{}, err
	}
	if hasQuery {
		var sq sentinelQuery
		if err := u.parseQuery(query, &sq, !unix); err != nil {
			return URI{}, err
		}
		if err := u.applySentinelQuery(sq); err != nil {
			return URI{}, err
		}
	}
	return u, nil
}

func uriErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadURI}, args...)...)
}

// parseScheme sets TLS and returns what follows the scheme, and whether
// the scheme is unix://.
func (u *URI) parseScheme(s string) (rest string, unix bool, err error) {
	for _, scheme := range []string{SchemeRedisTLS, SchemeRedis, SchemeUnix, SchemeSentinel, SchemeSentinelTLS} {
		if len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			u.TLS = scheme == SchemeRedisTLS || scheme == SchemeSentinelTLS
			if scheme == SchemeSentinel || scheme == SchemeSentinelTLS {
				u.Sentinel = &SentinelURI{}
			}
			return s[len(scheme):], scheme == SchemeUnix, nil
		}
	}
	// Only the scheme is quoted back: the rest may hold a password.
	scheme, _, ok := strings.Cut(s, "://")
	if !ok || strings.ContainsAny(scheme, "@:/") {
		scheme = ""
	}
	return "", false, uriErr("unknown scheme %q: the scheme must be %s, %s or %s (%s or %s for Sentinel)",
		scheme, SchemeRedis, SchemeRedisTLS, SchemeUnix, SchemeSentinel, SchemeSentinelTLS)
}

func (u *URI) parseUserInfo(info string) error {
	pass := info
	if user, p, ok := strings.Cut(info, ":"); ok {
		dec, err := percentDecode(user)
		if err != nil {
			return uriErr("user: %w", err)
		}
		u.User, u.UserSet = dec, true
		pass = p
	}
	dec, err := percentDecode(pass)
	if err != nil {
		return uriErr("password: %w", err)
	}
	u.Password, u.PasswordSet = dec, true
	return nil
}

func (u *URI) parseSocket(rest string) error {
	path, err := percentDecode(rest)
	if err != nil {
		return uriErr("socket path: %w", err)
	}
	if path == "" {
		return uriErr("unix:// needs a socket path, as in unix:///run/redis.sock")
	}
	u.Socket = path
	return nil
}

func (u *URI) parseHostPortDB(rest string) error {
	hostport, db, hasDB := strings.Cut(rest, "/")
	if hasDB && db != "" {
		n, err := parseDB(db)
		if err != nil {
			return err
		}
		u.DB, u.DBSet = n, true
	}

	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return uriErr("host %q: missing ']' after an IPv6 address", hostport)
		}
		host, port = hostport[1:end], hostport[end+1:]
		if host == "" {
			return uriErr("host %q: empty IPv6 address", hostport)
		}
		// A zone is written "%25eth0" in a URI (RFC 6874) and often just
		// "%eth0"; both give "%eth0".
		host = strings.Replace(host, "%25", "%", 1)
		if port != "" {
			if port[0] != ':' {
				return uriErr("host %q: expected ':port' after ']'", hostport)
			}
			port = port[1:]
		}
	} else if h, p, ok := strings.Cut(hostport, ":"); ok {
		host, port = h, p
		if strings.Contains(p, ":") {
			return uriErr("host %q: an IPv6 address must be written in brackets, as in redis://[::1]:6379", hostport)
		}
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; c <= ' ' || c == 0x7f || strings.IndexByte("[]#", c) >= 0 {
			return uriErr("host %q: invalid character %q", host, c)
		}
	}
	u.Host = host
	if port != "" {
		n, err := parseDigits(port)
		if err != nil || n < 1 || n > 65535 {
			return uriErr("port %q: must be a number from 1 to 65535", port)
		}
		u.Port = n
	}
	return nil
}

// parseQuery reads the query parameters; with sentinel set, those of
// go-redis's Sentinel URIs too (master_name, addr, username, password),
// into sq.
func (u *URI) parseQuery(query string, sq *sentinelQuery, sentinel bool) error {
	if query == "" {
		return nil
	}
	for _, param := range strings.Split(query, "&") {
		key, val, _ := strings.Cut(param, "=")
		if sentinel {
			known, err := sq.parse(key, val)
			if err != nil {
				return err
			}
			if known {
				continue
			}
		}
		switch key {
		case "db":
			n, err := parseDB(val)
			if err != nil {
				return err
			}
			if u.DBSet && u.DB != n {
				return uriErr("db given twice, as %d and %d", u.DB, n)
			}
			u.DB, u.DBSet = n, true
		case "timeout":
			if u.TimeoutSet {
				return uriErr("timeout given twice")
			}
			d, err := parseTimeout(val)
			if err != nil {
				return err
			}
			u.Timeout, u.TimeoutSet = d, true
		default:
			if sentinel {
				return uriErr("unknown query parameter %q (known: db, timeout; for Sentinel: master_name, addr, username, password)", key)
			}
			return uriErr("unknown query parameter %q (known: db, timeout)", key)
		}
	}
	return nil
}

func parseDB(s string) (int, error) {
	n, err := parseDigits(s)
	if err != nil {
		return 0, uriErr("db %q: must be a non-negative number", s)
	}
	return n, nil
}

// parseDigits parses a non-empty string of decimal digits, without sign.
func parseDigits(s string) (int, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.Atoi(s)
}

// maxTimeout keeps a timeout given in seconds within time.Duration.
const maxTimeout = 1000 * 24 * time.Hour

func parseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || secs != secs || secs*float64(time.Second) > float64(maxTimeout) {
			return 0, uriErr("timeout %q: must be a duration such as 1.5s or 500ms, or a number of seconds", s)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 {
		return 0, uriErr("timeout %q: must not be negative", s)
	}
	return d, nil
}

// percentDecode decodes %XX escapes. Unlike net/url it leaves '+' alone:
// a password is not form data.
func percentDecode(s string) (string, error) {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		var c uint64
		err := strconv.ErrSyntax
		if i+2 < len(s) {
			c, err = strconv.ParseUint(s[i+1:i+3], 16, 8)
		}
		if err != nil {
			// The position, not the text: s may be a password.
			return "", fmt.Errorf("bad percent-encoding at byte %d: '%%' must be followed by two hex digits", i)
		}
		b = append(b, byte(c))
		i += 2
	}
	return string(b), nil
}

// ApplyURI sets the connection fields of o from u: Host, Port, Socket, User,
// Password, DB, and for a timeout both ConnectTimeout and Timeout. Like
// redis-cli, it sets only what the URI gives and leaves the rest alone, so
// options given before -u keep their values. TLS is left to the caller,
// which builds a tls.Config from u.TLS and the TLS flags.
func (o *Options) ApplyURI(u URI) {
	if u.Socket != "" {
		o.Socket = u.Socket
	}
	if u.Host != "" {
		o.Host = u.Host
	}
	if u.Port != 0 {
		o.Port = u.Port
	}
	if u.UserSet {
		o.User = u.User
	}
	if u.PasswordSet {
		o.Password, o.PasswordSet = u.Password, true
	}
	if u.DBSet {
		o.DB = u.DB
	}
	if u.TimeoutSet {
		o.ConnectTimeout = u.Timeout
		o.Timeout = u.Timeout
	}
}
