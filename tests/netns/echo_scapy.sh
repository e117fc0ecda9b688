# Namespace tests: the responder attached by hand with the README's command
# (`ip link set dev X xdp obj build/esprit_xdp.bpf.o sec xdp`, no
# configuration) answers an independent peer: scapy builds the requests in
# another namespace and checks every reply byte by byte against what the
# drafts say it must be (tests/lib/esp_echo.py).
# shellcheck shell=bash

responder_up() {
	topo_pair
	ns resp ip link set dev r0 xdp obj "$XDP_OBJ" sec xdp
	xdp_pass cli c0
}

exchange() { # FAMILY SET [ARGS...]
	local fam=$1 set=$2 src=$CLI4 dst=$RESP4
	shift 2
	if [ "$fam" = 6 ]; then
		src=$CLI6
		dst=$RESP6
	fi
	ns cli "$PY" "$TESTS_LIB/echo_exchange.py" --iface c0 --src "$src" \
		--dst "$dst" --src-mac "$CLI_MAC" --dst-mac "$RESP_MAC" \
		--set "$set" "$@"
}

# Packets counted under a reason, by name, as `esprit stats` reports them.
reason_count() {
	"$ESPRIT" stats --all --json --pin-dir /sys/fs/bpf/xdp/globals |
		"$PY" -c '
import json, sys
print(next(c["packets"] for c in json.load(sys.stdin)["counters"]
           if c["reason"] == sys.argv[1]))' "$1"
}

test_forms_ipv4() {
	responder_up
	ns resp ip -d link show dev r0 | grep -q "prog/xdp" ||
		fail "no XDP program on r0"
	exchange 4 forms | tee "$TEST_TMP/out"
	# every reply went out through XDP, counted as echo-reflected (0)
	assert_eq "$(grep -c '^ok' "$TEST_TMP/out")" "$(reason_count echo-reflected)" \
		"echo-reflected count"
}

test_forms_ipv6() {
	responder_up
	exchange 6 forms
}

test_vlan_tags() {
	responder_up
	exchange 4 vlan
	exchange 6 vlan
}

test_header_fields() {
	responder_up
	exchange 4 fields
	exchange 6 fields
}

# A veth accepts frames up to 4 bytes over its MTU; the reply must fit it.
test_mtu_cut() {
	topo_pair
	ns resp ip link set dev r0 mtu 1400
	ns resp ip link set dev r0 xdp obj "$XDP_OBJ" sec xdp
	xdp_pass cli c0
	exchange 4 mtu --mtu 1400 | tee "$TEST_TMP/out"
	exchange 6 mtu --mtu 1400 | tee -a "$TEST_TMP/out"
	grep -q "ok   seed L3=1404" "$TEST_TMP/out" ||
		fail "no request over the MTU was answered"
	assert_ge 1 "$(reason_count echo-truncated-to-mtu)" "echo-truncated-to-mtu count"
}

# An MTU small enough for the padding of the trailer forms to reach past
# it (IPv4 only: IPv6 needs 1280).
test_mtu_cut_padding() {
	topo_pair
	ns resp ip link set dev r0 mtu 256
	ns resp ip link set dev r0 xdp obj "$XDP_OBJ" sec xdp
	xdp_pass cli c0
	exchange 4 mtu --mtu 256 | tee "$TEST_TMP/out"
	grep -q "ok   empty L3=260" "$TEST_TMP/out" ||
		fail "no -00 request over the MTU was answered"
}

# Among them: every form to an unassigned address of the on-link prefix
# and in a frame for another MAC, which must pass unanswered and counted,
# with no configuration at all.
never_answered() { # FAMILY DST
	responder_up
	exchange "$1" refuse --control-dst "$2"
	assert_eq 4 "$(reason_count echo-dst-mac-not-ours)" \
		"echo-dst-mac-not-ours count"
	assert_eq 4 "$(reason_count echo-dst-not-local)" \
		"echo-dst-not-local count"
}

test_never_answered_ipv4() {
	never_answered 4 "$RESP4"
}

