package repl

import "testing"

func TestTrailingForward(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"\x1b[12C", 0},
		{"abc\x1b[J\r\n\x1b[A\x1b[5C", 11},
		{"x\x1b[0C", 1},
		{"\x1b[C", -1},    // no count
		{"[12C", -1},      // no escape
		{"\x1b[12", -1},   // no final C
		{"\x1b[1;2C", -1}, // not only digits
		{"x\x1b]12C", -1},
		{"C", -1},
		{"", -1},
	} {
		if got := trailingForward([]byte(c.in)); got != c.want {
			t.Errorf("trailingForward(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}
