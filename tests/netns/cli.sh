# Namespace tests for the operator commands: attach, detach, stats and
# responder, through the real binary.
# shellcheck shell=bash

# Sends one request from cli to resp and expects a reply or none.
exchange() { # reply|none [form]
	ns cli "$PY" "$TESTS_LIB/echo_exchange.py" --iface c0 \
		--src "$CLI4" --dst "$RESP4" --src-mac "$CLI_MAC" \
		--dst-mac "$RESP_MAC" --form "${2:-seed}" --data-len 32 \
		--expect "$1" --timeout 1
}

# Packets counted for a reason, from `esprit stats --json`.
count_of() { # reason [esprit args...]
	local reason=$1
	shift
	ns resp "$ESPRIT" stats --json "$@" | "$PY" -c '
import json, sys
want = sys.argv[1]
rows = [r for r in json.load(sys.stdin)["counters"] if r["reason"] == want]
print(rows[0]["packets"] if rows else 0)' "$reason"
}

xdp_prog_name() { # NS IF
	ns "$1" ip -j link show dev "$2" | "$PY" -c '
import json, sys
link = json.load(sys.stdin)[0]
print(link.get("xdp", {}).get("prog", {}).get("name", "none"))'
}

test_attach_reports_mode_and_pins() {
	topo_pair
	local out
	out=$(ns resp "$ESPRIT" attach r0)
	echo "$out"
	assert_match "attached to r0 in native mode" "$out" "attach output"
	assert_match "single program" "$out" "dispatcher fallback stated"
	assert_match "/sys/fs/bpf/esprit" "$out" "pin directory stated"
	assert_eq esprit_xdp "$(xdp_prog_name resp r0)" "program on r0"
	[ -e /sys/fs/bpf/esprit/esprit_counters ] || fail "counters not pinned"
	# bpftool prints the counter fields by name (BTF)
	bpftool map dump pinned /sys/fs/bpf/esprit/esprit_counters |
		grep -q '"packets"' || fail "bpftool dump lacks field names"
	xdp_pass cli c0
	exchange reply
	assert_eq 1 "$(count_of echo-reflected)" "reflected counter"
}

test_attach_twice_and_skb_mode() {
	topo_pair
	ns resp "$ESPRIT" attach r0 --mode skb | grep -q "in skb mode" ||
		fail "skb mode not reported"
	ns resp ip link show dev r0 | grep -q xdpgeneric || fail "not generic"
	local out
	out=$(ns resp "$ESPRIT" attach r0)
	assert_match "already attached to r0 \(skb mode" "$out" "second attach"
}

test_attach_refuses_foreign_program() {
	topo_pair
	xdp_pass resp r0
	local out rc=0
	out=$(ns resp "$ESPRIT" attach r0 2>&1) || rc=$?
	echo "$out"
	assert_eq 2 "$rc" "exit status without --force"
	assert_match "already runs XDP program 'xdp_pass'" "$out" "message"
	assert_match "--force" "$out" "message suggests --force"
	assert_eq xdp_pass "$(xdp_prog_name resp r0)" "foreign program kept"
	ns resp "$ESPRIT" attach r0 --force
	assert_eq esprit_xdp "$(xdp_prog_name resp r0)" "replaced with --force"
}

test_attach_bad_arguments() {
	topo_pair
	local rc out
	for args in "nosuchdev" "r0 --mode turbo" "" "r0 c0" "r0 --bogus"; do
		rc=0
		# shellcheck disable=SC2086
		out=$(ns resp "$ESPRIT" attach $args 2>&1) || rc=$?
		echo "attach $args -> $rc: $out"
		assert_eq 2 "$rc" "exit status for 'attach $args'"
	done
	rc=0
	out=$(ns resp "$ESPRIT" attach nosuchdev 2>&1) || rc=$?
	assert_match "no such interface 'nosuchdev'" "$out" "unknown interface"
	out=$(ns resp "$ESPRIT" attach r0 --mode turbo 2>&1) || true
	assert_match "--mode 'turbo': unknown mode" "$out" "bad mode"
	assert_eq none "$(xdp_prog_name resp r0)" "nothing attached"
}

test_detach() {
	topo_pair
	ns resp "$ESPRIT" attach r0
	ns resp "$ESPRIT" responder set rate 123
	ns resp "$ESPRIT" detach r0 | grep -q "detached from r0" ||
		fail "detach output"
	assert_eq none "$(xdp_prog_name resp r0)" "program removed"
	[ -e /sys/fs/bpf/esprit/esprit_config ] || fail "pins removed"
	local rc=0 out
	out=$(ns resp "$ESPRIT" detach r0 2>&1) || rc=$?
	assert_eq 2 "$rc" "detach with nothing attached"
	assert_match "no XDP program" "$out" "message"
	# settings survive a detach and come back with the next attach
	ns resp "$ESPRIT" attach r0
	ns resp "$ESPRIT" responder show | grep -q "123/s" ||
		fail "settings lost across detach/attach"
	# a foreign program is not detached without --force
	ns resp "$ESPRIT" detach r0
	xdp_pass resp r0
	rc=0
	out=$(ns resp "$ESPRIT" detach r0 2>&1) || rc=$?
	assert_eq 2 "$rc" "detach foreign without --force"
	assert_match "not esprit's" "$out" "message"
	ns resp "$ESPRIT" detach r0 --force
	assert_eq none "$(xdp_prog_name resp r0)" "foreign detached by --force"
}

