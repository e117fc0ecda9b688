#!/bin/bash
# make fuzz: runs every libFuzzer harness in DIR (build/fuzz) for
# FUZZ_SECONDS each (default 60), starting from its seeds in
# tests/fuzz/corpus/NAME (a crash found once is kept there as a regression
# input), and prints each one's executions. A crash, leak, sanitizer
# report or timeout fails; its input is left in DIR/artifacts. With
# FUZZ_PACKETS (make fuzz: 10^7), the packet mutation engine then runs
# that many requests through the XDP program (bpf_xdp_mutation), and
# FUZZ_TAGGED_PACKETS (default a tenth of it: each is signed afresh) that
# many RISAV-tagged packets (bpf_risav_mutation), and a quarter as many
# through the TC tagger (bpf_risav_tag/random_mutations_through_tc).
set -uo pipefail

dir=${1:?usage: fuzz.sh DIR}
seconds=${FUZZ_SECONDS:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
failed=0

mkdir -p "$dir/artifacts"
for bin in "$dir"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	seeds=$top/tests/fuzz/corpus/$name
	work=$dir/corpus/$name
	mkdir -p "$work"
	log=$dir/$name.log
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=4096 -artifact_prefix="$dir/artifacts/$name-" \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ "$rc" != 0 ]; then
		failed=1
		echo "fuzz: $name FAILED after ${execs:-?} executions:"
		grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" |
			head -10
	else
		echo "fuzz: $name: ${execs:-?} executions in ${seconds} s" \
			"(${rate:-?}/s), corpus $(ls "$work" | wc -l) inputs, nothing found"
	fi
done
mutations() { # suite[/test] count
	local log=$dir/${1//\//.}.log
	ESPRIT_MUTATIONS=$2 "${ESPRIT_BUILD:-$top/build}/test/esprit_tests" \
		"$1" >"$log" 2>&1 || failed=1
	grep -E "^  \[${1%%/*}|mutation [0-9]+ \(" "$log" | sed 's/^ *//'
}
if [ -n "${FUZZ_PACKETS:-}" ]; then
	mutations bpf_xdp_mutation "$FUZZ_PACKETS"
	mutations bpf_risav_mutation \
		"${FUZZ_TAGGED_PACKETS:-$((FUZZ_PACKETS / 10))}"
	# a quarter of the count given: see the test
	mutations bpf_risav_tag/random_mutations_through_tc \
		"${FUZZ_TAGGED_PACKETS:-$((FUZZ_PACKETS / 10))}"
fi
exit "$failed"
