package repl

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// DefaultKeysThreshold is the number of keys in the database from which
// KEYS asks before it runs: KEYS blocks the server while it looks at
// every key.
const DefaultKeysThreshold = 100_000

// dbsizeTimeout bounds the DBSIZE that KEYS asks first.
const dbsizeTimeout = 2 * time.Second

// debugCrashes are the DEBUG subcommands that stop or crash the server.
var debugCrashes = []string{"segfault", "panic", "restart", "crash-and-recover", "assert", "oom"}

// guardReason says what words (a command without repeat prefix) would do
// that is worth a second thought, "" when nothing: FLUSHALL, FLUSHDB,
// SHUTDOWN (but SHUTDOWN ABORT), the DEBUG subcommands that crash or
// restart the server, and CLUSTER RESET. KEYS is judged by the size of
// the database (see Shell.confirm).
func guardReason(words []string) string {
	sub := ""
	if len(words) > 1 {
		sub = strings.ToLower(words[1])
	}
	switch strings.ToLower(words[0]) {
	case "flushall":
		return "deletes every key of every database"
	case "flushdb":
		return "deletes every key of the current database"
	case "shutdown":
		for _, w := range words[1:] {
			if strings.EqualFold(w, "abort") {
				return ""
			}
		}
		return "stops the server"
	case "debug":
		for _, c := range debugCrashes {
			if sub == c {
				return "crashes or restarts the server"
			}
		}
	case "cluster":
		if sub == "reset" {
			return "makes the node forget its slots and the other nodes"
		}
	}
	return ""
}

// confirm asks before a dangerous command (see guardReason, and KEYS on a
// database of KeysThreshold keys or more) and reports whether to run it.
// :set confirm off and Config.NoConfirm turn the question off; it is
// only asked in the interactive shell. Anything but y or yes, Ctrl-C and
// Ctrl-D answer no.
func (s *Shell) confirm(ctx context.Context, words []string) bool {
	if !s.opts().confirm || len(words) == 0 {
		return true
	}
	reason := guardReason(words)
	if reason == "" && strings.EqualFold(words[0], "keys") {
		reason = s.keysReason(ctx)
	}
	if reason == "" {
		return true
	}
	st := s.client.State()
	where := st.Addr
	switch {
	case st.Socket != "":
		where = st.Socket
	case st.Cluster:
		where = "the cluster (" + st.Addr + ")"
	}
	question := s.pal.warn.Sprint(strings.ToUpper(words[0])+" "+reason) + " on " + where + ". Run it? [y/N] "
	s.plain.Store(true)
	answer, err := s.ed.ReadLine(question)
	s.plain.Store(false)
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		if err == nil {
			return true
		}
	}
	s.print("Not run.\n")
	return false
}

// keysReason returns why KEYS deserves a question: the database holds
// KeysThreshold keys or more. Inside MULTI, or when DBSIZE does not
// answer, it says nothing.
func (s *Shell) keysReason(ctx context.Context) string {
	if s.client.State().InTx {
		return ""
	}
	dctx, cancel := context.WithTimeout(ctx, dbsizeTimeout)
	defer cancel()
	v, err := s.client.Do(dctx, redisx.Args("DBSIZE"))
	if err != nil || v.Kind != resp.KindInt || v.Int < s.cfg.KeysThreshold {
		return ""
	}
	return "looks at all " + groupDigits(v.Int) + " keys, blocking the server meanwhile (SCAN does not)"
}

// groupDigits writes n with thousands separated by commas.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
