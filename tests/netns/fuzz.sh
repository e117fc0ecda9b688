# The libFuzzer harnesses (tests/fuzz), each for a short budget, as CI
# runs them: from their seeds (past crashes among them), nothing found.
# `make fuzz` runs them for longer (FUZZ_SECONDS).
# shellcheck shell=bash

test_every_harness_briefly() {
	local out rc=0
	out=$(FUZZ_SECONDS=${FUZZ_SECONDS:-10} scripts/fuzz.sh "$ESPRIT_BUILD/fuzz") || rc=$?
	echo "$out"
	assert_eq 0 "$rc" "fuzz.sh status"
	local name
	for name in fuzz_config fuzz_control fuzz_metrics fuzz_rpki fuzz_rtr \
		fuzz_words; do
		assert_match "^fuzz: $name: [0-9]+ executions in" \
			"$(grep "^fuzz: $name" <<<"$out")" "$name ran"
	done
}
