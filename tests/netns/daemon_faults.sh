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
	nft_netdev mon m4 egress loss "meta l4proto esp numgen random mod 100 < 10 counter drop"
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

# hole_at_responders on|off: ESP black-holed where the responders are
# (their XDP program gone, the stack kept from ESP: no ICMP error), so
# requests vanish without a word; off puts the responders back.
hole_at_responders() {
	local n dev
	for n in resp4:r4 resp6:r6; do
		dev=${n#*:}
		n=${n%%:*}
		if [ "$1" = on ]; then
			nft_netdev "$n" "$dev" ingress hole "meta l4proto esp drop"
			ns "$n" ip link set dev "$dev" xdp off
		else
			attach_ip_link "$n" "$dev"
			ns "$n" nft delete table netdev hole
		fi
	done
}

# ESP black-holed: every stream down within interval x multiplier + one
# interval of the hole, reason no-reply, logged once and hooked once with
# the reason; up again after.
test_black_hole_down_and_up() {
	topo_monitor
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}, {name: m6}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		hook: echo "\$ESPRIT_PEER \$ESPRIT_DSCP \$ESPRIT_ADDRESS \$ESPRIT_OLD_STATE \$ESPRIT_NEW_STATE \$ESPRIT_REASON \$ESPRIT_CHANGED_AT" >> $TEST_TMP/hooks
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
	hole_at_responders on
	t_after=$(now)
	wait_until "$down" 10
	status_json
	# detection: after the last reply, interval x multiplier (3 s); the
	# last reply came at most one interval before the hole (4 s bound).
	# Intervals of 1 s leave room for a busy machine's scheduling delays.
	local first last
	first=$(sj 'min(p["changed_at"] for p in d["peers"])')
	last=$(sj 'max(p["changed_at"] for p in d["peers"])')
	echo "hole in place between $t_before and $t_after; down at $first .. $last"
	assert_eq True "$("$PY" -c "print($last - $t_after <= 4.0)")" \
		"down within interval x multiplier + interval"
	assert_eq True "$("$PY" -c "print($first - $t_before >= 1.9)")" \
		"not down before the detection time"
	assert_eq True "$(sj 'all(p["reason"] == "no-reply" for p in d["peers"])')" \
		"reason: no reply, no error"
	for p in "site4 0 $R4" "site4 46 $R4" "site6 0 $R6"; do
		set -- $p
		assert_eq 1 "$(log_count "peer $1 dscp $2 \\($3\\): up -> down \\(no reply in time for 3000 ms: detect_multiplier 3 x interval 1000 ms; no-reply: ")" \
			"one log line for $1/$2 going down"
	done
	sleep 0.5
	assert_eq 3 "$(grep -c ' up down no-reply ' "$TEST_TMP/hooks")" \
		"hook runs, down, with the reason"
	grep -q "^site6 0 $R6 up down no-reply [0-9]*\.[0-9]*$" "$TEST_TMP/hooks" ||
		fail "hook environment"
	# nothing more while down
	sleep 2
	assert_eq 3 "$(log_count 'up -> down')" "no further changes while down"
	hole_at_responders off
	wait_until "$up" 10
	assert_eq 3 "$(log_count 'down -> up \(1 consecutive replies, rtt [0-9.]+ ms\)')" \
		"one log line each going up"
	sleep 0.5
	assert_eq 3 "$(grep -c ' down up none ' "$TEST_TMP/hooks")" "hook runs, up"
	status_json
	assert_eq True "$(sj 'all(p["since"] < 5 and p["lost"] >= 3 and p["reason"] == "none" for p in d["peers"])')" \
		"since the change; probes lost while down; reason cleared"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

# Requests that cannot leave (dropped on the prober's own egress): down,
# and the reason says the send failed, not the path.
test_send_failed() {
	topo_monitor
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		peers:
		  - {name: site4, address: $R4, interval: 100ms, detect_multiplier: 3}
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until 's("site4")["state"] == "up"' 10
	nft_netdev mon m4 egress hole "meta l4proto esp drop"
	wait_until 's("site4")["state"] == "down"' 5
	assert_eq "send-failed" "$(sj 's("site4")["reason"]')" "reason"
	assert_match "cannot send: No buffer space available" \
		"$(sj 's("site4")["reason_detail"]')" "detail"
	log_has "peer site4 dscp 0 \\($R4\\): up -> down \\(.*; send-failed: cannot send: No buffer space available\\)" \
		"logged with the reason"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

# Three peers, three diagnoses, in the status, the metrics and the hook:
# a host with no ESP at all (its kernel's own ICMP errors, IPv4 and IPv6)
# is esp-unsupported; a peer speaking only the sub-typed form, as the
# kernel and strongSwan do, is up with the default form, and probed in
# the seed form it is silent: no-reply.
test_diagnoses_no_esp_and_standard_peer() {
	topo_monitor
	ns resp4 ip link set dev r4 xdp off
	xdp_pass resp4 r4
	ns mon ip addr add fc00:21:4::2/64 dev m4 nodad
	ns resp4 ip addr add fc00:21:4::1/64 dev r4 nodad
	ns resp6 ip link set dev r6 xdp off
	subtyped_peer resp6 r6 "$R6"
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}, {name: m6}]
		control: $TEST_TMP/esprit.sock
		metrics: {listen: 127.0.0.1:9556}
		hook: echo "\$ESPRIT_PEER \$ESPRIT_NEW_STATE \$ESPRIT_REASON \$ESPRIT_REASON_DETAIL" >> $TEST_TMP/hooks
		peers:
		  - {name: noesp4, address: $R4, interval: 100ms, detect_multiplier: 3}
		  - {name: noesp6, address: "fc00:21:4::1", interval: 100ms, detect_multiplier: 3}
		  - {name: std6, address: $R6, interval: 100ms, detect_multiplier: 3}
		  - {name: std6seed, address: $R6, interval: 100ms, detect_multiplier: 3, format: seed, dscp: [10]}
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until 's("noesp4")["state"] == "down" and s("noesp6")["state"] == "down" and s("std6")["state"] == "up" and s("std6seed", 10)["state"] == "down"' 10
	status_json
	assert_eq "esp-unsupported esp-unsupported none no-reply" \
		"$(sj '" ".join([s("noesp4")["reason"], s("noesp6")["reason"], s("std6")["reason"], s("std6seed", 10)["reason"]])')" \
		"reasons"
	assert_eq "Destination Protocol Unreachable from $R4" \
		"$(sj 's("noesp4")["reason_detail"]')" "IPv4 evidence"
	assert_eq "Parameter problem: unrecognized Next Header from fc00:21:4::1" \
		"$(sj 's("noesp6")["reason_detail"]')" "IPv6 evidence"
	assert_eq "subtyped seed" \
		"$(sj 's("std6")["format"] + " " + s("std6seed", 10)["format"]')" "forms"
	assert_eq True "$(sj 's("std6")["received"] >= 3 and s("std6")["rtt_ns"]["min"] > 0')" \
		"the standard peer answers, and is timed"
	log_has "peer noesp4 dscp 0 \\($R4\\): reason none -> esp-unsupported: Destination Protocol Unreachable from $R4" \
		"the diagnosis logged"
	log_has "peer noesp4 dscp 0 \\($R4\\): init -> down \\(.*; esp-unsupported: Destination Protocol Unreachable" \
		"the state change logged with it"
	sleep 0.5
	grep -qx "noesp4 down esp-unsupported Destination Protocol Unreachable from $R4" "$TEST_TMP/hooks" ||
		fail "hook environment (IPv4)"
	grep -qx "noesp6 down esp-unsupported Parameter problem: unrecognized Next Header from fc00:21:4::1" "$TEST_TMP/hooks" ||
		fail "hook environment (IPv6)"
	grep -qx "std6 up none " "$TEST_TMP/hooks" || fail "hook environment (up)"
	grep -qx "std6seed down no-reply no reply within the detection time, no ICMP error" "$TEST_TMP/hooks" ||
		fail "hook environment (no reply)"
	ns mon curl -sS -o "$TEST_TMP/metrics" http://127.0.0.1:9556/metrics
	grep '^esprit_peer_reason' "$TEST_TMP/metrics"
	for want in 'noesp4.*reason="esp-unsupported"} 1' 'noesp6.*reason="esp-unsupported"} 1' \
		'std6",.*reason="none"} 1' 'std6seed.*reason="no-reply"} 1' \
		'noesp4.*reason="none"} 0'; do
		grep -Eq "^esprit_peer_reason\{peer=\"$want$" "$TEST_TMP/metrics" ||
			fail "metrics: no esprit_peer_reason{peer=\"$want"
	done
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

one_peer_daemon() { # [EXTRA ROOT KEYS]
	topo_monitor
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}]
		control: $TEST_TMP/esprit.sock
		${1:-metrics: {enabled: false\}}
		peers:
		  - {name: site4, address: $R4, interval: 20ms}
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until 's("site4")["state"] == "up"' 10
}

