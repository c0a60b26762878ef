package cmd

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set at build time with
//
//	go build -ldflags "-X github.com/redish/redish/cmd.version=v1.2.3"
//
// Otherwise it comes from the module's build info: the module version for
// "go install github.com/redish/redish@v1.2.3", "devel" in a checkout.
var version = ""

// buildInfo is what --version reports.
type buildInfo struct {
	version   string // "v1.2.3", a pseudo-version or "devel"
	commit    string // the VCS revision, shortened; "" when unknown
	modified  bool   // the working tree had uncommitted changes
	time      string // the commit's time (RFC 3339), "" when unknown
	goVersion string // the Go toolchain, "go1.26.8"
}

// readBuildInfo gathers the build info from the -X version and the
// binary's embedded build info. VCS details are there only when the
// binary was built in a checkout with -buildvcs on (the go command's
// default, which GOFLAGS=-buildvcs=false turns off).
func readBuildInfo(ldflagsVersion string, info *debug.BuildInfo) buildInfo {
	b := buildInfo{version: ldflagsVersion, goVersion: runtime.Version()}
	if info != nil {
		if info.GoVersion != "" {
			b.goVersion = info.GoVersion
		}
		if b.version == "" {
			b.version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.commit = s.Value
				if len(b.commit) > 12 {
					b.commit = b.commit[:12]
				}
			case "vcs.modified":
				b.modified = s.Value == "true"
			case "vcs.time":
				b.time = s.Value
			}
		}
	}
	if b.version == "" || b.version == "(devel)" {
		b.version = "devel"
	}
	return b
}

// String returns the --version line:
//
//	redish v1.2.3 (commit 0123456789ab, modified, 2025-01-02T03:04:05Z) go1.26.8 linux/amd64
//
// The parenthesis is left out when the commit is unknown.
func (b buildInfo) String() string {
	var s strings.Builder
	s.WriteString("redish " + b.version)
	if b.commit != "" {
		s.WriteString(" (commit " + b.commit)
		if b.modified {
			s.WriteString(", modified")
		}
		if b.time != "" {
			s.WriteString(", " + b.time)
		}
		s.WriteString(")")
	}
	s.WriteString(" " + b.goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH)
	return s.String()
}

func currentBuildInfo() buildInfo {
	info, _ := debug.ReadBuildInfo()
	return readBuildInfo(version, info)
}

// versionString returns what --version prints.
func versionString() string { return currentBuildInfo().String() }

// versionNumber returns the version alone ("devel", "v1.2.3").
func versionNumber() string { return currentBuildInfo().version }
