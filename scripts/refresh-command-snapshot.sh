#!/usr/bin/env bash
# refresh-command-snapshot.sh records the commands of the redis-server in
# PATH into redisx/commands/testdata/snapshot.resp (its version and its raw
# COMMAND INFO and COMMAND DOCS replies), then regenerates the command
# table from it (scripts/gen-commands.sh). Run it to move the table to
# another server version; nothing else needs a server.
#
# Usage:
#   scripts/refresh-command-snapshot.sh
set -euo pipefail

cd "$(dirname "$0")/.."

case "${1:-}" in
'') ;;
-h | --help)
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $0" >&2
	exit 2
	;;
esac

command -v redis-server >/dev/null || {
	echo "refresh-command-snapshot: redis-server not found in PATH" >&2
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
	echo "refresh-command-snapshot: could not start redis-server" >&2
	cat "$tmp/redis.log" >&2 2>/dev/null || true
	exit 1
fi

snapshot=redisx/commands/testdata/snapshot.resp
go run ./scripts/commandsnapshot -addr "127.0.0.1:$port" -o "$snapshot"
echo "refresh-command-snapshot: wrote $snapshot ($(wc -c <"$snapshot") bytes)"
scripts/gen-commands.sh
