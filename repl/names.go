package repl

import (
	"context"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// DataSource is implemented by clients that can ask the server, for Tab
// completion, the names an argument may take: hash fields, set members,
// configuration parameters, users, clients, channels.
type DataSource interface {
	// Lookup sends a read-only command for completion, on a connection
	// that is not the one the shell's commands use when it can be (that
	// one may be inside MULTI or subscribed). With a key, the command is
	// about that key and goes to the key's node in cluster mode; without,
	// it goes to the server, or to every primary in cluster mode. It
	// returns the replies it got by the time ctx ends.
	Lookup(ctx context.Context, key string, args [][]byte) []resp.Value
}

// nameKind is a kind of name completion asks the server for.
type nameKind int

// The kinds of names completion asks for.
const (
	nameField        nameKind = iota + 1 // fields of a hash: HSCAN
	nameSetMember                        // members of a set: SSCAN
	nameZSetMember                       // members of a sorted set: ZSCAN
	nameStreamID                         // entry IDs of a stream: XRANGE
	nameConfig                           // configuration parameters: CONFIG GET *
	nameUser                             // ACL users: ACL USERS
	nameClientID                         // client ids (and names): CLIENT LIST
	nameClientAddr                       // client addresses: CLIENT LIST
	nameClientLaddr                      // local addresses of clients: CLIENT LIST
	nameChannel                          // channels with subscribers: PUBSUB CHANNELS
	nameShardChannel                     // shard channels: PUBSUB SHARDCHANNELS
)

// nameQuery asks for the names of a kind (of key's value for fields,
// members and IDs) that start with prefix.
type nameQuery struct {
	kind   nameKind
	key    string
	prefix string
}

// nameCand is a name found: match is what the typed prefix is compared
// with, value what completion puts in the line (a client's name matches,
// its id is put in).
type nameCand struct{ match, value string }

// maxScanCalls bounds the SCAN-family calls of one lookup.
const maxScanCalls = 100

// lookupNames asks ds for the names q wants, bounded by ctx and
// maxKeyCandidates.
func lookupNames(ctx context.Context, ds DataSource, q nameQuery) []nameCand {
	var out []nameCand
	add := func(match, value string) {
		if strings.HasPrefix(match, q.prefix) && len(out) < maxKeyCandidates {
			out = append(out, nameCand{match, value})
		}
	}
	switch q.kind {
	case nameField, nameSetMember, nameZSetMember:
		cmd := map[nameKind]string{nameField: "HSCAN", nameSetMember: "SSCAN", nameZSetMember: "ZSCAN"}[q.kind]
		step := 1
		if q.kind != nameSetMember {
			step = 2 // field value, member score
		}
		cursor := "0"
		for range maxScanCalls {
			vs := ds.Lookup(ctx, q.key, redisx.Args(cmd, q.key, cursor, "MATCH", globEscape(q.prefix)+"*", "COUNT", "1000"))
			if len(vs) != 1 || len(vs[0].Elems) != 2 {
				break
			}
			page := flatPairs(vs[0].Elems[1]).Elems
			if vs[0].Elems[1].Kind == resp.KindMap {
				page = vs[0].Elems[1].Elems
			}
			for i := 0; i < len(page); i += step {
				add(page[i].Text(), page[i].Text())
			}
			cursor = vs[0].Elems[0].Text()
			if cursor == "0" || len(out) >= maxKeyCandidates || ctx.Err() != nil {
				break
			}
		}
	case nameStreamID:
		for _, v := range ds.Lookup(ctx, q.key, redisx.Args("XRANGE", q.key, "-", "+", "COUNT", strconv.Itoa(maxKeyCandidates))) {
			for _, e := range v.Elems {
				if len(e.Elems) > 0 {
					add(e.Elems[0].Text(), e.Elems[0].Text())
				}
			}
		}
	case nameConfig:
		for _, v := range ds.Lookup(ctx, "", redisx.Args("CONFIG", "GET", globEscape(q.prefix)+"*")) {
			for _, p := range v.Pairs() {
				add(p[0].Text(), p[0].Text())
			}
		}
	case nameUser:
		for _, v := range ds.Lookup(ctx, "", redisx.Args("ACL", "USERS")) {
			for _, e := range v.Elems {
				add(e.Text(), e.Text())
			}
		}
	case nameClientID, nameClientAddr, nameClientLaddr:
		for _, v := range ds.Lookup(ctx, "", redisx.Args("CLIENT", "LIST")) {
			for _, line := range strings.Split(v.Text(), "\n") {
				f := clientFields(line)
				switch q.kind {
				case nameClientID:
					if f["id"] != "" {
						add(f["id"], f["id"])
						if f["name"] != "" {
							add(f["name"], f["id"])
						}
					}
				case nameClientAddr:
					if f["addr"] != "" {
						add(f["addr"], f["addr"])
					}
				case nameClientLaddr:
					if f["laddr"] != "" {
						add(f["laddr"], f["laddr"])
					}
				}
			}
		}
	case nameChannel, nameShardChannel:
		sub := "CHANNELS"
		if q.kind == nameShardChannel {
			sub = "SHARDCHANNELS"
		}
		for _, v := range ds.Lookup(ctx, "", redisx.Args("PUBSUB", sub, globEscape(q.prefix)+"*")) {
			for _, e := range v.Elems {
				add(e.Text(), e.Text())
			}
		}
	}
	return out
}

// clientFields reads one line of CLIENT LIST: "id=5 addr=... name=x".
func clientFields(line string) map[string]string {
	f := map[string]string{}
	for _, kv := range strings.Fields(line) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			f[k] = v
		}
	}
	return f
}

