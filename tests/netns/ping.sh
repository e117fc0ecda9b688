# Namespace tests for esprit ping, through the real binary: the responder is
# attached by hand (`ip link set ... xdp obj`) in "resp"; esprit ping runs
# in "cli", whose c0 carries either esprit (replies taken in XDP) or only
# xdp_pass (replies read from the raw socket).
# shellcheck shell=bash

CLI_PINS=/sys/fs/bpf/esprit
PING_OUT=
PING_RC=

# run_ping NS ARGS...: output in $PING_OUT (and the log), status in $PING_RC.
run_ping() {
	local n=$1
	shift
	PING_OUT=$(mktemp "$TEST_TMP/ping.XXXXXX")
	echo "+ esprit ping $*"
	set +e
	ns "$n" "$ESPRIT" ping "$@" >"$PING_OUT" 2>&1
	PING_RC=$?
	set -e
	cat "$PING_OUT"
	echo "+ exit $PING_RC"
}

out_has() { # REGEX WHAT
	grep -Eq -- "$1" "$PING_OUT" || fail "$2: no output line matches /$1/"
}

out_lacks() { # REGEX WHAT
	! grep -Eq -- "$1" "$PING_OUT" || fail "$2: output matches /$1/"
}

out_count() { # REGEX
	grep -Ec -- "$1" "$PING_OUT" || true
}

# N reply lines with seq 1..N, none marked, and a loss-free summary.
expect_replies() { # ADDR N
	local addr=$1 n=$2 i
	for ((i = 1; i <= n; i++)); do
		out_has "^[0-9]+ bytes from $addr: seq=$i ttl=64 time=[0-9]+\.[0-9]{3} ms$" \
			"reply $i"
	done
	assert_eq "$n" "$(out_count " bytes from ")" "reply lines"
	out_has "^$n packets transmitted, $n received, 0% packet loss, time [0-9]+ms$" \
		"summary"
	out_has "^rtt min/avg/max/mdev = [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3} ms$" \
		"rtt line"
	out_lacks "^ignored:" "nothing to ignore"
}

setup_raw_path() {
	topo_pair
	attach_ip_link resp r0
	xdp_pass cli c0
}

setup_xdp_path() {
	topo_pair
	attach_ip_link resp r0
	ns cli "$ESPRIT" attach c0
}

