// Command gencommands writes redish's static command table
// (redisx/commands/commands_gen.go) from what a running redis-server reports through
// COMMAND INFO and COMMAND DOCS. Run it through scripts/gen-commands.sh,
// which starts a throw-away server and checks the output for drift.
//
// Usage:
//
//	gencommands -addr 127.0.0.1:PORT -o redisx/commands/commands_gen.go
//
// The output is deterministic: commands, subcommands and groups are sorted,
// and only the server version (not the time) is recorded.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redish/redish/resp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "address of the redis-server to read the command table from")
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Parse()
	if err := run(*addr, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencommands:", err)
		os.Exit(1)
	}
}

func run(addr, out string) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.close()

	info, err := c.do("INFO", "server")
	if err != nil {
		return err
	}
	version := infoField(info.Text(), "redis_version")
	if version == "" {
		return errors.New("INFO server: no redis_version")
	}
	infos, err := c.do("COMMAND", "INFO")
	if err != nil {
		return err
	}
	docs, err := c.do("COMMAND", "DOCS")
	if err != nil {
		return err
	}
	cmds, err := buildTable(infos, docs)
	if err != nil {
		return err
	}
	src, err := render(version, cmds)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(src)
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

// conn is a minimal RESP connection: one request, one reply.
type conn struct {
	nc net.Conn
	rd *resp.Reader
}

func dial(addr string) (*conn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return &conn{nc: nc, rd: resp.NewReader(bufio.NewReader(nc))}, nil
}

func (c *conn) close() { _ = c.nc.Close() }

