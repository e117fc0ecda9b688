# Namespace tests for the daemon's risav: section, through the real binary:
# the daemon on resp attaches to r0 and fills the RISAV maps from its file
# (an RPKI import, static prefixes, peers, SAs with keys in files); scapy
# on cli signs AH tags as a peer AS's border would (tests/lib/risav_lib.sh).
# SIGHUP applies the difference: SAs added, deleted or replaced, unchanged
# ones keeping their replay windows; a bad file changes nothing.
# shellcheck shell=bash
# shellcheck source=tests/lib/daemon_lib.sh
source tests/lib/daemon_lib.sh
# shellcheck source=tests/lib/risav_lib.sh
source tests/lib/risav_lib.sh

KEY2=ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# AS 64500 is ours (10.11.1.0/24 from the import, fc00:11::/64 static),
# AS 64501 (198.51.100.0/24, 2001:db8:201::/48) the peer.
risav_files() {
	cat >"$TEST_TMP/rpki.json" <<-EOF
		{"roas": [
		  {"asn": 64500, "prefix": "10.11.1.0/24", "maxLength": 24},
		  {"asn": 64501, "prefix": "198.51.100.0/24", "maxLength": 24},
		  {"asn": "AS64501", "prefix": "2001:db8:201::/48", "maxLength": 48}
		]}
	EOF
	echo "$KEY" >"$TEST_TMP/sa1.key"
	echo "$KEY2" >"$TEST_TMP/sa2.key"
	chmod 600 "$TEST_TMP"/sa*.key
}

# risav_config PEERS SAS: the file with these YAML lists under risav.
risav_config() {
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: r0}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		risav:
		  local_asn: AS64500
		  contacts: [10.11.1.100]
		  audit_rate: 50
		  prefixes:
		    import: rpki.json
		    static:
		      - {prefix: "fc00:11::/64", asn: 64500}
		  peers: $1
		  sas: $2
	EOF
}

risav_start() { # PEERS SAS
	topo_pair
	xdp_pass cli c0
	risav_files
	risav_config "$1" "$2"
	daemon_start resp "$TEST_TMP/esprit.yaml"
	ns resp ip route add 198.51.100.0/24 dev r0
	ns resp ip -6 route add 2001:db8:201::/48 dev r0
	# it holds SA keys: no core file may
	grep -Eq '^Max core file size +0 +0 ' "/proc/$DAEMON_PID/limits" ||
		fail "core dumps are on: $(grep -i core "/proc/$DAEMON_PID/limits")"
}

reload() { # N: SIGHUP, then wait for the Nth reload to be applied
	kill -HUP "$DAEMON_PID"
	wait_until "d[\"daemon\"][\"reloads\"] == $1" 10
}

sa_list() { # "spi/asn ..." sorted
	e sa list --json | json_get '" ".join("%#x/%d" % (s["spi"], s["asn"]) for s in j)'
}

peer_list() { # "asn:mode ..."
	e peer list --json | json_get '" ".join("%d:%s" % (p["asn"], p["mode"]) for p in j)'
}

trie_id() {
	e risav --json | json_get 'j["prefixes"]["map_id"]'
}

SA1='{spi: 0x1000, asn: 64501, alg: hmac-sha256-128, key_file: sa1.key}'

test_verifies_scapy_tags() {
	risav_start '[{asn: 64501, mode: enforce, contacts: [198.51.100.1]}]' \
		"[$SA1]"
	log_has "risav: 1 map set: local AS 64500, 1 peers, 1 SAs \\(1 added, 0 replaced, 0 deleted, 0 unchanged\\), 4 prefixes \\(table installed\\)" \
		"applied at start"
	assert_eq "0x1000/64501" "$(sa_list)" "SA"
	assert_eq "64501:enforce" "$(peer_list)" "peer"
	assert_eq "64500 ['10.11.1.100'] 50 drop" \
		"$(e risav --json | json_get '" ".join(str(x) for x in (j["local_asn"], j["contacts"], j["audit_rate"], j["fragments"]))')" \
		"local AS and settings"
	assert_eq "10.11.1.0/24 64500 import 198.51.100.0/24 64501 import 2001:db8:201::/48 64501 import fc00:11::/64 64500 static" \
		"$(e prefix list | tr '\n' ' ' | sed 's/ $//')" "prefix table"
	listen_start
	peer_send valid 4 --count 3 --payload v4
	peer_send valid 6 --count 2 --payload v6
	peer_send bad 4 --count 2 --tag badkey --payload bad4
	peer_send bad 4 --count 1 --tag none --payload none4
	listen_stop 5
	check_arrivals valid || fail "arrivals"
	assert_eq 5 "$(count_of risav-verified)" "verified"
	assert_eq 2 "$(count_of ah-bad-icv)" "bad ICV"
	assert_eq 1 "$(count_of risav-untagged)" "untagged"
	assert_eq 5 "$(sa_field 4096 packets)" "SA packets"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
	# the program stays, and with it the maps the daemon filled
	assert_eq "0x1000/64501" "$(sa_list)" "SA after the daemon left"
}

