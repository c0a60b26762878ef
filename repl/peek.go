package repl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/format"
	"github.com/redish/redish/redisx"
	"github.com/redish/redish/resp"
)

// peekItems is how many items peek shows when not told.
const peekItems = 10

// peekBytes is how much of a string value peek shows.
const peekBytes = 512

// peekUsage is the syntax of peek.
const peekUsage = "peek KEY [COUNT]"

// peek is the "peek KEY [COUNT]" built-in (also ":peek"): the key's type,
// encoding, time to live, memory use, length and its first COUNT items
// (10 when not given) in the type's natural form. Every command it sends
// names the key, so in cluster mode each goes to the key's node.
func (s *Shell) peek(ctx context.Context, args []string) {
	if len(args) < 1 || len(args) > 2 {
		s.errorf("usage: %s", peekUsage)
		return
	}
	n := peekItems
	if len(args) == 2 {
		c, err := strconv.Atoi(args[1])
		if err != nil || c < 0 {
			s.errorf("peek: COUNT must be a number of 0 or more, not %q", args[1])
			return
		}
		n = c
	}
	if s.client.State().InTx {
		s.errorf("peek cannot run inside MULTI: its commands would be queued (EXEC or DISCARD first)")
		return
	}
	var text []byte
	var err error
	s.interruptible(ctx, func(ctx context.Context) { text, err = s.peekText(ctx, args[0], n) })
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
			s.errorf("peek: %s", s.cfg.Describe(err))
		}
		return
	}
	if !s.page(text) {
		s.cfg.Out.Write(text)
	}
}

// peekText asks the server about key and returns what peek prints.
func (s *Shell) peekText(ctx context.Context, key string, n int) ([]byte, error) {
	do := func(args ...string) (resp.Value, error) {
		v, err := s.client.Do(ctx, redisx.Args(args...))
		if err == nil && v.Kind == resp.KindError && strings.HasPrefix(v.Text(), "MOVED") {
			err = errors.New(v.Text())
		}
		return v, err
	}
	typ, err := do("TYPE", key)
	if err != nil {
		return nil, err
	}
	if typ.Kind == resp.KindError {
		return nil, errors.New(typ.Text())
	}
	var b []byte
	line := func(label, value string) {
		b = fmt.Appendf(b, "%-9s %s\n", label, value)
	}
	line("key", string(format.Escape(nil, []byte(key))))
	if typ.Text() == "none" {
		line("type", "none (the key does not exist)")
		return b, nil
	}
	line("type", typ.Text())
	if v, err := do("OBJECT", "ENCODING", key); err != nil {
		return nil, err
	} else if v.Kind != resp.KindError {
		line("encoding", v.Text())
	}
	ttl, err := do("PTTL", key)
	if err != nil {
		return nil, err
	}
	line("ttl", ttlText(ttl))
	if v, err := do("MEMORY", "USAGE", key); err != nil {
		return nil, err
	} else if v.Kind == resp.KindInt {
		line("memory", groupDigits(v.Int)+" bytes")
	}

	var lengthCmd, unit string
	var items []string
	var shape func(resp.Value) resp.Value
	count := strconv.Itoa(n)
	switch typ.Text() {
	case "string":
		lengthCmd, unit = "STRLEN", "bytes"
	case "list":
		lengthCmd, unit = "LLEN", "elements"
		items = []string{"LRANGE", key, "0", strconv.Itoa(n - 1)}
	case "hash":
		lengthCmd, unit = "HLEN", "fields"
		items = []string{"HSCAN", key, "0", "COUNT", count}
		shape = func(v resp.Value) resp.Value { return pairsMap(scanPage(v), n) }
	case "set":
		lengthCmd, unit = "SCARD", "members"
		items = []string{"SSCAN", key, "0", "COUNT", count}
		shape = func(v resp.Value) resp.Value {
			page := scanPage(v)
			page.Kind = resp.KindSet
			page.Elems = page.Elems[:min(n, len(page.Elems))]
			return page
		}
	case "zset":
		lengthCmd, unit = "ZCARD", "members"
		items = []string{"ZRANGE", key, "0", strconv.Itoa(n - 1), "WITHSCORES"}
		shape = func(v resp.Value) resp.Value { return pairsMap(flatPairs(v), n) }
	case "stream":
		lengthCmd, unit = "XLEN", "entries"
		items = []string{"XRANGE", key, "-", "+", "COUNT", count}
	}
	if lengthCmd != "" {
		if v, err := do(lengthCmd, key); err != nil {
			return nil, err
		} else if v.Kind == resp.KindInt {
			line("length", groupDigits(v.Int)+" "+unit)
		}
	}
	o := format.DefaultOptions(format.TTY)
	o.Terminal = s.cfg.Format.Terminal
	o.UTF8 = s.opts().decode
	switch {
	case typ.Text() == "string":
		v, err := do("GETRANGE", key, "0", strconv.Itoa(peekBytes-1))
		if err != nil {
			return nil, err
		}
		b = append(b, "value     "...)
		b = format.Append(b, s.cfg.Secrets.MaskReply(v), o)
		if strlen, ok := lastLength(b); ok && strlen > peekBytes {
			b = fmt.Appendf(b, "          (the first %d bytes)\n", peekBytes)
		}
	case items != nil && n > 0:
		v, err := do(items...)
		if err != nil {
			return nil, err
		}
		if v.Kind == resp.KindError {
			return nil, errors.New(v.Text())
		}
		if shape != nil {
			v = shape(v)
		}
		b = fmt.Appendf(b, "first %d %s:\n", min(n, max(v.Len(), 0)), unit)
		b = format.Append(b, s.cfg.Secrets.MaskReply(v), o)
	}
	return b, nil
}

// lastLength finds the "length N bytes" line peek wrote.
func lastLength(b []byte) (int64, bool) {
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "length    "); ok {
			n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSuffix(rest, " bytes"), ",", ""), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// ttlText says what PTTL's reply means.
func ttlText(v resp.Value) string {
	if v.Kind != resp.KindInt {
		return v.Text()
	}
	switch {
	case v.Int == -1:
		return "none (the key does not expire)"
	case v.Int < 0:
		return "none"
	}
	d := time.Duration(v.Int) * time.Millisecond
	return "expires in " + d.Round(time.Millisecond).String()
}

// scanPage returns the elements of a SCAN-family reply.
func scanPage(v resp.Value) resp.Value {
	if len(v.Elems) == 2 {
		return v.Elems[1]
	}
	return resp.Array()
}

// flatPairs returns member/score pairs as a flat array whether the reply
// came as RESP2 (flat) or RESP3 (an array of pairs).
func flatPairs(v resp.Value) resp.Value {
	var out []resp.Value
	for _, e := range v.Elems {
		if e.Kind.IsAggregate() {
			out = append(out, e.Elems...)
		} else {
			out = append(out, e)
		}
	}
	return resp.Value{Kind: resp.KindArray, Elems: out}
}

// pairsMap turns a flat array of pairs into a map of at most n entries,
// which prints "1# field => value".
func pairsMap(v resp.Value, n int) resp.Value {
	e := v.Elems
	if len(e) > 2*n {
		e = e[:2*n]
	}
	return resp.Value{Kind: resp.KindMap, Elems: e}
}
