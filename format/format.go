// Package format turns replies into the bytes redis-cli prints for them, in
// each of its output modes: the human TTY format, raw, CSV, JSON and quoted
// JSON.
//
// The output is byte-for-byte what redis-cli 7.0 writes to stdout, except
// where redis-cli fails and redish documents an improvement:
//
//   - RESP3 big numbers print as "(big number) 123..." in TTY mode and as
//     their digits in the other modes (redis-cli aborts).
//   - RESP3 attributes are shown before the reply they annotate in TTY mode,
//     as an "(attribute) " line holding the attribute map, and ignored in
//     the other modes (redis-cli aborts with a protocol error).
//   - JSON output is always valid JSON: see JSON and QuotedJSON.
//
// Formatting is append-based and allocates nothing beyond the growth of the
// caller's buffer, so bulk modes can reuse one buffer for every reply.
package format

import (
	"strconv"
	"strings"

	"github.com/redish/redish/resp"
)

// Mode is one of redis-cli's output formats.
type Mode int

// Output modes, named after the redis-cli flags that select them.
const (
	// TTY is the human format (--no-raw, or stdout is a terminal):
	// "(integer) 1", quoted and escaped strings, numbered aggregates.
	TTY Mode = iota
	// Raw is --raw (the default when stdout is not a terminal): strings
	// verbatim, aggregates flattened with Options.Delim, each reply
	// followed by Options.CmdDelim.
	Raw
	// CSV is --csv: one line per reply, elements comma-separated, strings
	// quoted and escaped as in TTY mode.
	CSV
	// JSON is --json: one JSON value per line. Strings keep their UTF-8;
	// control bytes are written as \u00XX and each byte that is not part of
	// a valid UTF-8 sequence as \u00XX too (the code point with the byte's
	// value), so no byte is lost and the line is always valid JSON.
	// An error reply is {"error":"ERR ..."} (redis-cli writes error:"..."),
	// RESP3 maps are objects (non-string keys are stringified), RESP2
	// map-shaped replies stay arrays, doubles that JSON cannot hold (inf,
	// -inf, nan) are strings, and big numbers are bare JSON numbers.
	JSON
	// QuotedJSON is --quoted-json: like JSON, but each string is first
	// escaped as in TTY mode (pure ASCII, \xhh for other bytes) and the
	// result is then escaped for JSON. Unlike redis-cli, quotes are escaped
	// too, so strings containing '"' stay valid JSON.
	QuotedJSON
)

var modeNames = [...]string{
	TTY:        "tty",
	Raw:        "raw",
	CSV:        "csv",
	JSON:       "json",
	QuotedJSON: "quoted-json",
}

// String returns the mode's name: "tty", "raw", "csv", "json" or
// "quoted-json".
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Options say how replies are formatted.
type Options struct {
	// Mode is the output format.
	Mode Mode
	// Delim separates the elements of a flattened aggregate in Raw mode
	// (redis-cli -d, default "\n"). It is used as given: an empty Delim
	// joins elements with nothing, like -d ''.
	Delim string
	// CmdDelim follows each reply in Raw mode (redis-cli -D, default "\n").
	// It is used as given, like Delim.
	CmdDelim string
	// Verbatim prints the reply in the raw format with no CmdDelim after
	// it, whatever the mode, as redis-cli does for the replies of INFO,
	// CLIENT LIST and the other commands VerbatimCommand recognises.
	Verbatim bool
	// Terminal says the output is a terminal. In TTY mode the text that
	// is printed unquoted (status, error, double and verbatim replies,
	// the keys of an invalidation push, and the replies Verbatim prints)
	// then has its control bytes escaped as \xhh (see AppendPrintable),
	// as bulk strings always are: a server cannot move the cursor,
	// rewrite the screen or set the window title. Raw mode, and TTY mode
	// into a pipe or a file, keep the bytes, as redis-cli does.
	Terminal bool
	// UTF8 prints bulk strings in TTY mode with their valid UTF-8 kept as
	// text (see EscapeUTF8) instead of redis-cli's \xhh escapes: the
	// shell's :set decode utf-8 and --decode utf-8. Other modes ignore it.
	UTF8 bool
}

// DefaultOptions returns the options redis-cli uses for mode m when no -d
// or -D is given: both delimiters "\n".
func DefaultOptions(m Mode) Options {
	return Options{Mode: m, Delim: "\n", CmdDelim: "\n"}
}

// Append appends to buf exactly the bytes redis-cli writes to stdout for
// the reply v of a command (including the trailing newline or CmdDelim),
// and returns the extended buffer.
//
// Error replies are written to stdout as redis-cli does: "(error) MSG\n" in
// TTY mode, "MSG\n" followed by CmdDelim in Raw mode, ERROR,"MSG" in CSV
// and {"error":"MSG"} in JSON. When the user asked for -e (exit on error),
// redis-cli writes nothing to stdout for an error reply: the caller must
// instead write the message followed by "\n" to stderr (ErrorLine) and
// exit with status 1, and not call Append for that reply.
//
// Values of an unknown Kind print as nil. A map with an odd number of
// elements prints its last key with a nil value.
func Append(buf []byte, v resp.Value, o Options) []byte {
	if o.Verbatim {
		if o.Mode == TTY && o.Terminal {
			start := len(buf)
			buf = appendRaw(buf, v, o.Delim)
			if printable(buf[start:]) {
				return buf
			}
			safe := AppendPrintable(nil, buf[start:])
			return append(buf[:start], safe...)
		}
		return appendRaw(buf, v, o.Delim)
	}
	switch o.Mode {
	case Raw:
		buf = appendRaw(buf, v, o.Delim)
		return append(buf, o.CmdDelim...)
	case CSV:
		buf = appendCSV(buf, v)
		return append(buf, '\n')
	case JSON, QuotedJSON:
		buf = appendJSON(buf, v, o.Mode == QuotedJSON)
		return append(buf, '\n')
	default:
		return appendTTY(buf, v, 0, ttyStyle{term: o.Terminal, utf8: o.UTF8})
	}
}

