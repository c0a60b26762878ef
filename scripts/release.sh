#!/usr/bin/env bash
# release.sh builds redish's release artefacts into dist/:
#
#   redish_VERSION_linux_amd64.tar.gz    static binary, README.md, LICENSE,
#   redish_VERSION_linux_arm64.tar.gz    man/redish.1 and completions/, under
#   redish_VERSION_darwin_amd64.tar.gz   one top directory
#   redish_VERSION_darwin_arm64.tar.gz
#   redish_VERSION_windows_amd64.zip     the same with redish.exe
#   redish_DEBVERSION_amd64.deb          Debian packages: /usr/bin/redish, the
#   redish_DEBVERSION_arm64.deb          man page, bash/zsh/fish completions
#   SHA256SUMS                           sha256sum -c SHA256SUMS checks them
#
# Every binary is static (CGO_ENABLED=0), built with -trimpath, and stamped
# with the version, the commit and the commit's date (redish --version).
# The artefacts depend only on the commit and the Go toolchain: every time
# in them is SOURCE_DATE_EPOCH, the commit's time unless set.
#
# Usage:
#   scripts/release.sh [--version vX.Y.Z] [--targets "OS/ARCH ..."] [--out DIR] [--allow-dirty]
#
#   --version      default: the v* tag on HEAD, else "git describe", else a
#                  Go pseudo-version (v0.0.0-YYYYMMDDHHMMSS-COMMIT)
#   --targets      default: linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
#                  windows/amd64; a .deb is made for each linux target
#   --out          default: dist
#   --allow-dirty  build uncommitted changes too (the version gets -dirty)
#
# Needs git, Go, gzip, sha256sum (or shasum) and, for linux targets,
# dpkg-deb (Debian's dpkg package).
set -euo pipefail
cd "$(dirname "$0")/.."

version=""
targets="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64"
out=dist
allow_dirty=0
while [ $# -gt 0 ]; do
	case "$1" in
	--version) version=${2:?--version needs a value}; shift 2 ;;
	--targets) targets=${2:?--targets needs a value}; shift 2 ;;
	--out) out=${2:?--out needs a value}; shift 2 ;;
	--allow-dirty) allow_dirty=1; shift ;;
	-h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "release.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done

die() { echo "release.sh: $*" >&2; exit 1; }

git rev-parse --git-dir >/dev/null 2>&1 || die "not a git checkout: the version and commit come from git"
commit=$(git rev-parse HEAD)
dirty=""
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
	[ "$allow_dirty" = 1 ] || die "uncommitted changes: commit them, or pass --allow-dirty to build them as they are"
	dirty="-dirty"
fi
: "${SOURCE_DATE_EPOCH:=$(git show -s --format=%ct HEAD)}"
export SOURCE_DATE_EPOCH
date=$(TZ=UTC0 date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null ||
	TZ=UTC0 date -u -r "$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

if [ -z "$version" ]; then
	if tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null); then
		version=$tag
	elif desc=$(git describe --tags --match 'v[0-9]*' HEAD 2>/dev/null); then
		version=$desc
	else
		version="v0.0.0-$(TZ=UTC0 git show -s --date=format-local:%Y%m%d%H%M%S --format=%cd HEAD)-${commit:0:12}"
	fi
	version+=$dirty
fi
case "$version" in
v[0-9]*) ;;
*) die "version $version: expected vMAJOR.MINOR.PATCH[-...]" ;;
esac

