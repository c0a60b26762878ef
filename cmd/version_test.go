package cmd

import (
	"archive/zip"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

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

// archived is a commit of the checkout extracted as "git archive" writes
// it: the source of a release tarball.
type archived struct {
	dir    string // the extracted tree
	commit string // the full hash
	time   time.Time
}

// archiveCheckout extracts the checkout as git archive does, uncommitted
// changes to tracked files included (git stash create makes a commit of
// them without touching the working tree). It skips the test outside a
// git checkout, except on CI, which always has one.
func archiveCheckout(t *testing.T) archived {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		t.Helper()
		c := exec.Command("git", args...)
		c.Dir = root
		out, err := c.Output()
		if err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("not a git checkout: git %s: %v", strings.Join(args, " "), err)
			}
			t.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	commit := git("stash", "create")
	if commit == "" {
		commit = git("rev-parse", "HEAD")
	}
	sec, err := strconv.ParseInt(git("show", "-s", "--format=%ct", commit), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "src")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := exec.Command("sh", "-c", `git archive "$1" | tar -x -C "$2"`, "sh", commit, dir)
	c.Dir = root
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("git archive: %v\n%s", err, out)
	}
	return archived{dir: dir, commit: commit, time: time.Unix(sec, 0).UTC()}
}

// goBuild builds redish from dir with extra go build flags and returns
// its --version line.
func goBuild(t *testing.T, dir string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "redish")
	build := exec.Command("go", append(append([]string{"build", "-o", bin}, flags...), ".")...)
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", strings.Join(flags, " "), err, out)
	}
	return versionOf(t, bin)
}

func versionOf(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// wantVersion checks a --version line against a pattern of its version
// and commit parts; the Go toolchain and platform end every line.
func wantVersion(t *testing.T, got, pattern string) {
	t.Helper()
	t.Log(got)
	re := regexp.MustCompile("^redish " + pattern + " " + regexp.QuoteMeta(runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH) + "$")
	if !re.MatchString(got) {
		t.Errorf("--version = %q\nwant match  %s", got, re)
	}
}

// TestVersionBuildPaths builds redish every way the README offers and
// checks that --version names the version, the commit and the Go
// toolchain. The release script is checked by scripts/test.sh, which
// builds the packages.
func TestVersionBuildPaths(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	src := archiveCheckout(t)
	short := src.commit[:12]
	when := regexp.QuoteMeta(src.time.Format(time.RFC3339))
	pseudo := "v0.0.0-" + src.time.Format("20060102150405") + "-" + short

	t.Run("release ldflags", func(t *testing.T) {
		x := "-X github.com/redish/redish/cmd."
		got := goBuild(t, src.dir, "-ldflags", x+"version=v9.8.7 "+x+"commit="+src.commit+" "+x+"date=2025-01-02T03:04:05Z")
		wantVersion(t, got, regexp.QuoteMeta("v9.8.7 (commit "+short+", 2025-01-02T03:04:05Z)"))
	})
	t.Run("source archive", func(t *testing.T) {
		// No .git: whatever -buildvcs says, the go command records no
		// VCS information; archive-info.txt names the commit.
		got := goBuild(t, src.dir)
		wantVersion(t, got, `v\S+ \(commit `+short+", "+when+`\)`)
	})
	checkout, head := gitCheckout(t, src)
	t.Run("checkout with VCS stamping", func(t *testing.T) {
		got := goBuild(t, checkout, "-buildvcs=true")
		wantVersion(t, got, `v\S+ \(commit `+head[:12]+`, \S+\)`)
	})
	t.Run("checkout without VCS stamping", func(t *testing.T) {
		// Nothing in such a build names its commit: it says so.
		got := goBuild(t, checkout, "-buildvcs=false")
		wantVersion(t, got, regexp.QuoteMeta("devel (commit unknown)"))
	})
	t.Run("go install", func(t *testing.T) {
		bin := goInstall(t, src, pseudo)
		wantVersion(t, versionOf(t, bin), regexp.QuoteMeta(pseudo+" (commit "+short+", ")+when+`\)`)
	})
}

// unexpandedArchiveInfo returns cmd/archive-info.txt as it is in the
// repository: placeholders that git archive expands.
func unexpandedArchiveInfo(t *testing.T, src archived) []byte {
	t.Helper()
	b, err := exec.Command("git", "show", src.commit+":cmd/archive-info.txt").Output()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gitCheckout makes a git repository of its own of the archived tree, as
// a clone is (a .git directory: the go command does not stamp builds in
// linked worktrees), and returns it and its commit.
func gitCheckout(t *testing.T, src archived) (dir, head string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "checkout")
	if out, err := exec.Command("cp", "-R", src.dir, dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "cmd", "archive-info.txt"), unexpandedArchiveInfo(t, src), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `git init -q && git add -A && git -c user.name=redish -c user.email=redish@localhost commit -q -m checkout && git rev-parse HEAD`
	c := exec.Command("sh", "-c", script)
	c.Dir = dir
	out, err := c.Output()
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return dir, strings.TrimSpace(string(out))
}

// goInstall runs "go install github.com/redish/redish@version" against a
// module proxy in a directory that serves src as that version, the way
// the Go module proxy serves a commit (archive-info.txt unexpanded), and
// the dependencies from the local module cache, so no network is needed.
// It returns the installed binary.
func goInstall(t *testing.T, src archived, version string) string {
	t.Helper()
	const mod = "github.com/redish/redish"
	tmp := t.TempDir()
	at := filepath.Join(tmp, "proxy", mod, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": src.time.Format(time.RFC3339)})
	gomod, err := os.ReadFile(filepath.Join(src.dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	unexpanded := unexpandedArchiveInfo(t, src)
	for name, data := range map[string][]byte{"list": []byte(version + "\n"), version + ".info": info, version + ".mod": gomod} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zf, err := os.Create(filepath.Join(at, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	err = filepath.WalkDir(src.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src.dir, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if filepath.ToSlash(rel) == "cmd/archive-info.txt" {
			data = unexpanded
		}
		w, err := zw.Create(mod + "@" + version + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = zf.Close()
	}
	if err != nil {
		t.Fatal(err)
	}

	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	gobin := filepath.Join(tmp, "bin")
	install := exec.Command("go", "install", mod+"@"+version)
	install.Dir = tmp
	install.Env = append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(filepath.Join(tmp, "proxy"))+",file://"+filepath.ToSlash(filepath.Join(strings.TrimSpace(string(cache)), "cache", "download")),
		"GOMODCACHE="+filepath.Join(tmp, "modcache"),
		"GOFLAGS=-modcacherw",
		"GOSUMDB=off",
		"GOTOOLCHAIN=local",
		"GOBIN="+gobin,
	)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	return filepath.Join(gobin, "redish")
}