// AppendPush appends what redis-cli prints for a RESP3 push message that
// arrives outside the reply to a command (client-side caching
// invalidations, messages after a command with --show-pushes), and returns
// the extended buffer. It differs from Append only in TTY mode, where an
// invalidation of keys prints as "-> invalidate: 'k1', 'k2'", and in that it
// ignores Options.Verbatim. Whether pushes are shown at all (--show-pushes)
// is for the caller to decide.
func AppendPush(buf []byte, v resp.Value, o Options) []byte {
	o.Verbatim = false
	if o.Mode == TTY && isInvalidate(v) {
		buf = append(buf, "-> invalidate: "...)
		keys := v.Elems[1].Elems
		for i, k := range keys {
			buf = append(buf, '\'')
			start := len(buf)
			switch k.Kind {
			case resp.KindBulk, resp.KindStatus, resp.KindVerbatim:
				buf = append(buf, cstr(k.Str)...)
			default:
				buf = appendRaw(buf, k, "\n")
			}
			if o.Terminal && !printable(buf[start:]) {
				safe := AppendPrintable(nil, buf[start:])
				buf = append(buf[:start], safe...)
			}
			buf = append(buf, '\'')
			if i < len(keys)-1 {
				buf = append(buf, ", "...)
			}
		}
		return append(buf, '\n')
	}
	return Append(buf, v, o)
}

// isInvalidate reports whether v is a client-side caching invalidation of
// a list of keys, the push redis-cli prints specially.
func isInvalidate(v resp.Value) bool {
	return v.Kind == resp.KindPush && len(v.Elems) == 2 &&
		v.Elems[0].Kind == resp.KindBulk &&
		strings.HasPrefix(string(v.Elems[0].Str), "invalidate") &&
		v.Elems[1].Kind == resp.KindArray
}

// ErrorLine appends the line redis-cli writes to stderr for an error reply
// when -e is given: the message and "\n". It returns buf unchanged for a
// reply that is not an error. When terminal is true (stderr is one), the
// message's control bytes are escaped (see AppendPrintable).
func ErrorLine(buf []byte, v resp.Value, terminal bool) []byte {
	if v.Kind != resp.KindError {
		return buf
	}
	if terminal {
		buf = AppendPrintable(buf, cstr(v.Str))
	} else {
		buf = append(buf, cstr(v.Str)...)
	}
	return append(buf, '\n')
}

// VerbatimCommand reports whether redis-cli prints the reply to the command
// args (name first, any case) verbatim, in the raw format with no trailing
// delimiter, whatever the output mode: INFO, LOLWUT, CLIENT LIST/INFO,
// CLUSTER NODES/INFO, MEMORY DOCTOR/MALLOC-STATS, LATENCY DOCTOR/GRAPH,
// DEBUG HTSTATS/HTSTATS-KEY/CLIENT-EVICTION and PROXY INFO. The argument
// counts follow redis-cli: CLUSTER NODES only with no further argument,
// LATENCY GRAPH only with exactly one event name.
func VerbatimCommand(args []string) bool {
	if len(args) == 0 {
		return false
	}
	cmd := args[0]
	if strings.EqualFold(cmd, "info") || strings.EqualFold(cmd, "lolwut") {
		return true
	}
	if len(args) < 2 {
		return false
	}
	sub := args[1]
	is := func(name string, subs ...string) bool {
		if !strings.EqualFold(cmd, name) {
			return false
		}
		for _, s := range subs {
			if strings.EqualFold(sub, s) {
				return true
			}
		}
		return false
	}
	switch {
	case is("debug", "htstats", "htstats-key", "client-eviction"),
		is("memory", "malloc-stats", "doctor"),
		is("client", "list", "info"),
		is("proxy", "info"):
		return true
	case len(args) == 2 && (is("cluster", "nodes", "info") || is("latency", "doctor")):
		return true
	case len(args) == 3 && is("latency", "graph"):
		return true
	}
	return false
}

// VerbatimArgs is VerbatimCommand for a command as sent: only the first
// three arguments and whether there are more matter.
func VerbatimArgs(args [][]byte) bool {
	var head [4]string
	n := min(len(args), 3)
	for i := range n {
		head[i] = string(args[i])
	}
	if len(args) > 3 {
		head[3] = "..." // the argument-count rules concern commands of 2 or 3 words
		n = 4
	}
	return VerbatimCommand(head[:n])
}

// cstr returns b up to its first NUL byte: redis-cli prints status and
// error messages as C strings in some modes.
func cstr(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
