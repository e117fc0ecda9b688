# The daemon as the tagging border: on b1 of the five namespaces
# (tests/lib/risav_tag_lib.sh) `esprit daemon` attaches XDP and the egress
# tagger to o1 and fills the outbound SAs from its file (0x1000 for any
# DSCP, 0x1001 for EF); b2 verifies with the CLI's SAs, replay windows on.
# A capture between them is checked with scapy: every tag verifies, each
# DSCP on its SA. A reload moving a DSCP class changes the SPI carrying it,
# with the SA's sequence counter going on (b2's window would reject a
# restart); a bad reload changes nothing; the tagger stays or goes on
# SIGTERM as detach_on_exit says, and a restarted daemon adopts it.
# shellcheck shell=bash
# shellcheck source=tests/lib/daemon_lib.sh
source tests/lib/daemon_lib.sh
# shellcheck source=tests/lib/risav_tag_lib.sh
source tests/lib/risav_tag_lib.sh

# b1's file; $1: the EF SA's DSCP list, $2: detach_on_exit, $3: more SAs
b1_config() {
	DAEMON_SOCK=$TEST_TMP/esprit.sock
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: o1}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		pin_dir: $B1
		detach_on_exit: ${2:-false}
		risav:
		  local_asn: 64500
		  prefixes:
		    static:
		      - {prefix: 10.100.0.0/16, asn: 64500}
		      - {prefix: "2001:db8:100::/48", asn: 64500}
		      - {prefix: 10.101.0.0/16, asn: 64501}
		      - {prefix: "2001:db8:101::/48", asn: 64501}
		  peers:
		    - {asn: 64501, mode: enforce, policy: untagged}
		  sas:
		    - {spi: 0x2000, asn: 64501, alg: hmac-sha256-128, key: $K3}
		    - direction: out
		      spi: 0x1000
		      asn: 64501
		      alg: hmac-sha256-128
		      key: $K1
		    - direction: out
		      spi: 0x1001
		      asn: 64501
		      alg: hmac-sha256-128
		      key: $K2
		      dscp: ${1:-[ef]}
		${3:-}
	EOF
}

# b2 as in risav_tag.sh, by hand: it verifies AS 64500's SAs with windows.
b2_border() {
	b2 attach o2 >/dev/null
	b2 prefix add 10.100.0.0/16 asn 64500
	b2 prefix add 2001:db8:100::/48 asn 64500
	b2 prefix add 10.101.0.0/16 asn 64501
	b2 prefix add 2001:db8:101::/48 asn 64501
	b2 local-asn 64501
	b2 peer add 64500 mode enforce
	b2 sa add in spi 0x1000 asn 64500 alg hmac-sha256-128 key "$K1" replay 4096
	b2 sa add in spi 0x1001 asn 64500 alg hmac-sha256-128 key "$K2" replay 4096
	b2 sa add out spi 0x2000 asn 64500 alg hmac-sha256-128 key "$K3"
}

daemon_border() { # [EF-DSCPS] [detach_on_exit]
	topo_two_borders
	b1_config "$@"
	daemon_start b1 "$TEST_TMP/esprit.yaml"
	b2_border
	serve_start h2 "$H2_4" "$H2_6"
}

reload() { # N: SIGHUP, then wait for the Nth reload (applied or not)
	kill -HUP "$DAEMON_PID"
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -Ec '(reloaded|reload: )' "$DAEMON_LOG")" -ge "$1" ] &&
			return 0
		sleep 0.1
	done
	cat "$DAEMON_LOG"
	fail "reload $1 not seen"
}

tc_prog() { # the program on o1's egress, "" if none
	ns b1 tc filter show dev o1 egress 2>/dev/null |
		grep -o 'esprit_tc[^ ]*' | head -n1
}

out_sas() { # "spi:dscp:seq ..." of b1's outbound SAs
	b1 sa list --json | json_get \
		'" ".join("%#x:%s" % (s["spi"], s["dscp"]) for s in j if s["dir"] == "out")'
}

udp() { # DST DSCP COUNT: echoed through both borders
	local out
	out=$(traffic h1 udp --dst "$1" --count "$3" --size 100 --dscp "$2" \
		--echo)
	assert_eq "{\"sent\": $3, \"echoed\": $3}" "$out" "UDP DSCP $2 to $1"
}

