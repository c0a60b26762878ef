// Command gencommands writes redish's static command table
// (redisx/commands/commands_gen.go) from a snapshot of what a reference
// redis-server reports through COMMAND INFO and COMMAND DOCS
// (redisx/commands/testdata/snapshot.resp). It needs no server: `go
// generate ./redisx/commands` runs it, and scripts/gen-commands.sh checks
// the output for drift. scripts/refresh-command-snapshot.sh records a new
// snapshot from a live server.
//
// Usage:
//
//	gencommands -snapshot testdata/snapshot.resp -o commands_gen.go
//
// The snapshot is parsed by package commands' own parser, in strict mode:
// anything the table cannot represent stops the generator. The output is
// deterministic: commands, subcommands and groups are sorted, and only the
// server version (not the time) is recorded.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/redish/redish/redisx/commands"
)

func main() {
	snapshot := flag.String("snapshot", "", "the snapshot of COMMAND INFO and COMMAND DOCS to generate the table from")
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Parse()
	if *snapshot == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gencommands -snapshot FILE [-o FILE]")
		os.Exit(2)
	}
	if err := run(*snapshot, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencommands:", err)
		os.Exit(1)
	}
}

func run(snapshot, out string) error {
	f, err := os.Open(snapshot)
	if err != nil {
		return err
	}
	defer f.Close()
	snap, err := commands.ReadSnapshot(f)
	if err != nil {
		return fmt.Errorf("%s: %w", snapshot, err)
	}
	cmds, err := snap.Commands()
	if err != nil {
		return fmt.Errorf("%s: %w", snapshot, err)
	}
	src, err := render(snap.Version, cmds)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(src)
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

// The Go names of the constants of package commands. A value missing here
// stops the generator: the table could not be written.
var (
	commandFlags = map[commands.CommandFlag]string{
		commands.FlagWrite: "FlagWrite", commands.FlagReadonly: "FlagReadonly", commands.FlagDenyOOM: "FlagDenyOOM",
		commands.FlagModule: "FlagModule", commands.FlagAdmin: "FlagAdmin", commands.FlagPubSub: "FlagPubSub",
		commands.FlagNoScript: "FlagNoScript", commands.FlagBlocking: "FlagBlocking", commands.FlagLoading: "FlagLoading",
		commands.FlagStale: "FlagStale", commands.FlagSkipMonitor: "FlagSkipMonitor", commands.FlagSkipSlowlog: "FlagSkipSlowlog",
		commands.FlagAsking: "FlagAsking", commands.FlagFast: "FlagFast", commands.FlagNoAuth: "FlagNoAuth",
		commands.FlagMayReplicate: "FlagMayReplicate", commands.FlagNoMandatoryKeys: "FlagNoMandatoryKeys",
		commands.FlagNoMulti: "FlagNoMulti", commands.FlagMovableKeys: "FlagMovableKeys", commands.FlagAllowBusy: "FlagAllowBusy",
		commands.FlagNoAsyncLoading: "FlagNoAsyncLoading",
	}
	aclCategories = map[commands.ACLCategory]string{
		commands.ACLKeyspace: "ACLKeyspace", commands.ACLRead: "ACLRead", commands.ACLWrite: "ACLWrite", commands.ACLSet: "ACLSet",
		commands.ACLSortedSet: "ACLSortedSet", commands.ACLList: "ACLList", commands.ACLHash: "ACLHash", commands.ACLString: "ACLString",
		commands.ACLBitmap: "ACLBitmap", commands.ACLHyperLogLog: "ACLHyperLogLog", commands.ACLGeo: "ACLGeo",
		commands.ACLStream: "ACLStream", commands.ACLPubSub: "ACLPubSub", commands.ACLAdmin: "ACLAdmin", commands.ACLFast: "ACLFast",
		commands.ACLSlow: "ACLSlow", commands.ACLBlocking: "ACLBlocking", commands.ACLDangerous: "ACLDangerous",
		commands.ACLConnection: "ACLConnection", commands.ACLTransaction: "ACLTransaction", commands.ACLScripting: "ACLScripting",
	}
	keySpecFlags = map[commands.KeySpecFlag]string{
		commands.KeyRO: "KeyRO", commands.KeyRW: "KeyRW", commands.KeyOW: "KeyOW", commands.KeyRM: "KeyRM",
		commands.KeyAccess: "KeyAccess", commands.KeyUpdate: "KeyUpdate", commands.KeyInsert: "KeyInsert",
		commands.KeyDelete: "KeyDelete", commands.KeyNotKey: "KeyNotKey", commands.KeyIncomplete: "KeyIncomplete",
		commands.KeyVariableFlags: "KeyVariableFlags",
	}
	docFlags = map[commands.DocFlag]string{commands.DocDeprecated: "DocDeprecated", commands.DocSysCmd: "DocSysCmd"}
	argTypes = map[commands.ArgType]string{
		commands.ArgString: "ArgString", commands.ArgInteger: "ArgInteger", commands.ArgDouble: "ArgDouble",
		commands.ArgKey: "ArgKey", commands.ArgPattern: "ArgPattern", commands.ArgUnixTime: "ArgUnixTime",
		commands.ArgPureToken: "ArgPureToken", commands.ArgOneOf: "ArgOneOf", commands.ArgBlock: "ArgBlock",
	}
	argFlags = map[commands.ArgFlag]string{
		commands.ArgOptional: "ArgOptional", commands.ArgMultiple: "ArgMultiple", commands.ArgMultipleToken: "ArgMultipleToken",
	}
	beginTypes = map[commands.BeginSearchType]string{
		commands.BeginIndex: "BeginIndex", commands.BeginKeyword: "BeginKeyword", commands.BeginUnknown: "BeginUnknown",
	}
	findTypes = map[commands.FindKeysType]string{
		commands.FindRange: "FindRange", commands.FindKeynum: "FindKeynum", commands.FindUnknown: "FindUnknown",
	}
)

// render writes the Go source of the table and formats it.
func render(version string, cmds []commands.Command) ([]byte, error) {
	w := &writer{}
	b := &w.b
	b.WriteString("// Code generated by scripts/gencommands from testdata/snapshot.resp; DO NOT EDIT.\n")
	fmt.Fprintf(b, "// Generated from Redis %s.\n\n", version)
	b.WriteString("package commands\n\n")
	b.WriteString("func init() {\n")
	fmt.Fprintf(b, "tableVersion = %q\n", version)
	b.WriteString("table = generatedTable\n")
	b.WriteString("groups = generatedGroups\n")
	b.WriteString("}\n\n")
	b.WriteString("var generatedTable = []Command{\n")
	for i := range cmds {
		w.command(&cmds[i])
		b.WriteString(",\n")
	}
	b.WriteString("}\n\n")

	seen := map[string]bool{}
	var gs []string
	var walk func([]commands.Command)
	walk = func(cs []commands.Command) {
		for _, c := range cs {
			if c.Group != "" && !seen[c.Group] {
				seen[c.Group] = true
				gs = append(gs, c.Group)
			}
			walk(c.Subcommands)
		}
	}
	walk(cmds)
	slices.Sort(gs)
	b.WriteString("var generatedGroups = []string{")
	for i, g := range gs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(g))
	}
	b.WriteString("}\n")
	if w.err != nil {
		return nil, w.err
	}

	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format generated source: %w", err)
	}
	return src, nil
}

