#!/usr/bin/env bash
# gen-commands.sh regenerates redisx/commands/commands_gen.go, the static
# command table, from the committed snapshot of a reference server's
# COMMAND INFO and COMMAND DOCS (redisx/commands/testdata/snapshot.resp),
# through `go generate ./redisx/commands`. No server is needed; to move
# the table to another server version, record a new snapshot with
# scripts/refresh-command-snapshot.sh.
#
# Usage:
#   scripts/gen-commands.sh           rewrite redisx/commands/commands_gen.go
#   scripts/gen-commands.sh --check   fail (exit 1) if the committed file
#                                     differs from a fresh generation
#                                     (the file is left as it was)
set -euo pipefail

cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
'') ;;
--check) check=1 ;;
-h | --help)
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $0 [--check]" >&2
	exit 2
	;;
esac

target=redisx/commands/commands_gen.go

if [ "$check" = 0 ]; then
	go generate ./redisx/commands
	exit 0
fi

tmp=$(mktemp -d)
cp "$target" "$tmp/committed.go"
restore() {
	cp "$tmp/committed.go" "$target"
	rm -rf "$tmp"
}
trap restore EXIT
go generate ./redisx/commands
cp "$target" "$tmp/fresh.go"
if ! cmp -s "$tmp/committed.go" "$tmp/fresh.go"; then
	echo "gen-commands: $target is out of date; run scripts/gen-commands.sh" >&2
	diff -u "$tmp/committed.go" "$tmp/fresh.go" | head -n 40 >&2 || true
	echo "($(diff "$tmp/committed.go" "$tmp/fresh.go" | grep -c '^[<>]' || true) lines differ)" >&2
	exit 1
fi
echo "gen-commands: $target is up to date"