test_reload_adds_and_removes_sa_and_peer() {
	risav_start '[{asn: 64501, mode: enforce}]' "[$SA1]"
	local trie
	trie=$(trie_id)
	risav_config '[{asn: 64501, mode: enforce}, {asn: 64502, mode: testing}]' \
		'[{spi: 0x2000, asn: 64501, alg: hmac-sha256-128, key_file: sa1.key, replay: 64}]'
	reload 1
	log_has "1 SAs \\(1 added, 0 replaced, 1 deleted, 0 unchanged\\), 4 prefixes \\(table unchanged\\)" \
		"reload logged"
	assert_eq "0x2000/64501" "$(sa_list)" "SA 0x1000 gone, 0x2000 in"
	assert_eq "64501:enforce 64502:testing" "$(peer_list)" "peer added"
	assert_eq "$trie" "$(trie_id)" "same import, same trie: not re-imported"
	listen_start
	peer_send valid 4 --spi 0x2000 --count 2 --payload new
	peer_send bad 4 --spi 0x1000 --count 2 --payload old
	listen_stop 2
	check_arrivals valid || fail "arrivals"
	assert_eq 2 "$(count_of ah-unknown-spi)" "the deleted SA's SPI is unknown"
	assert_eq 2 "$(sa_field 8192 packets)" "new SA verifies"
	# the peer goes again; the import changes: a new trie
	sed -i 's|"2001:db8:201::/48", "maxLength": 48}|"2001:db8:201::/48", "maxLength": 48},\n  {"asn": 64502, "prefix": "203.0.113.0/24"}|' \
		"$TEST_TMP/rpki.json"
	risav_config '[{asn: 64501, mode: enforce}]' \
		'[{spi: 0x2000, asn: 64501, alg: hmac-sha256-128, key_file: sa1.key, replay: 64}]'
	reload 2
	assert_eq "64501:enforce" "$(peer_list)" "peer removed"
	[ "$(trie_id)" != "$trie" ] || fail "changed import not installed"
	e prefix list | grep -qx "203.0.113.0/24 64502 import" || fail "new VRP loaded"
	log_has "5 prefixes \\(table installed\\)" "re-import logged"
	daemon_stop TERM
}

test_bad_reload_changes_nothing() {
	risav_start '[{asn: 64501, mode: enforce}]' "[$SA1]"
	local sas peers state trie
	sas=$(e sa list --json)
	peers=$(e peer list --json)
	state=$(e risav --json)
	trie=$(trie_id)
	cp "$TEST_TMP/esprit.yaml" "$TEST_TMP/good.yaml"
	# a new peer and SA, then a key of the wrong length on line 13
	risav_config '[{asn: 64501, mode: testing}, {asn: 64502, mode: enforce}]' \
		"[$SA1, {spi: 0x3000, asn: 64502, alg: hmac-sha256-128, key: 0011}]"
	kill -HUP "$DAEMON_PID"
	wait_until 'd["daemon"]["reload_failures"] == 1' 10
	log_has "reload: $TEST_TMP/esprit.yaml:13: risav.sas\\[1\\].key: key: 4 hex digits; .*; nothing changed" \
		"error with FILE:LINE"
	# an import that does not parse: the RPKI file's line too
	cp "$TEST_TMP/good.yaml" "$TEST_TMP/esprit.yaml"
	cp "$TEST_TMP/rpki.json" "$TEST_TMP/rpki.good"
	sed -i 's|198.51.100.0/24"|198.51.100.0/33"|' "$TEST_TMP/rpki.json"
	kill -HUP "$DAEMON_PID"
	wait_until 'd["daemon"]["reload_failures"] == 2' 10
	log_has "reload: $TEST_TMP/esprit.yaml:9: risav.prefixes.import: $TEST_TMP/rpki.json:3.*198.51.100.0/33.*; nothing changed" \
		"import error with both files' lines"
	# a contact that another AS owns: caught by the whole-state check
	cp "$TEST_TMP/rpki.good" "$TEST_TMP/rpki.json"
	risav_config '[{asn: 64501, mode: enforce, contacts: [10.11.1.100]}]' "[$SA1]"
	kill -HUP "$DAEMON_PID"
	wait_until 'd["daemon"]["reload_failures"] == 3' 10
	log_has "reload: $TEST_TMP/esprit.yaml:12: peer AS64501: contact 10.11.1.100 is already" \
		"contact error"
	assert_eq "$sas" "$(e sa list --json)" "SAs unchanged"
	assert_eq "$peers" "$(e peer list --json)" "peers unchanged"
	assert_eq "$state" "$(e risav --json)" "settings and prefix table unchanged"
	assert_eq "$trie" "$(trie_id)" "same trie"
	# and the old state still verifies
	listen_start
	peer_send valid 4 --count 2 --payload still
	peer_send bad 4 --count 1 --tag badkey
	listen_stop 2
	check_arrivals valid || fail "arrivals"
	assert_eq 1 "$(count_of ah-bad-icv)" "still enforced"
	daemon_stop TERM
}

