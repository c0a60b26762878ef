package redisproc

import "testing"

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"yes", "yes"},
		{"", `""`},
		{"a b", `"a b"`},
		{`q"t`, `"q\"t"`},
		{`back\slash`, `"back\\slash"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := quote(tc.in); got != tc.want {
				t.Errorf("quote(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}
