package redisx

import (
	"strconv"
	"strings"
)

// SentinelURI is what a URI says of the sentinels when it names them
// rather than a server (see ParseURI).
type SentinelURI struct {
	// MasterName is the name the sentinels know the primary by.
	MasterName string
	// Addrs are the sentinels, "host:port" (port 26379 when the URI
	// gives none), in the URI's order.
	Addrs []string
	// User and Password authenticate to the sentinels; the ...Set fields
	// tell an empty value given from none (go-redis's form only: its
	// user info is for the sentinels).
	User        string
	UserSet     bool
	Password    string
	PasswordSet bool
}

// parseSentinelURI parses what follows redis-sentinel:// or
// rediss-sentinel://, Lettuce's form:
//
//	redis-sentinel://[[user]:password@]host1[:port1][,host2[:port2]...][/db][?params]#name
//
// The user info authenticates to the primary and the replicas, as in
// Lettuce; the sentinels' credentials are given separately. The primary's
// name comes after '#' or as sentinelMasterId=NAME; db and timeout are
// accepted as for redis://.
func (u *URI) parseSentinelURI(rest string) error {
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		if err := u.parseUserInfo(rest[:at]); err != nil {
			return err
		}
		rest = rest[at+1:]
	}
	rest, fragment, hasFragment := strings.Cut(rest, "#")
	if hasFragment {
		name, err := percentDecode(fragment)
		if err != nil {
			return uriErr("primary name: %w", err)
		}
		u.Sentinel.MasterName = name
	}
	rest, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery && query != "" {
		for _, param := range strings.Split(query, "&") {
			key, val, _ := strings.Cut(param, "=")
			switch key {
			case "sentinelMasterId":
				name, err := percentDecode(val)
				if err != nil {
					return uriErr("sentinelMasterId: %w", err)
				}
				if u.Sentinel.MasterName != "" && u.Sentinel.MasterName != name {
					return uriErr("primary name given twice, as %q and %q", u.Sentinel.MasterName, name)
				}
				u.Sentinel.MasterName = name
			case "db", "timeout":
				if err := u.parseQuery(param, nil, false); err != nil {
					return err
				}
			default:
				return uriErr("unknown query parameter %q (known: db, timeout, sentinelMasterId)", key)
			}
		}
	}
	hosts, db, hasDB := strings.Cut(rest, "/")
	if hasDB && db != "" {
		n, err := parseDB(db)
		if err != nil {
			return err
		}
		if u.DBSet && u.DB != n {
			return uriErr("db given twice, as %d and %d", n, u.DB)
		}
		u.DB, u.DBSet = n, true
	}
	for _, h := range strings.Split(hosts, ",") {
		addr, err := uriSentinelAddr(h)
		if err != nil {
			return err
		}
		if !containsString(u.Sentinel.Addrs, addr) {
			u.Sentinel.Addrs = append(u.Sentinel.Addrs, addr)
		}
	}
	if u.Sentinel.MasterName == "" {
		return uriErr("a Sentinel URI needs the primary's name after '#', as in redis-sentinel://127.0.0.1:26379#mymaster")
	}
	return nil
}

// uriSentinelAddr reads one sentinel address of a URI.
func uriSentinelAddr(s string) (string, error) {
	dec, err := percentDecode(s)
	if err != nil {
		return "", uriErr("sentinel address: %w", err)
	}
	if dec == "" {
		return "", uriErr("empty sentinel address")
	}
	addr, err := parseSentinelAddr(dec)
	if err != nil {
		return "", uriErr("%w", err)
	}
	return addr, nil
}

// sentinelQuery holds the query parameters of go-redis's Sentinel URIs.
type sentinelQuery struct {
	masterName        string
	masterSet         bool
	addrs             []string
	user, pass        string
	userSet, passSet  bool
	anyButMasterGiven bool
}

// parse reads one parameter, reporting whether it is one of go-redis's
// Sentinel parameters.
func (q *sentinelQuery) parse(key, val string) (bool, error) {
	dec := func(what string) (string, error) {
		v, err := percentDecode(val)
		if err != nil {
			return "", uriErr("%s: %w", what, err)
		}
		return v, nil
	}
	var err error
	switch key {
	case "master_name":
		if q.masterSet {
			return true, uriErr("master_name given twice")
		}
		q.masterName, err = dec("master_name")
		q.masterSet = true
	case "addr":
		var addr string
		if addr, err = uriSentinelAddr(val); err == nil {
			q.addrs = append(q.addrs, addr)
		}
		q.anyButMasterGiven = true
	case "username":
		if q.userSet {
			return true, uriErr("username given twice")
		}
		q.user, err = dec("username")
		q.userSet, q.anyButMasterGiven = true, true
	case "password":
		if q.passSet {
			return true, uriErr("password given twice")
		}
		// The position only: the value is a password.
		q.pass, err = dec("password")
		q.passSet, q.anyButMasterGiven = true, true
	default:
		return false, nil
	}
	return true, err
}

// applySentinelQuery turns a redis:// URI with master_name= into a
// Sentinel URI, as go-redis's ParseFailoverURL reads it:
//
//	redis://[[user]:password@]host[:port][/db]?master_name=NAME[&addr=host2:port2...][&username=U][&password=P]
//
// The host and every addr= are sentinels (port 26379 when none is
// given); the user info authenticates to the sentinels, and username=
// and password= to the primary and the replicas.
func (u *URI) applySentinelQuery(q sentinelQuery) error {
	if !q.masterSet {
		if q.anyButMasterGiven {
			return uriErr("addr=, username= and password= describe sentinels: they need master_name=, the primary's name")
		}
		return nil
	}
	if q.masterName == "" {
		return uriErr("master_name is empty")
	}
	s := &SentinelURI{
		MasterName: q.masterName,
		User:       u.User, UserSet: u.UserSet,
		Password: u.Password, PasswordSet: u.PasswordSet,
	}
	if u.Host != "" || u.Port != 0 {
		host := u.Host
		if host == "" {
			host = "127.0.0.1"
		}
		addr, err := parseSentinelAddr(joinHostPortMaybe(host, u.Port))
		if err != nil {
			return uriErr("%w", err)
		}
		s.Addrs = append(s.Addrs, addr)
	}
	for _, a := range q.addrs {
		if !containsString(s.Addrs, a) {
			s.Addrs = append(s.Addrs, a)
		}
	}
	if len(s.Addrs) == 0 {
		return uriErr("no sentinel address: give one as the host, or as addr=")
	}
	u.Host, u.Port = "", 0
	u.User, u.UserSet, u.Password, u.PasswordSet = q.user, q.userSet, q.pass, q.passSet
	u.Sentinel = s
	return nil
}

// joinHostPortMaybe writes host with its port, if any, in the form
// parseSentinelAddr reads.
func joinHostPortMaybe(host string, port int) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == 0 {
		return host
	}
	return host + ":" + strconv.Itoa(port)
}
