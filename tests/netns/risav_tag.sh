# RISAV end to end: two esprit borders, each tagging on TC egress and
# verifying in XDP, between two ASes:
#
#   h1 ---- b1 ====== inet ====== b2 ---- h2
#   AS 64500         (middle)        AS 64501
#   10.100.1.10                      10.101.1.10
#   2001:db8:100:1::10               2001:db8:101:1::10
#
# b1 tags what AS 64500 sends to AS 64501 (SA 0x1001 for DSCP ef, 0x1000
# for any other), b2 verifies and strips it; b2 tags the way back (SA
# 0x2000), b1 verifies. Each border's maps are pinned in a directory of its
# own. A capture in the middle is checked with scapy's IPsec code
# (tests/lib/risav_tag_check.py); packets injected in the middle with AS
# 64500 sources must never reach h2. Also the commands: esprit attach on
# clsact egress, sa add/del out, peer policy, tc by hand.
# shellcheck shell=bash
# shellcheck source=tests/lib/risav_tag_lib.sh
source tests/lib/risav_tag_lib.sh

test_tcp_udp_both_families_two_dscp_sas() {
	topo_two_borders
	risav_borders
	serve_start h2 "$H2_4" "$H2_6"
	capture_start x1
	local dst out
	for dst in "$H2_4" "$H2_6"; do
		out=$(traffic h1 tcp --dst "$dst" --bytes 300000)
		echo "tcp $dst: $out"
		assert_match '"ok": true' "$out" "TCP echo with $dst"
		out=$(traffic h1 tcp --dst "$dst" --bytes 50000 --dscp 46)
		echo "tcp ef $dst: $out"
		assert_match '"ok": true' "$out" "TCP (EF) echo with $dst"
		out=$(traffic h1 udp --dst "$dst" --count 20 --size 100 --echo)
		assert_eq '{"sent": 20, "echoed": 20}' "$out" "UDP with $dst"
		out=$(traffic h1 udp --dst "$dst" --count 20 --size 1200 \
			--dscp 46 --echo)
		assert_eq '{"sent": 20, "echoed": 20}' "$out" "UDP EF with $dst"
		out=$(traffic h1 udp --dst "$dst" --count 5 --size 30 --dscp 10 \
			--echo)
		assert_eq '{"sent": 5, "echoed": 5}' "$out" "UDP AF11 with $dst"
	done
	capture_stop
	# AS 64500 -> 64501: every packet tagged, each DSCP on its SA
	out=$(check_capture --src-net 10.100.0.0/16 2001:db8:100::/48 \
		--dst-net 10.101.0.0/16 2001:db8:101::/48 \
		--sa "0x1000:$K1:any" "0x1001:$K2:46" --tamper 4) ||
		fail "capture AS 64500 -> 64501: $out"
	echo "64500 -> 64501: $out"
	assert_ge 1 "$(json_get 'j["by_spi"].get("0x1000", 0)' <<<"$out")" \
		"packets on SA 0x1000"
	assert_ge 1 "$(json_get 'j["by_spi"].get("0x1001", 0)' <<<"$out")" \
		"packets on SA 0x1001 (EF)"
	assert_ge 100 "$(json_get 'j["tamper_checks"]' <<<"$out")" \
		"tamper checks"
	# and the way back, tagged by b2
	out=$(check_capture --src-net 10.101.0.0/16 2001:db8:101::/48 \
		--dst-net 10.100.0.0/16 2001:db8:100::/48 \
		--sa "0x2000:$K3:any" --tamper 2) ||
		fail "capture AS 64501 -> 64500: $out"
	echo "64501 -> 64500: $out"
	assert_ge 1 "$(json_get 'j["tagged"]' <<<"$out")" "tagged back"
	# what b1 tagged, b2 verified; nothing failed on either side
	assert_ge 1 "$(count_in b1 risav-tagged)" "b1 tagged"
	assert_ge 1 "$(count_in b2 risav-verified)" "b2 verified"
	# what is neither tagged nor checked is counted too (ARP, ND)
	assert_ge 1 "$(count_in b1 not-esprit-egress)" "b1 not-esprit-egress"
	assert_ge 1 "$(count_in b2 not-esprit)" "b2 not-esprit"
	local r
	for r in ah-bad-icv ah-unknown-spi ah-replay risav-untagged \
		risav-tag-failed risav-untaggable; do
		assert_eq 0 "$(count_in b1 "$r")" "b1 $r"
		assert_eq 0 "$(count_in b2 "$r")" "b2 $r"
	done
	b1 sa list
	b2 sa list
}