# The control socket: 64 clients that connect and never speak do not lock
# out a real one; garbage gets an error; a 100 MB request gets an error and
# the daemon keeps serving.
test_control_socket_idle_garbage_and_huge_clients() {
	one_peer_daemon
	ns_bg mon "$PY" - "$DAEMON_SOCK" <<-'PYEOF'
		import socket, sys, time
		idle = []
		for _ in range(64):
		    s = socket.socket(socket.AF_UNIX)
		    s.connect(sys.argv[1])
		    idle.append(s)
		time.sleep(60)
	PYEOF
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(ss -xH state connected 2>/dev/null | grep -c "$DAEMON_SOCK")" -ge 64 ] && break
		sleep 0.1
	done
	assert_eq up "$(sj 's("site4")["state"]')" "a real client is answered"
	local out
	out=$(ns mon "$PY" - "$DAEMON_SOCK" <<-'PYEOF'
		import socket, sys
		def ask(data):
		    s = socket.socket(socket.AF_UNIX)
		    s.connect(sys.argv[1])
		    s.settimeout(10)
		    try:
		        s.sendall(data)
		    except (BrokenPipeError, ConnectionResetError):
		        pass
		    reply = b""
		    try:
		        while not reply.endswith(b"\n"):
		            chunk = s.recv(4096)
		            if not chunk:
		                break
		            reply += chunk
		    except ConnectionResetError:
		        pass
		    print(reply.decode(errors="replace").strip())
		ask(b"\x00\xff\xfebogus request\n")
		ask(b"x" * (100 * 1024 * 1024))
	PYEOF
	)
	echo "$out"
	assert_match 'unknown request' "$(sed -n 1p <<<"$out")" "garbage answered"
	assert_match 'request too long' "$(sed -n 2p <<<"$out")" "100 MB answered"
	assert_eq up "$(sj 's("site4")["state"]')" "still serving"
	kill -0 "$DAEMON_PID" || fail "the daemon died"
}

