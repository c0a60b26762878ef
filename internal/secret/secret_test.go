package secret

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/redish/redish/resp"
)

func args(line string) [][]byte {
	var out [][]byte
	for _, w := range strings.Fields(line) {
		out = append(out, []byte(w))
	}
	return out
}

func TestCredentials(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{"AUTH pw1", []string{"pw1"}},
		{"auth alice pw1", []string{"pw1"}},
		{"AUTH", nil},
		{"HELLO 3 AUTH alice pw1 SETNAME me", []string{"pw1"}},
		{"hello 3 auth alice", nil},
		{"HELLO 3 SETNAME auth", nil},
		{"MIGRATE h 6379 k 0 1000 COPY AUTH pw1", []string{"pw1"}},
		{"MIGRATE h 6379 \"\" 0 1000 AUTH2 alice pw1 KEYS a b", []string{"pw1"}},
		{"ACL SETUSER carol on >pw1 <pw2 #abcd !ef01 ~* +@all", []string{"pw1", "pw2", "abcd", "ef01"}},
		{"ACL SETUSER carol nopass", nil},
		{"ACL GETUSER carol", nil},
		{"CONFIG SET requirepass pw1 maxmemory 10mb masterauth pw2", []string{"pw1", "pw2"}},
		{"config set tls-key-file-pass pw1", []string{"pw1"}},
		{"CONFIG SET masteruser alice", nil},
		{"CONFIG GET requirepass", nil},
		{"SENTINEL SET mymaster auth-pass pw1", []string{"pw1"}},
		{"SENTINEL CONFIG SET sentinel-pass pw1", []string{"pw1"}},
		{"SET AUTH pw1", nil},
		{"GET requirepass", nil},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			var got []string
			for _, c := range Credentials(args(tc.cmd)) {
				got = append(got, string(c))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Credentials(%s) = %q, want %q", tc.cmd, got, tc.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	s := New()
	s.Add("S3cret")
	s.Add("S3cret-longer")
	s.Add("")
	s.AddCommand(args("AUTH alice 0123456789abcdef"))
	for _, tc := range []struct{ in, want string }{
		{"nothing here", "nothing here"},
		{"AUTH failed: ERR unknown command 'AUTH', with args beginning with: 'S3cret' ", "AUTH failed: ERR unknown command 'AUTH', with args beginning with: '***' "},
		{"S3cret-longer and S3cret", "*** and ***"},
		{"x0123456789abcdefx", "x***x"},
		// Redis cuts the quoted arguments of a refused command at 128
		// bytes: the beginning of a secret, quoted, is masked.
		{"with args beginning with: 'alice' '0123456'", "with args beginning with: 'alice' '***'"},
		{"'S3c' and 'S3x'", "'***' and 'S3x'"},
		{"it's 'S3'", "it's 'S3'"}, // not a quoted word: the quote pairs with "it's"
		{"''", "''"},
	} {
		if got := s.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	var nilSet *Set
	nilSet.Add("x")
	nilSet.AddCommand(args("AUTH x"))
	if got := nilSet.String("x"); got != "x" || !nilSet.Empty() {
		t.Errorf("a nil Set masks: %q", got)
	}
}

// TestMaskReturnsInputUnchanged: nothing to mask costs no copy.
func TestMaskReturnsInputUnchanged(t *testing.T) {
	s := New()
	s.Add("pw")
	in := []byte("no secret in 'here'")
	if out := s.MaskBytes(in); &out[0] != &in[0] {
		t.Error("MaskBytes copied an input with nothing to mask")
	}
}

func TestWriter(t *testing.T) {
	s := New()
	var buf bytes.Buffer
	w := s.Writer(&buf)
	w.Write([]byte("before pw1\n"))
	s.Add("pw1")
	n, err := w.Write([]byte("after pw1\n"))
	if n != len("after pw1\n") || err != nil {
		t.Errorf("Write = %d, %v", n, err)
	}
	if got, want := buf.String(), "before pw1\nafter ***\n"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}

// TestConcurrentUse: secrets are added while other goroutines mask (the
// shell's retry lines are printed while a command runs).
func TestConcurrentUse(t *testing.T) {
	s := New()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range 100 {
				s.Add(strings.Repeat("p", i*100+j+1))
			}
		}()
		go func() {
			defer wg.Done()
			for range 100 {
				s.String("a 'pp' line")
			}
		}()
	}
	wg.Wait()
	if got := s.String("x" + strings.Repeat("p", 400) + "x"); got != "x***x" {
		t.Errorf("got %q", got)
	}
}

func TestMaskReply(t *testing.T) {
	s := New()
	s.Add("pw1")
	leak := resp.ErrorReply("ERR unknown command 'AUTH', with args beginning with: 'pw1' ")
	masked := resp.ErrorReply("ERR unknown command 'AUTH', with args beginning with: '***' ")
	data := resp.BulkString("pw1")
	attrs := resp.Value{Kind: resp.KindMap, Elems: []resp.Value{resp.BulkString("k"), leak}}
	in := resp.Array(data, leak, resp.Array(resp.Int(1), leak))
	in.Attrs = &attrs
	got := s.MaskReply(in)
	want := resp.Array(data, masked, resp.Array(resp.Int(1), masked))
	wantAttrs := resp.Value{Kind: resp.KindMap, Elems: []resp.Value{resp.BulkString("k"), masked}}
	want.Attrs = &wantAttrs
	if show(got) != show(want) {
		t.Errorf("MaskReply:\n got %s\nwant %s", show(got), show(want))
	}
	if string(in.Elems[1].Str) != string(leak.Str) || string(in.Attrs.Elems[1].Str) != string(leak.Str) {
		t.Error("MaskReply modified its argument")
	}
	if got := s.MaskReply(data); string(got.Str) != "pw1" {
		t.Errorf("a bulk reply was masked: %q", got.Str)
	}
}

// show writes a value with its kinds, for comparisons.
func show(v resp.Value) string {
	var b strings.Builder
	b.WriteString(v.Kind.String() + ":" + string(v.Str))
	if v.Attrs != nil {
		b.WriteString("|" + show(*v.Attrs))
	}
	if len(v.Elems) > 0 {
		b.WriteString("[")
		for _, e := range v.Elems {
			b.WriteString(show(e) + ",")
		}
		b.WriteString("]")
	}
	return b.String()
}
