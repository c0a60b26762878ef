package env

import (
	"regexp"
	"testing"

	"github.com/redish/redish/format"
)

func TestStripColor(t *testing.T) {
	ansi := regexp.MustCompile("\x1b\\[[0-9;]*m")
	for _, s := range []string{
		"", "plain", "\x1b[1mbold\x1b[0m", "\x1b[", "a\x1b[12;3", "\x1b[x\x1b[31mred", "\x1b\x1b[m",
		format.HelpText(nil, "v1"), format.HelpText([]string{"SET"}, "v1"), format.HelpText([]string{"@string"}, "v1"),
	} {
		if got, want := stripColor(s), ansi.ReplaceAllString(s, ""); got != want {
			t.Errorf("stripColor(%q) = %q, want %q", s, got, want)
		}
	}
}
