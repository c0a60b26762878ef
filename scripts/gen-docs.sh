#!/usr/bin/env bash
# gen-docs.sh regenerates the shell completion scripts (completions/) and
# the man page (man/redish.1) from the redish command itself.
#
# Usage:
#   scripts/gen-docs.sh           rewrite completions/ and man/redish.1
#   scripts/gen-docs.sh --check   fail (exit 1) if the committed files
#                                 differ from a fresh generation
set -euo pipefail

cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
'') ;;
--check) check=1 ;;
-h | --help)
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $0 [--check]" >&2
	exit 2
	;;
esac

generated=(completions/redish.bash completions/_redish completions/redish.fish completions/redish.ps1 man/redish.1)

if [ "$check" = 0 ]; then
	go run ./scripts/gendocs -out .
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./scripts/gendocs -out "$tmp"
stale=()
for f in "${generated[@]}"; do
	if ! cmp -s "$f" "$tmp/$f"; then
		stale+=("$f")
	fi
done
if [ "${#stale[@]}" -gt 0 ]; then
	echo "gen-docs: out of date: ${stale[*]}" >&2
	for f in "${stale[@]}"; do
		if [ -f "$f" ]; then
			diff -u "$f" "$tmp/$f" | head -20 >&2 || true
		fi
	done
	echo "gen-docs: run scripts/gen-docs.sh and commit the result" >&2
	exit 1
fi
echo "gen-docs: completions/ and man/redish.1 are up to date"