# 100 reloads in a second, good and bad files in turn: the daemon lives,
# the stream never goes down, and the last file is what runs.
test_sighup_storm() {
	one_peer_daemon
	local good bad i
	good=$(cat "$TEST_TMP/esprit.yaml")
	bad="$good"$'\n''bogus: 1'
	for ((i = 0; i < 100; i++)); do
		if ((i % 2)); then
			printf '%s\n' "$bad" >"$TEST_TMP/next.yaml"
		else
			printf '%s\n' "$good" >"$TEST_TMP/next.yaml"
		fi
		mv "$TEST_TMP/next.yaml" "$TEST_TMP/esprit.yaml"
		kill -HUP "$DAEMON_PID"
		sleep 0.01
	done
	# the last word: a good file with a second class
	printf '%s\n' "${good/interval: 20ms\}/interval: 20ms, dscp: [0, 46]\}}" \
		>"$TEST_TMP/esprit.yaml"
	local before
	before=$(sj 'd["daemon"]["reloads"] + d["daemon"]["reload_failures"]')
	kill -HUP "$DAEMON_PID"
	wait_until "d['daemon']['reloads'] + d['daemon']['reload_failures'] > $before and len(d['peers']) == 2" 20
	wait_until 'all(p["state"] == "up" for p in d["peers"])' 10
	kill -0 "$DAEMON_PID" || fail "the daemon died"
	assert_eq 0 "$(log_count 'site4 dscp 0 .*: up -> down')" "never down"
	assert_ge 1 "$(sj 'd["daemon"]["reload_failures"]')" "bad files refused"
}

