package repl

import (
	"github.com/fatih/color"
)

// ColorEnabled decides once whether the shell uses colour: never with
// --no-color (noColorFlag) or NO_COLOR set to anything, always with
// CLICOLOR_FORCE set to anything but "0", else only when the output is a
// terminal whose TERM is not "dumb".
func ColorEnabled(outTTY, noColorFlag bool, getenv func(string) string) bool {
	switch {
	case noColorFlag, getenv("NO_COLOR") != "":
		return false
	case getenv("CLICOLOR_FORCE") != "" && getenv("CLICOLOR_FORCE") != "0":
		return true
	}
	return outTTY && getenv("TERM") != "dumb"
}

// palette holds the styles of the few things the shell colours: the
// prompt, its own error messages, hints and --verbose retry lines. Replies
// are never coloured: their bytes are redis-cli's.
type palette struct {
	addr    *color.Color
	down    *color.Color
	tx      *color.Color
	db      *color.Color
	err     *color.Color
	hint    *color.Color
	verbose *color.Color
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
	}
	for _, c := range []*color.Color{p.addr, p.down, p.tx, p.db, p.hint} {
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
