package cmd

import (
	"cmp"
	_ "embed"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// version, commit and date are set at build time by scripts/release.sh:
//
//	go build -ldflags "-X github.com/redish/redish/cmd.version=v1.2.3
//	    -X github.com/redish/redish/cmd.commit=0123456789abcdef...
//	    -X github.com/redish/redish/cmd.date=2025-01-02T03:04:05Z"
//
// Each one left empty comes from what the build recorded instead (see
// readBuildInfo).
var version, commit, date string

// archiveInfo is what "git archive" writes into archive-info.txt
// (.gitattributes marks it export-subst): the commit's hash, its time in
// seconds since 1970 and "git describe" of it. In a checkout, and in the
// zips the Go module proxy serves (which skip export-subst), it holds the
// unexpanded placeholders, which readBuildInfo ignores.
//
//go:embed archive-info.txt
var archiveInfo string

// buildInfo is what --version reports.
type buildInfo struct {
	version   string // "v1.2.3", a pseudo-version or "devel"
	commit    string // the VCS revision, shortened; "" when unknown
	modified  bool   // the working tree had uncommitted changes
	time      string // the commit's time (RFC 3339, UTC), "" when unknown
	goVersion string // the Go toolchain, "go1.26.8"
}

// stamp is what the build was told explicitly: the -X values and the
// archive's expanded placeholders.
type stamp struct {
	version, commit, date string
	archive               string
}

// readBuildInfo gathers the build info, from the first source that has
// each part:
//
//  1. the -X values of a release build (scripts/release.sh);
//  2. the VCS stamping the go command does in a checkout (-buildvcs, on
//     by default when git is installed);
//  3. the module version: "go install github.com/redish/redish@v1.2.3",
//     whose pseudo-versions (v0.0.0-20250102030405-0123456789ab) also
//     carry the commit and its time;
//  4. archive-info.txt, expanded by "git archive" (a source archive built
//     where there is no .git).
//
// A build that has none of them (go build -buildvcs=false in a checkout)
// is "devel" with no commit: nothing in such a build says which it is.
func readBuildInfo(s stamp, info *debug.BuildInfo) buildInfo {
	b := buildInfo{version: s.version, commit: s.commit, time: s.date, goVersion: runtime.Version()}
	if info != nil {
		if info.GoVersion != "" {
			b.goVersion = info.GoVersion
		}
		vcs := false
		for _, st := range info.Settings {
			switch st.Key {
			case "vcs.revision":
				vcs = true
				b.commit = cmp.Or(b.commit, st.Value)
			case "vcs.modified":
				b.modified = st.Value == "true"
			case "vcs.time":
				b.time = cmp.Or(b.time, st.Value)
			}
		}
		if v := info.Main.Version; v != "" && v != "(devel)" {
			b.version = cmp.Or(b.version, v)
			if !vcs {
				c, t := fromPseudoVersion(v)
				b.commit, b.time = cmp.Or(b.commit, c), cmp.Or(b.time, t)
			}
		}
	}
	if c, t, v, ok := parseArchiveInfo(s.archive); ok {
		b.commit, b.time, b.version = cmp.Or(b.commit, c), cmp.Or(b.time, t), cmp.Or(b.version, v)
	}
	if b.version == "" {
		b.version = "devel"
	}
	if len(b.commit) > 12 {
		b.commit = b.commit[:12]
	}
	return b
}

// pseudoVersion matches the end of a pseudo-version: the commit's time
// (UTC, yyyymmddhhmmss) and its hash's first 12 digits
// ("v0.0.0-20250102030405-0123456789ab", "v1.2.4-0.20250102030405-...").
// It is compiled on first use, not at every start.
var pseudoVersion = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`[-.]([0-9]{14})-([0-9a-f]{12})(\+.*)?$`)
})

// pseudoTime is the layout of a pseudo-version's time.
const pseudoTime = "20060102150405"

// fromPseudoVersion returns the commit and time a pseudo-version names,
// or "" for a release version.
func fromPseudoVersion(v string) (commit, date string) {
	m := pseudoVersion().FindStringSubmatch(v)
	if m == nil {
		return "", ""
	}
	t, err := time.Parse(pseudoTime, m[1])
	if err != nil {
		return m[2], ""
	}
	return m[2], t.UTC().Format(time.RFC3339)
}

// parseArchiveInfo reads archive-info.txt as "git archive" expanded it:
// "HASH UNIXTIME DESCRIBE". The version is the "git describe" of a tagged
// history, else a pseudo-version made from the commit, as the go command
// makes them.
func parseArchiveInfo(s string) (commit, date, version string, ok bool) {
	f := strings.Fields(s)
	if len(f) < 2 || len(f[0]) != 40 || strings.Trim(f[0], "0123456789abcdef") != "" {
		return "", "", "", false // unexpanded: a checkout or a module zip
	}
	sec, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return "", "", "", false
	}
	t := time.Unix(sec, 0).UTC()
	version = "v0.0.0-" + t.Format(pseudoTime) + "-" + f[0][:12]
	if len(f) > 2 && strings.HasPrefix(f[2], "v") {
		version = f[2]
	}
	return f[0], t.Format(time.RFC3339), version, true
}

// String returns the --version line:
//
//	redish v1.2.3 (commit 0123456789ab, modified, 2025-01-02T03:04:05Z) go1.26.8 linux/amd64
//
// "commit unknown" stands in the parenthesis when the build did not
// record its commit.
func (b buildInfo) String() string {
	var s strings.Builder
	s.WriteString("redish " + b.version + " (")
	if b.commit == "" {
		s.WriteString("commit unknown")
	} else {
		s.WriteString("commit " + b.commit)
		if b.modified {
			s.WriteString(", modified")
		}
		if b.time != "" {
			s.WriteString(", " + b.time)
		}
	}
	s.WriteString(") " + b.goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH)
	return s.String()
}

func currentBuildInfo() buildInfo {
	info, _ := debug.ReadBuildInfo()
	return readBuildInfo(stamp{version: version, commit: commit, date: date, archive: archiveInfo}, info)
}

// versionString returns what --version prints.
func versionString() string { return currentBuildInfo().String() }

// versionNumber returns the version alone ("devel", "v1.2.3").
func versionNumber() string { return currentBuildInfo().version }