# The metrics endpoint: slow-loris clients from one address and malformed
# requests do not keep a scraper from its metrics.
test_metrics_slow_and_malformed_clients() {
	one_peer_daemon "metrics: {listen: 127.0.0.1:9556}"
	ns mon ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
	ns_bg mon "$PY" - <<-'PYEOF'
		import socket, time
		slow = []
		for _ in range(40):
		    s = socket.socket()
		    s.bind(("127.0.0.2", 0))
		    try:
		        s.connect(("127.0.0.1", 9556))
		        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
		        slow.append(s)
		    except OSError:
		        pass
		time.sleep(60)
	PYEOF
	sleep 0.5
	local code
	# binary garbage (left to the connection timeout) and a malformed
	# header (answered 400)
	code=$(ns mon "$PY" - <<-'PYEOF'
		import socket
		g = socket.create_connection(("127.0.0.1", 9556), timeout=5)
		g.sendall(b"\x00\x01 NOT HTTP \xff\r\n\r\n")
		s = socket.create_connection(("127.0.0.1", 9556), timeout=5)
		s.sendall(b"GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n")
		print(s.recv(64).split(b" ")[1].decode())
	PYEOF
	)
	assert_eq 400 "$code" "malformed request"
	ns mon curl -sS -m 5 -o "$TEST_TMP/metrics" http://127.0.0.1:9556/metrics ||
		fail "scrape while slow clients hold connections"
	grep -q '^esprit_peer_up{peer="site4",dscp="0"} 1$' "$TEST_TMP/metrics" ||
		fail "metrics content"
}

# The pins removed under a running daemon: probing goes on (it holds the
# maps open), and the daemon pins them again, so the commands find them.
test_pins_removed_under_daemon() {
	one_peer_daemon
	[ -e /sys/fs/bpf/esprit/esprit_config ] || fail "nothing pinned"
	rm -rf /sys/fs/bpf/esprit
	local i
	for ((i = 0; i < 150; i++)); do
		grep -q "pinned maps were gone from /sys/fs/bpf/esprit; pinned again" \
			"$DAEMON_LOG" && break
		sleep 0.1
	done
	log_has "m4: [0-9]+ pinned maps were gone from /sys/fs/bpf/esprit; pinned again" \
		"restored"
	# every map the attached program uses is pinned again (a map the
	# object defines and no attached program uses has no one to give
	# it back: the next attach pins it anew)
	local m
	for m in esprit_config esprit_counters esprit_rings esprit_echo_ids \
		esprit_risav esprit_prefixes esprit_peers esprit_sa_in; do
		[ -e "/sys/fs/bpf/esprit/$m" ] || fail "$m not pinned again"
	done
	ns mon "$ESPRIT" stats >/dev/null || fail "esprit stats after"
	local sent
	sent=$(sj 's("site4")["received"]')
	wait_until "s(\"site4\")[\"received\"] > $sent + 10 and s(\"site4\")[\"state\"] == \"up\"" 10
	assert_eq 0 "$(log_count 'up -> down')" "never down"
}
