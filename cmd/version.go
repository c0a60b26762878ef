package cmd

import (
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X github.com/redish/redish/cmd.version=v1.2.3";
// otherwise it comes from the module's build info.
var version = ""

func versionString() string {
	v, commit, goVersion := version, "", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
				if len(commit) > 12 {
					commit = commit[:12]
				}
			case "vcs.modified":
				if s.Value == "true" && commit != "" {
					commit += "-dirty"
				}
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var b strings.Builder
	b.WriteString("redish ")
	b.WriteString(v)
	if commit != "" {
		b.WriteString(" (commit " + commit + ")")
	}
	if goVersion != "" {
		b.WriteString(" " + goVersion)
	}
	return b.String()
}

// versionNumber returns the version alone ("devel", "v1.2.3").
func versionNumber() string {
	v := version
	if v == "" {
		if info, ok := debug.ReadBuildInfo(); ok {
			v = info.Main.Version
		}
	}
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}
