#!/usr/bin/env bash
# bench.sh: redish against redis-cli on the same jobs, side by side.
#
# Builds redish, starts its own redis-server on a free port and a cluster
# of 3 primaries, and runs each job with redis-cli and redish alternately
# (RUNS times each, default 5) on the same server, flushing the data a job
# writes before every run. Prints the median wall time of each, the ratio
# (redis-cli / redish: above 1 means redish is faster), and the peak RSS
# of --pipe. Everything lives in a temporary directory removed on exit.
#
# Usage: scripts/bench.sh            (RUNS=3 scripts/bench.sh for a quick look)
#
# To add a job, write a function job_NAME that defines the commands in
# the variables below, and add NAME to JOBS:
#   prep    run once before the job's runs (load data), may be empty
#   reset   run before every run (flush what a run writes), may be empty
#   cli     the redis-cli command line (stdin from $input if set)
#   redish  the redish command line
#   input   a file given to both on stdin, or empty
#   rss     1 to report the peak RSS of both
set -euo pipefail

RUNS=${RUNS:-5}
JOBS=${JOBS:-"pipe_1m stdin_100k stdin_100k_cluster scan_1m scan_1m_cluster bigkeys_200k"}

for bin in redis-server redis-cli go /usr/bin/time; do
	command -v "$bin" >/dev/null || { echo "bench.sh: $bin is required" >&2; exit 1; }
done

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

echo "building redish..." >&2
(cd "$root" && go build -o "$tmp/redish" .)
REDISH=$tmp/redish

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
	cli="for i in \$(seq 200); do redis-cli -p $port PING >/dev/null; done"
	redish="for i in \$(seq 200); do $REDISH -p $port PING >/dev/null; done"
	rss=0
}
job_bigkeys_200k() {
	title="--bigkeys, 200,000 keys"
	prep="flush_all; $REDISH -p $port < $tmp/mixed.txt >/dev/null"
	reset=""
	input=""
	cli="redis-cli -p $port --bigkeys"
	redish="$REDISH -p $port --bigkeys"
	rss=0
}
job_pipe_1m() {
	title="--pipe, 1,000,000 SETs (RESP)"
	prep=""
	reset="flush_all"
	input=$tmp/set1m.resp
	cli="redis-cli -p $port --pipe"
	redish="$REDISH -p $port --pipe"
	rss=1
}
job_stdin_100k() {
	title="stdin script, 100,000 SETs"
	prep=""
	reset="flush_all"
	input=$tmp/set100k.txt
	cli="redis-cli -p $port"
	redish="$REDISH -p $port"
	rss=0
}
job_stdin_100k_cluster() {
	title="stdin script -c, 100,000 SETs, 3 primaries"
	prep=""
	reset="flush_cluster"
	input=$tmp/set100k.txt
	cli="redis-cli -c -p $cport"
	redish="$REDISH -c -p $cport"
	rss=0
}
job_scan_1m() {
	title="--scan, 1,000,000 keys"
	prep="flush_all; redis-cli -p $port --pipe < $tmp/set1m.resp >/dev/null"
	reset=""
	input=""
	cli="redis-cli -p $port --scan"
	redish="$REDISH -p $port --scan"
	rss=0
}
job_scan_1m_cluster() {
	title="--scan -c, 1,000,000 keys, 3 primaries"
	prep="flush_cluster; $REDISH -c -p $cport --pipe < $tmp/set1m.resp >/dev/null"
	reset=""
	input=""
	# redis-cli -c --scan sees one node: it is timed on each primary in turn.
	cli="for p in ${cports[*]}; do redis-cli -p \$p --scan; done"
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

printf '%-46s %12s %12s %8s %18s\n' "job (median of $RUNS)" "redis-cli s" "redish s" "ratio" "peak RSS cli/redish"
for job in $JOBS; do
	"job_$job"
	[ -n "$prep" ] && eval "$prep"
	: >"$tmp/cli.t"
	: >"$tmp/redish.t"
	: >"$tmp/cli.m"
	: >"$tmp/redish.m"
	for _ in $(seq "$RUNS"); do
		for who in cli redish; do
			[ -n "$reset" ] && eval "$reset"
			read -r secs kb < <(run_once "${!who}")
			echo "$secs" >>"$tmp/$who.t"
			echo "$kb" >>"$tmp/$who.m"
		done
	done
	c=$(median <"$tmp/cli.t")
	r=$(median <"$tmp/redish.t")
	ratio=$(awk -v c="$c" -v r="$r" 'BEGIN { printf (r > 0 ? "%.1fx" : "-"), c / r }')
	mem=""
	if [ "$rss" = 1 ]; then
		mem="$(median <"$tmp/cli.m" | awk '{printf "%.1f", $1/1024}') / $(median <"$tmp/redish.m" | awk '{printf "%.1f MiB", $1/1024}')"
	fi
	printf '%-46s %12s %12s %8s %18s\n' "$title" "$c" "$r" "$ratio" "$mem"
done

# Start-up: one-shot PING, a whole process each, the two tools alternating
# run by run (so a change in the machine's state hits both alike), 400
# runs each; medians. (job_ping_200 times the same as a bash loop.)
echo
python3 - "$REDISH" "$port" <<'EOF'
import statistics, subprocess, sys, time
redish, port = sys.argv[1], sys.argv[2]
cmds = {"redis-cli": ["redis-cli", "-p", port, "PING"], "redish": [redish, "-p", port, "PING"]}
times = {k: [] for k in cmds}
for i in range(400):
    order = ("redis-cli", "redish") if i % 2 == 0 else ("redish", "redis-cli")
    for who in order:
        start = time.perf_counter()
        subprocess.run(cmds[who], stdout=subprocess.DEVNULL, check=True)
        times[who].append(time.perf_counter() - start)
c, r = (statistics.median(times[k]) * 1000 for k in ("redis-cli", "redish"))
print("one-shot PING, whole process (alternating, median of 400): redis-cli %.2f ms, redish %.2f ms, ratio %.2fx" % (c, r, c / r))
EOF

echo
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -h | awk '/^Mem:/ {print $2}') RAM"
echo "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/'), redis-cli $(redis-cli --version | awk '{print $2}'), $(go version | awk '{print $3}')"