# debian_version turns a Go version into a Debian one that sorts the same
# way: v1.2.3 -> 1.2.3, v1.2.3-rc.1 -> 1.2.3~rc.1 (before 1.2.3),
# v1.2.3-4-gabcdef0 (git describe) -> 1.2.3+git4.abcdef0 (after it),
# v0.0.0-20250102030405-0123456789ab -> 0.0.0~20250102030405.0123456789ab.
debian_version() {
	local v=${1#v}
	if [[ $v =~ ^([0-9]+\.[0-9]+\.[0-9]+)-([0-9]+)-g([0-9a-f]+)(.*)$ ]]; then
		echo "${BASH_REMATCH[1]}+git${BASH_REMATCH[2]}.${BASH_REMATCH[3]}${BASH_REMATCH[4]//-/.}"
	elif [[ $v == *-* ]]; then
		local rest=${v#*-}
		echo "${v%%-*}~${rest//-/.}"
	else
		echo "$v"
	fi
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

mkdir -p "$out"
rm -f "$out"/redish_* "$out"/SHA256SUMS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pkg=github.com/redish/redish/cmd
ldflags="-s -w -X $pkg.version=$version -X $pkg.commit=$commit -X $pkg.date=$date"
docs=(README.md LICENSE man/redish.1 completions/redish.bash completions/_redish completions/redish.fish completions/redish.ps1)
for f in "${docs[@]}"; do
	[ -f "$f" ] || die "$f is missing"
done

go build -o "$work/mkarchive" ./scripts/mkarchive

artefacts=()
for target in $targets; do
	goos=${target%/*}
	goarch=${target#*/}
	exe=redish
	[ "$goos" = windows ] && exe=redish.exe
	bin="$work/$goos-$goarch/$exe"
	echo "release.sh: building $target"
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch GOFLAGS=-buildvcs=false \
		go build -trimpath -ldflags "$ldflags" -o "$bin" .

	name="redish_${version}_${goos}_${goarch}"
	archive="$out/$name.tar.gz"
	[ "$goos" = windows ] && archive="$out/$name.zip"
	"$work/mkarchive" -o "$archive" -prefix "$name" -mtime "$SOURCE_DATE_EPOCH" "$bin=$exe" "${docs[@]}"
	artefacts+=("$archive")

	if [ "$goos" = linux ]; then
		command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb is needed for the .deb of $target (apt-get install dpkg), or leave linux out of --targets"
		case "$goarch" in
		amd64 | arm64) debarch=$goarch ;;
		386) debarch=i386 ;;
		arm) debarch=armhf ;;
		*) die "no Debian architecture for $target" ;;
		esac
		debver=$(debian_version "$version")
		root="$work/deb-$debarch"
		install -D -m 755 "$bin" "$root/usr/bin/redish"
		install -d -m 755 "$root/usr/share/man/man1"
		gzip -9n <man/redish.1 >"$root/usr/share/man/man1/redish.1.gz"
		install -D -m 644 completions/redish.bash "$root/usr/share/bash-completion/completions/redish"
		install -D -m 644 completions/_redish "$root/usr/share/zsh/vendor-completions/_redish"
		install -D -m 644 completions/redish.fish "$root/usr/share/fish/vendor_completions.d/redish.fish"
		install -d -m 755 "$root/usr/share/doc/redish"
		{
			echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
			echo "Upstream-Name: redish"
			echo "Source: https://github.com/redish/redish"
			echo
			echo "Files: *"
			echo "Copyright: $(sed -n 's/^Copyright (c) //p' LICENSE)"
			echo "License: MIT"
			sed -n '/^Permission/,$p' LICENSE | sed 's/^$/./; s/^/ /'
		} >"$root/usr/share/doc/redish/copyright"
		chmod 644 "$root/usr/share/man/man1/redish.1.gz" "$root/usr/share/doc/redish/copyright"
		install -d -m 755 "$root/DEBIAN"
		size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
		cat >"$root/DEBIAN/control" <<-EOF
			Package: redish
			Version: $debver
			Architecture: $debarch
			Maintainer: ${DEB_MAINTAINER:-The redish authors <https://github.com/redish/redish>}
			Installed-Size: $size
			Section: database
			Priority: optional
			Homepage: https://github.com/redish/redish
			Description: Redis shell with configurable, visible retries
			 redish is a drop-in replacement for redis-cli: the same output, exit
			 codes and stdin scripts, plus retries with backoff configured on the
			 command line and shown with --verbose, session state restored after a
			 reconnect, a cluster mode that caches the slot map, and a lab that
			 starts throwaway servers behind a fault-injecting proxy.
		EOF
		chmod 644 "$root/DEBIAN/control"
		find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
		deb="$out/redish_${debver}_${debarch}.deb"
		dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
		artefacts+=("$deb")
	fi
done

(cd "$out" && sha256 "${artefacts[@]##*/}" >SHA256SUMS)
echo "release.sh: $version (commit ${commit:0:12}, $date) in $out/:"
(cd "$out" && ls -l "${artefacts[@]##*/}" SHA256SUMS | awk '{printf "  %10d  %s\n", $5, $9}')
