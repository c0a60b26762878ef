// Package buildinfo says which build of redish is running: its version,
// commit and commit time, from what the build was told (-X values,
// archive-info.txt) or recorded (VCS stamping, the module version).
package buildinfo

import (
	"cmp"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Info is what --version reports.
type Info struct {
	Version   string // "v1.2.3", a pseudo-version or "devel"
	Commit    string // the VCS revision, shortened; "" when unknown
	Modified  bool   // the working tree had uncommitted changes
	Time      string // the commit's time (RFC 3339, UTC), "" when unknown
	GoVersion string // the Go toolchain, "go1.26.8"
}

// Stamp is what the build was told explicitly: the -X values of a release
// build and archive-info.txt, which "git archive" expands.
type Stamp struct {
	Version, Commit, Date string
	Archive               string
}

// Read gathers the build info, from the first source that has
// each part:
//
//  1. the -X values of a release build (scripts/release.sh);
//  2. the VCS stamping the go command does in a checkout (-buildvcs, on
//     by default when git is installed);
//  3. the module version: "go install github.com/redish/redish@v1.2.3",
//     whose pseudo-versions (v0.0.0-20250102030405-0123456789ab) also
//     carry the commit and its time;
//  4. archive-info.txt (Stamp.Archive), expanded by "git archive" (a source archive built
//     where there is no .git).
//
// A build that has none of them (go build -buildvcs=false in a checkout)
// is "devel" with no commit: nothing in such a build says which it is.
func Read(s Stamp, info *debug.BuildInfo) Info {
	b := Info{Version: s.Version, Commit: s.Commit, Time: s.Date, GoVersion: runtime.Version()}
	if info != nil {
		if info.GoVersion != "" {
			b.GoVersion = info.GoVersion
		}
		vcs := false
		for _, st := range info.Settings {
			switch st.Key {
			case "vcs.revision":
				vcs = true
				b.Commit = cmp.Or(b.Commit, st.Value)
			case "vcs.modified":
				b.Modified = st.Value == "true"
			case "vcs.time":
				b.Time = cmp.Or(b.Time, st.Value)
			}
		}
		if v := info.Main.Version; v != "" && v != "(devel)" {
			b.Version = cmp.Or(b.Version, v)
			if !vcs {
				c, t := fromPseudoVersion(v)
				b.Commit, b.Time = cmp.Or(b.Commit, c), cmp.Or(b.Time, t)
			}
		}
	}
	if c, t, v, ok := parseArchiveInfo(s.Archive); ok {
		b.Commit, b.Time, b.Version = cmp.Or(b.Commit, c), cmp.Or(b.Time, t), cmp.Or(b.Version, v)
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	if len(b.Commit) > 12 {
		b.Commit = b.Commit[:12]
	}
	return b
}

// pseudoVersion matches the end of a pseudo-version: the commit's time
// (UTC, yyyymmddhhmmss) and its hash's first 12 digits
// ("v0.0.0-20250102030405-0123456789ab", "v1.2.4-0.20250102030405-...").
var pseudoVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-.]([0-9]{14})-([0-9a-f]{12})(\+.*)?$`) })

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
func (b Info) String() string {
	var s strings.Builder
	s.WriteString("redish " + b.Version + " (")
	if b.Commit == "" {
		s.WriteString("commit unknown")
	} else {
		s.WriteString("commit " + b.Commit)
		if b.Modified {
			s.WriteString(", modified")
		}
		if b.Time != "" {
			s.WriteString(", " + b.Time)
		}
	}
	s.WriteString(") " + b.GoVersion + " " + runtime.GOOS + "/" + runtime.GOARCH)
	return s.String()
}
