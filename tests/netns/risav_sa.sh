# Namespace tests for RISAV verify and strip, through the real binary and
# against scapy: scapy (tests/lib/risav_peer.py) plays a peer AS's border
# router and computes the AH ICVs with its own IPsec code; a host behind
# our border (tests/lib/risav_listen.py) must get exactly the packets whose
# tags are valid, with the AH gone and everything else as sent. Also the
# `esprit sa` commands and their errors, and `esprit monitor`.
# shellcheck shell=bash

# shellcheck source=tests/lib/risav_lib.sh
source tests/lib/risav_lib.sh

# resp as the border of AS 64500; AS 64501 (198.51.100.0/24,
# 2001:db8:201::/48) a peer in MODE with SA 0x1000.
risav_world() { # MODE
	e local-asn 64500
	e prefix add 10.11.1.0/24 asn 64500
	e prefix add fc00:11::/64 asn 64500
	e prefix add 198.51.100.0/24 asn 64501
	e prefix add 2001:db8:201::/48 asn 64501
	e peer add 64501 mode "$1"
	e sa add in spi 0x1000 asn 64501 alg hmac-sha256-128 key "$KEY"
	ns resp ip route add 198.51.100.0/24 dev r0
	ns resp ip -6 route add 2001:db8:201::/48 dev r0
}

# Keys from a file only root can read, or standard input; a key on the
# command line is taken with a warning; no message shows a key.
test_keys_from_file_and_stdin() {
	topo_pair
	attach_ip_link resp r0
	local out
	echo "$KEY" >"$TEST_TMP/k1"
	chmod 600 "$TEST_TMP/k1"
	out=$(e sa add in spi 0x1000 asn 64501 alg hmac-sha256-128 \
		key-file "$TEST_TMP/k1" 2>&1)
	assert_eq "" "$out" "key-file: no warning"
	out=$(echo "$KEY" | ns resp "$ESPRIT" sa add out spi 0x2000 asn 64501 \
		alg hmac-sha256-128 key - 2>&1)
	assert_eq "" "$out" "key -: no warning"
	out=$(e sa add in spi 0x1001 asn 64501 alg hmac-sha256-128 \
		key "$KEY" 2>&1)
	assert_match "a key on the command line can be read by other users" \
		"$out" "warning for key HEX"
	assert_eq 3 "$(e sa list --json | json_get 'len(j)')" "three SAs"
	chmod 644 "$TEST_TMP/k1"
	expect_fail "k1: owned by uid 0 with mode 0644; a key file must be owned by root" \
		sa add in spi 0x1002 asn 64501 alg hmac-sha256-128 \
		key-file "$TEST_TMP/k1"
	expect_fail "unexpected word 7: 64 hex digits \\(not shown; is 'key' missing\\?\\)" \
		sa add in spi 0x1002 asn 64501 alg hmac-sha256-128 "$KEY" x
	out=$(ns resp "$ESPRIT" sa add in spi 0x1002 asn 64501 \
		alg hmac-sha256-128 "$KEY" x 2>&1 || true)
	case $out in
	*"${KEY:0:16}"*) fail "the key was echoed: $out" ;;
	esac
	expect_fail "standard input: no key in it" \
		sa add in spi 0x1002 asn 64501 alg hmac-sha256-128 key - </dev/null
	expect_fail "'key' and 'key-file' both given" \
		sa add in spi 0x1002 asn 64501 alg hmac-sha256-128 key - \
		key-file "$TEST_TMP/k1"
	assert_eq 3 "$(e sa list --json | json_get 'len(j)')" "nothing added"
}

