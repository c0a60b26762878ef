// Command mkarchive writes a release archive, .tar.gz or .zip, whose bytes
// depend only on the files it is given and on -mtime: entries in the
// order given under one top directory, every time set to -mtime, owner
// root, modes 0755 (directories and executables) or 0644, and no gzip
// name or time. scripts/release.sh runs it; it needs no tar or zip
// program, so releases build the same on every system.
//
// Usage:
//
//	go run ./scripts/mkarchive -o FILE.tar.gz|FILE.zip -prefix DIR -mtime UNIXTIME SRC[=NAME] ...
//
// Each SRC is stored as DIR/NAME (NAME defaults to SRC, with slashes).
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/flate"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	out := flag.String("o", "", "write the archive to `file` (.tar.gz or .zip)")
	prefix := flag.String("prefix", "", "put every entry under `dir`")
	mtime := flag.Int64("mtime", 0, "the time of every entry, in `seconds` since 1970 (SOURCE_DATE_EPOCH)")
	flag.Parse()
	if *out == "" || *prefix == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: mkarchive -o FILE.tar.gz|FILE.zip -prefix DIR -mtime UNIXTIME SRC[=NAME] ...")
		os.Exit(2)
	}
	entries, err := collect(flag.Args())
	if err == nil {
		err = write(*out, *prefix, time.Unix(*mtime, 0).UTC(), entries)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkarchive:", err)
		os.Exit(1)
	}
}

// entry is one file of the archive.
type entry struct {
	src  string // the file on disk
	name string // its path in the archive, below the prefix
	exec bool   // mode 0755 rather than 0644
}

func collect(args []string) ([]entry, error) {
	var entries []entry
	for _, a := range args {
		src, name, ok := strings.Cut(a, "=")
		if !ok {
			name = filepath.ToSlash(src)
		}
		st, err := os.Stat(src)
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file", src)
		}
		if name == "" || path.IsAbs(name) || strings.HasPrefix(path.Clean(name), "..") {
			return nil, fmt.Errorf("%s: bad name in the archive %q", src, name)
		}
		entries = append(entries, entry{src: src, name: path.Clean(name), exec: st.Mode()&0o111 != 0})
	}
	return entries, nil
}

// dirs returns the directories the entries need, parents first, each once.
func dirs(prefix string, entries []entry) []string {
	seen := map[string]bool{}
	list := []string{prefix}
	seen[prefix] = true
	for _, e := range entries {
		d := path.Dir(e.name)
		var parts []string
		for d != "." {
			parts = append([]string{d}, parts...)
			d = path.Dir(d)
		}
		for _, p := range parts {
			full := prefix + "/" + p
			if !seen[full] {
				seen[full] = true
				list = append(list, full)
			}
		}
	}
	return list
}

func write(out, prefix string, mtime time.Time, entries []entry) (err error) {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out)
		}
	}()
	prefix = strings.TrimSuffix(filepath.ToSlash(prefix), "/")
	switch {
	case strings.HasSuffix(out, ".tar.gz"):
		return writeTarGz(f, prefix, mtime, entries)
	case strings.HasSuffix(out, ".zip"):
		return writeZip(f, prefix, mtime, entries)
	}
	return errors.New(out + ": the name must end in .tar.gz or .zip")
}

func mode(e entry) int64 {
	if e.exec {
		return 0o755
	}
	return 0o644
}

func writeTarGz(w io.Writer, prefix string, mtime time.Time, entries []entry) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, d := range dirs(prefix, entries) {
		h := &tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
	}
	for _, e := range entries {
		data, err := os.ReadFile(e.src)
		if err != nil {
			return err
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: prefix + "/" + e.name, Mode: mode(e), Size: int64(len(data)), ModTime: mtime, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, prefix string, mtime time.Time, entries []entry) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, d := range dirs(prefix, entries) {
		h := &zip.FileHeader{Name: d + "/", Modified: mtime}
		h.SetMode(fs.ModeDir | 0o755)
		if _, err := zw.CreateHeader(h); err != nil {
			return err
		}
	}
	for _, e := range entries {
		data, err := os.ReadFile(e.src)
		if err != nil {
			return err
		}
		h := &zip.FileHeader{Name: prefix + "/" + e.name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(fs.FileMode(mode(e)))
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}