# 64500 -> 64501 in the capture: tags verify, each DSCP on the SA given.
check_out() { # SA-specs...
	local out
	out=$(check_capture --src-net 10.100.0.0/16 2001:db8:100::/48 \
		--dst-net 10.101.0.0/16 2001:db8:101::/48 --sa "$@") ||
		fail "capture AS 64500 -> 64501: $out"
	echo "$out"
	CHECKED=$out
}

by_spi() { # SPI: tagged packets on it in the last check
	json_get "j['by_spi'].get('$1', 0)" <<<"$CHECKED"
}

test_daemon_border_tags() {
	daemon_border
	log_has "o1: attached esprit's egress tagger on clsact egress" \
		"tagger attached"
	log_has "3 SAs \\(3 added, 0 replaced, 0 deleted, 0 unchanged\\)" \
		"applied at start"
	[ -n "$(tc_prog)" ] || fail "no esprit_tc on o1's egress"
	assert_eq "0x1000:any 0x1001:46" "$(out_sas)" "outbound SAs"
	capture_start x1
	local dst
	for dst in "$H2_4" "$H2_6"; do
		udp "$dst" 0 10
		udp "$dst" 46 10
		udp "$dst" 10 5
	done
	out=$(traffic h1 tcp --dst "$H2_4" --bytes 50000 --dscp 46)
	assert_match '"ok": true' "$out" "TCP (EF)"
	capture_stop
	check_out "0x1000:$K1:any" "0x1001:$K2:46"
	assert_ge 30 "$(by_spi 0x1000)" "packets on SA 0x1000"
	assert_ge 20 "$(by_spi 0x1001)" "packets on SA 0x1001 (EF)"
	assert_eq 0 "$(count_in b2 ah-bad-icv)" "b2 bad ICV"
	assert_eq 0 "$(count_in b2 ah-replay)" "b2 replays"
	assert_eq 0 "$(count_in b2 risav-untagged)" "b2 untagged"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

test_reload_moves_dscp_class() {
	daemon_border
	# sequence numbers up on both SAs, b2's windows with them
	udp "$H2_4" 46 20
	udp "$H2_4" 10 20
	local seq
	seq=$(b1 sa list --json | json_get '[s["seq"] for s in j if s["spi"] == 0x1001 and s["dir"] == "out"][0]')
	assert_ge 20 "$seq" "EF SA's counter"
	b1_config '[ef, 10]'
	reload 1
	log_has "3 SAs \\(0 added, 1 replaced, 0 deleted, 2 unchanged\\)" \
		"one SA changed"
	assert_eq "0x1000:any 0x1001:10,46" "$(out_sas)" "outbound SAs"
	capture_start x1
	udp "$H2_4" 10 10
	udp "$H2_6" 10 10
	udp "$H2_4" 46 10
	udp "$H2_4" 0 10
	capture_stop
	check_out "0x1000:$K1:any" "0x1001:$K2:10,46"
	assert_ge 30 "$(by_spi 0x1001)" "DSCP 10 and EF on SA 0x1001"
	assert_ge 10 "$(by_spi 0x1000)" "DSCP 0 on SA 0x1000"
	# had the counter restarted, b2's window would have refused these
	assert_eq 0 "$(count_in b2 ah-replay)" "b2 replays"
	assert_ge $((seq + 1048576)) \
		"$(b1 sa list --json | json_get '[s["seq"] for s in j if s["spi"] == 0x1001 and s["dir"] == "out"][0]')" \
		"the counter went on past the skip"
	# and back: DSCP 10 to the SA with any again
	b1_config '[ef]'
	reload 2
	capture_start x1
	udp "$H2_4" 10 5
	capture_stop
	check_out "0x1000:$K1:any" "0x1001:$K2:46"
	assert_eq 5 "$(by_spi 0x1000)" "DSCP 10 back on SA 0x1000"
	assert_eq 0 "$(count_in b2 ah-replay)" "b2 replays"
	daemon_stop TERM
}

test_bad_reload_changes_nothing() {
	daemon_border
	udp "$H2_4" 46 5
	local before
	before=$(b1 sa list --json | json_get \
		'sorted((s["spi"], s["dscp"], s["seq"]) for s in j if s["dir"] == "out")')
	# overlapping DSCP sets on one peer: the third SA's line is named
	b1_config '[ef]' false '    - {direction: out, spi: 0x1002, asn: 64501, alg: hmac-sha256-128, key: '"$K4"', dscp: [40-47]}'
	reload 1
	log_has "reload: .*esprit.yaml:[0-9]+: risav.sas: outbound SPI 0x1002 of AS64501 overlaps SPI 0x1001 .*share 46.*nothing changed" \
		"overlap refused"
	# replay on an outbound SA
	b1_config '[ef]' false '      replay: 64'
	reload 2
	log_has "reload: .*esprit.yaml:[0-9]+: risav.sas\\[2\\].replay: outbound SAs have no replay window" \
		"replay refused"
	assert_eq "$before" "$(b1 sa list --json | json_get \
		'sorted((s["spi"], s["dscp"], s["seq"]) for s in j if s["dir"] == "out")')" \
		"outbound SAs and counters as before"
	capture_start x1
	udp "$H2_4" 46 5
	capture_stop
	check_out "0x1000:$K1:any" "0x1001:$K2:46"
	assert_eq 5 "$(by_spi 0x1001)" "EF still on SA 0x1001"
	daemon_stop TERM
}

test_tagger_on_exit_and_restart() {
	daemon_border
	local id
	id=$(tc_prog)
	[ -n "$id" ] || fail "no esprit_tc on o1's egress"
	daemon_stop TERM
	# detach_on_exit: false (the default): tagging goes on without it
	assert_eq "$id" "$(tc_prog)" "tagger left attached"
	capture_start x1
	udp "$H2_4" 46 5
	capture_stop
	check_out "0x1000:$K1:any" "0x1001:$K2:46"
	assert_eq 5 "$(by_spi 0x1001)" "tagged with the daemon gone"
	# a new daemon adopts it, with its counters
	b1_config '[ef]' true
	daemon_start b1 "$TEST_TMP/esprit.yaml"
	log_has "o1: adopted esprit's egress tagger already attached" \
		"tagger adopted"
	log_has "3 SAs \\(0 added, 0 replaced, 0 deleted, 3 unchanged\\)" \
		"SAs kept"
	assert_eq "$id" "$(tc_prog)" "same tagger"
	udp "$H2_4" 46 5
	assert_eq 0 "$(count_in b2 ah-replay)" "b2 replays"
	# detach_on_exit: true takes it away with the XDP program
	daemon_stop TERM
	assert_eq "" "$(tc_prog)" "tagger detached on exit"
	log_has "o1: detached esprit's egress tagger" "detach logged"
}

test_egress_tagger_false_leaves_it() {
	topo_two_borders
	b1_config
	sed -i 's/interfaces: \[{name: o1}\]/interfaces: [{name: o1, egress_tagger: false}]/' \
		"$TEST_TMP/esprit.yaml"
	daemon_start b1 "$TEST_TMP/esprit.yaml"
	assert_eq "" "$(tc_prog)" "no tagger without egress_tagger"
	# the SAs are in the pinned maps all the same, for a tagger put there
	assert_eq "0x1000:any 0x1001:46" "$(out_sas)" "outbound SAs"
	daemon_stop TERM
}

ef_seq() { # the EF SA's counter on b1
	b1 sa list --json | json_get \
		'[s["seq"] for s in j if s["spi"] == 0x1001 and s["dir"] == "out"][0]'
}

# b2's windows are on: a sequence number sent twice would be dropped.
test_kill_restart_and_reboot_never_repeat_numbers() {
	daemon_border
	udp "$H2_4" 46 20
	udp "$H2_6" 0 20
	daemon_stop KILL
	# kill -9: the pinned counters stay, the new daemon keeps them
	daemon_start b1 "$TEST_TMP/esprit.yaml"
	log_has "3 SAs \\(0 added, 0 replaced, 0 deleted, 3 unchanged\\)" \
		"SAs kept after kill -9"
	udp "$H2_4" 46 20
	udp "$H2_6" 0 20
	assert_eq 0 "$(count_in b2 ah-replay)" "b2 replays after kill -9"
	daemon_stop KILL
	# a reboot: programs off, bpffs empty; only the ledger remains
	ns b1 ip link set dev o1 xdp off
	ns b1 tc qdisc del dev o1 clsact
	rm -rf "$B1"
	[ -s /var/lib/esprit/sa-out.seq ] || fail "no sequence ledger"
	DAEMON_LOG=$TEST_TMP/daemon2.log
	daemon_start b1 "$TEST_TMP/esprit.yaml"
	log_has "3 SAs \\(3 added, 0 replaced, 0 deleted, 0 unchanged\\)" \
		"SAs added after the reboot"
	# 40 numbers sent, 2^24 reserved at the first start
	assert_eq 16777216 "$(ef_seq)" \
		"the EF counter starts at its reservation"
	capture_start x1
	udp "$H2_4" 46 20
	udp "$H2_6" 0 20
	capture_stop
	check_out "0x1000:$K1:any" "0x1001:$K2:46"
	assert_eq 0 "$(count_in b2 ah-replay)" "b2 replays after the reboot"
	assert_eq 0 "$(count_in b2 risav-untagged)" "b2 untagged"
	daemon_stop TERM
}

# A ledger that cannot be read: the daemon says which line and adds no
# outbound SA, rather than guess where the counters stood.
test_untrusted_ledger_stops_start() {
	topo_two_borders
	b1_config
	mkdir -p /var/lib/esprit
	printf 'esprit-seq-ledger 1\n4097 64501 00 7\n' >/var/lib/esprit/sa-out.seq
	nsenter --net=/run/netns/b1 "$ESPRIT" daemon -c "$TEST_TMP/esprit.yaml" \
		2>"$TEST_TMP/refused.log" && fail "daemon started on a bad ledger"
	grep -E "sa-out.seq:2: expected SPI ASN KEY-ID RESERVED.*refusing to send on SPI 0x1000 to AS64501" \
		"$TEST_TMP/refused.log" || {
		cat "$TEST_TMP/refused.log"
		fail "ledger error not named"
	}
	if grep -E '[0-9a-f]{64}' "$TEST_TMP/refused.log"; then
		fail "key material in the log"
	fi
	assert_eq "" "$(tc_prog)" "no tagger left attached"
	ns b1 ip link show dev o1 | grep -q 'xdp' && fail "XDP left attached"
	true
}

# The state directory read-only, then full, under a running border: the
# dataplane goes on tagging; what needs a reservation written (a new
# outbound SA) is refused with the reason and changes nothing; once the
# directory takes writes again it goes in; after a reboot no number is
# sent twice. (An SA whose counter nears the last reservation saved is
# held from tagging: bpf_daemon_risav_out.)
test_state_dir_read_only_or_full() {
	daemon_border
	udp "$H2_4" 46 20
	local before
	before=$(out_sas)
	mount -o remount,ro /var/lib/esprit
	udp "$H2_4" 46 20
	assert_eq 0 "$(count_in b2 ah-replay)" "tagging goes on"
	assert_eq 0 "$(count_in b2 risav-untagged)" "and verifies"
	b1_config "[ef]" "" "" 
	sed -i 's/^    - {spi: 0x2000, asn: 64501, alg: hmac-sha256-128, key: \(.*\)}$/&\n    - {direction: out, spi: 0x1002, asn: 64501, alg: hmac-sha256-128, key: \1, dscp: [af41]}/' \
		"$TEST_TMP/esprit.yaml"
	reload 1
	log_has "reload: .*sa-out.seq.*; nothing changed" "read-only refused, named"
	assert_eq "$before" "$(out_sas)" "nothing changed"
	# full: the same
	mount -o remount,rw,size=64k /var/lib/esprit
	dd if=/dev/zero of=/var/lib/esprit/filler bs=4k count=64 2>/dev/null || true
	reload 2
	assert_eq 2 "$(log_count 'reload: .*; nothing changed')" "full refused"
	assert_eq "$before" "$(out_sas)" "nothing changed when full"
	rm -f /var/lib/esprit/filler
	reload 3
	log_has "reloaded " "applied once writable"
	assert_match "0x1002:34" "$(out_sas)" "the new SA in"
	udp "$H2_4" 46 20
	daemon_stop KILL
	# a reboot: programs off, bpffs empty; the ledger decides
	ns b1 ip link set dev o1 xdp off
	ns b1 tc qdisc del dev o1 clsact
	rm -rf "$B1"
	DAEMON_LOG=$TEST_TMP/daemon2.log
	daemon_start b1 "$TEST_TMP/esprit.yaml"
	assert_eq 16777216 "$(ef_seq)" "the EF counter starts above all it sent"
	udp "$H2_4" 46 20
	assert_eq 0 "$(count_in b2 ah-replay)" "no number sent twice"
	daemon_stop TERM
}
