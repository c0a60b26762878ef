package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// echoBuiltin records its arguments and prints them, or fails on "fail".
func echoBuiltin(got *[][]string) Builtin {
	return Builtin{
		Usage: ":echo WORD ...                    print the words",
		Words: []string{"one", "two"},
		Run: func(_ context.Context, out io.Writer, args []string) error {
			*got = append(*got, args)
			if slices.Contains(args, "fail") {
				return errors.New("echo failed")
			}
			_, err := fmt.Fprintln(out, strings.Join(args, "+"))
			return err
		},
	}
}

func TestBuiltins(t *testing.T) {
	var got [][]string
	builtins := map[string]Builtin{"echo": echoBuiltin(&got)}
	for _, tc := range []struct {
		name    string
		lines   []string
		calls   [][]string
		out     string
		errOut  string
		noSends bool
	}{
		{
			name:  "runs with its arguments",
			lines: []string{":echo a b", ":ECHO", `:echo "c d"`},
			calls: [][]string{{"a", "b"}, {}, {"c d"}},
			out:   "a+b\n\nc d\n",
		},
		{
			name:   "an error goes to ErrOut",
			lines:  []string{":echo fail"},
			calls:  [][]string{{"fail"}},
			errOut: "echo failed\n",
		},
		{
			name:  ":help lists the shell's commands and the builtins",
			lines: []string{":help"},
			out:   shellCommandsText() + builtins["echo"].Usage + "\n",
		},
		{
			name:  "an unknown colon command is still unknown",
			lines: []string{":echox"},
			out:   "unknown redish internal command ':echox'\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			client := &fakeClient{}
			r := runShell(t, Config{Builtins: builtins}, &fakeEditor{lines: tc.lines}, client)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if len(got) != len(tc.calls) {
				t.Fatalf("calls %q, want %q", got, tc.calls)
			}
			for i := range got {
				if !slices.Equal(got[i], tc.calls[i]) {
					t.Errorf("call %d: %q, want %q", i, got[i], tc.calls[i])
				}
			}
			if r.out.String() != tc.out {
				t.Errorf("out %q, want %q", r.out.String(), tc.out)
			}
			if r.errOut.String() != tc.errOut {
				t.Errorf("errOut %q, want %q", r.errOut.String(), tc.errOut)
			}
			if sent := client.commands(); len(sent) != 0 {
				t.Errorf("sent %q to the server", sent)
			}
		})
	}
}

// TestBuiltinNotFromRCFile checks that the start-up file runs only the
// shell's own settings, never an added builtin.
func TestBuiltinNotFromRCFile(t *testing.T) {
	var got [][]string
	rc := filepath.Join(t.TempDir(), "rc")
	if err := os.WriteFile(rc, []byte(":echo from-rc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{RCPath: rc, Builtins: map[string]Builtin{"echo": echoBuiltin(&got)}}
	r := runShell(t, cfg, &fakeEditor{}, &fakeClient{})
	if len(got) != 0 {
		t.Errorf("the start-up file ran the builtin: %q", got)
	}
	if want := "rc: unknown redish internal command ':echo'\n"; r.out.String() != want {
		t.Errorf("out %q, want %q", r.out.String(), want)
	}
}

func TestCompleteBuiltins(t *testing.T) {
	var got [][]string
	c := &completer{cmds: newCommandSet(nil), builtins: map[string]Builtin{"echo": echoBuiltin(&got)}}
	for _, tc := range []struct {
		line string
		want []string
	}{
		{":e", []string{":echo"}},
		{":h", []string{":help"}},
		{":echo ", []string{"one", "two"}},
		{":ECHO t", []string{"two"}},
		{":echo one ", nil},
	} {
		if _, cands := c.complete(tc.line); !slices.Equal(cands, tc.want) {
			t.Errorf("complete(%q) = %q, want %q", tc.line, cands, tc.want)
		}
	}
}