func (c *conn) do(args ...string) (resp.Value, error) {
	if err := c.nc.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return resp.Value{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	if _, err := c.nc.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
		return resp.Value{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	v, err := c.rd.ReadValue()
	if err != nil {
		return resp.Value{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	if err := v.Err(); err != nil {
		return resp.Value{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	return v, nil
}

func infoField(info, name string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// command is the generator's model of one command, mirroring
// commands.Command but with flags kept as Go constant names.
type command struct {
	name                    string
	arity                   int
	flags                   []string
	firstKey, lastKey, step int
	acl                     []string
	tips                    []string
	keySpecs                []keySpec
	subcommands             []*command

	summary, since, group, complexity string
	docFlags                          []string
	deprecatedSince, replacedBy       string
	args                              []arg
}

type keySpec struct {
	notes                   string
	flags                   []string
	beginType               string
	index                   int
	keyword                 string
	startFrom               int
	findType                string
	lastKey, keyStep, limit int
	keyNumIdx, firstKey     int
}

type arg struct {
	name, typ, token, displayText   string
	summary, since, deprecatedSince string
	keySpec                         int
	flags                           []string
	args                            []arg
}

// Names the server uses, mapped to the constants of package commands that represent them.
// A name missing here stops the generator: the table cannot represent it.
var (
	commandFlags = map[string]string{
		"write": "FlagWrite", "readonly": "FlagReadonly", "denyoom": "FlagDenyOOM",
		"module": "FlagModule", "admin": "FlagAdmin", "pubsub": "FlagPubSub",
		"noscript": "FlagNoScript", "blocking": "FlagBlocking", "loading": "FlagLoading",
		"stale": "FlagStale", "skip_monitor": "FlagSkipMonitor", "skip_slowlog": "FlagSkipSlowlog",
		"asking": "FlagAsking", "fast": "FlagFast", "no_auth": "FlagNoAuth",
		"may_replicate": "FlagMayReplicate", "no_mandatory_keys": "FlagNoMandatoryKeys",
		"no_multi": "FlagNoMulti", "movablekeys": "FlagMovableKeys", "allow_busy": "FlagAllowBusy",
		"no_async_loading": "FlagNoAsyncLoading",
	}
	aclCategories = map[string]string{
		"@keyspace": "ACLKeyspace", "@read": "ACLRead", "@write": "ACLWrite", "@set": "ACLSet",
		"@sortedset": "ACLSortedSet", "@list": "ACLList", "@hash": "ACLHash", "@string": "ACLString",
		"@bitmap": "ACLBitmap", "@hyperloglog": "ACLHyperLogLog", "@geo": "ACLGeo",
		"@stream": "ACLStream", "@pubsub": "ACLPubSub", "@admin": "ACLAdmin", "@fast": "ACLFast",
		"@slow": "ACLSlow", "@blocking": "ACLBlocking", "@dangerous": "ACLDangerous",
		"@connection": "ACLConnection", "@transaction": "ACLTransaction", "@scripting": "ACLScripting",
	}
	keySpecFlags = map[string]string{
		"RO": "KeyRO", "RW": "KeyRW", "OW": "KeyOW", "RM": "KeyRM", "access": "KeyAccess",
		"update": "KeyUpdate", "insert": "KeyInsert", "delete": "KeyDelete", "not_key": "KeyNotKey",
		"incomplete": "KeyIncomplete", "variable_flags": "KeyVariableFlags",
	}
	docFlags = map[string]string{"deprecated": "DocDeprecated", "syscmd": "DocSysCmd"}
	argTypes = map[string]string{
		"string": "ArgString", "integer": "ArgInteger", "double": "ArgDouble", "key": "ArgKey",
		"pattern": "ArgPattern", "unix-time": "ArgUnixTime", "pure-token": "ArgPureToken",
		"oneof": "ArgOneOf", "block": "ArgBlock",
	}
	argFlags = map[string]string{
		"optional": "ArgOptional", "multiple": "ArgMultiple", "multiple_token": "ArgMultipleToken",
	}
	beginTypes = map[string]string{"index": "BeginIndex", "keyword": "BeginKeyword", "unknown": "BeginUnknown"}
	findTypes  = map[string]string{"range": "FindRange", "keynum": "FindKeynum", "unknown": "FindUnknown"}
)

// buildTable merges the replies of COMMAND INFO and COMMAND DOCS.
func buildTable(infos, docs resp.Value) ([]*command, error) {
	byName := map[string]*command{}
	var top []*command
	for _, v := range infos.Elems {
		c, err := parseInfo(v)
		if err != nil {
			return nil, err
		}
		top = append(top, c)
		byName[c.name] = c
		for _, s := range c.subcommands {
			byName[s.name] = s
		}
	}
	if err := applyDocs(byName, docs); err != nil {
		return nil, err
	}
	sortCommands(top)
	return top, nil
}

func sortCommands(cmds []*command) {
	slices.SortFunc(cmds, func(a, b *command) int { return strings.Compare(a.name, b.name) })
	for _, c := range cmds {
		sortCommands(c.subcommands)
	}
}

// parseInfo reads one COMMAND INFO entry: name, arity, flags, first key,
// last key, step, ACL categories, tips, key specs, subcommands.
func parseInfo(v resp.Value) (*command, error) {
	if v.Kind != resp.KindArray || len(v.Elems) < 10 {
		return nil, fmt.Errorf("COMMAND INFO: unexpected entry of kind %s with %d elements", v.Kind, len(v.Elems))
	}
	e := v.Elems
	c := &command{
		name:     strings.ToLower(e[0].Text()),
		arity:    int(e[1].Int),
		firstKey: int(e[3].Int),
		lastKey:  int(e[4].Int),
		step:     int(e[5].Int),
	}
	var err error
	if c.flags, err = names(e[2], commandFlags, c.name, "flag"); err != nil {
		return nil, err
	}
	if c.acl, err = names(e[6], aclCategories, c.name, "ACL category"); err != nil {
		return nil, err
	}
	for _, t := range e[7].Elems {
		c.tips = append(c.tips, t.Text())
	}
	for _, ks := range e[8].Elems {
		spec, err := parseKeySpec(ks)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		c.keySpecs = append(c.keySpecs, spec)
	}
	for _, s := range e[9].Elems {
		sub, err := parseInfo(s)
		if err != nil {
			return nil, err
		}
		c.subcommands = append(c.subcommands, sub)
	}
	return c, nil
}

// names maps the server's names in v to constant names, in the order of
// the server's reply.
func names(v resp.Value, known map[string]string, cmd, what string) ([]string, error) {
	var out []string
	for _, e := range v.Elems {
		n, ok := known[e.Text()]
		if !ok {
			return nil, fmt.Errorf("%s: unknown %s %q", cmd, what, e.Text())
		}
		out = append(out, n)
	}
	return out, nil
}

func parseKeySpec(v resp.Value) (keySpec, error) {
	var ks keySpec
	for _, p := range v.Pairs() {
		val := p[1]
		var err error
		switch p[0].Text() {
		case "notes":
			ks.notes = val.Text()
		case "flags":
			ks.flags, err = names(val, keySpecFlags, "key spec", "flag")
		case "begin_search":
			err = parseBeginSearch(val, &ks)
		case "find_keys":
			err = parseFindKeys(val, &ks)
		}
		if err != nil {
			return ks, err
		}
	}
	return ks, nil
}

func parseBeginSearch(v resp.Value, ks *keySpec) error {
	for _, p := range v.Pairs() {
		switch p[0].Text() {
		case "type":
			t, ok := beginTypes[p[1].Text()]
			if !ok {
				return fmt.Errorf("unknown begin_search type %q", p[1].Text())
			}
			ks.beginType = t
		case "spec":
			for _, q := range p[1].Pairs() {
				switch q[0].Text() {
				case "index":
					ks.index = int(q[1].Int)
				case "keyword":
					ks.keyword = q[1].Text()
				case "startfrom":
					ks.startFrom = int(q[1].Int)
				}
			}
		}
	}
	return nil
}

func parseFindKeys(v resp.Value, ks *keySpec) error {
	for _, p := range v.Pairs() {
		switch p[0].Text() {
		case "type":
			t, ok := findTypes[p[1].Text()]
			if !ok {
				return fmt.Errorf("unknown find_keys type %q", p[1].Text())
			}
			ks.findType = t
		case "spec":
			for _, q := range p[1].Pairs() {
				n := int(q[1].Int)
				switch q[0].Text() {
				case "lastkey":
					ks.lastKey = n
				case "keystep":
					ks.keyStep = n
				case "limit":
					ks.limit = n
				case "keynumidx":
					ks.keyNumIdx = n
				case "firstkey":
					ks.firstKey = n
				}
			}
		}
	}
	return nil
}

// applyDocs copies COMMAND DOCS (a map from name to docs, with nested
// subcommand maps) into the commands of byName.
func applyDocs(byName map[string]*command, docs resp.Value) error {
	for _, p := range docs.Pairs() {
		name := strings.ToLower(p[0].Text())
		c, ok := byName[name]
		if !ok {
			return fmt.Errorf("COMMAND DOCS: %q is not in COMMAND INFO", name)
		}
		for _, q := range p[1].Pairs() {
			val := q[1]
			var err error
			switch q[0].Text() {
			case "summary":
				c.summary = val.Text()
			case "since":
				c.since = val.Text()
			case "group":
				c.group = val.Text()
			case "complexity":
				c.complexity = val.Text()
			case "doc_flags":
				c.docFlags, err = names(val, docFlags, name, "doc flag")
			case "deprecated_since":
				c.deprecatedSince = val.Text()
			case "replaced_by":
				c.replacedBy = val.Text()
			case "arguments":
				c.args, err = parseArgs(val, name)
			case "subcommands":
				err = applyDocs(byName, val)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func parseArgs(v resp.Value, cmd string) ([]arg, error) {
	var out []arg
	for _, e := range v.Elems {
		a := arg{keySpec: -1}
		for _, p := range e.Pairs() {
			val := p[1]
			var err error
			switch p[0].Text() {
			case "name":
				a.name = val.Text()
			case "type":
				t, ok := argTypes[val.Text()]
				if !ok {
					return nil, fmt.Errorf("%s: unknown argument type %q", cmd, val.Text())
				}
				a.typ = t
			case "token":
				a.token = val.Text()
			case "display_text":
				a.displayText = val.Text()
			case "summary":
				a.summary = val.Text()
			case "since":
				a.since = val.Text()
			case "deprecated_since":
				a.deprecatedSince = val.Text()
			case "key_spec_index":
				a.keySpec = int(val.Int)
			case "flags":
				a.flags, err = names(val, argFlags, cmd, "argument flag")
			case "arguments":
				a.args, err = parseArgs(val, cmd)
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// render writes the Go source of the table and formats it.
func render(version string, cmds []*command) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by scripts/gen-commands.sh; DO NOT EDIT.\n")
	fmt.Fprintf(&b, "// Generated from Redis %s.\n\n", version)
	b.WriteString("package commands\n\n")
	b.WriteString("// CommandTableVersion is the version of the Redis server the command\n// table was generated from.\n")
	fmt.Fprintf(&b, "const CommandTableVersion = %q\n\n", version)
	b.WriteString("var commandTable = []Command{\n")
	for _, c := range cmds {
		writeCommand(&b, c)
		b.WriteString(",\n")
	}
	b.WriteString("}\n\n")

	groups := map[string]bool{}
	var walk func([]*command)
	walk = func(cs []*command) {
		for _, c := range cs {
			if c.group != "" {
				groups[c.group] = true
			}
			walk(c.subcommands)
		}
	}
	walk(cmds)
	var gs []string
	for g := range groups {
		gs = append(gs, g)
	}
	slices.Sort(gs)
	b.WriteString("var commandGroups = []string{")
	for i, g := range gs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(g))
	}
	b.WriteString("}\n")

	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format generated source: %w", err)
	}
	return src, nil
}

// fields writes "Name: value" pairs, leaving out zero values.
type fields struct {
	b     *bytes.Buffer
	first bool
}

func (f *fields) add(name, value string) {
	if !f.first {
		f.b.WriteString(", ")
	}
	f.first = false
	f.b.WriteString(name)
	f.b.WriteString(": ")
	f.b.WriteString(value)
}

func (f *fields) str(name, s string) {
	if s != "" {
		f.add(name, strconv.Quote(s))
	}
}

func (f *fields) int(name string, n int) {
	if n != 0 {
		f.add(name, strconv.Itoa(n))
	}
}

func (f *fields) bits(name string, consts []string) {
	if len(consts) > 0 {
		f.add(name, strings.Join(consts, " | "))
	}
}

func writeCommand(b *bytes.Buffer, c *command) {
	b.WriteString("{\n")
	f := &fields{b: b, first: true}
	f.str("Name", c.name)
	f.int("Arity", c.arity)
	f.bits("Flags", c.flags)
	f.int("FirstKey", c.firstKey)
	f.int("LastKey", c.lastKey)
	f.int("Step", c.step)
	f.bits("ACL", c.acl)
	b.WriteString(",\n")
	f.first = true
	f.str("Summary", c.summary)
	f.str("Since", c.since)
	f.str("Group", c.group)
	f.str("Complexity", c.complexity)
	f.bits("DocFlags", c.docFlags)
	f.str("DeprecatedSince", c.deprecatedSince)
	f.str("ReplacedBy", c.replacedBy)
	if !f.first {
		b.WriteString(",\n")
	}
	if len(c.tips) > 0 {
		b.WriteString("Tips: []string{")
		for i, t := range c.tips {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(t))
		}
		b.WriteString("},\n")
	}
	if len(c.keySpecs) > 0 {
		b.WriteString("KeySpecs: []KeySpec{\n")
		for _, ks := range c.keySpecs {
			writeKeySpec(b, ks)
		}
		b.WriteString("},\n")
	}
	if len(c.args) > 0 {
		b.WriteString("Args: []Arg{\n")
		for _, a := range c.args {
			writeArg(b, a)
		}
		b.WriteString("},\n")
	}
	if len(c.subcommands) > 0 {
		b.WriteString("Subcommands: []Command{\n")
		for _, s := range c.subcommands {
			writeCommand(b, s)
			b.WriteString(",\n")
		}
		b.WriteString("},\n")
	}
	b.WriteString("}")
}

func writeKeySpec(b *bytes.Buffer, ks keySpec) {
	b.WriteString("{")
	f := &fields{b: b, first: true}
	f.str("Notes", ks.notes)
	f.bits("Flags", ks.flags)
	bs := "BeginSearch{Type: " + ks.beginType
	switch ks.beginType {
	case "BeginIndex":
		bs += ", Index: " + strconv.Itoa(ks.index)
	case "BeginKeyword":
		bs += ", Keyword: " + strconv.Quote(ks.keyword) + ", StartFrom: " + strconv.Itoa(ks.startFrom)
	}
	f.add("BeginSearch", bs+"}")
	fk := "FindKeys{Type: " + ks.findType
	switch ks.findType {
	case "FindRange":
		fk += fmt.Sprintf(", LastKey: %d, KeyStep: %d, Limit: %d", ks.lastKey, ks.keyStep, ks.limit)
	case "FindKeynum":
		fk += fmt.Sprintf(", KeyNumIdx: %d, FirstKey: %d, KeyStep: %d", ks.keyNumIdx, ks.firstKey, ks.keyStep)
	}
	f.add("FindKeys", fk+"}")
	b.WriteString("},\n")
}

func writeArg(b *bytes.Buffer, a arg) {
	b.WriteString("{")
	f := &fields{b: b, first: true}
	f.str("Name", a.name)
	f.add("Type", a.typ)
	f.str("Token", a.token)
	f.str("DisplayText", a.displayText)
	f.str("Summary", a.summary)
	f.str("Since", a.since)
	f.str("DeprecatedSince", a.deprecatedSince)
	if a.keySpec >= 0 && a.typ == "ArgKey" {
		f.int("KeySpec", a.keySpec)
	}
	f.bits("Flags", a.flags)
	if len(a.args) > 0 {
		b.WriteString(", Args: []Arg{\n")
		for _, s := range a.args {
			writeArg(b, s)
		}
		b.WriteString("}")
	}
	b.WriteString("},\n")
}
