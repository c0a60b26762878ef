#!/usr/bin/env bash
# Runs staticcheck at a pinned version (installed into GOPATH/bin when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
version=v0.8.2
bin="$(go env GOPATH)/bin/staticcheck"
if ! [ -x "$bin" ] || ! "$bin" -version 2>/dev/null | grep -q "${version#v}"; then
	go install "honnef.co/go/tools/cmd/staticcheck@$version"
fi
"$bin" ./...
