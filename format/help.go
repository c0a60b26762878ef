package format

import (
	"slices"
	"strings"

	"github.com/redish/redish/redisx/commands"
)

// The help texts follow redis-cli 7.0's cliOutputHelp: entries start with
// "\r\n", use ANSI colours whether or not the output is a terminal, and
// the whole answer ends with "\r\n".

// ANSI sequences redis-cli's help uses.
const (
	helpBold  = "\x1b[1m"
	helpGray  = "\x1b[90m"
	helpLabel = "\x1b[33m"
	helpReset = "\x1b[0m"
)

// HelpText returns what redis-cli 7.0 prints for "help ARGS...", with
// redish in place of redis-cli:
//
//   - no arguments: the banner (see HelpBanner);
//   - "@group": every command of the group, without the "group:" line;
//   - otherwise every command whose name starts with the words of args
//     ("help config" lists CONFIG and all its subcommands, "help config
//     get" only CONFIG GET), matched case-insensitively.
//
// Nothing matching (an unknown command or group) yields just "\r\n", as in
// redis-cli. version is redish's version, shown in the banner.
func HelpText(args []string, version string) string {
	if len(args) == 0 {
		return HelpBanner(version)
	}
	return string(appendHelp(nil, args, helpStyle{color: true}))
}

// HelpDetail is HelpText for the interactive shell: each command entry also
// shows its time complexity and, for deprecated commands, the version that
// deprecated them and their replacement. Colours are used only if color is
// true.
func HelpDetail(args []string, version string, color bool) string {
	if len(args) == 0 {
		return HelpBanner(version)
	}
	return string(appendHelp(nil, args, helpStyle{color: color, detail: true}))
}

// HelpBanner returns the text of a bare "help": redis-cli's, naming redish.
func HelpBanner(version string) string {
	return "redish " + version + "\n" +
		"To get help about Redis commands type:\n" +
		"      \"help @<group>\" to get a list of commands in <group>\n" +
		"      \"help <command>\" for help on <command>\n" +
		"      \"help <tab>\" to get a list of possible help topics\n" +
		"      \"quit\" to exit\n" +
		"\n" +
		"To set redish preferences:\n" +
		"      \":set hints\" enable online hints\n" +
		"      \":set nohints\" disable online hints\n" +
		"Set your preferences in ~/.redishrc\n"
}

// CommandHelp returns one command's help entry as redis-cli prints it for
// "help SET": a blank line, the name and syntax, summary and since, and the
// group if withGroup is set (redis-cli leaves it out of group listings).
// HelpText ends the whole answer with one more "\r\n".
func CommandHelp(c *commands.Command, withGroup bool) string {
	return string(appendCommandHelp(nil, c, withGroup, helpStyle{color: true}))
}

// HelpTopics returns the words "help" completes to: every group as
// "@group" (sorted), then every command and subcommand name as typed
// ("CONFIG GET") in the order redis-cli lists them.
func HelpTopics() []string {
	groups := commands.Groups()
	entries := helpEntries()
	topics := make([]string, 0, len(groups)+len(entries))
	for _, g := range groups {
		topics = append(topics, "@"+g)
	}
	for _, e := range entries {
		topics = append(topics, e.name)
	}
	return topics
}

type helpStyle struct {
	color  bool
	detail bool
}

func (s helpStyle) wrap(buf []byte, esc, text string) []byte {
	if !s.color {
		return append(buf, text...)
	}
	buf = append(buf, esc...)
	buf = append(buf, text...)
	return append(buf, helpReset...)
}

// helpEntry is a command with its name as typed ("CONFIG GET").
type helpEntry struct {
	name string
	cmd  *commands.Command
}

// helpEntries lists commands and subcommands in redis-cli's order: sorted
// by upper-case name, so GEORADIUSBYMEMBER comes before GEORADIUS_RO.
func helpEntries() []helpEntry {
	cmds := commands.All()
	entries := make([]helpEntry, 0, 2*len(cmds))
	for i := range cmds {
		c := &cmds[i]
		entries = append(entries, helpEntry{c.FullName(), c})
		for j := range c.Subcommands {
			s := &c.Subcommands[j]
			entries = append(entries, helpEntry{s.FullName(), s})
		}
	}
	slices.SortFunc(entries, func(a, b helpEntry) int { return strings.Compare(a.name, b.name) })
	return entries
}

func appendHelp(buf []byte, args []string, style helpStyle) []byte {
	group := ""
	if name, ok := strings.CutPrefix(args[0], "@"); ok {
		for _, g := range commands.Groups() {
			if strings.EqualFold(g, name) {
				group = g
				break
			}
		}
	}
	for _, e := range helpEntries() {
		if group != "" {
			if e.cmd.Group == group {
				buf = appendCommandHelp(buf, e.cmd, false, style)
			}
			continue
		}
		if matchWords(args, e.name) {
			buf = appendCommandHelp(buf, e.cmd, true, style)
		}
	}
	return append(buf, "\r\n"...)
}

// matchWords reports whether the words of name start with args, compared
// case-insensitively.
func matchWords(args []string, name string) bool {
	words := strings.Fields(name)
	if len(args) > len(words) {
		return false
	}
	for i, a := range args {
		if !strings.EqualFold(a, words[i]) {
			return false
		}
	}
	return true
}

func appendCommandHelp(buf []byte, c *commands.Command, withGroup bool, style helpStyle) []byte {
	buf = append(buf, "\r\n  "...)
	buf = style.wrap(buf, helpBold, c.FullName())
	buf = append(buf, ' ')
	buf = style.wrap(buf, helpGray, c.Syntax())
	buf = append(buf, "\r\n"...)
	buf = appendHelpLine(buf, "summary:", c.Summary, style)
	buf = appendHelpLine(buf, "since:", c.Since, style)
	if withGroup {
		buf = appendHelpLine(buf, "group:", c.Group, style)
	}
	if style.detail {
		if c.Complexity != "" {
			buf = appendHelpLine(buf, "complexity:", c.Complexity, style)
		}
		if c.DocFlags.Has(commands.DocDeprecated) {
			text := c.DeprecatedSince
			if c.ReplacedBy != "" {
				text += ", replaced by " + c.ReplacedBy
			}
			buf = appendHelpLine(buf, "deprecated since:", text, style)
		}
	}
	return buf
}

func appendHelpLine(buf []byte, label, text string, style helpStyle) []byte {
	buf = append(buf, "  "...)
	buf = style.wrap(buf, helpLabel, label)
	buf = append(buf, ' ')
	buf = append(buf, text...)
	return append(buf, "\r\n"...)
}
