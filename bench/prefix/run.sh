#!/bin/bash
# The RISAV prefix-table benchmarks (issue 3): import of BENCH_VRPS (800k)
# synthetic VRPs beside raw map updates, and BPF lookup latency at that
# size beside a 1-entry trie and an exact-match hash. Prints two tables;
# exits non-zero only if a table could not be measured, never on a missed
# target. Nothing is pinned: the maps belong to the benchmark process.
#
# Standalone for now (make bench-prefix); once the bench framework is on
# main, bench/run.sh can run this script as one more table.
set -u

ESPRIT_BUILD=${ESPRIT_BUILD:-$PWD/build}
BENCH=$ESPRIT_BUILD/bench/prefix/esprit_prefix_bench

if [ "$(id -u)" != 0 ]; then
	echo "bench-prefix: needs root (BPF)" >&2
	exit 2
fi
vrps=$(mktemp /tmp/esprit-vrps.XXXXXX)
trap 'rm -f "$vrps"' EXIT
"$BENCH" gen "${BENCH_VRPS:-800000}" "$vrps" || exit 1
failed=0
"$BENCH" import "$vrps" || failed=1
"$BENCH" lookup "$vrps" || failed=1
exit $failed
