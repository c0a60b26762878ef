package resp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// TestReadValueScratch reads every valid reply, alone and in a sequence
// with the others, with ReadValueScratch: it must read what ReadValue
// reads, and each value must be whole until the next read.
func TestReadValueScratch(t *testing.T) {
	for _, tt := range validReplies {
		for _, size := range []int{4096, 16} {
			r := NewReader(bufio.NewReaderSize(strings.NewReader(tt.in), size))
			got, err := r.ReadValueScratch()
			if err != nil || !equalValue(got, tt.want) {
				t.Errorf("%s, buffer %d: ReadValueScratch = %s, %v; want %s", tt.name, size, show(got), err, show(tt.want))
			}
			if _, err := r.ReadValueScratch(); err != io.EOF {
				t.Errorf("%s, buffer %d: after the reply: %v, want io.EOF", tt.name, size, err)
			}
		}
	}
	var in strings.Builder
	for range 3 {
		for _, tt := range validReplies {
			in.WriteString(tt.in)
		}
	}
	r := NewReader(bufio.NewReader(strings.NewReader(in.String())))
	for i := range 3 * len(validReplies) {
		tt := validReplies[i%len(validReplies)]
		got, err := r.ReadValueScratch()
		if err != nil || !equalValue(got, tt.want) {
			t.Fatalf("reply %d (%s): %s, %v; want %s", i, tt.name, show(got), err, show(tt.want))
		}
	}
}

// TestReadValueScratchMixed interleaves ReadValue and ReadValueScratch:
// a value ReadValue returned is the caller's and stays whole after any
// number of scratch reads.
func TestReadValueScratchMixed(t *testing.T) {
	var in strings.Builder
	for _, tt := range validReplies {
		in.WriteString(tt.in)
		in.WriteString(tt.in)
	}
	r := NewReader(bufio.NewReaderSize(strings.NewReader(in.String()), 16))
	var kept []Value
	for _, tt := range validReplies {
		v, err := r.ReadValue()
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, v)
		if v, err = r.ReadValueScratch(); err != nil || !equalValue(v, tt.want) {
			t.Fatalf("%s: scratch read %s, %v", tt.name, show(v), err)
		}
	}
	for i, tt := range validReplies {
		if !equalValue(kept[i], tt.want) {
			t.Errorf("%s: the value of ReadValue changed to %s", tt.name, show(kept[i]))
		}
	}
}

// TestReadValueScratchReuses shows what the mode is for: once warmed up,
// reading replies of one shape allocates nothing, and the memory of a
// value is what the next read overwrites.
func TestReadValueScratchReuses(t *testing.T) {
	scan := Array(BulkString("17"), Array())
	for i := range 200 {
		scan.Elems[1].Elems = append(scan.Elems[1].Elems, BulkString("key:"+strconv.Itoa(i)))
	}
	for _, tt := range []struct {
		name string
		v    Value
	}{
		{"status", Status("OK")},
		{"error", ErrorReply("ERR wrong number of arguments")},
		{"bulk", BulkString(strings.Repeat("v", 100))},
		{"scan", scan},
		{"map", kv(KindMap, BulkString("a"), Int(1), BulkString("b"), Array(Status("x")))},
	} {
		wire := AppendValue(nil, tt.v)
		r := NewReader(bufio.NewReaderSize(&loopReader{data: bytes.Repeat(wire, 8)}, 64<<10))
		first, err := r.ReadValueScratch()
		if err != nil || !equalValue(first, tt.v) {
			t.Fatalf("%s: %s, %v", tt.name, show(first), err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			v, err := r.ReadValueScratch()
			if err != nil || !equalValue(v, tt.v) {
				t.Fatalf("%s: %s, %v", tt.name, show(v), err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per reply, want 0", tt.name, allocs)
		}
	}

	// The second reply lands in the memory of the first.
	r := NewReader(bufio.NewReader(strings.NewReader("+first\r\n+other\r\n")))
	first, _ := r.ReadValueScratch()
	if _, err := r.ReadValueScratch(); err != nil {
		t.Fatal(err)
	}
	if string(first.Str) != "other" {
		t.Errorf("after the second read the first value is %q: the memory was not reused", first.Str)
	}
}

// TestReadValueScratchLarge reads strings and aggregates too large for the
// scratch blocks: they get memory of their own and survive later reads.
func TestReadValueScratchLarge(t *testing.T) {
	big := strings.Repeat("x", scratchMaxBytes+1)
	arr := Array()
	for range scratchMaxValues + 1 {
		arr.Elems = append(arr.Elems, Int(1))
	}
	wire := AppendValue(AppendValue(AppendValue(nil, BulkString(big)), arr), Status("next"))
	r := NewReader(bufio.NewReader(bytes.NewReader(wire)))
	b, err := r.ReadValueScratch()
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.ReadValueScratch()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadValueScratch(); err != nil {
		t.Fatal(err)
	}
	if string(b.Str) != big || !equalValue(a, arr) {
		t.Error("a large value read with ReadValueScratch changed after the next read")
	}
}

// TestReadValueScratchLimits: the mode reads under the same limits.
func TestReadValueScratchLimits(t *testing.T) {
	r := NewReader(bufio.NewReader(strings.NewReader("$10\r\n0123456789\r\n")))
	r.MaxBulk = 5
	var pe *ProtocolError
	if _, err := r.ReadValueScratch(); !errors.As(err, &pe) {
		t.Errorf("a bulk over MaxBulk: %v, want a *ProtocolError", err)
	}
}

// TestClone: a clone of a scratch value survives the next read whole.
func TestClone(t *testing.T) {
	var in strings.Builder
	for _, tt := range validReplies {
		in.WriteString(tt.in)
	}
	r := NewReader(bufio.NewReaderSize(strings.NewReader(in.String()+in.String()), 16))
	var kept []Value
	for range validReplies {
		v, err := r.ReadValueScratch()
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, v.Clone())
	}
	for range validReplies {
		if _, err := r.ReadValueScratch(); err != nil {
			t.Fatal(err)
		}
	}
	for i, tt := range validReplies {
		if !equalValue(kept[i], tt.want) {
			t.Errorf("%s: the clone is %s, want %s", tt.name, show(kept[i]), show(tt.want))
		}
	}
}
