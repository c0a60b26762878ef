#!/usr/bin/env bash
# gen-commands.sh regenerates redisx/commands/commands_gen.go, the static command
# table, from what a throw-away redis-server (taken from PATH) reports
# through COMMAND INFO and COMMAND DOCS.
#
# Usage:
#   scripts/gen-commands.sh           rewrite redisx/commands/commands_gen.go
#   scripts/gen-commands.sh --check   fail (exit 1) if the committed file
#                                     differs from a fresh generation
set -euo pipefail

cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
'') ;;
--check) check=1 ;;
-h | --help)
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $0 [--check]" >&2
	exit 2
	;;
esac

command -v redis-server >/dev/null || {
	echo "gen-commands: redis-server not found in PATH" >&2
	exit 1
}

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: bind port 0 and read back what the kernel chose.
free_port() {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
	else
		echo $((20000 + RANDOM % 20000))
	fi
}

started=0
for _ in 1 2 3 4 5; do
	port=$(free_port)
	redis-server --bind 127.0.0.1 --port "$port" --dir "$tmp" --save '' \
		--appendonly no --protected-mode yes --daemonize no \
		--logfile "$tmp/redis.log" &
	pid=$!
	for _ in $(seq 1 50); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			started=1
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ "$started" = 1 ] && break
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
done
if [ "$started" != 1 ]; then
	echo "gen-commands: could not start redis-server" >&2
	cat "$tmp/redis.log" >&2 2>/dev/null || true
	exit 1
fi

target=redisx/commands/commands_gen.go
out=$target
[ "$check" = 1 ] && out="$tmp/commands_gen.go"

# The generator is built with the redisx package, which needs a table to
# compile. If the current table is broken, start from an empty one (and put
# the old file back should generation fail).
if [ "$check" = 0 ] && ! go build ./redisx/commands 2>/dev/null; then
	cp "$target" "$tmp/previous.go"
	cat >"$target" <<'STUB'
package commands

const CommandTableVersion = ""

var commandTable = []Command{}

var commandGroups = []string{}
STUB
	if ! go run ./scripts/gencommands -addr "127.0.0.1:$port" -o "$out"; then
		cp "$tmp/previous.go" "$target"
		exit 1
	fi
else
	go run ./scripts/gencommands -addr "127.0.0.1:$port" -o "$out"
fi

if [ "$check" = 1 ]; then
	if ! cmp -s "$target" "$out"; then
		echo "gen-commands: $target is out of date; run scripts/gen-commands.sh" >&2
		diff -u "$target" "$out" | head -n 40 >&2 || true
		echo "($(diff "$target" "$out" | grep -c '^[<>]' || true) lines differ)" >&2
		exit 1
	fi
	echo "gen-commands: $target is up to date"
fi
