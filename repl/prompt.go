package repl

import (
	"strconv"
)

// renderPrompt returns the prompt for st, as redis-cli spells it:
//
//	127.0.0.1:6379>         connected, database 0
//	127.0.0.1:6379[2]>      database 2
//	127.0.0.1:6379(TX)>     inside MULTI
//	redis /tmp/r.sock>      over a unix socket
//	not connected>          the last connection attempt failed
//
// In cluster mode the address is the node the last command went to, and
// the prompt says it is a cluster: "cluster 127.0.0.1:7002> ". Through
// Sentinel it names the primary: "sentinel mymaster 127.0.0.1:6380> ".
func renderPrompt(st State, p palette) string {
	if !st.Connected {
		return p.down.Sprint("not connected") + "> "
	}
	var s string
	switch {
	case st.Socket != "":
		s = p.addr.Sprint("redis " + st.Socket)
	case st.Cluster:
		s = "cluster " + p.addr.Sprint(st.Addr)
	case st.Sentinel != "":
		s = "sentinel " + st.Sentinel + " " + p.addr.Sprint(st.Addr)
	default:
		s = p.addr.Sprint(st.Addr)
	}
	if st.DB != 0 {
		s += p.db.Sprint("[" + strconv.Itoa(st.DB) + "]")
	}
	if st.InTx {
		s += p.tx.Sprint("(TX)")
	}
	return s + "> "
}