test_sa_commands_and_errors() {
	topo_pair
	attach_ip_link resp r0
	local out before
	e sa add in spi 0x1000 asn 64501 alg hmac-sha256-128 key "$KEY"
	e sa add in spi 4096 asn AS64502 alg hmac-sha256-128 key "0x$KEY" \
		replay 1024
	e sa add in asn 64501 key "$KEY" spi 4294967295 \
		alg hmac-sha256-128 replay 0
	out=$(e sa list)
	echo "$out"
	assert_match "in +0x00001000 64501 +hmac-sha256-128 off +active" \
		"$out" "listed SA"
	assert_match "in +0x00001000 64502 +hmac-sha256-128 1024 +active.* 0$" \
		"$out" "SA with a window"
	assert_match "0xffffffff" "$out" "largest SPI"
	assert_eq 3 "$(e sa list --json | json_get 'len(j)')" "three SAs"
	assert_eq "64501 64501 64502" \
		"$(e sa list --json | json_get '" ".join(str(s["asn"]) for s in j)')" \
		"sorted by ASN"
	assert_eq "in hmac-sha256-128 16 1024 active None" \
		"$(e sa list --json | json_get \
			'" ".join(str(x) for x in [j[2][k] for k in ("dir", "alg", "icv_len", "replay_window", "state")] + [j[0]["highest_seq"]])')" \
		"JSON fields"
	# the maps hold midstates, never the key
	bpftool map dump pinned "$GLOBALS/esprit_sa_in" | grep -q '"spi": 4096' ||
		fail "bpftool shows fields"
	bpftool -j map dump pinned "$GLOBALS/esprit_sa_in" >"$TEST_TMP/dump"
	"$PY" - "$TEST_TMP/dump" "$KEY" <<'EOF' || fail "raw key in the map"
import json, sys
dump, key = open(sys.argv[1]).read(), bytes.fromhex(sys.argv[2])
raw = bytes(int(x, 0) for e in json.loads(dump) for x in e["value"])
assert key[:8] not in raw and key not in raw
EOF
	bpftool map dump pinned "$GLOBALS/esprit_sa_in_rw" | grep -q '"top": 0' ||
		fail "replay window state"
	e sa --help | grep -q "usage: esprit sa add in spi SPI" || fail "help"

	before=$(e sa list --json)
	expect_fail "SPI 255 is reserved" sa add in spi 255 asn 64501 \
		alg hmac-sha256-128 key "$KEY"
	expect_fail "SPI 0 is reserved" sa add in spi 0x0 asn 64501 \
		alg hmac-sha256-128 key "$KEY"
	expect_fail "bad SPI '4294967296'" sa add in spi 4294967296 asn 64501 \
		alg hmac-sha256-128 key "$KEY"
	expect_fail "bad SPI '12ab'" sa add in spi 12ab asn 64501 \
		alg hmac-sha256-128 key "$KEY"
	expect_fail "out of range" sa add in spi 300 asn 0 \
		alg hmac-sha256-128 key "$KEY"
	expect_fail "not an AS number" sa add in spi 300 asn 64x01 \
		alg hmac-sha256-128 key "$KEY"
	expect_fail "unknown algorithm 'hmac-sha1-96' \(supported: hmac-sha256-128\)" \
		sa add in spi 300 asn 64501 alg hmac-sha1-96 key "$KEY"
	expect_fail "key: 62 hex digits; hmac-sha256-128 needs exactly 32 bytes" \
		sa add in spi 300 asn 64501 alg hmac-sha256-128 key "${KEY:2}"
	expect_fail "key: 66 hex digits" sa add in spi 300 asn 64501 \
		alg hmac-sha256-128 key "${KEY}00"
	expect_fail "key: not a hex digit at position 3" \
		sa add in spi 300 asn 64501 alg hmac-sha256-128 key "00g${KEY:3}"
	expect_fail "bad replay window '31': 0 \(off\) or 32..4096" \
		sa add in spi 300 asn 64501 alg hmac-sha256-128 key "$KEY" replay 31
	expect_fail "bad replay window '4097'" sa add in spi 300 asn 64501 \
		alg hmac-sha256-128 key "$KEY" replay 4097
	expect_fail "an inbound SA with SPI 0x1000 \(4096\), ASN 64501 exists" \
		sa add in spi 0x1000 asn 64501 alg hmac-sha256-128 key "$KEY"
	expect_fail "missing 'key-file PATH' \\(or 'key -'" sa add in spi 300 asn 64501 \
		alg hmac-sha256-128
	expect_fail "'replay' needs a value" sa add in spi 300 asn 64501 \
		alg hmac-sha256-128 key "$KEY" replay
	expect_fail "'spi' given twice" sa add in spi 300 spi 301 asn 64501 \
		alg hmac-sha256-128 key "$KEY"
	expect_fail "unexpected 'mode'" sa add in spi 300 asn 64501 \
		alg hmac-sha256-128 key "$KEY" mode x
	expect_fail "unknown direction 'sideways' \(in or out\)" sa add \
		sideways spi 300 asn 64501 alg hmac-sha256-128 key "$KEY"
	expect_fail "needs a direction: in or out" sa add
	expect_fail "unknown subcommand 'show'" sa show
	expect_fail "no inbound SA with SPI 0x12c \(300\), ASN 64501" \
		sa del in spi 300 asn 64501
	expect_fail "--json goes with 'list'" sa del in spi 300 asn 64501 --json
	expect_fail "unknown option '--bogus'" sa list --bogus
	assert_eq "$before" "$(e sa list --json)" "errors changed nothing"

	e sa del in spi 0x1000 asn 64502 --pin-dir "$GLOBALS"
	assert_eq 2 "$(e sa list --json | json_get 'len(j)')" "deleted"
	[ "$(bpftool map dump pinned "$GLOBALS/esprit_sa_in_rw")" = "[]" ] ||
		fail "window state deleted with the SA"
	expect_fail "no esprit maps in /nonexistent" sa list \
		--pin-dir /nonexistent
}