// quoteStyle returns the quote a word being typed starts with, 0 for
// none.
func quoteStyle(typed string) byte {
	if typed != "" && (typed[0] == '"' || typed[0] == '\'') {
		return typed[0]
	}
	return 0
}

// needsQuotes reports whether name cannot be typed as a plain word: it is
// empty, holds a blank or a quote, or anything but printable UTF-8.
func needsQuotes(name string) bool {
	if name == "" {
		return true
	}
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError && size == 1 || !unicode.IsPrint(r) || unicode.IsSpace(r) || r == '"' || r == '\'' {
			return true
		}
		i += size
	}
	return false
}

// quoteName writes name as a word of the line: as it is when it needs no
// quotes and style is 0, in single quotes when style is a single quote
// and it has only printable text, else in double quotes with the escapes
// the line
// understands (\" \\ \n \r \t \a \b and \xhh), printable UTF-8 kept.
func quoteName(name string, style byte) string {
	if style == 0 && !needsQuotes(name) {
		return name
	}
	if style == '\'' && !strings.ContainsFunc(name, func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) }) {
		return "'" + strings.ReplaceAll(name, "'", `\'`) + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); {
		c := name[i]
		if c >= utf8.RuneSelf {
			if r, size := utf8.DecodeRuneInString(name[i:]); (r != utf8.RuneError || size > 1) && unicode.IsPrint(r) {
				b.WriteString(name[i : i+size])
				i += size
				continue
			}
		}
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteString(`\x` + string(hexDigit(c>>4)) + string(hexDigit(c&0xf)))
			}
		}
		i++
	}
	b.WriteByte('"')
	return b.String()
}

func hexDigit(n byte) byte { return "0123456789abcdef"[n] }

// Lookup runs args on the connection used for key completion, made when
// first needed (see DataSource).
func (s *Standalone) Lookup(ctx context.Context, _ string, args [][]byte) []resp.Value {
	v, err := s.scanClient().Do(ctx, args)
	if err != nil || v.Kind == resp.KindError {
		return nil
	}
	return []resp.Value{v}
}

// Lookup runs args on the key's node, or on every primary (see
// DataSource). Inside MULTI it asks nothing: the command would be queued.
func (s *Cluster) Lookup(ctx context.Context, key string, args [][]byte) []resp.Value {
	if s.c.InTx() {
		return nil
	}
	sel := redisx.SelectPrimaries
	if s.c.Connect(ctx) == nil && s.c.NoTopology() != nil {
		// No topology (a standalone server): the node the shell talks to.
		sel = redisx.SelectNode(s.c.LastAddr())
	} else if key != "" {
		t, err := s.c.Topology(ctx)
		if err != nil {
			return nil
		}
		owner := t.Owner(redisx.HashSlot([]byte(key)))
		if owner == nil {
			return nil
		}
		sel = redisx.SelectNode(owner.Addr)
	}
	replies, _ := s.c.DoNodes(ctx, sel, args)
	var out []resp.Value
	for _, r := range replies {
		if r.Err == nil && r.Value.Kind != resp.KindError {
			out = append(out, r.Value)
		}
	}
	return out
}
