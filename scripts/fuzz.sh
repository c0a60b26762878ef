#!/usr/bin/env bash
# fuzz.sh runs every native Go fuzz target of redish for a fixed time, one
# after the other, and stops at the first failure. go test saves a failing
# input under the package's testdata/fuzz/<target>/, where it joins the
# seed corpus that every plain `go test` (and so CI) runs. Then it runs the
# model-based fault test (TestModelFaults: a random script through redish
# against a proxy injecting random faults) with random seeds; a failure
# prints the REDISH_MODEL_SEED that reproduces it.
#
# Usage:
#   scripts/fuzz.sh                   every target for 2 minutes each
#   scripts/fuzz.sh 30s               every target for 30 seconds each
#   scripts/fuzz.sh 5m FuzzReader     only the targets named
#   scripts/fuzz.sh 0 TestModelFaults only the model test
#   scripts/fuzz.sh --list            print "package target" lines and exit
#
# FUZZ_PARALLEL sets go test's -parallel (default: GOMAXPROCS).
# MODEL_RUNS sets how many random seeds the model test runs (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."

# The parsers that face the network or the user, and the reader's memory
# bound: these targets must exist.
# Every other Fuzz function found in a _test.go file runs too.
required=(FuzzReader FuzzReaderMemory FuzzSplitArgs FuzzParseURI FuzzPipeInput FuzzParse)

usage() {
	sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

fuzztime=2m
list=0
case "${1:-}" in
-h | --help)
	usage
	exit 0
	;;
--list) list=1 ;;
'') ;;
-*)
	usage >&2
	exit 2
	;;
*)
	fuzztime=$1
	shift
	;;
esac

# "package target" for each fuzz target, found in the test sources.
targets=()
while IFS=: read -r file _ decl; do
	name=$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' <<<"$decl")
	[ -n "$name" ] && targets+=("./$(dirname "${file#./}") $name")
done < <(grep -rn --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*(' . | sort)

missing=0
for name in "${required[@]}"; do
	if ! printf '%s\n' "${targets[@]}" | grep -q " $name\$"; then
		echo "fuzz.sh: required target $name not found" >&2
		missing=1
	fi
done

if [ "$list" = 1 ]; then
	printf '%s\n' "${targets[@]}"
	exit "$missing"
fi
[ "$missing" = 0 ] || exit 1

parallel=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then
	parallel=(-parallel "$FUZZ_PARALLEL")
fi

# The model test runs like a target, with random seeds instead of inputs.
targets+=("./cmd TestModelFaults")

# model runs the model test with MODEL_RUNS random seeds.
model() {
	local bin runs seed i
	bin=$(mktemp -d)/cmd.test
	go test -c -o "$bin" ./cmd
	runs=${MODEL_RUNS:-20}
	for ((i = 1; i <= runs; i++)); do
		seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		echo "fuzz.sh: TestModelFaults seed $seed ($i/$runs)"
		if ! (cd cmd && REDISH_MODEL_SEED=$seed "$bin" -test.run '^TestModelFaults$' -test.count=1 >"$bin.log" 2>&1); then
			cat "$bin.log"
			echo "fuzz.sh: TestModelFaults failed; reproduce with: REDISH_MODEL_SEED=$seed go test -run '^TestModelFaults\$' ./cmd/" >&2
			rm -rf "$(dirname "$bin")"
			return 1
		fi
	done
	rm -rf "$(dirname "$bin")"
}

ran=0
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF "$name"; then
		continue
	fi
	if [ "$name" = TestModelFaults ]; then
		model
		ran=$((ran + 1))
		continue
	fi
	echo "fuzz.sh: $name in $pkg for $fuzztime"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "${parallel[@]}" "$pkg"
	ran=$((ran + 1))
done
if [ "$ran" = 0 ]; then
	echo "fuzz.sh: no target matches: $*" >&2
	exit 1
fi
echo "fuzz.sh: $ran targets, no failure"