# ip link attach; IPv4 and IPv6; valid, bad, missing and Scope-0 tags.
test_enforce_ip_link() {
	topo_pair
	attach_ip_link resp r0
	xdp_pass cli c0
	risav_world enforce
	listen_start
	peer_send valid 4 --count 5 --payload v4
	peer_send valid 6 --count 5 --payload v6
	peer_send bad 4 --count 2 --tag badkey --payload bad4
	peer_send bad 6 --count 1 --tag badkey --payload bad6
	peer_send bad 4 --count 2 --tag none --payload none4
	peer_send bad 6 --count 1 --tag none --payload none6
	peer_send bad 4 --count 2 --tag scope0 --payload s0
	listen_stop 10
	check_arrivals valid || fail "arrivals"
	assert_eq 10 "$(count_of risav-verified)" "verified"
	assert_eq 3 "$(count_of ah-bad-icv)" "bad ICV"
	assert_eq 5 "$(count_of risav-untagged)" "untagged or Scope 0"
	assert_eq 10 "$(sa_field 4096 packets)" "SA packets"
	assert_eq 3 "$(sa_field 4096 bad_icv)" "SA bad ICVs"
	e stats | grep -Eq "^risav-verified +pass +10 " || fail "stats table"
}

# esprit attach; scapy's IPv4 Router Alert and IPv6 hop-by-hop options
# with the change bit set and clear: its mutable-field rules against ours.
test_options_esprit_attach() {
	topo_pair
	e attach r0 >/dev/null
	xdp_pass cli c0
	risav_world enforce
	listen_start
	peer_send valid 4 --count 3 --options ra --payload ra
	peer_send valid 6 --count 3 --options hbh --payload hbh
	peer_send bad 4 --count 1 --options ra --tag badkey
	peer_send bad 6 --count 1 --options hbh --tag badkey
	listen_stop 6
	check_arrivals valid || fail "arrivals"
	assert_eq 6 "$(count_of risav-verified)" "verified"
	assert_eq 2 "$(count_of ah-bad-icv)" "bad ICV"
}

