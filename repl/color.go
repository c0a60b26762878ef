package repl

import (
	"strings"

	"github.com/fatih/color"
)

// ColorEnabled decides once whether the shell uses colour: never with
// --no-color (noColorFlag) or NO_COLOR set to anything, always with
// CLICOLOR_FORCE set to anything but "0", never with CLICOLOR=0, else only
// when the output is a terminal whose TERM is not "dumb".
func ColorEnabled(outTTY, noColorFlag bool, getenv func(string) string) bool {
	switch {
	case noColorFlag, getenv("NO_COLOR") != "":
		return false
	case getenv("CLICOLOR_FORCE") != "" && getenv("CLICOLOR_FORCE") != "0":
		return true
	case getenv("CLICOLOR") == "0":
		return false
	}
	return outTTY && getenv("TERM") != "dumb"
}

// theme holds the SGR sequences of what the shell colours in the line
// being typed: each class of word, the hint and a problem shown in its
// place. The theme "none" has none, and marks hints with hintMark.
type theme struct {
	name                                                  string
	command, subcommand, key, token, number, str, builtin string
	errWord, hint, problem                                string
	// hintMark starts a hint drawn without colour, so that it does not
	// read as typed text.
	hintMark string
}

// Themes of the line being typed (:set theme).
var themes = []theme{
	{
		name:    "dark",
		command: "\x1b[1;33m", subcommand: "\x1b[33m", key: "\x1b[36m",
		token: "\x1b[35m", number: "\x1b[32m", str: "\x1b[94m", builtin: "\x1b[1;36m",
		errWord: "\x1b[4;31m", hint: "\x1b[90m", problem: "\x1b[31m",
	},
	{
		name:    "light",
		command: "\x1b[1;34m", subcommand: "\x1b[34m", key: "\x1b[35m",
		token: "\x1b[32m", number: "\x1b[36m", str: "\x1b[33m", builtin: "\x1b[1;35m",
		errWord: "\x1b[4;31m", hint: "\x1b[90m", problem: "\x1b[31m",
	},
	{name: "none", hintMark: "# "},
}

// themeNames lists the themes, for :set and completion.
func themeNames() []string {
	names := make([]string, len(themes))
	for i, t := range themes {
		names[i] = t.name
	}
	return names
}

// lookupTheme returns the theme called name.
func lookupTheme(name string) (theme, bool) {
	for _, t := range themes {
		if strings.EqualFold(t.name, name) {
			return t, true
		}
	}
	return theme{}, false
}

// defaultTheme is "light" when COLORFGBG says the background is light
// (its last field 7 or 15, as rxvt and Konsole set it), else "dark".
func defaultTheme(getenv func(string) string) string {
	if getenv == nil {
		return "dark"
	}
	f := strings.Split(getenv("COLORFGBG"), ";")
	switch f[len(f)-1] {
	case "7", "15":
		return "light"
	}
	return "dark"
}

// class returns the SGR sequence of a class of word.
func (t theme) class(c wordClass) string {
	switch c {
	case classCommand:
		return t.command
	case classSubcommand:
		return t.subcommand
	case classKey:
		return t.key
	case classToken:
		return t.token
	case classNumber:
		return t.number
	case classString:
		return t.str
	case classBuiltin:
		return t.builtin
	case classError:
		return t.errWord
	}
	return ""
}

// palette holds the styles of the few things the shell colours besides
// the line being typed: the prompt, its own error messages, --verbose
// retry lines and confirmations. Replies are never coloured: their bytes
// are redis-cli's.
type palette struct {
	addr    *color.Color
	down    *color.Color
	tx      *color.Color
	db      *color.Color
	err     *color.Color
	hint    *color.Color
	verbose *color.Color
	warn    *color.Color
}

func newPalette(out, errOut bool) palette {
	p := palette{
		addr:    color.New(color.Bold),
		down:    color.New(color.FgRed, color.Bold),
		tx:      color.New(color.FgYellow),
		db:      color.New(color.FgCyan),
		err:     color.New(color.FgRed),
		hint:    color.New(color.FgHiBlack),
		verbose: color.New(color.FgYellow),
		warn:    color.New(color.FgYellow, color.Bold),
	}
	for _, c := range []*color.Color{p.addr, p.down, p.tx, p.db, p.hint, p.warn} {
		enable(c, out)
	}
	for _, c := range []*color.Color{p.err, p.verbose} {
		enable(c, errOut)
	}
	return p
}

func enable(c *color.Color, on bool) {
	if on {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
}
