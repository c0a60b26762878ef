#!/usr/bin/env bash
# check-package.sh builds the linux .deb and archive of this machine's
# architecture with scripts/release.sh, installs the .deb into a throwaway
# root (dpkg -x) and checks what a user gets: redish --version names this
# commit, the man page renders without warnings, bash completion loads,
# the archive holds the documented files, and SHA256SUMS verifies.
# It installs man-db and groff-base with apt-get when man is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-package: $*" >&2; exit 1; }

arch=$(go env GOARCH)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scripts/release.sh --targets "linux/$arch" --out "$tmp/dist" --allow-dirty >/dev/null
(cd "$tmp/dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not verify"

debs=("$tmp"/dist/redish_*_"$arch".deb)
[ -f "${debs[0]}" ] || fail "no .deb for $arch in $(ls "$tmp/dist")"
root="$tmp/root"
dpkg -x "${debs[0]}" "$root"
for f in usr/bin/redish usr/share/man/man1/redish.1.gz usr/share/bash-completion/completions/redish \
	usr/share/zsh/vendor-completions/_redish usr/share/fish/vendor_completions.d/redish.fish \
	usr/share/doc/redish/copyright; do
	[ -f "$root/$f" ] || fail "the .deb has no /$f"
done

commit=$(git rev-parse HEAD)
date=$(TZ=UTC0 git show -s --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd HEAD)
got=$("$root/usr/bin/redish" --version)
want="^redish v[0-9][^ ]* \(commit ${commit:0:12}, $date\) $(go env GOVERSION) linux/$arch\$"
[[ $got =~ $want ]] || fail "redish --version = \"$got\", want a match of $want"
# Static: built without cgo, so it needs no C library at run time.
go version -m "$root/usr/bin/redish" | grep -q $'\tbuild\tCGO_ENABLED=0$' ||
	fail "the packaged redish was not built with CGO_ENABLED=0 (it would link the C library)"

if ! command -v man >/dev/null 2>&1 || ! command -v groff >/dev/null 2>&1; then
	echo "check-package: installing man-db and groff-base"
	sudo=""
	if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends man-db groff-base >/dev/null
fi
page=$(MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/redish.1.gz" 2>"$tmp/man.err") || fail "man -l failed: $(cat "$tmp/man.err")"
[ ! -s "$tmp/man.err" ] || fail "man -l warns: $(head -5 "$tmp/man.err")"
grep -q "redish - a Redis shell" <<<"$page" || fail "the man page has no NAME line: $(head -5 <<<"$page")"

comp=$(bash -c 'source "$1" && complete -p redish' bash "$root/usr/share/bash-completion/completions/redish") ||
	fail "bash completion does not load"
[[ $comp == *"-F __start_redish redish" ]] || fail "complete -p redish = $comp"

archives=("$tmp"/dist/redish_*_linux_"$arch".tar.gz)
listing=$(tar -tzf "${archives[0]}" | sed 's|^[^/]*/||' | sort | tr '\n' ' ')
want_listing=" LICENSE README.md completions/ completions/_redish completions/redish.bash completions/redish.fish completions/redish.ps1 man/ man/redish.1 redish "
[ "$listing" = "$want_listing" ] || fail "archive holds: $listing; want: $want_listing"

echo "check-package: $(basename "${debs[0]}") ($(stat -c %s "${debs[0]}") bytes) and $(basename "${archives[0]}") ($(stat -c %s "${archives[0]}") bytes): $got"
