# Namespace tests for esprit daemon under faults injected with nftables on
# the prober's egress: random loss (the figure reported must match what was
# dropped) and a black hole (down within the detection time plus one
# interval, then up again; each change logged once and run through the
# hook).
# shellcheck shell=bash
# shellcheck source=tests/lib/daemon_lib.sh
source tests/lib/daemon_lib.sh

# ~2000 probes at 10 ms with 10% dropped at random: the reported loss is
# 10% +- 3 points, and exactly what nftables dropped.
test_loss_ten_percent() {
	topo_monitor
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		peers:
		  - name: site4
		    address: $R4
		    interval: 10ms
		    detect_multiplier: 10
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until 's("site4")["state"] == "up"' 10
	local sent0
	sent0=$(sj 's("site4")["sent"]')
	nft_egress mon m4 loss "meta l4proto esp numgen random mod 100 < 10 counter drop"
	wait_until "s(\"site4\")[\"sent\"] >= $sent0 + 2000" 90
	# A request dropped on the way out fails to send: the daemon counts
	# it among send_errors, and lost when its deadline passes.
	local dropped
	dropped=$(ns mon nft list ruleset | sed -n 's/.*counter packets \([0-9]*\) bytes.*drop/\1/p')
	ns mon nft delete table netdev loss
	# no request fails to leave from here on; each that did is lost
	# once its deadline has passed, the last one within a timeout
	wait_until 's("site4")["lost"] >= s("site4")["send_errors"]' 10
	status_json site4
	local lost received ratio
	lost=$(sj 's("site4")["lost"]')
	received=$(sj 's("site4")["received"]')
	ratio=$(sj 's("site4")["loss_ratio"]')
	echo "dropped by nftables: $dropped (then the rule went); reported lost $lost of $((lost + received)), ratio $ratio"
	assert_eq 0 "$(sj 's("site4")["lost"] - s("site4")["send_errors"]')" \
		"lost = requests dropped"
	assert_ge "$dropped" "$lost" "lost, against nftables' count"
	assert_le $((dropped + 20)) "$lost" "lost, against nftables' count"
	assert_eq True "$("$PY" -c "print(0.07 <= $ratio <= 0.13)")" "loss ratio"
	assert_eq True "$(sj 'abs(s("site4")["loss_ratio_1m"] - 0.1) <= 0.03')" \
		"loss over the last minute"
	assert_eq 0 "$(sj 's("site4")["late"] + s("site4")["duplicated"]')" \
		"nothing late or duplicated"
	assert_eq True "$(sj 's("site4")["sent"] == s("site4")["received"] + s("site4")["lost"] + s("site4")["in_flight"]')" \
		"sent = received + lost + in flight"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

# All ESP dropped: every stream down within interval x multiplier + one
# interval of the rule, logged once and hooked once; up again after.
test_black_hole_down_and_up() {
	topo_monitor
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}, {name: m6}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		hook: echo "\$ESPRIT_PEER \$ESPRIT_DSCP \$ESPRIT_ADDRESS \$ESPRIT_OLD_STATE \$ESPRIT_NEW_STATE \$ESPRIT_CHANGED_AT" >> $TEST_TMP/hooks
		peers:
		  - {name: site4, address: $R4, interval: 1s, detect_multiplier: 3, dscp: [0, 46]}
		  - {name: site6, address: $R6, interval: 1s, detect_multiplier: 3}
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	local up='all(p["state"] == "up" for p in d["peers"])'
	local down='all(p["state"] == "down" for p in d["peers"])'
	wait_until "$up" 10
	local t_before t_after
	t_before=$(now)
	nft_egress mon m4 hole4 "meta l4proto esp drop"
	nft_egress mon m6 hole6 "meta l4proto esp drop"
	t_after=$(now)
	wait_until "$down" 10
	status_json
	# detection: after the last reply, interval x multiplier (3 s); the
	# last reply came at most one interval before the rule (4 s bound).
	# Intervals of 1 s leave room for a busy machine's scheduling delays.
	local first last
	first=$(sj 'min(p["changed_at"] for p in d["peers"])')
	last=$(sj 'max(p["changed_at"] for p in d["peers"])')
	echo "rule in place between $t_before and $t_after; down at $first .. $last"
	assert_eq True "$("$PY" -c "print($last - $t_after <= 4.0)")" \
		"down within interval x multiplier + interval"
	assert_eq True "$("$PY" -c "print($first - $t_before >= 1.9)")" \
		"not down before the detection time"
	for p in "site4 0 $R4" "site4 46 $R4" "site6 0 $R6"; do
		set -- $p
		assert_eq 1 "$(log_count "peer $1 dscp $2 \\($3\\): up -> down \\(no reply in time for 3000 ms: detect_multiplier 3 x interval 1000 ms\\)")" \
			"one log line for $1/$2 going down"
	done
	sleep 0.5
	assert_eq 3 "$(grep -c ' up down ' "$TEST_TMP/hooks")" "hook runs, down"
	grep -q "^site6 0 $R6 up down [0-9]*\.[0-9]*$" "$TEST_TMP/hooks" ||
		fail "hook environment"
	# nothing more while down
	sleep 2
	assert_eq 3 "$(log_count 'up -> down')" "no further changes while down"
	ns mon nft delete table netdev hole4
	ns mon nft delete table netdev hole6
	wait_until "$up" 10
	assert_eq 3 "$(log_count 'down -> up \(1 consecutive replies, rtt [0-9.]+ ms\)')" \
		"one log line each going up"
	sleep 0.5
	assert_eq 3 "$(grep -c ' down up ' "$TEST_TMP/hooks")" "hook runs, up"
	assert_eq True "$(sj 'all(p["since"] < 5 and p["lost"] >= 3 for p in d["peers"])')" \
		"since the change; probes lost while down"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

# A peer that never answers goes from init to down (not init forever).
test_silent_peer_init_to_down() {
	topo_monitor
	ns resp4 ip link set dev r4 xdp off
	xdp_pass resp4 r4
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		peers:
		  - {name: quiet, address: $R4, interval: 100ms, detect_multiplier: 2}
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	# it starts in init, and leaves it for down: the log line says both
	wait_until 's("quiet")["state"] == "down"' 5
	log_has "peer quiet dscp 0 \\($R4\\): init -> down" "logged"
	# the stack there answers ESP with Protocol Unreachable: counted
	wait_until 's("quiet")["icmp_errors"] >= 3' 5
	assert_eq 0 "$(sj 's("quiet")["received"]')" "nothing received"
	assert_eq None "$(sj 's("quiet")["rtt_ns"]["p50"]')" "no RTT without replies"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}
