#!/usr/bin/env bash
# Fails when a generated file differs from what its generator produces now.
# Each generator has a --check mode that regenerates into a temporary file
# and compares.
set -euo pipefail
cd "$(dirname "$0")/.."

# The command table is generated from a real server: it can only be checked
# against a server of the version it was generated from.
table_version=$(sed -n 's/^const CommandTableVersion = "\(.*\)"/\1/p' redisx/commands/commands_gen.go)
server_version=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
if [ "$table_version" = "$server_version" ]; then
	scripts/gen-commands.sh --check
else
	echo "check-generated: redis-server is $server_version, the command table is from $table_version: not compared"
fi
scripts/gen-docs.sh --check
