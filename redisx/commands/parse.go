package commands

import (
	"fmt"
	"slices"
	"strings"

	"github.com/redish/redish/resp"
)

// Mode says what Parse does with what it cannot read.
type Mode uint8

const (
	// Strict fails on anything the table cannot represent: an unknown
	// flag, category, argument type or key spec type, a malformed entry,
	// documentation for a command COMMAND INFO did not list. The
	// generator parses the snapshot this way, so that a server version
	// with something new is noticed rather than half understood.
	Strict Mode = iota
	// Lenient leaves out what it cannot read: an entry that is not an
	// aggregate is skipped, an unknown flag is ignored, an unknown
	// argument type reads as a string, and documentation for a command
	// COMMAND INFO did not list (or when info is not given) makes a
	// command of its own. The shell reads a live server's COMMAND DOCS
	// this way: they only feed hints and completion.
	Lenient
)

// Parse returns the commands that the replies to COMMAND INFO and COMMAND
// DOCS describe, sorted by name, with their subcommands sorted too. Either
// reply may be the zero Value, for a caller that did not ask for it. Both
// RESP2 (maps as arrays of pairs) and RESP3 replies are read.
//
// In Lenient mode Parse never fails; in Strict mode its error names the
// command and what could not be read.
func Parse(info, docs resp.Value, mode Mode) ([]Command, error) {
	p := parser{mode: mode}
	var cmds []Command
	for _, e := range info.Elems {
		c, ok, err := p.info(e)
		if err != nil {
			return nil, err
		}
		if ok {
			cmds = append(cmds, c)
		}
	}
	cmds, err := p.docs(cmds, docs)
	if err != nil {
		return nil, err
	}
	sortCommands(cmds)
	return cmds, nil
}

type parser struct {
	mode Mode
}

func (p *parser) strict() bool { return p.mode == Strict }

// info reads one COMMAND INFO entry: name, arity, flags, first key, last
// key, step, ACL categories, tips, key specs, subcommands.
func (p *parser) info(v resp.Value) (Command, bool, error) {
	if v.Kind != resp.KindArray || len(v.Elems) < 10 {
		if p.strict() {
			return Command{}, false, fmt.Errorf("COMMAND INFO: unexpected entry of kind %s with %d elements", v.Kind, len(v.Elems))
		}
		return Command{}, false, nil
	}
	e := v.Elems
	c := Command{
		Name:     strings.ToLower(e[0].Text()),
		Arity:    int(e[1].Int),
		FirstKey: int(e[3].Int),
		LastKey:  int(e[4].Int),
		Step:     int(e[5].Int),
	}
	flags, err := p.bits(e[2], commandFlagNames[:], c.Name, "flag")
	if err != nil {
		return Command{}, false, err
	}
	c.Flags = CommandFlag(flags)
	acl, err := p.bits(e[6], aclCategoryNames[:], c.Name, "ACL category")
	if err != nil {
		return Command{}, false, err
	}
	c.ACL = ACLCategory(acl)
	for _, t := range e[7].Elems {
		c.Tips = append(c.Tips, t.Text())
	}
	for _, ks := range e[8].Elems {
		spec, err := p.keySpec(ks)
		if err != nil {
			return Command{}, false, fmt.Errorf("%s: %w", c.Name, err)
		}
		c.KeySpecs = append(c.KeySpecs, spec)
	}
	for _, s := range e[9].Elems {
		sub, ok, err := p.info(s)
		if err != nil {
			return Command{}, false, err
		}
		if ok {
			c.Subcommands = append(c.Subcommands, sub)
		}
	}
	return c, true, nil
}

// bits reads a list of names into the bits of a flag set whose bit i is
// called names[i].
func (p *parser) bits(v resp.Value, names []string, cmd, what string) (uint64, error) {
	var bits uint64
	for _, e := range v.Elems {
		i := slices.Index(names, e.Text())
		if i < 0 {
			if p.strict() {
				return 0, fmt.Errorf("%s: unknown %s %q", cmd, what, e.Text())
			}
			continue
		}
		bits |= 1 << i
	}
	return bits, nil
}

// enum returns the value called name, its index in names; an unknown
// name is 0 in Lenient mode.
func (p *parser) enum(name string, names []string, what string) (int, error) {
	i := slices.Index(names, name)
	if i < 0 || name == "" {
		if p.strict() {
			return 0, fmt.Errorf("unknown %s %q", what, name)
		}
		return 0, nil
	}
	return i, nil
}

func (p *parser) keySpec(v resp.Value) (KeySpec, error) {
	var ks KeySpec
	for _, kv := range v.Pairs() {
		val := kv[1]
		switch kv[0].Text() {
		case "notes":
			ks.Notes = val.Text()
		case "flags":
			flags, err := p.bits(val, keySpecFlagNames[:], "key spec", "flag")
			if err != nil {
				return ks, err
			}
			ks.Flags = KeySpecFlag(flags)
		case "begin_search":
			if err := p.beginSearch(val, &ks.BeginSearch); err != nil {
				return ks, err
			}
		case "find_keys":
			if err := p.findKeys(val, &ks.FindKeys); err != nil {
				return ks, err
			}
		}
	}
	return ks, nil
}

var beginSearchNames = [...]string{BeginUnknown: "unknown", BeginIndex: "index", BeginKeyword: "keyword"}

