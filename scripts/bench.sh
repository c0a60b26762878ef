#!/usr/bin/env bash
# bench.sh: redish against redis-cli on the same jobs, side by side.
#
# Builds redish as the README builds it (static, CGO_ENABLED=0), starts
# its own redis-server on a free port and a cluster of 3 primaries, and
# runs each job with redis-cli and redish alternately (RUNS times each,
# default 5) on the same server, flushing the data a job writes before
# every run. Prints the median wall time of each, the ratio (redis-cli /
# redish: above 1 means redish is faster), and the peak RSS of --pipe.
#
# Then start-up: a one-shot PING, whole processes taking turns run by run
# (PINGS runs each, default 400): redis-cli, redish and the floor,
# scripts/floor, the least a Go program does to answer the same PING
# (dial, send, print the reply; built static as redish is). redish's time
# is reported as a ratio to the floor's and to redis-cli's.
#
# REDIS_CLI=path adds a second redis-cli (one built from source, say) as a
# third column, in the jobs and in the start-up table. Everything lives in
# a temporary directory removed on exit.
#
# Usage: scripts/bench.sh            (RUNS=3 scripts/bench.sh for a quick look)
#        REDIS_CLI=path/to/redis-cli scripts/bench.sh
#        JOBS=none scripts/bench.sh  (start-up only)
#        REDISH_BIN=path scripts/bench.sh  (time a redish built elsewhere,
#                                          an older one, say, instead of this checkout)
#
# To add a job, write a function job_NAME that defines the commands in
# the variables below, and add NAME to JOBS:
#   prep    run once before the job's runs (load data), may be empty
#   reset   run before every run (flush what a run writes), may be empty
#   cli     the redis-cli command line (stdin from $input if set), with
#           $CLI for the program (redis-cli, or REDIS_CLI's)
#   redish  the redish command line
#   input   a file given to both on stdin, or empty
#   rss     1 to report the peak RSS of both
set -euo pipefail

RUNS=${RUNS:-5}
PINGS=${PINGS:-400}
JOBS=${JOBS:-"pipe_1m stdin_100k stdin_100k_cluster scan_1m scan_1m_cluster bigkeys_200k memkeys_200k"}
[ "$JOBS" = none ] && JOBS=""
REDIS_CLI=${REDIS_CLI:-}
REDISH_BIN=${REDISH_BIN:-}

for bin in redis-server redis-cli go python3 /usr/bin/time; do
	command -v "$bin" >/dev/null || { echo "bench.sh: $bin is required" >&2; exit 1; }
done
if [ -n "$REDIS_CLI" ]; then
	[ -f "$REDIS_CLI" ] && [ -x "$REDIS_CLI" ] || { echo "bench.sh: REDIS_CLI=$REDIS_CLI is not an executable file" >&2; exit 1; }
	REDIS_CLI=$(cd "$(dirname "$REDIS_CLI")" && pwd)/$(basename "$REDIS_CLI")
fi
if [ -n "$REDISH_BIN" ] && ! [ -f "$REDISH_BIN" -a -x "$REDISH_BIN" ]; then
	echo "bench.sh: REDISH_BIN=$REDISH_BIN is not an executable file" >&2
	exit 1
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server DIR PORT [extra redis-server args...]
start_server() {
	local dir=$1 port=$2
	shift 2
	mkdir -p "$dir"
	redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
		--logfile "$dir/log" "$@" &
	pids+=($!)
	for _ in $(seq 200); do
		redis-cli -p "$port" PING >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "bench.sh: redis-server on port $port did not start:" >&2
	tail -n 5 "$dir/log" >&2
	exit 1
}

