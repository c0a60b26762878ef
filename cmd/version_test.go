package cmd

import (
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReadBuildInfo(t *testing.T) {
	platform := " " + runtime.GOOS + "/" + runtime.GOARCH
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2025-01-02T03:04:05Z"},
		{Key: "vcs.modified", Value: "false"},
	}
	dirty := append(vcs[:3:3], debug.BuildSetting{Key: "vcs.modified", Value: "true"})
	tests := []struct {
		name    string
		ldflags string
		info    *debug.BuildInfo
		want    string
	}{
		{"no build info", "", nil, "redish devel " + runtime.Version() + platform},
		{"checkout without VCS stamping", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"redish devel go1.26.8" + platform},
		{"go install of a release", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}},
			"redish v1.2.3 go1.26.8" + platform},
		{"checkout with VCS stamping", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			"redish devel (commit 0123456789ab, 2025-01-02T03:04:05Z) go1.26.8" + platform},
		{"uncommitted changes", "", &debug.BuildInfo{GoVersion: "go1.26.8", Settings: dirty},
			"redish devel (commit 0123456789ab, modified, 2025-01-02T03:04:05Z) go1.26.8" + platform},
		{"-ldflags -X wins", "v2.0.0", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: vcs},
			"redish v2.0.0 (commit 0123456789ab, 2025-01-02T03:04:05Z) go1.26.8" + platform},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readBuildInfo(tt.ldflags, tt.info).String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestVersionFlag runs the built binary: --version and -v print one line
// with the version and the Go toolchain, and exit 0 without connecting.
func TestVersionFlag(t *testing.T) {
	for _, flag := range []string{"--version", "-v"} {
		out, err := exec.Command(redishBin, flag, "-p", "1").Output()
		if err != nil {
			t.Fatalf("redish %s: %v", flag, err)
		}
		line := strings.TrimSuffix(string(out), "\n")
		if !strings.HasPrefix(line, "redish ") || strings.Contains(line, "\n") || !strings.Contains(line, " "+runtime.Version()+" ") {
			t.Errorf("redish %s = %q, want one line: redish VERSION ... %s OS/ARCH", flag, line, runtime.Version())
		}
	}
}

// TestVersionFromLdflags builds redish with the version set by -ldflags.
func TestVersionFromLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := t.TempDir() + "/redish"
	build := exec.Command("go", "build", "-o", bin, "-ldflags", "-X github.com/redish/redish/cmd.version=v9.8.7", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "redish v9.8.7 ") {
		t.Errorf("--version = %q, want redish v9.8.7 ...", out)
	}
}
