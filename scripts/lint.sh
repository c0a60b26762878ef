#!/usr/bin/env bash
# Runs staticcheck at the version go.mod pins with its tool directive
# (go tool builds it once and caches it with the other modules).
set -euo pipefail
cd "$(dirname "$0")/.."
go tool staticcheck ./...
