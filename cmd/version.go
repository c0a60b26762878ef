package cmd

import (
	_ "embed"
	"runtime/debug"

	"github.com/redish/redish/internal/buildinfo"
)

// version, commit and date are set at build time by scripts/release.sh:
//
//	go build -ldflags "-X github.com/redish/redish/cmd.version=v1.2.3
//	    -X github.com/redish/redish/cmd.commit=0123456789abcdef...
//	    -X github.com/redish/redish/cmd.date=2025-01-02T03:04:05Z"
//
// Each one left empty comes from what the build recorded instead (see
// buildinfo.Read).
var version, commit, date string

// archiveInfo is what "git archive" writes into archive-info.txt
// (.gitattributes marks it export-subst): the commit's hash, its time in
// seconds since 1970 and "git describe" of it. In a checkout, and in the
// zips the Go module proxy serves (which skip export-subst), it holds the
// unexpanded placeholders, which buildinfo.Read ignores.
//
//go:embed archive-info.txt
var archiveInfo string

// currentBuildInfo reads the build information of the running binary
// (see buildinfo.Read).
func currentBuildInfo() buildinfo.Info {
	info, _ := debug.ReadBuildInfo()
	return buildinfo.Read(buildinfo.Stamp{Version: version, Commit: commit, Date: date, Archive: archiveInfo}, info)
}

// versionString returns what --version prints.
func versionString() string { return currentBuildInfo().String() }

// versionNumber returns the version alone ("devel", "v1.2.3").
func versionNumber() string { return currentBuildInfo().Version }
