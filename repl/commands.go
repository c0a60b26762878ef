package repl

import (
	"slices"
	"strings"

	"github.com/redish/redish/redisx/commands"
	"github.com/redish/redish/resp"
)

// commandSet is where the shell looks commands up for hints and
// completion: the server's own COMMAND DOCS when it answered them (so
// module commands and newer servers are covered), else the command table
// redish was built with.
type commandSet struct {
	// server holds the commands of COMMAND DOCS by lower-case name, nil
	// when the server did not answer.
	server map[string]*commands.Command
	names  []string // sorted lower-case top-level names, both sources
}

func newCommandSet(server []commands.Command) *commandSet {
	cs := &commandSet{}
	seen := map[string]bool{}
	for i := range commands.All() {
		n := commands.All()[i].Name
		seen[n] = true
		cs.names = append(cs.names, n)
	}
	if len(server) > 0 {
		cs.server = make(map[string]*commands.Command, len(server))
		for i := range server {
			c := &server[i]
			cs.server[c.Name] = c
			if !seen[c.Name] {
				seen[c.Name] = true
				cs.names = append(cs.names, c.Name)
			}
		}
	}
	slices.Sort(cs.names)
	return cs
}

// lookup returns the command that words invoke and how many words its
// name takes (2 for a subcommand such as CONFIG GET), or nil.
func (cs *commandSet) lookup(words []string) (*commands.Command, int) {
	if len(words) == 0 {
		return nil, 0
	}
	c := cs.server[strings.ToLower(words[0])]
	if c == nil {
		c = commands.LookupCommand(words[0])
	}
	if c == nil {
		return nil, 0
	}
	if len(words) > 1 && c.IsContainer() {
		want := c.Name + "|" + strings.ToLower(words[1])
		for i := range c.Subcommands {
			if c.Subcommands[i].Name == want {
				return &c.Subcommands[i], 2
			}
		}
	}
	return c, 1
}

// parseCommandDocs turns the reply to COMMAND DOCS (a map in RESP3, an
// array of name/doc pairs in RESP2) into commands with their summaries and
// argument trees. Entries it cannot read are skipped: docs only feed hints.
func parseCommandDocs(v resp.Value) []commands.Command {
	var out []commands.Command
	for _, p := range v.Pairs() {
		if c, ok := parseCommandDoc(strings.ToLower(p[0].Text()), p[1]); ok {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b commands.Command) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func parseCommandDoc(name string, v resp.Value) (commands.Command, bool) {
	if !v.Kind.IsAggregate() {
		return commands.Command{}, false
	}
	c := commands.Command{Name: name}
	for _, q := range v.Pairs() {
		val := q[1]
		switch q[0].Text() {
		case "summary":
			c.Summary = val.Text()
		case "since":
			c.Since = val.Text()
		case "group":
			c.Group = val.Text()
		case "complexity":
			c.Complexity = val.Text()
		case "arguments":
			c.Args = parseDocArgs(val)
		case "subcommands":
			c.Subcommands = parseCommandDocs(val)
		}
	}
	return c, true
}

// docArgTypes maps COMMAND DOCS type names to argument types.
var docArgTypes = map[string]commands.ArgType{
	"string":     commands.ArgString,
	"integer":    commands.ArgInteger,
	"double":     commands.ArgDouble,
	"key":        commands.ArgKey,
	"pattern":    commands.ArgPattern,
	"unix-time":  commands.ArgUnixTime,
	"pure-token": commands.ArgPureToken,
	"oneof":      commands.ArgOneOf,
	"block":      commands.ArgBlock,
}

func parseDocArgs(v resp.Value) []commands.Arg {
	var out []commands.Arg
	for _, e := range v.Elems {
		a := commands.Arg{Type: commands.ArgString}
		for _, p := range e.Pairs() {
			val := p[1]
			switch p[0].Text() {
			case "name":
				a.Name = val.Text()
			case "type":
				if t, ok := docArgTypes[val.Text()]; ok {
					a.Type = t
				}
			case "token":
				a.Token = val.Text()
			case "display_text":
				a.DisplayText = val.Text()
			case "flags":
				for _, f := range val.Elems {
					switch f.Text() {
					case "optional":
						a.Flags |= commands.ArgOptional
					case "multiple":
						a.Flags |= commands.ArgMultiple
					case "multiple_token":
						a.Flags |= commands.ArgMultipleToken
					}
				}
			case "arguments":
				a.Args = parseDocArgs(val)
			}
		}
		out = append(out, a)
	}
	return out
}
