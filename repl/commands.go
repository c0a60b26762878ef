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
// argument trees. It reads leniently: entries it cannot read are skipped,
// as docs only feed hints.
func parseCommandDocs(v resp.Value) []commands.Command {
	cmds, _ := commands.Parse(resp.Value{}, v, commands.Lenient)
	return cmds
}