// writer accumulates the source and the first error.
type writer struct {
	b   bytes.Buffer
	err error
}

// fields writes "Name: value" pairs, leaving out zero values.
type fields struct {
	w     *writer
	first bool
}

func (f *fields) add(name, value string) {
	if !f.first {
		f.w.b.WriteString(", ")
	}
	f.first = false
	f.w.b.WriteString(name)
	f.w.b.WriteString(": ")
	f.w.b.WriteString(value)
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

// bits writes a flag set as its constants joined with "|", lowest bit
// first.
func bits[F ~uint8 | ~uint16 | ~uint32](f *fields, name string, set F, names map[F]string) {
	var consts []string
	for i := range 32 {
		bit := F(1) << i
		if bit == 0 || set&bit == 0 {
			continue
		}
		n, ok := names[bit]
		if !ok {
			if f.w.err == nil {
				f.w.err = fmt.Errorf("%s: no constant for bit %#x", name, uint64(bit))
			}
			continue
		}
		consts = append(consts, n)
	}
	if len(consts) > 0 {
		f.add(name, strings.Join(consts, " | "))
	}
}

// constant returns the Go name of v, recording an error if there is none.
func constant[T comparable](w *writer, what string, v T, names map[T]string) string {
	n, ok := names[v]
	if !ok && w.err == nil {
		w.err = fmt.Errorf("no constant for %s %v", what, v)
	}
	return n
}

func (w *writer) command(c *commands.Command) {
	b := &w.b
	b.WriteString("{\n")
	f := &fields{w: w, first: true}
	f.str("Name", c.Name)
	f.int("Arity", c.Arity)
	bits(f, "Flags", c.Flags, commandFlags)
	f.int("FirstKey", c.FirstKey)
	f.int("LastKey", c.LastKey)
	f.int("Step", c.Step)
	bits(f, "ACL", c.ACL, aclCategories)
	b.WriteString(",\n")
	f.first = true
	f.str("Summary", c.Summary)
	f.str("Since", c.Since)
	f.str("Group", c.Group)
	f.str("Complexity", c.Complexity)
	bits(f, "DocFlags", c.DocFlags, docFlags)
	f.str("DeprecatedSince", c.DeprecatedSince)
	f.str("ReplacedBy", c.ReplacedBy)
	if !f.first {
		b.WriteString(",\n")
	}
	if len(c.Tips) > 0 {
		b.WriteString("Tips: []string{")
		for i, t := range c.Tips {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(t))
		}
		b.WriteString("},\n")
	}
	if len(c.KeySpecs) > 0 {
		b.WriteString("KeySpecs: []KeySpec{\n")
		for i := range c.KeySpecs {
			w.keySpec(&c.KeySpecs[i])
		}
		b.WriteString("},\n")
	}
	if len(c.Args) > 0 {
		b.WriteString("Args: []Arg{\n")
		for i := range c.Args {
			w.arg(&c.Args[i])
		}
		b.WriteString("},\n")
	}
	if len(c.Subcommands) > 0 {
		b.WriteString("Subcommands: []Command{\n")
		for i := range c.Subcommands {
			w.command(&c.Subcommands[i])
			b.WriteString(",\n")
		}
		b.WriteString("},\n")
	}
	b.WriteString("}")
}

