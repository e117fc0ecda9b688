# The five namespaces of the RISAV end-to-end tests (tests/netns/risav_tag.sh,
# daemon_risav_out.sh), and what they run there:
#
#   h1 ---- b1 ====== inet ====== b2 ---- h2
#   AS 64500         (middle)        AS 64501
#   10.100.1.10                      10.101.1.10
#   2001:db8:100:1::10               2001:db8:101:1::10
#
# Each border's maps are pinned in a directory of its own ($B1, $B2); b1 and
# b2 run esprit there. A capture in the middle (capture_start x1) is
# checked with scapy's IPsec code (check_capture, risav_tag_check.py).
# shellcheck shell=bash

K1=1111111111111111111111111111111111111111111111111111111111111111
K2=2222222222222222222222222222222222222222222222222222222222222222
K3=3333333333333333333333333333333333333333333333333333333333333333
K4=4444444444444444444444444444444444444444444444444444444444444444
H1_4=10.100.1.10
H1_6=2001:db8:100:1::10
H2_4=10.101.1.10
H2_6=2001:db8:101:1::10
B1=/sys/fs/bpf/b1
B2=/sys/fs/bpf/b2
PORT=5000

b1() { ns b1 "$ESPRIT" "$@" --pin-dir "$B1"; }
b2() { ns b2 "$ESPRIT" "$@" --pin-dir "$B2"; }