func (p *parser) beginSearch(v resp.Value, bs *BeginSearch) error {
	for _, kv := range v.Pairs() {
		switch kv[0].Text() {
		case "type":
			t, err := p.enum(kv[1].Text(), beginSearchNames[:], "begin_search type")
			if err != nil {
				return err
			}
			bs.Type = BeginSearchType(t)
		case "spec":
			for _, q := range kv[1].Pairs() {
				switch q[0].Text() {
				case "index":
					bs.Index = int(q[1].Int)
				case "keyword":
					bs.Keyword = q[1].Text()
				case "startfrom":
					bs.StartFrom = int(q[1].Int)
				}
			}
		}
	}
	return nil
}

var findKeysNames = [...]string{FindUnknown: "unknown", FindRange: "range", FindKeynum: "keynum"}

func (p *parser) findKeys(v resp.Value, fk *FindKeys) error {
	for _, kv := range v.Pairs() {
		switch kv[0].Text() {
		case "type":
			t, err := p.enum(kv[1].Text(), findKeysNames[:], "find_keys type")
			if err != nil {
				return err
			}
			fk.Type = FindKeysType(t)
		case "spec":
			for _, q := range kv[1].Pairs() {
				n := int(q[1].Int)
				switch q[0].Text() {
				case "lastkey":
					fk.LastKey = n
				case "keystep":
					fk.KeyStep = n
				case "limit":
					fk.Limit = n
				case "keynumidx":
					fk.KeyNumIdx = n
				case "firstkey":
					fk.FirstKey = n
				}
			}
		}
	}
	return nil
}

// docs merges a COMMAND DOCS reply (a map from name to documentation,
// subcommands nested in their container's) into cmds.
func (p *parser) docs(cmds []Command, v resp.Value) ([]Command, error) {
	for _, kv := range v.Pairs() {
		name := strings.ToLower(kv[0].Text())
		doc := kv[1]
		if !doc.Kind.IsAggregate() {
			if p.strict() {
				return nil, fmt.Errorf("COMMAND DOCS: %s: unexpected entry of kind %s", name, doc.Kind)
			}
			continue
		}
		i := slices.IndexFunc(cmds, func(c Command) bool { return c.Name == name })
		if i < 0 {
			if p.strict() {
				return nil, fmt.Errorf("COMMAND DOCS: %q is not in COMMAND INFO", name)
			}
			cmds = append(cmds, Command{Name: name})
			i = len(cmds) - 1
		}
		if err := p.doc(&cmds[i], doc); err != nil {
			return nil, err
		}
	}
	return cmds, nil
}

// doc reads the documentation of one command into c.
func (p *parser) doc(c *Command, v resp.Value) error {
	for _, kv := range v.Pairs() {
		val := kv[1]
		var err error
		switch kv[0].Text() {
		case "summary":
			c.Summary = val.Text()
		case "since":
			c.Since = val.Text()
		case "group":
			c.Group = val.Text()
		case "complexity":
			c.Complexity = val.Text()
		case "doc_flags":
			var flags uint64
			flags, err = p.bits(val, docFlagNames[:], c.Name, "doc flag")
			c.DocFlags = DocFlag(flags)
		case "deprecated_since":
			c.DeprecatedSince = val.Text()
		case "replaced_by":
			c.ReplacedBy = val.Text()
		case "arguments":
			c.Args, err = p.args(val, c.Name)
		case "subcommands":
			c.Subcommands, err = p.docs(c.Subcommands, val)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// args reads an argument tree. An argument's key spec index is kept for
// key arguments only: it means nothing for the others.
func (p *parser) args(v resp.Value, cmd string) ([]Arg, error) {
	var out []Arg
	for _, e := range v.Elems {
		var a Arg
		keySpec := 0
		for _, kv := range e.Pairs() {
			val := kv[1]
			var err error
			switch kv[0].Text() {
			case "name":
				a.Name = val.Text()
			case "type":
				var t int
				t, err = p.enum(val.Text(), argTypeNames[:], "argument type")
				a.Type = ArgType(t)
				if err != nil {
					err = fmt.Errorf("%s: %w", cmd, err)
				}
			case "token":
				a.Token = val.Text()
			case "display_text":
				a.DisplayText = val.Text()
			case "summary":
				a.Summary = val.Text()
			case "since":
				a.Since = val.Text()
			case "deprecated_since":
				a.DeprecatedSince = val.Text()
			case "key_spec_index":
				keySpec = int(val.Int)
			case "flags":
				var flags uint64
				flags, err = p.bits(val, argFlagNames[:], cmd, "argument flag")
				a.Flags = ArgFlag(flags)
			case "arguments":
				a.Args, err = p.args(val, cmd)
			}
			if err != nil {
				return nil, err
			}
		}
		if a.Type == 0 {
			if p.strict() {
				return nil, fmt.Errorf("%s: argument %q has no type", cmd, a.Name)
			}
			a.Type = ArgString
		}
		if a.Type == ArgKey {
			a.KeySpec = keySpec
		}
		out = append(out, a)
	}
	return out, nil
}

func sortCommands(cmds []Command) {
	slices.SortFunc(cmds, func(a, b Command) int { return strings.Compare(a.Name, b.Name) })
	for i := range cmds {
		sortCommands(cmds[i].Subcommands)
	}
}