func (w *writer) keySpec(ks *commands.KeySpec) {
	w.b.WriteString("{")
	f := &fields{w: w, first: true}
	f.str("Notes", ks.Notes)
	bits(f, "Flags", ks.Flags, keySpecFlags)
	bs := "BeginSearch{Type: " + constant(w, "begin_search type", ks.BeginSearch.Type, beginTypes)
	switch ks.BeginSearch.Type {
	case commands.BeginIndex:
		bs += ", Index: " + strconv.Itoa(ks.BeginSearch.Index)
	case commands.BeginKeyword:
		bs += ", Keyword: " + strconv.Quote(ks.BeginSearch.Keyword) + ", StartFrom: " + strconv.Itoa(ks.BeginSearch.StartFrom)
	}
	f.add("BeginSearch", bs+"}")
	fk := "FindKeys{Type: " + constant(w, "find_keys type", ks.FindKeys.Type, findTypes)
	switch ks.FindKeys.Type {
	case commands.FindRange:
		fk += fmt.Sprintf(", LastKey: %d, KeyStep: %d, Limit: %d", ks.FindKeys.LastKey, ks.FindKeys.KeyStep, ks.FindKeys.Limit)
	case commands.FindKeynum:
		fk += fmt.Sprintf(", KeyNumIdx: %d, FirstKey: %d, KeyStep: %d", ks.FindKeys.KeyNumIdx, ks.FindKeys.FirstKey, ks.FindKeys.KeyStep)
	}
	f.add("FindKeys", fk+"}")
	w.b.WriteString("},\n")
}

func (w *writer) arg(a *commands.Arg) {
	w.b.WriteString("{")
	f := &fields{w: w, first: true}
	f.str("Name", a.Name)
	f.add("Type", constant(w, "argument type", a.Type, argTypes))
	f.str("Token", a.Token)
	f.str("DisplayText", a.DisplayText)
	f.str("Summary", a.Summary)
	f.str("Since", a.Since)
	f.str("DeprecatedSince", a.DeprecatedSince)
	if a.Type == commands.ArgKey {
		f.int("KeySpec", a.KeySpec)
	}
	bits(f, "Flags", a.Flags, argFlags)
	if len(a.Args) > 0 {
		w.b.WriteString(", Args: []Arg{\n")
		for i := range a.Args {
			w.arg(&a.Args[i])
		}
		w.b.WriteString("}")
	}
	w.b.WriteString("},\n")
}