test_unchanged_sa_keeps_replay_state() {
	risav_start '[{asn: 64501, mode: enforce}]' \
		"[$SA1, {spi: 0x2000, asn: 64501, alg: hmac-sha256-128, key_file: sa2.key, replay: 64}]"
	listen_start
	peer_send valid 4 --spi 0x2000 --key "$KEY2" --count 5 --seq 1 --payload first
	listen_stop 5
	check_arrivals valid || fail "arrivals before"
	assert_eq 5 "$(sa_field 8192 highest_seq)" "window top"
	# SA 0x1000 gets another key (replaced); 0x2000 is listed as before
	echo "$KEY2" >"$TEST_TMP/sa1.key"
	risav_config '[{asn: 64501, mode: enforce}, {asn: 64502, mode: off}]' \
		"[$SA1, {spi: 0x2000, asn: 64501, alg: hmac-sha256-128, key_file: sa2.key, replay: 64}]"
	reload 1
	log_has "2 SAs \\(0 added, 1 replaced, 0 deleted, 1 unchanged\\)" \
		"replaced and unchanged"
	assert_eq 5 "$(sa_field 8192 highest_seq)" "window kept"
	assert_eq 5 "$(sa_field 8192 packets)" "counters kept"
	rm -f "$TEST_TMP"/sent.*
	listen_start
	peer_send replayed 4 --spi 0x2000 --key "$KEY2" --count 2 --seq 3 --payload again
	peer_send valid 4 --spi 0x2000 --key "$KEY2" --count 1 --seq 6 --payload next
	peer_send valid 4 --spi 0x1000 --key "$KEY2" --count 1 --payload newkey
	peer_send bad 4 --spi 0x1000 --count 1 --payload oldkey
	listen_stop 2
	check_arrivals valid || fail "arrivals after"
	assert_eq 2 "$(count_of ah-replay)" "replays still rejected after the reload"
	assert_eq 6 "$(sa_field 8192 highest_seq)" "window moved on"
	assert_eq 1 "$(count_of ah-bad-icv)" "the old key no longer verifies"
	daemon_stop TERM
}

# Without risav: the daemon leaves what the CLI set; with it, the daemon
# owns the maps; the section removed again, they stay as they are.
test_absent_section_leaves_cli_state() {
	topo_pair
	risav_files
	e attach r0 >/dev/null
	e local-asn 64500
	e peer add 64509 mode testing
	e sa add in spi 0x1234 asn 64509 alg hmac-sha256-128 key "$KEY"
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: r0}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
	EOF
	daemon_start resp "$TEST_TMP/esprit.yaml"
	reload 1
	assert_eq "0x1234/64509" "$(sa_list)" "CLI SA untouched"
	assert_eq "64509:testing" "$(peer_list)" "CLI peer untouched"
	cp "$TEST_TMP/esprit.yaml" "$TEST_TMP/plain.yaml"
	risav_config '[{asn: 64501, mode: enforce}]' "[$SA1]"
	reload 2
	assert_eq "0x1000/64501" "$(sa_list)" "owned: only the file's SA"
	assert_eq "64501:enforce" "$(peer_list)" "owned: only the file's peer"
	cp "$TEST_TMP/plain.yaml" "$TEST_TMP/esprit.yaml"
	reload 3
	log_has "risav: section removed from $TEST_TMP/esprit.yaml: the RISAV maps are left as they are" \
		"release logged"
	assert_eq "0x1000/64501" "$(sa_list)" "left as they were"
	e sa add in spi 0x1234 asn 64509 alg hmac-sha256-128 key "$KEY"
	reload 4
	assert_eq "0x1000/64501 0x1234/64509" "$(sa_list)" "CLI's again"
	daemon_stop TERM
}

# r0 appears after the daemon started: the program attached then gets the
# RISAV state (the maps did not exist at start).
test_interface_attached_later_gets_the_state() {
	ns_add resp cli
	risav_files
	risav_config '[{asn: 64501, mode: enforce}]' "[$SA1]"
	daemon_start resp "$TEST_TMP/esprit.yaml"
	log_has "r0: no such interface" "r0 missing at start"
	r0_comes_and_is_enforced
	daemon_stop TERM
}