# testing: everything arrives, without the AH; failures are counted.
test_testing_mode_passes_and_counts() {
	topo_pair
	e attach r0 >/dev/null
	xdp_pass cli c0
	risav_world testing
	listen_start
	peer_send all 4 --count 3 --payload ok4
	peer_send all 6 --count 2 --tag badkey --payload bad6
	peer_send all 4 --count 2 --tag none --payload none4
	listen_stop 7
	check_arrivals all || fail "arrivals"
	assert_eq 3 "$(count_of risav-verified)" "verified"
	assert_eq 2 "$(count_of ah-bad-icv)" "bad ICV counted"
	assert_eq 2 "$(count_of risav-untagged)" "untagged counted"
	assert_eq 4 "$(count_of risav-testing-passed)" "would-be drops"
}

# A window of 64 on SA 0x2000: repeats never arrive; without a window
# (the default) they do.
test_replay() {
	topo_pair
	attach_ip_link resp r0
	xdp_pass cli c0
	risav_world enforce
	e sa add in spi 0x2000 asn 64501 alg hmac-sha256-128 key "$KEY" \
		replay 64
	listen_start
	peer_send valid 4 --spi 0x2000 --count 5 --seq 1 \
		--payload first
	peer_send replayed 4 --spi 0x2000 --count 2 --seq 3 \
		--payload again
	peer_send valid 4 --spi 0x1000 --count 2 --seq 7 \
		--payload nowindow
	peer_send valid 4 --spi 0x1000 --count 2 --seq 7 \
		--payload nowindow-again
	listen_stop 9
	check_arrivals valid || fail "arrivals"
	assert_eq 2 "$(count_of ah-replay)" "replays dropped"
	assert_eq 2 "$(sa_field 8192 replayed)" "SA replays"
	assert_eq 5 "$(sa_field 8192 highest_seq)" "top of the window"
	e sa list | grep -Eq "0x00002000 64501 .* 64 +active .* 5$" ||
		fail "window in the listing"
}

# esprit monitor prints the audit events: JSON, text, and Ctrl-C.
test_monitor() {
	topo_pair
	attach_ip_link resp r0
	xdp_pass cli c0
	risav_world enforce
	ns_bg resp "$ESPRIT" monitor --json count 3 >"$TEST_TMP/mon.json"
	local mon=$!
	sleep 0.5
	peer_send bad 4 --tag badkey --seq 77
	peer_send bad 6 --tag none
	peer_send bad 4 --spi 0x9999
	for _ in $(seq 50); do
		kill -0 "$mon" 2>/dev/null || break
		sleep 0.1
	done
	wait "$mon" || fail "monitor exit status"
	cat "$TEST_TMP/mon.json"
	"$PY" - "$TEST_TMP/mon.json" <<'EOF' || fail "monitor JSON"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 3, ev
a, b, c = ev
assert (a["reason"], a["action"], a["src"], a["dst"], a["spi"], a["asn"],
        a["seq"], a["mode"]) == ("ah-bad-icv", "drop", "198.51.100.7",
                                 "10.11.1.1", 4096, 64501, 77, "enforce"), a
assert (b["reason"], b["src"], b["dst"], b["spi"], b["seq"]) == (
    "risav-untagged", "2001:db8:201::7", "fc00:11::1", None, None), b
assert b["flow_label"] == 0x1234, b
assert (c["reason"], c["spi"]) == ("ah-unknown-spi", 0x9999), c
assert a["time"].endswith("Z") and a["time_mono_ns"] > 0
EOF

	ns_bg resp "$ESPRIT" monitor count 1 >"$TEST_TMP/mon.txt"
	mon=$!
	sleep 0.5
	peer_send bad 4 --tag badkey --seq 9
	wait "$mon" || fail "text monitor exit status"
	cat "$TEST_TMP/mon.txt"
	assert_match "^[0-9-]+T[0-9:.]+ ah-bad-icv drop 198.51.100.7 -> 10.11.1.1 spi 0x00001000 asn 64501 seq 9 \(enforce\)$" \
		"$(cat "$TEST_TMP/mon.txt")" "text line"

	ns_bg resp "$ESPRIT" monitor >/dev/null
	mon=$!
	sleep 0.3
	kill -INT "$mon"
	wait "$mon" || fail "monitor after SIGINT"
	expect_fail "bad count 'x'" monitor count x
}
