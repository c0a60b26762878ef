#!/usr/bin/env bash
# Runs redish's checks and tests as CI does: installs redis-server and
# redis-cli when they are missing, checks that generated files have not
# drifted, then go vet, a build and vet for every supported system,
# staticcheck, the Debian package (scripts/check-package.sh) and
# go test -race.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
	echo "test.sh: installing redis-server and redis-tools"
	sudo=""
	if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools >/dev/null
fi
# The Debian package may start a system server on 6379; the tests never use
# it (they start their own servers on free ports), so it is left alone.

echo "test.sh: go vet"
go vet ./...

if [ -x scripts/check-generated.sh ]; then
	echo "test.sh: generated files"
	scripts/check-generated.sh
fi

# Linux is vetted above and built by check-package.sh.
echo "test.sh: go vet and go build for darwin, freebsd and windows"
for goos in darwin freebsd windows; do
	GOOS=$goos GOARCH=amd64 go vet ./...
	GOOS=$goos GOARCH=amd64 CGO_ENABLED=0 go build -o /dev/null .
done

if [ -x scripts/lint.sh ]; then
	echo "test.sh: staticcheck"
	scripts/lint.sh
fi

echo "test.sh: release package"
scripts/check-package.sh

echo "test.sh: go test -race"
go test -race -count=1 -timeout 15m ./...