test_stats_after_ip_link_attach() {
	topo_pair
	local rc=0 out
	out=$(ns resp "$ESPRIT" stats 2>&1) || rc=$?
	assert_eq 2 "$rc" "stats with nothing loaded"
	assert_match "esprit is not loaded" "$out" "message"
	attach_ip_link resp r0
	xdp_pass cli c0
	exchange reply
	exchange reply empty
	assert_eq 2 "$(count_of echo-reflected)" "found iproute2's pins"
	assert_eq 2 "$(count_of echo-reflected --pin-dir /sys/fs/bpf/xdp/globals)" \
		"explicit --pin-dir"
	out=$(ns resp "$ESPRIT" stats)
	echo "$out"
	assert_match "echo-reflected +tx +2 " "$out" "table row"
	out=$(ns resp "$ESPRIT" stats --all)
	assert_match "malformed-esp-padding" "$out" "--all lists every reason"
	# what is not esprit's is counted too: every packet under one reason
	local before
	before=$(count_of not-esprit)
	ns cli ping -c 3 -i 0.2 -W 1 "$RESP4" >/dev/null || fail "ping"
	assert_ge $((before + 3)) "$(count_of not-esprit)" \
		"the pings counted as not-esprit"
	rc=0
	ns resp "$ESPRIT" stats --pin-dir /nonexistent >/dev/null 2>&1 || rc=$?
	assert_eq 2 "$rc" "bad --pin-dir"
}

test_responder_settings_rejected_whole() {
	topo_pair
	attach_ip_link resp r0
	ns resp "$ESPRIT" responder set rate 50 ttl 33
	local before after rc=0 out
	before=$(ns resp "$ESPRIT" responder --json show)
	# the first pair is valid, the second is not: nothing may change
	out=$(ns resp "$ESPRIT" responder set rate 70 ttl 300 2>&1) || rc=$?
	assert_eq 2 "$rc" "exit status"
	assert_match "ttl: expected 1-255, not '300'; nothing changed" "$out" \
		"message"
	after=$(ns resp "$ESPRIT" responder --json show)
	assert_eq "$before" "$after" "config after a rejected set"
	assert_match '"rate": "50/s"' "$after" "rate kept"
	assert_match '"ttl": 33' "$after" "ttl kept"
}

test_responder_enabled_off() {
	topo_pair
	attach_ip_link resp r0
	xdp_pass cli c0
	ns resp "$ESPRIT" responder set enabled off
	exchange none
	assert_eq 1 "$(count_of echo-disabled)" "disabled counter"
	ns resp "$ESPRIT" responder set enabled on
	exchange reply
}

test_responder_allowlist() {
	topo_pair
	attach_ip_link resp r0
	xdp_pass cli c0
	ns resp "$ESPRIT" responder allow add 192.0.2.0/24
	ns resp "$ESPRIT" responder set allowlist on
	exchange none
	assert_eq 1 "$(count_of echo-not-allowlisted)" "not-allowlisted counter"
	ns resp "$ESPRIT" responder allow add 10.11.1.0/24
	exchange reply
	ns resp "$ESPRIT" responder allow list | grep -qx "10.11.1.0/24" ||
		fail "allow list"
	local rc=0 out
	out=$(ns resp "$ESPRIT" responder allow add 10.11.1.1/24 2>&1) || rc=$?
	assert_eq 2 "$rc" "prefix with host bits"
	assert_match "host bits" "$out" "message"
	ns resp "$ESPRIT" responder allow del 10.11.1.0/24
	exchange none
}

test_responder_local_only() {
	topo_pair
	attach_ip_link resp r0
	xdp_pass cli c0
	ns resp "$ESPRIT" responder local sync
	ns resp "$ESPRIT" responder local list | grep -q "^$RESP4 .*r0" ||
		fail "local list lacks $RESP4"
	ns resp "$ESPRIT" responder set local-only on
	exchange reply
	ns resp "$ESPRIT" responder local del "$RESP4"
	exchange none
	assert_eq 1 "$(count_of echo-dst-not-local)" "not-local counter"
}

test_parallel_changes_do_not_interleave() {
	topo_pair
	attach_ip_link resp r0
	local i pids=()
	for i in $(seq 1 20); do
		ns resp "$ESPRIT" responder allow add "198.51.$i.0/24" &
		pids+=($!)
	done
	ns resp "$ESPRIT" responder set ttl 77 &
	pids+=($!)
	for i in "${pids[@]}"; do
		wait "$i" || fail "a parallel command failed"
	done
	assert_eq 20 "$(ns resp "$ESPRIT" responder allow list | wc -l)" \
		"allowlist entries"
	ns resp "$ESPRIT" responder show | grep -q "^ttl *77" || fail "ttl lost"
}

test_responder_options_anywhere() {
	topo_pair
	attach_ip_link resp r0
	ns resp "$ESPRIT" responder set ttl 44 --pin-dir /sys/fs/bpf/xdp/globals
	ns resp "$ESPRIT" responder show --json | grep -q '"ttl": 44' ||
		fail "--json after show, or --pin-dir after set, ignored"
	ns resp "$ESPRIT" responder allow add 192.0.2.0/24 --pin-dir \
		/sys/fs/bpf/xdp/globals
	ns resp "$ESPRIT" responder allow list --json | grep -q '192.0.2.0/24' ||
		fail "allow list --json"
}
