package cmd

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redish/redish/internal/redistest"
)

// loadRDB puts rdb in place of a fresh server's dump file, loads it with
// DEBUG RELOAD and returns the server.
func loadRDB(t *testing.T, rdb []byte) *redistest.Server {
	t.Helper()
	s := redistest.Start(t)
	if err := os.WriteFile(filepath.Join(s.Dir, "dump.rdb"), rdb, 0o600); err != nil {
		t.Fatal(err)
	}
	if v := s.Do(t, "DEBUG", "RELOAD", "NOSAVE"); v.IsError() {
		t.Fatalf("DEBUG RELOAD: %s", v.Str)
	}
	return s
}

// numbers hides byte counts, which differ between two RDBs of the same
// data (they record the time and memory in use).
var numbers = regexp.MustCompile(`\d+ bytes`)

func TestRDB(t *testing.T) {
	const library = "#!lua name=mylib\nredis.register_function('f', function() return 1 end)"
	tests := []struct {
		name     string
		diskless string
		args     func(file string) []string
		toStdout bool
		// functionsOnly: the RDB holds the library and no key.
		functionsOnly bool
	}{
		{name: "file, disk", diskless: "no", args: func(f string) []string { return []string{"--rdb", f} }},
		{name: "file, diskless", diskless: "yes", args: func(f string) []string { return []string{"--rdb", f} }},
		{name: "stdout, disk", diskless: "no", args: func(string) []string { return []string{"--rdb", "-"} }, toStdout: true},
		{name: "stdout, diskless", diskless: "yes", args: func(string) []string { return []string{"--rdb", "-"} }, toStdout: true},
		{name: "functions", diskless: "no", args: func(f string) []string { return []string{"--functions-rdb", f} }, functionsOnly: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := redistest.Start(t, redistest.WithConfig("repl-diskless-sync", tc.diskless))
			src.Do(t, "SET", "k", "v")
			src.Do(t, "HSET", "h", "f", "1", "g", "2")
			src.Do(t, "FUNCTION", "LOAD", library)
			dir := t.TempDir()
			file := filepath.Join(dir, "redish.rdb")
			got := runRedish(t, nil, "", portArgs(src, tc.args(file)...)...)
			cliArgs := tc.args(filepath.Join(dir, "redis-cli.rdb"))
			if tc.toStdout {
				cliArgs = tc.args("")
			}
			want := runCLI(t, nil, "", portArgs(src, cliArgs...)...)
			if got.code != 0 || want.code != 0 {
				t.Fatalf("exit %d (%s), redis-cli %d (%s)", got.code, got.err, want.code, want.err)
			}
			gotErr := numbers.ReplaceAllString(strings.ReplaceAll(got.err, file, "FILE"), "N bytes")
			wantErr := numbers.ReplaceAllString(strings.ReplaceAll(want.err, filepath.Join(dir, "redis-cli.rdb"), "FILE"), "N bytes")
			if gotErr != wantErr {
				t.Errorf("stderr:\n%s\nredis-cli's:\n%s", got.err, want.err)
			}
			rdb := []byte(got.out)
			if !tc.toStdout {
				var err error
				if rdb, err = os.ReadFile(file); err != nil {
					t.Fatal(err)
				}
				if got.out != "" {
					t.Errorf("stdout %q, want nothing", got.out)
				}
			}
			if !strings.HasPrefix(string(rdb), "REDIS") {
				t.Fatalf("the RDB starts with %q", rdb[:min(len(rdb), 9)])
			}
			dst := loadRDB(t, rdb)
			keys := dst.Do(t, "DBSIZE").Int
			if tc.functionsOnly {
				if keys != 0 {
					t.Errorf("%d keys loaded from a functions-only RDB", keys)
				}
			} else if keys != 2 || string(dst.Do(t, "GET", "k").Str) != "v" || dst.Do(t, "HLEN", "h").Int != 2 {
				t.Errorf("after DEBUG RELOAD: %d keys, GET k = %q", keys, dst.Do(t, "GET", "k").Str)
			}
			if libs := dst.Do(t, "FUNCTION", "LIST"); libs.Len() != 1 {
				t.Errorf("FUNCTION LIST after reload: %d libraries, want 1", libs.Len())
			}
		})
	}
}

func TestRDBErrors(t *testing.T) {
	s := redistest.Start(t)
	tests := []struct {
		name string
		args []string
		// cliErr is compared with redis-cli's stderr when set.
		sameAsCLI bool
		wantErr   string
	}{
		{name: "exclusive", args: []string{"--rdb", "a", "--functions-rdb", "b"}, sameAsCLI: true,
			wantErr: "Option --functions-rdb and --rdb are mutually exclusive.\n"},
		{name: "exclusive, other order", args: []string{"--functions-rdb", "b", "--rdb", "a"}, sameAsCLI: true,
			wantErr: "Option --functions-rdb and --rdb are mutually exclusive.\n"},
		// redish opens the file before asking for the RDB.
		{name: "bad path", args: []string{"--rdb", "/nonexistent/dir/x.rdb"},
			wantErr: "Error opening '/nonexistent/dir/x.rdb': No such file or directory\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runRedish(t, nil, "", portArgs(s, tc.args...)...)
			if got.code != 1 || got.err != tc.wantErr || got.out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", got.code, got.out, got.err, tc.wantErr)
			}
			if tc.sameAsCLI {
				want := runCLI(t, nil, "", portArgs(s, tc.args...)...)
				if want.code != got.code || want.err != got.err {
					t.Errorf("redis-cli: exit %d, stderr %q", want.code, want.err)
				}
			}
		})
	}
}

func TestReplica(t *testing.T) {
	s := redistest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := &diagBuffer{}, &diagBuffer{}
	ios := &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut, Getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, portArgs(s, "--replica"), ios) }()

	// Write until the command shows up: the replica goes online some time
	// after the transfer. Bounded: 400 rounds of 25ms.
	want := `"set","greeting","hello world"` + "\n"
	for i := 0; !strings.Contains(out.String(), want); i++ {
		if i == 400 {
			cancel()
			<-done
			t.Fatalf("no %q in the output after 10s:\n%s\nstderr:\n%s", want, out, errOut)
		}
		select {
		case code := <-done:
			t.Fatalf("redish --replica ended with %d: %s", code, errOut)
		case <-time.After(25 * time.Millisecond):
		}
		s.Do(t, "set", "greeting", "hello world")
	}
	cancel()
	if code := <-done; code != 130 {
		t.Errorf("exit %d after the interrupt, want 130", code)
	}
	if !strings.HasPrefix(out.String(), `"SELECT","0"`+"\n") {
		t.Errorf("stdout = %q, want the SELECT that starts the stream first", out)
	}
	wantErr := regexp.MustCompile(`^sending REPLCONF capa eof
sending REPLCONF rdb-filter-only 
SYNC with master, discarding bytes of bulk transfer until EOF marker...
SYNC done after \d+ bytes. Logging commands from master.
sending REPLCONF ACK 0
Interrupted during --replica\.
$`)
	if !wantErr.MatchString(errOut.String()) {
		t.Errorf("stderr:\n%s", errOut)
	}
}
