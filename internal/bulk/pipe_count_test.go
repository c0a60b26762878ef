package bulk

import (
	"strings"
	"testing"
)

// TestCmdCounter counts the commands of a --pipe stream fed in pieces of
// every size, against PipeInput, which parses it as the server
// does.
func TestCmdCounter(t *testing.T) {
	stream := "SET a 1\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nx\r\n\ny\r\n\r\n   \n*0\r\n*-1\r\nPING\n" +
		"*2\r\n$4\r\nECHO\r\n$0\r\n\r\nINCR c\r\n*1\r\n$4\r\nPI"
	want := int64(0)
	in := NewPipeInput(strings.NewReader(stream))
	for {
		if _, err := in.Next(); err != nil {
			break
		}
		want++
	}
	if want != 5 {
		t.Fatalf("PipeInput found %d commands, want 5", want)
	}
	for size := 1; size <= len(stream); size++ {
		var c cmdCounter
		for i := 0; i < len(stream); i += size {
			c.feed([]byte(stream[i:min(i+size, len(stream))]))
		}
		if c.count() != want {
			t.Fatalf("pieces of %d bytes: %d commands, want %d", size, c.count(), want)
		}
	}
}
