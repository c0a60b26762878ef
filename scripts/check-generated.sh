#!/usr/bin/env bash
# Fails when a generated file differs from what its generator produces now:
# `go generate ./...` must not change the tree (the command table, from
# its committed snapshot), and scripts/gen-docs.sh --check must find the
# completions and the man page up to date. Files go generate rewrote are
# left rewritten, ready to commit.
set -euo pipefail
cd "$(dirname "$0")/.."

# The content of every file that differs from HEAD or is new, so that a
# tree with work in progress is checked as well as a clean one.
state() {
	git ls-files -m -o --exclude-standard -z | sort -z | xargs -0 -r sha256sum 2>/dev/null || true
}

before=$(state)
go generate ./...
after=$(state)
if [ "$before" != "$after" ]; then
	echo "check-generated: go generate ./... changed these files; commit them:" >&2
	diff <(echo "$before") <(echo "$after") | sed -n "s/^[<>] [0-9a-f]*  /  /p" | sort -u >&2 || true
	exit 1
fi
echo "check-generated: go generate ./... changed nothing"
scripts/gen-docs.sh --check