# r0 appears (again): the daemon attaches a new program, fills its maps
# with the whole RISAV state, and it enforces.
r0_comes_and_is_enforced() {
	veth resp r0 "$RESP_MAC" cli c0 "$CLI_MAC"
	ns resp ip addr add "$RESP4/24" dev r0
	ns resp ip addr add "$RESP6/64" dev r0 nodad
	ns resp ip route add 198.51.100.0/24 dev r0
	ns resp ip -6 route add 2001:db8:201::/48 dev r0
	xdp_pass cli c0
	wait_until 'd["interfaces"][0]["state"] == "attached"' 20
	for _ in $(seq 50); do
		[ "$(sa_list 2>/dev/null)" = "0x1000/64501" ] && break
		sleep 0.1
	done
	assert_eq "0x1000/64501" "$(sa_list)" "SA in the new program's maps"
	assert_eq "64501:enforce" "$(peer_list)" "peer"
	listen_start
	peer_send valid 4 --count 2 --payload late
	peer_send bad 4 --count 1 --tag none
	listen_stop 2
	check_arrivals valid || fail "arrivals"
	assert_eq 1 "$(count_of risav-untagged)" "enforced"
}

# kill -9 in the middle of a reload that changes the SAs, peers and the
# import (a prefix import of 30000 ROAs, or back to 3), at three points
# from the signal: each restarted daemon makes the maps hold the file on
# disk whole, never a mix of the two; and the responder, in XDP, answers
# every request cli sends all the while.
test_kill9_during_reload_then_restart_holds_new_state() {
	risav_start '[{asn: 64501, mode: enforce}]' "[$SA1]"
	cp "$TEST_TMP/rpki.json" "$TEST_TMP/small.json"
	"$PY" - "$TEST_TMP/big.json" <<-'PYEOF'
		import json, sys
		roas = [{"asn": 64501, "prefix": "198.51.100.0/24", "maxLength": 24},
		        {"asn": 64500, "prefix": "10.11.1.0/24", "maxLength": 24}]
		roas += [{"asn": 64600 + i % 50, "prefix": f"10.{100 + (i >> 8)}.{i & 255}.0/24",
		          "maxLength": 24} for i in range(30000)]
		json.dump({"roas": roas}, open(sys.argv[1], "w"))
	PYEOF
	local sa2='[{spi: 0x2000, asn: 64501, alg: hmac-sha256-128, key_file: sa2.key}]'
	ns cli "$ESPRIT" ping -q -c 600 -i 0.02 -W 5 "$RESP4" >"$TEST_TMP/ping.out" 2>&1 &
	local ping_pid=$! delay round=0
	for delay in 0 0.05 0.3; do
		round=$((round + 1))
		if ((round % 2)); then # to the new state
			cp "$TEST_TMP/big.json" "$TEST_TMP/rpki.json"
			risav_config '[{asn: 64501, mode: testing}, {asn: 64502, mode: enforce}]' "$sa2"
		else # and back
			cp "$TEST_TMP/small.json" "$TEST_TMP/rpki.json"
			risav_config '[{asn: 64501, mode: enforce}]' "[$SA1]"
		fi
		kill -HUP "$DAEMON_PID"
		sleep "$delay"
		daemon_stop KILL
		assert_eq 137 "$DAEMON_RC" "killed $delay s after SIGHUP"
		daemon_start resp "$TEST_TMP/esprit.yaml"
		wait_until 'd["interfaces"][0]["state"] == "adopted"' 10
		if ((round % 2)); then
			assert_eq "0x2000/64501" "$(sa_list)" "the new SA alone ($delay s)"
			assert_eq "64501:testing 64502:enforce" "$(peer_list)" "the new peers ($delay s)"
			assert_eq 30003 "$(e prefix list | wc -l)" "the new table whole ($delay s)"
		else
			assert_eq "0x1000/64501" "$(sa_list)" "the old SA alone ($delay s)"
			assert_eq "64501:enforce" "$(peer_list)" "the old peers ($delay s)"
			assert_eq 4 "$(e prefix list | wc -l)" "the old table whole ($delay s)"
		fi
	done
	wait "$ping_pid" || true
	cat "$TEST_TMP/ping.out"
	grep -Eq '^600 packets transmitted, 600 received, 0% packet loss' "$TEST_TMP/ping.out" ||
		fail "the responder missed requests across the kills"
	daemon_stop TERM
}

# The interface goes away under the running daemon and comes back: the
# new program gets the whole RISAV state, and enforces it.
test_interface_deleted_and_recreated() {
	risav_start '[{asn: 64501, mode: enforce}]' "[$SA1]"
	ns resp ip link del r0
	wait_until 'd["interfaces"][0]["state"] != "attached"' 20
	r0_comes_and_is_enforced
	daemon_stop TERM
}