echo "building redish and the floor..." >&2
(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/floor" ./scripts/floor)
if [ -n "$REDISH_BIN" ]; then
	cp "$REDISH_BIN" "$tmp/redish"
else
	(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/redish" .)
fi
REDISH=$tmp/redish
FLOOR=$tmp/floor

port=$(free_port)
start_server "$tmp/standalone" "$port"

cports=()
bports=()
for i in 0 1 2; do
	p=$(free_port)
	b=$(free_port)
	cports+=("$p")
	bports+=("$b")
	start_server "$tmp/node$i" "$p" --cluster-enabled yes --cluster-port "$b" --cluster-config-file "$tmp/node$i/nodes.conf"
done
for i in 0 1 2; do
	redis-cli -p "${cports[$i]}" CLUSTER SET-CONFIG-EPOCH $((i + 1)) >/dev/null
	redis-cli -p "${cports[$i]}" CLUSTER ADDSLOTSRANGE $((i * 5462)) $(((i + 1) * 5462 - 1 < 16383 ? (i + 1) * 5462 - 1 : 16383)) >/dev/null
done
for i in 1 2; do
	redis-cli -p "${cports[0]}" CLUSTER MEET 127.0.0.1 "${cports[$i]}" "${bports[$i]}" >/dev/null
done
for _ in $(seq 200); do
	ok=0
	for p in "${cports[@]}"; do
		redis-cli -p "$p" CLUSTER INFO | grep -q 'cluster_state:ok' && ok=$((ok + 1))
	done
	[ "$ok" = 3 ] && break
	sleep 0.1
done
[ "$ok" = 3 ] || { echo "bench.sh: the cluster did not form" >&2; exit 1; }
cport=${cports[0]}

flush_all() { redis-cli -p "$port" FLUSHALL >/dev/null; }
flush_cluster() { for p in "${cports[@]}"; do redis-cli -p "$p" FLUSHALL >/dev/null; done; }

# Inputs, generated once.
echo "generating inputs..." >&2
python3 - "$tmp" <<'EOF'
import sys
tmp = sys.argv[1]
with open(tmp + "/set1m.resp", "wb") as f:
    for i in range(1000000):
        k, v = b"key:%d" % i, b"value:%d" % i
        f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
with open(tmp + "/set100k.txt", "w") as f:
    for i in range(100000):
        f.write("SET key:%d value:%d\n" % (i, i))
# Keys of every type, for --bigkeys.
with open(tmp + "/mixed.txt", "w") as f:
    for i in range(200000):
        t = i % 5
        if t == 0:
            f.write("SET s:%d %s\n" % (i, "v" * (i % 97 + 1)))
        elif t == 1:
            f.write("RPUSH l:%d %s\n" % (i, " ".join("x" * (1 + i % 7))))
        elif t == 2:
            f.write("HSET h:%d f1 a f2 %d\n" % (i, i))
        elif t == 3:
            f.write("SADD z:%d %s\n" % (i, " ".join(str(j) for j in range(i % 5 + 1))))
        else:
            f.write("ZADD o:%d 1 a 2 b %d c\n" % (i, i % 11))
EOF

# The jobs.
job_ping_200() {
	title="200 one-shot PINGs (whole processes)"
	prep=""
	reset=""
	input=""
	cli="for i in \$(seq 200); do $CLI -p $port PING >/dev/null; done"
	redish="for i in \$(seq 200); do $REDISH -p $port PING >/dev/null; done"
	rss=0
}
job_bigkeys_200k() {
	title="--bigkeys, 200,000 keys"
	prep="flush_all; $REDISH -p $port < $tmp/mixed.txt >/dev/null"
	reset=""
	input=""
	cli="$CLI -p $port --bigkeys"
	redish="$REDISH -p $port --bigkeys"
	rss=0
}
job_memkeys_200k() {
	title="--memkeys, 200,000 keys"
	prep="flush_all; $REDISH -p $port < $tmp/mixed.txt >/dev/null"
	reset=""
	input=""
	cli="$CLI -p $port --memkeys"
	redish="$REDISH -p $port --memkeys"
	rss=0
}
job_pipe_1m() {
	title="--pipe, 1,000,000 SETs (RESP)"
	prep=""
	reset="flush_all"
	input=$tmp/set1m.resp
	cli="$CLI -p $port --pipe"
	redish="$REDISH -p $port --pipe"
	rss=1
}
job_stdin_100k() {
	title="stdin script, 100,000 SETs"
	prep=""
	reset="flush_all"
	input=$tmp/set100k.txt
	cli="$CLI -p $port"
	redish="$REDISH -p $port"
	rss=0
}
job_stdin_100k_cluster() {
	title="stdin script -c, 100,000 SETs, 3 primaries"
	prep=""
	reset="flush_cluster"
	input=$tmp/set100k.txt
	cli="$CLI -c -p $cport"
	redish="$REDISH -c -p $cport"
	rss=0
}
job_scan_1m() {
	title="--scan, 1,000,000 keys"
	prep="flush_all; redis-cli -p $port --pipe < $tmp/set1m.resp >/dev/null"
	reset=""
	input=""
	cli="$CLI -p $port --scan"
	redish="$REDISH -p $port --scan"
	rss=0
}
job_scan_1m_cluster() {
	title="--scan -c, 1,000,000 keys, 3 primaries"
	prep="flush_cluster; $REDISH -c -p $cport --pipe < $tmp/set1m.resp >/dev/null"
	reset=""
	input=""
	# redis-cli -c --scan sees one node: it is timed on each primary in turn.
	cli="for p in ${cports[*]}; do $CLI -p \$p --scan; done"
	redish="$REDISH -c -p $cport --scan"
	rss=0
}

# run_once CMD: runs CMD once (stdin from $input), prints "SECONDS KB".
run_once() {
	local cmd=$1 in=${input:-/dev/null}
	/usr/bin/time -f '%e %M' -o "$tmp/time" bash -c "$cmd" <"$in" >"$tmp/out" 2>"$tmp/err" || true
	tail -n 1 "$tmp/time"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# The jobs' columns: redis-cli, then REDIS_CLI's when given, then redish.
whos=(cli redish)
if [ -n "$REDIS_CLI" ]; then
	whos=(cli cli2 redish)
	[ -n "$JOBS" ] && printf '%-46s %12s %12s %12s %8s %8s %24s\n' "job (median of $RUNS)" "redis-cli s" "REDIS_CLI s" "redish s" "ratio" "ratio2" "peak RSS cli (2) / redish"
else
	[ -n "$JOBS" ] && printf '%-46s %12s %12s %8s %18s\n' "job (median of $RUNS)" "redis-cli s" "redish s" "ratio" "peak RSS cli/redish"
fi
mib() { median <"$1" | awk '{printf "%.1f", $1/1024}'; }
for job in $JOBS; do
	CLI=redis-cli "job_$job"
	[ -n "$prep" ] && eval "$prep"
	for who in "${whos[@]}"; do
		: >"$tmp/$who.t"
		: >"$tmp/$who.m"
	done
	for _ in $(seq "$RUNS"); do
		for who in "${whos[@]}"; do
			case $who in
			cli) CLI=redis-cli "job_$job"; cmd=$cli ;;
			cli2) CLI=$REDIS_CLI "job_$job"; cmd=$cli ;;
			redish) cmd=$redish ;;
			esac
			[ -n "$reset" ] && eval "$reset"
			read -r secs kb < <(run_once "$cmd")
			echo "$secs" >>"$tmp/$who.t"
			echo "$kb" >>"$tmp/$who.m"
		done
	done
	c=$(median <"$tmp/cli.t")
	r=$(median <"$tmp/redish.t")
	ratio=$(awk -v c="$c" -v r="$r" 'BEGIN { printf (r > 0 ? "%.1fx" : "-"), c / r }')
	if [ -n "$REDIS_CLI" ]; then
		c2=$(median <"$tmp/cli2.t")
		ratio2=$(awk -v c="$c2" -v r="$r" 'BEGIN { printf (r > 0 ? "%.1fx" : "-"), c / r }')
		mem=""
		[ "$rss" = 1 ] && mem="$(mib "$tmp/cli.m") ($(mib "$tmp/cli2.m")) / $(mib "$tmp/redish.m") MiB"
		printf '%-46s %12s %12s %12s %8s %8s %24s\n' "$title" "$c" "$c2" "$r" "$ratio" "$ratio2" "$mem"
	else
		mem=""
		[ "$rss" = 1 ] && mem="$(mib "$tmp/cli.m") / $(mib "$tmp/redish.m") MiB"
		printf '%-46s %12s %12s %8s %18s\n' "$title" "$c" "$r" "$ratio" "$mem"
	fi
