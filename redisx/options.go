package redisx

import (
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"time"
)

// Options say how to reach a server and set up the session on it.
// The zero value dials 127.0.0.1:6379 over TCP with RESP2 and no auth.
type Options struct {
	Host   string // default "127.0.0.1"
	Port   int    // default 6379
	Socket string // unix socket path; when set, Host and Port are ignored

	// TLS, when not nil, wraps the connection in TLS with this config.
	TLS *tls.Config

	User     string // ACL user; empty means "default" (AUTH with one argument)
	Password string // empty means no AUTH, unless PasswordSet
	// PasswordSet sends AUTH even when Password is empty, as redis-cli
	// does for -a '': a user with nopass accepts any password, the empty
	// one included.
	PasswordSet bool
	DB          int    // SELECT after connecting when not 0
	Name        string // CLIENT SETNAME after connecting when not empty
	// Protocol is 2 or 3. 3 sends HELLO 3 and falls back to RESP2 when the
	// server does not know HELLO. 0 means 2.
	Protocol int
	// ForceProtocol makes a refused HELLO 3 an error instead of a fallback
	// (for -3, where the user asked for RESP3 explicitly).
	ForceProtocol bool

	ConnectTimeout time.Duration // 0 means no timeout
	Timeout        time.Duration // read/write deadline per command; 0 means none

	// badAddr is the address of a cluster node that a server gave with no
	// usable port ("10.0.0.1:0"): Dial fails for it rather than reach the
	// default port, where another server may run the command.
	badAddr string
}

// errNoPort is the dial error of a node address without a usable port.
var errNoPort = errors.New("the cluster gave this node no usable port")

// Addr returns the address as redis-cli names it in messages:
// "host:port" (IPv6 hosts in brackets) or the socket path.
func (o *Options) Addr() string {
	if o.badAddr != "" {
		return o.badAddr
	}
	if o.Socket != "" {
		return o.Socket
	}
	return net.JoinHostPort(o.host(), strconv.Itoa(o.port()))
}

// Network returns "unix" or "tcp".
func (o *Options) Network() string {
	if o.Socket != "" {
		return "unix"
	}
	return "tcp"
}

func (o *Options) host() string {
	if o.Host == "" {
		return "127.0.0.1"
	}
	return o.Host
}

// authenticates reports whether the handshake sends AUTH.
func (o *Options) authenticates() bool { return o.Password != "" || o.PasswordSet }

func (o *Options) port() int {
	if o.Port == 0 {
		return 6379
	}
	return o.Port
}
