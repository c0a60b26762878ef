package repl

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/redish/redish/retry"
)

// watchingClient is a fakeClient that is a Watcher: once the shell waits
// at the prompt, it reports that the primary moved.
type watchingClient struct {
	*fakeClient
	reading chan struct{} // closed by the editor when ReadLine waits
	stopped bool
}

func (c *watchingClient) Watch(ctx context.Context, notice func(Notice)) (stop func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-c.reading
		notice(Notice{Line: "+switch-master mymaster 127.0.0.1:6380 -> 127.0.0.1:6381 (from sentinel 127.0.0.1:26379)", Addr: "127.0.0.1:6381"})
	}()
	return func() {
		<-done
		c.stopped = true
	}
}

// waitingEditor waits at its first prompt until something is announced.
type waitingEditor struct {
	*fakeEditor
	reading   chan struct{}
	announced chan struct{}
}

func (e *waitingEditor) ReadLine(prompt string) (string, error) {
	e.prompts = append(e.prompts, prompt)
	close(e.reading)
	<-e.announced
	return "", io.EOF
}

func (e *waitingEditor) Announce(line, prompt string) {
	e.fakeEditor.Announce(line, prompt)
	close(e.announced)
}

func TestShellFollowsWatcher(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		reading := make(chan struct{})
		client := &watchingClient{
			fakeClient: &fakeClient{state: State{Addr: "127.0.0.1:6380", Sentinel: "mymaster", Connected: true}},
			reading:    reading,
		}
		if verbose {
			client.observer = func(retry.Event) {}
		}
		ed := &waitingEditor{fakeEditor: &fakeEditor{}, reading: reading, announced: make(chan struct{})}
		var out, errOut bytes.Buffer
		err := NewShell(Config{Client: client, Editor: ed, Out: &out, ErrOut: &errOut}).Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(ed.prompts) != 1 || ed.prompts[0] != "sentinel mymaster 127.0.0.1:6380> " {
			t.Errorf("prompts %q", ed.prompts)
		}
		want := "|sentinel mymaster 127.0.0.1:6381> "
		if verbose {
			want = "+switch-master mymaster 127.0.0.1:6380 -> 127.0.0.1:6381 (from sentinel 127.0.0.1:26379)" + want
		}
		if len(ed.fakeEditor.announced) != 1 || ed.fakeEditor.announced[0] != want {
			t.Errorf("verbose %v: announced %q, want %q", verbose, ed.fakeEditor.announced, want)
		}
		if !client.stopped {
			t.Error("the watch was not stopped")
		}
	}
}