done

# Start-up: one-shot PING, a whole process each, the programs taking turns
# run by run in a rotating order (so a change in the machine's state hits
# them all alike), PINGS runs each. Medians, and each ratio as the median
# of the ratios within a turn. (job_ping_200 times a bash loop instead.)
echo
python3 - "$PINGS" "$port" "$FLOOR" "$REDISH" "$REDIS_CLI" <<'EOF'
import statistics, subprocess, sys, time
runs, port, floor, redish, cli2 = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
progs = [("floor", [floor, "-p", port]), ("redis-cli", ["redis-cli", "-p", port, "PING"])]
if cli2:
    progs.append(("REDIS_CLI", [cli2, "-p", port, "PING"]))
progs.append(("redish", [redish, "-p", port, "PING"]))
for name, cmd in progs:  # each must answer the same before it is timed
    out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True).stdout
    if out != b"PONG\n":
        sys.exit("bench.sh: %s printed %r for PING" % (name, out))
times = {name: [] for name, _ in progs}
for i in range(runs):
    k = i % len(progs)
    for name, cmd in progs[k:] + progs[:k]:
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        times[name].append(time.perf_counter() - start)
med = {name: statistics.median(t) * 1000 for name, t in times.items()}
def ratio(a, b):
    return statistics.median(x / y for x, y in zip(times[a], times[b]))
print("one-shot PING, whole process (%d programs taking turns, median of %d runs each)" % (len(progs), runs))
print("  %-36s %9s   %s" % ("program", "median", "ratio (median of the turns' ratios)"))
print("  %-36s %6.2f ms   redish / floor      %.2fx" % ("floor (scripts/floor, static Go)", med["floor"], ratio("redish", "floor")))
print("  %-36s %6.2f ms   redis-cli / redish  %.2fx" % ("redis-cli", med["redis-cli"], ratio("redis-cli", "redish")))
if cli2:
    print("  %-36s %6.2f ms   REDIS_CLI / redish  %.2fx" % ("REDIS_CLI", med["REDIS_CLI"], ratio("REDIS_CLI", "redish")))
print("  %-36s %6.2f ms" % ("redish", med["redish"]))
EOF
echo
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -h | awk '/^Mem:/ {print $2}') RAM"
echo "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/'), redis-cli $(redis-cli --version | awk '{print $2}')${REDIS_CLI:+, REDIS_CLI $("$REDIS_CLI" --version | awk '{print $2}')}, $(go version | awk '{print $3}')"
echo "load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