json_len() {
	"$PY" -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

# Identifiers registered for capture on the client side.
ids_registered() {
	bpftool -j map dump pinned "$CLI_PINS/esprit_echo_ids" | json_len
}

counter() { # PIN_DIR REASON
	"$ESPRIT" stats --all --json --pin-dir "$1" | "$PY" -c '
import json, sys
print(next(c["packets"] for c in json.load(sys.stdin)["counters"]
           if c["reason"] == sys.argv[1]))' "$2"
}

test_raw_path_ipv4() {
	setup_raw_path
	run_ping cli -c 5 -i 0.2 -W 3 "$RESP4"
	assert_eq 0 "$PING_RC" "exit status"
	out_has "^ESP PING $RESP4 \($RESP4\) from $CLI4 c0: subtyped form, 56 data bytes, ident 0x[0-9a-f]{4}$" \
		"header"
	out_has "^requests: timed by the kernel as they leave \(SO_TIMESTAMPING\)$" \
		"send times"
	out_has "^replies: raw socket with kernel receive timestamps \(esprit's XDP program is not attached to c0\)$" \
		"receive path"
	expect_replies "$RESP4" 5
	out_has "^72 bytes from" "ESP bytes for 56 bytes of Data"
	out_has "^--- $RESP4 esp ping statistics ---$" "summary title"
}

test_raw_path_ipv6() {
	setup_raw_path
	run_ping cli -c 5 -i 0.2 -W 3 "$RESP6"
	assert_eq 0 "$PING_RC" "exit status"
	out_has "^replies: raw socket with kernel receive timestamps" \
		"receive path"
	expect_replies "$RESP6" 5
}

test_xdp_path_ipv4() {
	setup_xdp_path
	run_ping cli -c 5 -i 0.2 -W 3 "$RESP4"
	assert_eq 0 "$PING_RC" "exit status"
	out_has "^replies: taken in XDP on c0 \(program id [0-9]+, ring slot 0\), timestamped by bpf_ktime_get_ns$" \
		"receive path"
	expect_replies "$RESP4" 5
	assert_eq 5 "$(counter "$CLI_PINS" echo-reply-captured)" \
		"replies captured on c0"
	assert_eq 0 "$(counter "$CLI_PINS" echo-reply-passed)" \
		"replies passed on c0"
	assert_eq 5 "$(counter /sys/fs/bpf/xdp/globals echo-reflected)" \
		"requests answered by the responder"
	assert_eq 0 "$(ids_registered)" "Identifiers left registered"
}

test_xdp_path_ipv6() {
	setup_xdp_path
	run_ping cli -c 5 -i 0.2 -W 3 "$RESP6"
	assert_eq 0 "$PING_RC" "exit status"
	out_has "^replies: taken in XDP on c0" "receive path"
	expect_replies "$RESP6" 5
	assert_eq 5 "$(counter "$CLI_PINS" echo-reply-captured)" \
		"replies captured on c0"
	assert_eq 0 "$(ids_registered)" "Identifiers left registered"
}

# The client side attached by iproute2 too: maps found through the program.
test_xdp_path_client_attached_by_ip_link() {
	topo_pair
	attach_ip_link resp r0
	attach_ip_link cli c0
	run_ping cli -c 3 -i 0.2 -W 3 -I c0 "$RESP4"
	assert_eq 0 "$PING_RC" "exit status"
	out_has "^replies: taken in XDP on c0" "receive path"
	expect_replies "$RESP4" 3
}

test_capture_off_falls_back_to_raw() {
	setup_xdp_path
	ns cli "$ESPRIT" responder --pin-dir "$CLI_PINS" set capture off
	run_ping cli -c 3 -i 0.2 -W 3 "$RESP6"
	assert_eq 0 "$PING_RC" "exit status"
	out_has "^replies: raw socket with kernel receive timestamps \(capture is off on c0\)$" \
		"receive path"
	expect_replies "$RESP6" 3
	assert_eq 3 "$(counter "$CLI_PINS" echo-reply-passed)" \
		"replies passed to the stack on c0"
}

# Nothing answers ESP in resp once the responder is gone: its stack says
# so with ICMP, which ping reports per request, as iputils does.
test_exit_1_when_responder_detached() {
	setup_xdp_path
	ns resp ip link set dev r0 xdp off
	run_ping cli -c 3 -i 0.2 -W 5 "$RESP4"
	assert_eq 1 "$PING_RC" "exit status (XDP path)"
	for i in 1 2 3; do
		out_has "^From $RESP4: seq=$i Destination Protocol Unreachable$" \
			"ICMP error for request $i"
	done
	out_has "^3 packets transmitted, 0 received, \+3 errors, 100% packet loss" \
		"summary"
	out_lacks "^rtt " "no rtt line without replies"
	assert_eq 0 "$(ids_registered)" "Identifiers left registered"
	ns cli "$ESPRIT" detach c0
	xdp_pass cli c0
	run_ping cli -c 2 -i 0.2 -W 5 "$RESP6"
	assert_eq 1 "$PING_RC" "exit status (raw path)"
	out_has "^replies: raw socket" "receive path"
	out_has "^From $RESP6: seq=2 Parameter problem: unrecognized Next Header$" \
		"ICMPv6 error"
	out_has "^2 packets transmitted, 0 received, \+2 errors, 100% packet loss" \
		"summary"
}

# Replies silently dropped (after XDP, on the prober's ingress): ping waits
# -W after the last request, then gives up.
test_exit_1_when_replies_are_dropped() {
	setup_raw_path
	nft_netdev cli c0 ingress blackhole "meta l4proto esp drop"
	local start=$SECONDS
	run_ping cli -c 2 -i 0.2 -W 2 "$RESP4"
	assert_eq 1 "$PING_RC" "exit status"
	out_has "^2 packets transmitted, 0 received, 100% packet loss" "summary"
	assert_ge 2 $((SECONDS - start)) "seconds waited for replies"
	out_lacks "^From " "no error reported"
}

# Requests dropped on the prober's egress: the send fails, said per request.
test_exit_1_when_requests_cannot_leave() {
	setup_raw_path
	nft_netdev cli c0 egress blackhole "meta l4proto esp drop"
	run_ping cli -c 2 -i 0.2 -W 30 "$RESP6"
	assert_eq 1 "$PING_RC" "exit status"
	out_has "^seq=1: cannot send: No buffer space available$" "send error"
	out_has "^2 packets transmitted, 0 received, \+2 errors, 100% packet loss, time [0-9]{1,4}ms$" \
		"summary, without waiting -W"
}

test_exit_2_on_errors() {
	setup_raw_path
	run_ping cli -c 1 nosuch.invalid
	assert_eq 2 "$PING_RC" "unknown host"
	out_has "^esprit ping: unknown host 'nosuch.invalid'" "message"

	run_ping cli -c 1 -6 "$RESP4"
	assert_eq 2 "$PING_RC" "IPv4 literal with -6"
	out_has "unknown host '$RESP4' \(IPv6\)" "message"

	run_ping cli -c 0 "$RESP4"
	assert_eq 2 "$PING_RC" "bad count"
	out_has "^esprit ping: -c '0': the count must be" "message"
	out_has "^Try 'esprit ping --help'.$" "hint"

	run_ping cli -y "$RESP4"
	assert_eq 2 "$PING_RC" "unknown option"
	out_has "unknown option '-y'" "message"

	run_ping cli -c 1 -I nosuch0 "$RESP4"
	assert_eq 2 "$PING_RC" "unknown interface"
	out_has "no such interface 'nosuch0'" "message"

	run_ping cli -c 1 -s 1500 "$RESP4"
	assert_eq 2 "$PING_RC" "request above the MTU"
	out_has "-s 1500: a request would be 1536 bytes, more than the path MTU 1500" \
		"message"

	run_ping cli --help
	assert_eq 0 "$PING_RC" "--help"
	out_has "^usage: esprit ping " "usage"

	ns cli ip link set dev c0 down
	run_ping cli -c 1 -I c0 "$RESP4"
	assert_eq 2 "$PING_RC" "interface down (-I)"
	out_has "^esprit ping: interface c0 is down$" "message"
	run_ping cli -c 1 "$RESP4"
	assert_eq 2 "$PING_RC" "interface down (route gone)"
	out_has "^esprit ping: no route to $RESP4: Network is unreachable$" \
		"message"
}

test_exit_2_without_privileges() {
	setup_raw_path
	PING_OUT=$TEST_TMP/unpriv.out
	set +e
	ns cli setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all \
		"$ESPRIT" ping -c 1 "$RESP4" >"$PING_OUT" 2>&1
	PING_RC=$?
	set -e
	cat "$PING_OUT"
	assert_eq 2 "$PING_RC" "exit status"
	out_has "^esprit ping: cannot open a raw ESP socket: Operation not permitted \(esprit ping needs root or CAP_NET_RAW\)$" \
		"message"
}

# Starts a sniffer on c0 (cli side); waits until it listens.
start_sniffer() { # OUT
	local ready=$TEST_TMP/sniff.ready i
	rm -f "$ready"
	ns_bg cli "$PY" "$TESTS_LIB/esp_sniff.py" --iface c0 --out "$1" \
		--ready "$ready" --timeout 120
	for ((i = 0; i < 300; i++)); do
		[ -e "$ready" ] && return 0
		sleep 0.1
	done
	fail "sniffer did not start"
}

# Prints FIELD of each sniffed packet with spi SPI, one per line.
sniffed() { # FILE SPI FIELD
	"$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["spi"] == int(sys.argv[2]):
        print(r.get(sys.argv[3]))' "$@"
}

# Raw path, so the replies reach the stack and the sniffer sees them too.
test_dscp_and_format_on_the_wire() {
	local cap=$TEST_TMP/sniff.json ident
	setup_raw_path
	start_sniffer "$cap"
	run_ping cli -c 3 -i 0.2 -W 3 -Q ef "$RESP4"
	assert_eq 0 "$PING_RC" "exit status"
	out_has ", DSCP 46$" "header names the DSCP"
	run_ping cli -c 3 -i 0.2 -W 3 -Q af41 "$RESP6"
	assert_eq 0 "$PING_RC" "exit status"
	sleep 1
	cat "$cap"
	assert_eq "46 46 46 34 34 34" "$(sniffed "$cap" 7 dscp | xargs)" \
		"request DSCP on the wire"
	assert_eq "46 46 46 34 34 34" "$(sniffed "$cap" 8 dscp | xargs)" \
		"reply DSCP on the wire"
	assert_eq "subtyped subtyped subtyped subtyped subtyped subtyped" \
		"$(sniffed "$cap" 7 form | xargs)" "requests sub-typed"
	assert_eq "2 2 2 2 2 2" "$(sniffed "$cap" 7 subtype | xargs)" \
		"Sub-Type 2"
	assert_eq "0 0 0 0 0 0" "$(sniffed "$cap" 7 flags | xargs)" "no R"
	assert_eq "1 2 3 1 2 3" "$(sniffed "$cap" 7 seq | xargs)" "Sequence"
	assert_eq "1 2 3 1 2 3" "$(sniffed "$cap" 7 esp_seq | xargs)" \
		"ESP sequence number"
	assert_eq "3 3 3 3 3 3" "$(sniffed "$cap" 8 subtype | xargs)" \
		"replies: Sub-Type 3"
	assert_eq "0 0 0 0 0 0" "$(sniffed "$cap" 8 esp_seq | xargs)" \
		"replies: ESP sequence number 0"
	assert_eq "56 56 56 56 56 56" "$(sniffed "$cap" 7 data_len | xargs)" \
		"Data length"
	ident=$(printf '%d' "0x$(grep -Eo 'ident 0x[0-9a-f]{4}' "$PING_OUT" |
		cut -c9-)")
	assert_eq "$ident $ident $ident" \
		"$(sniffed "$cap" 7 ident | tail -3 | xargs)" "Identifier"
}

# --format seed and empty keep the older forms; --return-spi sets R.
test_formats_and_return_spi_on_the_wire() {
	local cap=$TEST_TMP/sniff.json
	setup_raw_path
	start_sniffer "$cap"
	run_ping cli -c 2 -i 0.2 -W 3 --format seed "$RESP4"
	assert_eq 0 "$PING_RC" "exit status (seed)"
	out_has ": seed form, 56 data bytes, ident" "header (seed)"
	expect_replies "$RESP4" 2
	run_ping cli -c 2 -i 0.2 -W 3 --format empty "$RESP6"
	assert_eq 0 "$PING_RC" "exit status (empty)"
	out_has ": empty form, 0 data bytes$" "header (empty): no ident"
	out_has "^replies: raw socket .*the empty form carries no Identifier" \
		"receive path (empty)"
	out_has "^12 bytes from $RESP6: seq=1 ttl=64 time=" "empty reply 1"
	out_has "^12 bytes from $RESP6: seq=2 ttl=64 time=" "empty reply 2"
	run_ping cli -c 1 -W 3 --return-spi 0xdeadbeef -s 20 "$RESP4"
	assert_eq 0 "$PING_RC" "exit status (return SPI)"
	out_has "return SPI 0xdeadbeef" "header (return SPI)"
	out_has "^36 bytes from $RESP4: seq=1 " "the reply has no return SPI"
	sleep 1
	cat "$cap"
	assert_eq "seed seed empty empty subtyped" \
		"$(sniffed "$cap" 7 form | xargs)" "request forms"
	assert_eq "seed seed empty empty subtyped" \
		"$(sniffed "$cap" 8 form | xargs)" "reply forms"
	assert_eq "1 2 1 2 0" "$(sniffed "$cap" 8 esp_seq | xargs)" \
		"seed and empty replies copy the ESP sequence number, 0 sub-typed"
	assert_eq "128 0" "$(sniffed "$cap" 7 flags | tail -1) $(sniffed "$cap" 8 flags | tail -1)" \
		"R in the request, not in the reply"
	assert_eq 3735928559 "$(sniffed "$cap" 7 return_spi | tail -1)" \
		"return SPI on the wire"
	run_ping cli -c 1 --format seed --return-spi 1 "$RESP4"
	assert_eq 2 "$PING_RC" "--return-spi with the seed form"
	out_has "only the sub-typed form carries a return SPI" "message"
	run_ping cli -c 1 --format empty -s 20 "$RESP4"
	assert_eq 2 "$PING_RC" "-s with the empty form"
	out_has "the empty form carries no Data" "message"
	run_ping cli -c 1 --format plain "$RESP4"
	assert_eq 2 "$PING_RC" "unknown form"
	out_has "the format is subtyped, seed or empty, not 'plain'" "message"
}

# A peer that speaks only the sub-typed form, as the Linux kernel and
# strongSwan do: esprit ping gets its replies by default, on both receive
# paths; in the seed form it gets nothing, and no error either.
standard_peer() { # PATH ADDR
	topo_pair
	subtyped_peer resp r0 "$RESP4" "$RESP6"
	if [ "$1" = xdp ]; then
		ns cli "$ESPRIT" attach c0
	else
		xdp_pass cli c0
	fi
	run_ping cli -c 3 -i 0.2 -W 3 "$2"
	assert_eq 0 "$PING_RC" "exit status"
	expect_replies "$2" 3
	if [ "$1" = xdp ]; then
		out_has "^replies: taken in XDP" "receive path"
	else
		out_has "^replies: raw socket" "receive path"
	fi
	run_ping cli -c 2 -i 0.2 -W 1 --format seed "$2"
	assert_eq 1 "$PING_RC" "exit status, seed form"
	out_has "^2 packets transmitted, 0 received, 100% packet loss" \
		"the seed form goes unanswered"
	out_lacks "^From " "without an error"
	cat "$TEST_TMP/subtyped_peer.log"
	assert_eq 3 "$(grep -c ': answered$' "$TEST_TMP/subtyped_peer.log")" \
		"requests the peer answered"
	assert_eq 2 "$(grep -c ': dropped$' "$TEST_TMP/subtyped_peer.log")" \
		"requests the peer dropped"
}

test_standard_peer_ipv4_raw_path() {
	standard_peer raw "$RESP4"
}

test_standard_peer_ipv6_xdp_path() {
	standard_peer xdp "$RESP6"
}

test_standard_peer_ipv6_raw_path() {
	standard_peer raw "$RESP6"
}

test_standard_peer_ipv4_xdp_path() {
	standard_peer xdp "$RESP4"
}

# Times run from the kernel's transmit stamp to the receive stamp: none is
# zero or below what a veth round trip takes, on either path.
rtt_floor() { # ADDR
	run_ping cli -c 50 -i 0.01 -W 3 "$1"
	assert_eq 0 "$PING_RC" "exit status"
	out_has "^requests: timed by the kernel as they leave" "send times"
	out_lacks "keys no transmit timestamps" "kernel stamps in use"
	out_lacks "time=0\.000 ms" "no zero round trip"
	out_lacks "time=\?" "no reply before its request"
	out_has "^rtt min/avg/max/mdev = 0\.0*[1-9][0-9]*/" "minimum above 0"
}

test_rtt_floor_both_paths() {
	setup_raw_path
	rtt_floor "$RESP4"
	ns cli ip link set dev c0 xdp off
	ns cli "$ESPRIT" attach c0
	rtt_floor "$RESP6"
	out_has "^replies: taken in XDP" "receive path"
}

test_size_respected() {
	local cap=$TEST_TMP/sniff.json
	setup_raw_path
	start_sniffer "$cap"
	run_ping cli -c 2 -i 0.2 -W 3 -s 1000 "$RESP4"
	assert_eq 0 "$PING_RC" "exit status"
	out_has ": subtyped form, 1000 data bytes, ident" "header"
	assert_eq 2 "$(out_count "^1016 bytes from $RESP4: seq=[12] ")" \
		"reply lines with 1016 ESP bytes"
	run_ping cli -c 2 -i 0.2 -W 3 -s 16 "$RESP6"
	assert_eq 0 "$PING_RC" "exit status"
	assert_eq 2 "$(out_count "^32 bytes from $RESP6: seq=[12] ")" \
		"reply lines with 32 ESP bytes"
	sleep 1
	assert_eq "1000 1000 16 16" "$(sniffed "$cap" 7 data_len | xargs)" \
		"request Data on the wire"
	assert_eq "1000 1000 16 16" "$(sniffed "$cap" 8 data_len | xargs)" \
		"reply Data on the wire"
	assert_eq "1016 1016 32 32" "$(sniffed "$cap" 7 esp_len | xargs)" \
		"request ESP length"
}

# Forged (bad tag) and foreign replies are ignored; a replayed genuine
# reply is a duplicate. The ping runs until the injection is done (scapy
# can take seconds to start on a busy machine), then gets SIGINT.
forged_replies() { # ADDR_RESP ADDR_CLI
	local cap=$TEST_TMP/sniff.json ping_out=$TEST_TMP/bg.out ident i req
	start_sniffer "$cap"
	ns_bg cli "$ESPRIT" ping -i 0.2 "$1" >"$ping_out" 2>&1
	local ping_pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q "seq=2 " "$ping_out" 2>/dev/null && break
		sleep 0.1
	done
	ident=$(grep -Eo 'ident 0x[0-9a-f]{4}' "$ping_out" | cut -c7-)
	[ -n "$ident" ] || fail "no Identifier in the output"
	req=$("$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["spi"] == 7 and r.get("seq") == 2:
        print(r["hex"]); break' "$cap")
	[ -n "$req" ] || fail "request 2 not sniffed"
	ns resp "$PY" "$TESTS_LIB/esp_inject.py" --iface r0 --src "$1" \
		--dst "$2" --src-mac "$RESP_MAC" --dst-mac "$CLI_MAC" \
		--ident "$ident" --forge 3 --foreign 2 --replay "$req"
	sleep 1
	kill -INT "$ping_pid"
	set +e
	wait "$ping_pid"
	PING_RC=$?
	set -e
	PING_OUT=$ping_out
	cat "$PING_OUT"
	assert_eq 0 "$PING_RC" "exit status"
	local sent got
	sent=$(sed -En 's/^([0-9]+) packets transmitted, .*/\1/p' "$PING_OUT")
	got=$(sed -En 's/^[0-9]+ packets transmitted, ([0-9]+) received, .*/\1/p' \
		"$PING_OUT")
	assert_ge 5 "$sent" "requests sent"
	# an interrupt may leave the last request unanswered
	assert_ge $((sent - 1)) "$got" "replies received"
	out_has "^$sent packets transmitted, $got received, \+1 duplicates, " \
		"summary"
	assert_eq 1 "$(out_count "seq=2 ttl=64 time=[0-9.]+ ms \(DUP!\)$")" \
		"the replay is a duplicate"
	assert_eq $((got + 1)) "$(out_count " bytes from ")" "reply lines"
	out_has "^ignored: 3 with a bad tag, 0 stale, 2 foreign \(another Identifier, form or source\), 0 malformed$" \
		"ignored replies"
}

test_forged_replies_xdp_path_ipv4() {
	setup_xdp_path
	forged_replies "$RESP4" "$CLI4"
	out_has "^replies: taken in XDP" "receive path"
	out_lacks "\(raw socket\)" "every believed reply came through XDP"
}

test_forged_replies_raw_path_ipv6() {
	setup_raw_path
	forged_replies "$RESP6" "$CLI6"
	out_has "^replies: raw socket" "receive path"
}

test_sigint_unregisters_and_summarises() {
	local out=$TEST_TMP/bg.out i
	setup_xdp_path
	ns_bg cli "$ESPRIT" ping -i 0.2 "$RESP4" >"$out" 2>&1
	local pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q "seq=3 " "$out" 2>/dev/null && break
		sleep 0.1
	done
	assert_eq 1 "$(ids_registered)" "Identifiers registered while running"
	kill -INT "$pid"
	set +e
	wait "$pid"
	PING_RC=$?
	set -e
	PING_OUT=$out
	cat "$out"
	assert_eq 0 "$PING_RC" "exit status"
	out_has "^[0-9]+ packets transmitted, [0-9]+ received" "summary"
	assert_eq 0 "$(ids_registered)" "Identifiers left registered"
}

test_sigkill_leftovers_swept() {
	local out=$TEST_TMP/bg.out i
	setup_xdp_path
	ns_bg cli "$ESPRIT" ping -i 0.2 "$RESP6" >"$out" 2>&1
	local pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q "seq=2 " "$out" 2>/dev/null && break
		sleep 0.1
	done
	kill -KILL "$pid"
	wait "$pid" || true
	assert_eq 1 "$(ids_registered)" "the killed ping's Identifier"
	run_ping cli -c 2 -i 0.2 -W 3 "$RESP6"
	assert_eq 0 "$PING_RC" "exit status"
	# slot 0 was the killed ping's: free again only if the sweep ran
	out_has "ring slot 0\)" "stale slot reclaimed"
	expect_replies "$RESP6" 2
	assert_eq 0 "$(ids_registered)" "Identifiers left registered"
}

test_icmp_tcp_and_esp_with_esprit_on_both_sides() {
	topo_pair
	ns resp "$ESPRIT" attach r0
	ns cli "$ESPRIT" attach c0
	ns cli ping -c 3 -i 0.2 -W 3 "$RESP4"
	ns cli ping -c 3 -i 0.2 -W 3 "$RESP6"
	ns_bg resp "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 5001))
s.listen(4)
for _ in range(2):
    c, _ = s.accept()
    c.sendall(c.recv(100).upper())
    c.close()'
	sleep 0.5
	local host got
	for host in "$RESP4" "$RESP6"; do
		got=$(ns cli "$PY" -c '
import socket, sys
c = socket.create_connection((sys.argv[1], 5001), timeout=5)
c.sendall(b"esprit over tcp")
print(c.recv(100).decode())' "$host")
		assert_eq "ESPRIT OVER TCP" "$got" "TCP echo via $host"
	done
	run_ping cli -c 3 -i 0.2 -W 3 "$RESP4"
	assert_eq 0 "$PING_RC" "esp ping"
	out_has "^replies: taken in XDP on c0" "receive path"
	expect_replies "$RESP4" 3
}