test_never_answered_ipv6() {
	never_answered 6 "$RESP6"
}

# cli -- resp (router, responder on r0) -- far. Requests for far are
# transit: they must reach far exactly as sent, and resp must not answer.
test_transit_forwarded() {
	local fam
	topo_pair
	ns_add far
	veth resp r1 02:00:00:12:00:01 far f0 02:00:00:12:00:02
	ns resp ip addr add 10.11.2.1/24 dev r1
	ns resp ip addr add fc00:12::1/64 dev r1 nodad
	ns far ip addr add 10.11.2.2/24 dev f0
	ns far ip addr add fc00:12::2/64 dev f0 nodad
	ns far ip route add default via 10.11.2.1
	ns far ip -6 route add default via fc00:12::1
	ns cli ip route add 10.11.2.0/24 via "$RESP4"
	ns cli ip -6 route add fc00:12::/64 via "$RESP6"
	ns resp ip neigh replace 10.11.2.2 lladdr 02:00:00:12:00:02 dev r1 \
		nud permanent
	ns resp ip neigh replace fc00:12::2 lladdr 02:00:00:12:00:02 dev r1 \
		nud permanent
	ns resp sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ns resp ip link set dev r0 xdp obj "$XDP_OBJ" sec xdp
	xdp_pass cli c0

	ns_bg far "$PY" "$TESTS_LIB/esp_listen.py" --iface f0 \
		--out "$TEST_TMP/arrived" --ready "$TEST_TMP/ready"
	for _ in $(seq 100); do
		[ -e "$TEST_TMP/ready" ] && break
		sleep 0.1
	done
	[ -e "$TEST_TMP/ready" ] || fail "listener on far did not start"

	ns cli "$PY" "$TESTS_LIB/echo_exchange.py" --iface c0 --src "$CLI4" \
		--dst 10.11.2.2 --src-mac "$CLI_MAC" --dst-mac "$RESP_MAC" \
		--set transit --sent-log "$TEST_TMP/sent4" --control-dst "$RESP4"
	ns cli "$PY" "$TESTS_LIB/echo_exchange.py" --iface c0 --src "$CLI6" \
		--dst fc00:12::2 --src-mac "$CLI_MAC" --dst-mac "$RESP_MAC" \
		--set transit --sent-log "$TEST_TMP/sent6" --control-dst "$RESP6"
	sleep 1
	cat "$TEST_TMP/sent4" "$TEST_TMP/sent6" | sort >"$TEST_TMP/sent"
	sort "$TEST_TMP/arrived" >"$TEST_TMP/arrived.sorted"
	if ! diff "$TEST_TMP/sent" "$TEST_TMP/arrived.sorted"; then
		fail "transit requests did not arrive at far unchanged"
	fi
	echo "$(wc -l <"$TEST_TMP/sent") transit requests arrived unchanged"
	assert_eq "$(wc -l <"$TEST_TMP/sent")" \
		"$(reason_count echo-dst-not-local)" "echo-dst-not-local count"
}

# The responder leaves everything but ESP Echo alone.
test_icmp_and_tcp_still_work() {
	responder_up
	ns cli ping -c 3 -i 0.2 -W 2 "$RESP4"
	ns cli ping -6 -c 3 -i 0.2 -W 2 "$RESP6"
	ns cli ping -c 2 -i 0.2 -W 2 -s 1400 "$RESP4"
	for dst in "$RESP4" "$RESP6"; do
		ns_bg resp "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5001))
s.listen(1)
c, _ = s.accept()
got = b""
while len(got) < 1 << 20:
    chunk = c.recv(65536)
    if not chunk:
        break
    got += chunk
c.sendall(got[::-1])
c.close()' "$dst"
		sleep 0.5
		ns cli "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
data = bytes(i * 31 % 251 for i in range(1 << 20))
s = socket.create_connection((sys.argv[1], 5001), timeout=10)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
assert got == data[::-1], "TCP data came back wrong"
print("TCP", sys.argv[1], "1 MiB each way")' "$dst"
	done
}
