package buildinfo

import (
	"runtime"
	"runtime/debug"
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
	const unexpanded = "$Format:%H %ct %(describe:tags=true,match=v[0-9]*)$\n"
	const expanded = "fedcba9876543210fedcba9876543210fedcba98 1735787045 \n"
	release := Stamp{Version: "v2.0.0", Commit: "fedcba9876543210fedcba9876543210fedcba98", Date: "2025-02-03T04:05:06Z", Archive: unexpanded}
	tests := []struct {
		name  string
		stamp Stamp
		info  *debug.BuildInfo
		want  string
	}{
		{"no build info", Stamp{}, nil, "redish devel (commit unknown) " + runtime.Version() + platform},
		{"checkout without VCS stamping", Stamp{Archive: unexpanded}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"redish devel (commit unknown) go1.26.8" + platform},
		{"go install of a release", Stamp{Archive: unexpanded}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}},
			"redish v1.2.3 (commit unknown) go1.26.8" + platform},
		{"go install of a commit", Stamp{Archive: unexpanded}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20250102030405-0123456789ab"}},
			"redish v0.0.0-20250102030405-0123456789ab (commit 0123456789ab, 2025-01-02T03:04:05Z) go1.26.8" + platform},
		{"go install of a commit after a tag", Stamp{Archive: unexpanded}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.4-0.20250102030405-0123456789ab"}},
			"redish v1.2.4-0.20250102030405-0123456789ab (commit 0123456789ab, 2025-01-02T03:04:05Z) go1.26.8" + platform},
		{"checkout with VCS stamping", Stamp{Archive: unexpanded}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20250102030405-0123456789ab"}, Settings: vcs},
			"redish v0.0.0-20250102030405-0123456789ab (commit 0123456789ab, 2025-01-02T03:04:05Z) go1.26.8" + platform},
		{"uncommitted changes", Stamp{Archive: unexpanded}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20250102030405-0123456789ab+dirty"}, Settings: dirty},
			"redish v0.0.0-20250102030405-0123456789ab+dirty (commit 0123456789ab, modified, 2025-01-02T03:04:05Z) go1.26.8" + platform},
		{"source archive", Stamp{Archive: expanded}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"redish v0.0.0-20250102030405-fedcba987654 (commit fedcba987654, 2025-01-02T03:04:05Z) go1.26.8" + platform},
		{"source archive of a tag", Stamp{Archive: "fedcba9876543210fedcba9876543210fedcba98 1735787045 v1.2.3\n"}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"redish v1.2.3 (commit fedcba987654, 2025-01-02T03:04:05Z) go1.26.8" + platform},
		{"release script", release, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"redish v2.0.0 (commit fedcba987654, 2025-02-03T04:05:06Z) go1.26.8" + platform},
		{"-ldflags -X wins", release, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: vcs},
			"redish v2.0.0 (commit fedcba987654, 2025-02-03T04:05:06Z) go1.26.8" + platform},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Read(tt.stamp, tt.info).String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
