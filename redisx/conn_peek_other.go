//go:build !unix

package redisx

import "net"

// peerClosed cannot peek at a socket here: the connection is taken as
// open, and a closed one fails when used.
func peerClosed(net.Conn) bool { return false }