json_get() { # python expression on j, JSON on stdin
	"$PY" -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

count_in() { # border reason
	"$1" stats --json | json_get "sum(r['packets'] for r in j['counters'] if r['reason'] == '$2')"
}

link() { # NS1 IF1 NS2 IF2 N: veth with MACs 02:00:00:00:N:1 / :2
	veth "$1" "$2" "02:00:00:00:0$5:01" "$3" "$4" "02:00:00:00:0$5:02"
}

# Hosts send single segments (no GSO/TSO): a GSO packet cannot be tagged
# (one AH for many segments). Their UDP and TCP checksums stay for the
# device to fill in (CHECKSUM_PARTIAL) all the way to the borders, whose
# outside interfaces have no checksum offload: the kernel fills them in
# after TC egress, as a NIC would, and the tagger must have signed
# exactly what it writes.
no_gso() { # NS IF
	ns "$1" ethtool -K "$2" tso off gso off >/dev/null
}

no_csum_offload() { # NS IF
	ns "$1" ethtool -K "$2" tx off >/dev/null
}

# topo_two_borders [default]: with "default", every offload stays as the
# kernel sets it and GRO is on on every router interface, as on a real
# router; else the hosts send single segments and the routers' GRO is off.
topo_two_borders() {
	local i
	ns_add h1 b1 inet b2 h2
	link h1 e0 b1 i1 1
	link b1 o1 inet x1 2
	link inet x2 b2 o2 3
	link b2 i2 h2 e0 4
	for n in b1 inet b2; do
		ns "$n" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1
	done
	if [ "${1:-}" = default ]; then
		for i in "b1 i1" "b1 o1" "inet x1" "inet x2" "b2 o2" "b2 i2"; do
			# shellcheck disable=SC2086
			ns ${i% *} ethtool -K ${i#* } gro on >/dev/null
		done
	else
		no_gso h1 e0
		no_gso h2 e0
		no_csum_offload b1 o1
		no_csum_offload b2 o2
		for i in "b1 i1" "b1 o1" "inet x1" "inet x2" "b2 o2" "b2 i2"; do
			# shellcheck disable=SC2086
			ns ${i% *} ethtool -K ${i#* } gro off >/dev/null 2>&1 ||
				true
		done
	fi
	ns h1 ip addr add "$H1_4/24" dev e0
	ns h1 ip addr add "$H1_6/64" dev e0 nodad
	ns b1 ip addr add 10.100.1.1/24 dev i1
	ns b1 ip addr add 2001:db8:100:1::1/64 dev i1 nodad
	ns b1 ip addr add 172.16.1.1/24 dev o1
	ns b1 ip addr add fd00:1::1/64 dev o1 nodad
	ns inet ip addr add 172.16.1.2/24 dev x1
	ns inet ip addr add fd00:1::2/64 dev x1 nodad
	ns inet ip addr add 172.16.2.2/24 dev x2
	ns inet ip addr add fd00:2::2/64 dev x2 nodad
	ns b2 ip addr add 172.16.2.1/24 dev o2
	ns b2 ip addr add fd00:2::1/64 dev o2 nodad
	ns b2 ip addr add 10.101.1.1/24 dev i2
	ns b2 ip addr add 2001:db8:101:1::1/64 dev i2 nodad
	ns h2 ip addr add "$H2_4/24" dev e0
	ns h2 ip addr add "$H2_6/64" dev e0 nodad
	ns h1 ip route add default via 10.100.1.1
	ns h1 ip -6 route add default via 2001:db8:100:1::1
	ns b1 ip route add default via 172.16.1.2
	ns b1 ip -6 route add default via fd00:1::2
	ns inet ip route add 10.100.0.0/16 via 172.16.1.1
	ns inet ip -6 route add 2001:db8:100::/48 via fd00:1::1
	ns inet ip route add 10.101.0.0/16 via 172.16.2.1
	ns inet ip -6 route add 2001:db8:101::/48 via fd00:2::1
	ns b2 ip route add default via 172.16.2.2
	ns b2 ip -6 route add default via fd00:2::2
	ns h2 ip route add default via 10.101.1.1
	ns h2 ip -6 route add default via 2001:db8:101:1::1
}

capture_start() { # IF in inet
	rm -f "$TEST_TMP/mid.pcap"
	ns_bg inet tcpdump -i "$1" --immediate-mode -B 16384 -U -n \
		-w "$TEST_TMP/mid.pcap" \
		"ip or ip6" 2>"$TEST_TMP/tcpdump.log"
	CAPTURE=$!
	for _ in $(seq 50); do
		grep -q "listening on" "$TEST_TMP/tcpdump.log" && return 0
		sleep 0.1
	done
	fail "tcpdump not ready"
}

capture_stop() {
	sleep 0.3
	kill "$CAPTURE" 2>/dev/null || true
	wait "$CAPTURE" 2>/dev/null || true
}

serve_start() { # NS ADDR4 ADDR6
	rm -f "$TEST_TMP/ready"
	ns_bg "$1" "$PY" "$TESTS_LIB/tag_traffic.py" serve --addr4 "$2" \
		--addr6 "$3" --port "$PORT" --ready "$TEST_TMP/ready" \
		>"$TEST_TMP/served"
	for _ in $(seq 100); do
		[ -e "$TEST_TMP/ready" ] && return 0
		sleep 0.1
	done
	fail "server not ready"
}

traffic() { # NS tag_traffic.py args...
	local n=$1
	shift
	ns "$n" "$PY" "$TESTS_LIB/tag_traffic.py" "$@"
}

check_capture() { # --src-net ... --dst-net ... --sa ... [--tamper N]
	"$PY" "$TESTS_LIB/risav_tag_check.py" --pcap "$TEST_TMP/mid.pcap" "$@"
}

# Both borders: the same prefix table, each the other's enforced peer.
risav_borders() {
	local b
	b1 attach o1 >/dev/null
	b2 attach o2 >/dev/null
	for b in b1 b2; do
		$b prefix add 10.100.0.0/16 asn 64500
		$b prefix add 2001:db8:100::/48 asn 64500
		$b prefix add 10.101.0.0/16 asn 64501
		$b prefix add 2001:db8:101::/48 asn 64501
	done
	b1 local-asn 64500
	b1 peer add 64501 mode enforce
	b1 sa add out spi 0x1000 asn 64501 alg hmac-sha256-128 key "$K1" dscp any
	b1 sa add out spi 0x1001 asn 64501 alg hmac-sha256-128 key "$K2" dscp ef
	b1 sa add in spi 0x2000 asn 64501 alg hmac-sha256-128 key "$K3"
	b2 local-asn 64501
	b2 peer add 64500 mode enforce
	b2 sa add in spi 0x1000 asn 64500 alg hmac-sha256-128 key "$K1" replay 4096
	b2 sa add in spi 0x1001 asn 64500 alg hmac-sha256-128 key "$K2" replay 4096
	# only the injection tests use it
	b2 sa add in spi 0x1002 asn 64500 alg hmac-sha256-128 key "$K4" replay 64
	b2 sa add out spi 0x2000 asn 64500 alg hmac-sha256-128 key "$K3"
}