# Sends from the middle, as if from h1, through inet's x2 to b2.
inject() { # KIND risav_peer.py-args...
	local kind=$1
	shift
	ns inet "$PY" "$TESTS_LIB/risav_peer.py" --iface x2 \
		--src-mac 02:00:00:00:03:01 --dst-mac 02:00:00:00:03:02 \
		--port "$PORT" --payload "$kind" "$@" >/dev/null
}

test_injected_untagged_bad_replayed_never_arrive() {
	topo_two_borders
	risav_borders
	serve_start h2 "$H2_4" "$H2_6"
	local f src dst seq
	for f in 4 6; do
		src=$H1_4 dst=$H2_4 seq=10
		[ "$f" = 6 ] && src=$H1_6 dst=$H2_6 seq=20
		inject "control$f" --src "$src" --dst "$dst" --spi 0x1002 \
			--key "$K4" --seq "$seq"
		inject "untagged$f" --src "$src" --dst "$dst" --tag none
		inject "badkey$f" --src "$src" --dst "$dst" --spi 0x1002 \
			--key "$K4" --seq $((seq + 1)) --tag badkey
		inject "scope0-$f" --src "$src" --dst "$dst" --spi 0x1002 \
			--key "$K4" --seq $((seq + 2)) --tag scope0
		inject "unknownspi$f" --src "$src" --dst "$dst" --spi 0x1003 \
			--key "$K4" --seq $((seq + 3))
		# the control packet again: same SPI, same sequence number
		inject "replay$f" --src "$src" --dst "$dst" --spi 0x1002 \
			--key "$K4" --seq "$seq"
	done
	sleep 0.5
	cat "$TEST_TMP/served"
	local got
	got=$("$PY" -c '
import json, sys
print(sorted(bytes.fromhex(json.loads(l)["udp"]).split(b"-")[0].decode()
             for l in open(sys.argv[1])))' "$TEST_TMP/served")
	assert_eq "['control4', 'control6']" "$got" "what reached h2"
	assert_eq 4 "$(count_in b2 risav-untagged)" "untagged dropped"
	assert_eq 2 "$(count_in b2 ah-bad-icv)" "bad ICV dropped"
	assert_eq 2 "$(count_in b2 ah-unknown-spi)" "unknown SPI dropped"
	assert_eq 2 "$(count_in b2 ah-replay)" "replays dropped"
}

# A real tag, captured in the middle and sent again: b2's window stops it.
test_captured_tag_replayed() {
	topo_two_borders
	risav_borders
	serve_start h2 "$H2_4" "$H2_6"
	capture_start x1
	traffic h1 udp --dst "$H2_4" --count 3 --size 80 --dscp 46 \
		--tag captured --echo >/dev/null
	capture_stop
	local before
	before=$(wc -l <"$TEST_TMP/served")
	assert_eq 3 "$before" "three datagrams arrived"
	ns inet "$PY" - "$TEST_TMP/mid.pcap" <<'EOF'
import sys
from scapy.all import AH, Ether, IP, conf, rdpcap, sendp
conf.verb = 0
sent = 0
for p in rdpcap(sys.argv[1]):
    ip = p.getlayer(IP)
    if ip is not None and p.haslayer(AH) and ip.src == "10.100.1.10":
        sendp(Ether(src="02:00:00:00:03:01", dst="02:00:00:00:03:02") /
              ip, iface="x2")
        sent += 1
assert sent == 3, sent
EOF
	sleep 0.5
	assert_eq "$before" "$(wc -l <"$TEST_TMP/served")" "replays reached h2"
	assert_eq 3 "$(count_in b2 ah-replay)" "replays counted"
}

# Two senders pinned to two CPUs on one SA: no sequence number twice.
test_two_senders_two_cpus_one_sa() {
	[ "$(nproc)" -ge 2 ] || fail "needs two CPUs"
	topo_two_borders
	risav_borders
	serve_start h2 "$H2_4" "$H2_6"
	capture_start x1
	ns h1 taskset -c 0 "$PY" "$TESTS_LIB/tag_traffic.py" udp \
		--dst "$H2_4" --count 400 --size 60 --tag cpu0 \
		--interval 0.0005 >/dev/null &
	local p0=$!
	ns h1 taskset -c 1 "$PY" "$TESTS_LIB/tag_traffic.py" udp \
		--dst "$H2_6" --count 400 --size 60 --tag cpu1 \
		--interval 0.0005 >/dev/null &
	local p1=$!
	wait "$p0" "$p1"
	capture_stop
	local out
	out=$(check_capture --src-net 10.100.0.0/16 2001:db8:100::/48 \
		--dst-net 10.101.0.0/16 2001:db8:101::/48 \
		--sa "0x1000:$K1:any" "0x1001:$K2:46") ||
		fail "capture: $out"
	echo "$out"
	# every number the SA handed out is in the capture, none twice (the
	# senders' ports being closed by then, h1 answers some of h2's
	# echoes with port unreachables: they take numbers too)
	local taken
	taken=$(b1 sa list --json |
		json_get '[s["seq"] for s in j if s["dir"] == "out" and s["spi"] == 0x1000][0]')
	assert_ge 800 "$taken" "numbers SA 0x1000 handed out"
	assert_eq "$taken" "$(json_get 'j["by_spi"].get("0x1000", 0)' <<<"$out")" \
		"packets on SA 0x1000 in the capture, each number once"
}

test_policy_drop_and_untagged() {
	topo_two_borders
	risav_borders
	serve_start h2 "$H2_4" "$H2_6"
	b1 sa del out spi 0x1000 asn 64501
	# policy untagged (the default): sent untagged, b2 drops it
	local out
	out=$(traffic h1 udp --dst "$H2_4" --count 2 --size 40 --echo)
	assert_eq '{"sent": 2, "echoed": 0}' "$out" "untagged, dropped by b2"
	assert_eq 2 "$(count_in b1 risav-no-sa-untagged)" "counted at b1"
	assert_eq 2 "$(count_in b2 risav-untagged)" "dropped at b2"
	# EF still has its SA
	out=$(traffic h1 udp --dst "$H2_4" --count 2 --size 40 --dscp 46 --echo)
	assert_eq '{"sent": 2, "echoed": 2}' "$out" "EF on its own SA"
	b1 peer add 64501 mode enforce policy drop
	out=$(traffic h1 udp --dst "$H2_6" --count 3 --size 40 --echo)
	assert_eq '{"sent": 3, "echoed": 0}' "$out" "dropped at b1"
	assert_eq 3 "$(count_in b1 risav-no-sa-dropped)" "counted at b1"
	assert_eq 2 "$(count_in b2 risav-untagged)" "nothing more at b2"
}

selections() { # ASN [DSCP]: how many DSCPs ride an SA, or the SPI of one
	bpftool -j map dump pinned "$B1/esprit_sa_sel" | "$PY" -c '
import json, sys
sel = [e["formatted"]["value"]["spi"] for e in json.load(sys.stdin)
       if e["formatted"]["key"] == int(sys.argv[1])]
spis = sel[0] if sel else [0] * 64
if len(sys.argv) > 2:
    print([spis[int(sys.argv[2])]] if spis[int(sys.argv[2])] else [])
else:
    print(sum(1 for s in spis if s))' "$@"
}

test_sa_out_commands_and_errors() {
	topo_two_borders
	b1 attach o1 >/dev/null
	local out before
	b1 sa add out spi 0x1000 asn 64501 alg hmac-sha256-128 key "$K1"
	b1 sa add out spi 0x1001 asn AS64501 alg hmac-sha256-128 key "$K2" \
		dscp ef,af41,af42,af43
	b1 sa add out spi 0x1000 asn 64502 alg hmac-sha256-128 key "$K1" \
		dscp 0-7,cs1
	out=$(b1 sa list)
	echo "$out"
	assert_match "out +0x00001000 64501 +hmac-sha256-128 active .* any" \
		"$out" "SA with any"
	assert_match "out +0x00001001 64501 +hmac-sha256-128 active .* 34,36,38,46" \
		"$out" "SA with a list"
	assert_match "out +0x00001000 64502 .* 0-8" "$out" "third SA"
	before=$(b1 sa list --json)
	expect_b1_fail() {
		local want=$1 rc=0
		shift
		out=$(ns b1 "$ESPRIT" "$@" --pin-dir "$B1" 2>&1) || rc=$?
		echo "esprit $* -> $rc: $out"
		assert_eq 2 "$rc" "exit status of 'esprit $*'"
		assert_match "$want" "$out" "message of 'esprit $*'"
	}
	expect_b1_fail "overlaps SPI 0x1001 of AS64501: their DSCP sets share 46; nothing changed" \
		sa add out spi 0x1002 asn 64501 alg hmac-sha256-128 key "$K1" \
		dscp 40-47
	expect_b1_fail "overlaps SPI 0x1000 of AS64501: both have DSCP 'any'" \
		sa add out spi 0x1002 asn 64501 alg hmac-sha256-128 key "$K1"
	expect_b1_fail "an outbound SA with SPI 0x1000 \(4096\), ASN 64501 exists" \
		sa add out spi 0x1000 asn 64501 alg hmac-sha256-128 key "$K1" \
		dscp 1
	expect_b1_fail "bad DSCP '64' in '1,64'" sa add out spi 0x1003 \
		asn 64501 alg hmac-sha256-128 key "$K1" dscp 1,64
	expect_b1_fail "bad DSCP 'af44'" sa add out spi 0x1003 asn 64501 \
		alg hmac-sha256-128 key "$K1" dscp af44
	expect_b1_fail "bad DSCP ''" sa add out spi 0x1003 asn 64501 \
		alg hmac-sha256-128 key "$K1" dscp 1,,2
	expect_b1_fail "'replay' needs a value|unexpected 'replay'" \
		sa add out spi 0x1003 asn 64501 alg hmac-sha256-128 key "$K1" \
		replay 64
	expect_b1_fail "no outbound SA with SPI 0x1003 \(4099\), ASN 64501" \
		sa del out spi 0x1003 asn 64501
	expect_b1_fail "unknown policy 'maybe' \(untagged or drop\)" \
		peer add 64501 mode enforce policy maybe
	assert_eq "$before" "$(b1 sa list --json)" "errors changed nothing"
	# the selection map: 64 entries per peer with an `any` SA
	assert_eq 64 "$(selections 64501)" "selections of AS64501"
	assert_eq 9 "$(selections 64502)" "selections of AS64502"
	assert_eq "[4096]" "$(selections 64501 1)" "DSCP 1 of AS64501"
	assert_eq "[4097]" "$(selections 64501 46)" "DSCP 46 of AS64501"
	b1 sa del out spi 0x1000 asn 64501
	assert_eq 4 "$(selections 64501)" "selections once 'any' is gone"
	b1 peer add 64501 mode testing policy drop
	out=$(b1 peer list --json)
	assert_eq drop "$(json_get '[p["policy"] for p in j if p["asn"] == 64501][0]' <<<"$out")" \
		"policy listed"
}

test_attach_detach_and_tc_by_hand() {
	topo_two_borders
	local out
	out=$(b1 attach o1)
	echo "$out"
	assert_match "RISAV egress tagger esprit_tc on o1 clsact egress" "$out" \
		"attach output"
	ns b1 tc filter show dev o1 egress | grep -q "esprit_tc" ||
		fail "no esprit_tc on o1 egress"
	out=$(b1 attach o1)
	assert_match "already attached.*" "$out" "second attach"
	assert_eq 1 "$(ns b1 tc filter show dev o1 egress | grep -c esprit_tc)" \
		"one filter after two attaches"
	ns b1 "$ESPRIT" detach o1 | grep -q "detached from o1" ||
		fail "detach output"
	if ns b1 tc filter show dev o1 egress | grep -q esprit_tc; then
		fail "esprit_tc left on o1"
	fi
	b1 attach o1 --no-tc >/dev/null
	if ns b1 tc filter show dev o1 egress | grep -q esprit_tc; then
		fail "--no-tc attached esprit_tc"
	fi
	# by hand, as the README says: iproute2 pins under tc/globals
	ns b2 tc qdisc add dev o2 clsact
	ns b2 tc filter add dev o2 egress bpf direct-action \
		object-file "$ESPRIT_BUILD/esprit_tc.bpf.o" section tc
	ns b2 tc filter show dev o2 egress | grep -q esprit_tc ||
		fail "tc did not load esprit_tc"
	[ -e /sys/fs/bpf/tc/globals/esprit_sa_out ] ||
		fail "no maps pinned by tc"
	ns b2 "$ESPRIT" sa add out spi 0x2000 asn 64500 \
		alg hmac-sha256-128 key "$K3" --pin-dir /sys/fs/bpf/tc/globals
}



# b2's window on 0x1001 is on: numbers sent again would be dropped there.
test_readd_same_key_continues_numbers() {
	topo_two_borders
	risav_borders
	serve_start h2 "$H2_4" "$H2_6"
	local out seq
	out=$(traffic h1 udp --dst "$H2_4" --count 20 --size 100 --dscp 46 --echo)
	assert_eq '{"sent": 20, "echoed": 20}' "$out" "UDP EF"
	seq=$(b1 sa list --json | json_get \
		'[s["seq"] for s in j if s["spi"] == 0x1001 and s["dir"] == "out"][0]')
	b1 sa del out spi 0x1001 asn 64501
	b1 sa add out spi 0x1001 asn 64501 alg hmac-sha256-128 key "$K2" dscp ef
	assert_ge $((seq + 1048576)) "$(b1 sa list --json | json_get \
		'[s["seq"] for s in j if s["spi"] == 0x1001 and s["dir"] == "out"][0]')" \
		"counter above where the deleted SA stopped"
	out=$(traffic h1 udp --dst "$H2_4" --count 20 --size 100 --dscp 46 --echo)
	assert_eq '{"sent": 20, "echoed": 20}' "$out" "UDP EF after the re-add"
	assert_eq 0 "$(count_in b2 ah-replay)" "b2 replays"
	# a ledger that cannot be read refuses the add and names the line
	printf 'esprit-seq-ledger 1\nnonsense\n' >/var/lib/esprit/sa-out.seq
	b1 sa del out spi 0x1001 asn 64501
	out=$(b1 sa add out spi 0x1001 asn 64501 alg hmac-sha256-128 \
		key "$K2" dscp ef 2>&1) && fail "added on a bad ledger"
	assert_match "sa-out.seq:2: .*refusing to send on SPI 0x1001" "$out" \
		"ledger error"
	[[ $out != *"$K2"* ]] || fail "key material in the error"
	# --state-dir puts the ledger elsewhere
	mkdir -p "$TEST_TMP/state"
	b1 sa add out spi 0x1001 asn 64501 alg hmac-sha256-128 key "$K2" \
		dscp ef --state-dir "$TEST_TMP/state"
	[ -s "$TEST_TMP/state/sa-out.seq" ] || fail "no ledger in --state-dir"
}
