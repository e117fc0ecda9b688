#!/bin/bash
# make demo, in two acts. One: two network namespaces joined by a veth
# pair; the responder attached with iproute2 on one side, esprit on the
# other, and esprit ping between them over IPv4 and IPv6. Two: RISAV
# between two ASes, hosts behind two borders that run as Linux routers do
# by default (offloads on, GRO on): traffic crossing tagged and verified,
# a spoofed packet from the middle dropped, and the counters that say so.
# Everything runs inside a private mount and network namespace, so the
# host's interfaces, routes and bpffs pins are never touched, and it all
# disappears when the demo ends.
set -euo pipefail

BUILD=${ESPRIT_BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
ESPRIT=$BUILD/esprit
XDP_OBJ=$BUILD/esprit_xdp.bpf.o

if [ "$(id -u)" != 0 ]; then
	echo "demo: run as root (it creates namespaces and attaches XDP)" >&2
	exit 2
fi
for f in "$ESPRIT" "$XDP_OBJ"; do
	[ -e "$f" ] || {
		echo "demo: $f is missing; run 'make demo'" >&2
		exit 2
	}
done

if [ -z "${ESPRIT_DEMO_PRIVATE:-}" ]; then
	export ESPRIT_DEMO_PRIVATE=1 ESPRIT_BUILD=$BUILD
	exec unshare --mount --net --propagation private "$0" "$@"
fi

# From here on: a private mount and network namespace.
mkdir -p /run/netns
mount -t tmpfs -o mode=0755 demo-netns /run/netns
mount -t bpf -o mode=0700 bpf /sys/fs/bpf
ip link set lo up

RESP4=192.0.2.1 CLI4=192.0.2.2
RESP6=2001:db8::1 CLI6=2001:db8::2

if [ -t 1 ]; then
	BOLD=$'\033[1m' PLAIN=$'\033[0m'
else
	BOLD= PLAIN=
fi
step() {
	printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"
}

# Shows a command, then runs it in a namespace (nsenter keeps our mounts;
# `ip netns exec` would remount /sys and hide the private bpffs).
in_ns() {
	local n=$1
	shift
	printf '[%s]$ %s\n' "$n" "$*"
	nsenter --net="/run/netns/$n" "$@"
}

cleanup() {
	local rc=$?
	set +e
	step "cleaning up"
	[ -n "${IPERF_PID:-}" ] && kill "$IPERF_PID" 2>/dev/null
	nsenter --net=/run/netns/prober "$ESPRIT" detach c0 >/dev/null 2>&1
	# the act-two borders' offloads go with their namespaces
	nsenter --net=/run/netns/responder ip link set dev r0 xdp off 2>/dev/null
	for n in prober responder h1 b1 inet b2 h2; do
		ip netns del $n 2>/dev/null
	done
	[ -n "${KEYS:-}" ] && rm -rf "$KEYS"
	if [ "$rc" = 0 ]; then
		echo "done: namespaces deleted; the private bpffs goes with them"
	else
		echo "demo FAILED (exit $rc); namespaces deleted" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT

step "two namespaces, 'responder' and 'prober', joined by veth r0 <-> c0"
ip netns add responder
ip netns add prober
for n in responder prober; do
	nsenter --net=/run/netns/$n ip link set lo up
	nsenter --net=/run/netns/$n sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
ip link add r0 netns responder type veth peer c0 netns prober
in_ns responder ip addr add $RESP4/24 dev r0
in_ns responder ip addr add $RESP6/64 dev r0 nodad
in_ns prober ip addr add $CLI4/24 dev c0
in_ns prober ip addr add $CLI6/64 dev c0 nodad
in_ns responder ip link set r0 up
in_ns prober ip link set c0 up
# Let ARP/ND finish before timing anything.
nsenter --net=/run/netns/prober ping -c 1 -W 5 -q $RESP4 >/dev/null
nsenter --net=/run/netns/prober ping -c 1 -W 5 -q $RESP6 >/dev/null

step "the responder, attached by hand with iproute2 (no configuration)"
in_ns responder ip link set dev r0 xdp obj "$XDP_OBJ" sec xdp
in_ns responder ip -details link show dev r0 | grep -E 'xdp|prog/xdp'

step "esprit on the prober's side: replies to its probes are taken in XDP"
in_ns prober "$ESPRIT" attach c0

step "esprit ping over IPv4"
in_ns prober "$ESPRIT" ping -c 5 -i 0.5 $RESP4

step "esprit ping over IPv6, DSCP EF"
in_ns prober "$ESPRIT" ping -c 5 -i 0.5 -Q ef $RESP6

step "the responder's counters (maps pinned by iproute2)"
in_ns responder "$ESPRIT" stats --pin-dir /sys/fs/bpf/xdp/globals

step "one counter with bpftool: reason 0, echo-reflected, per CPU"
in_ns responder bpftool map lookup \
	pinned /sys/fs/bpf/xdp/globals/esprit_counters key 0 0 0 0

step "the prober's counters (maps pinned by esprit)"
in_ns prober "$ESPRIT" stats --pin-dir /sys/fs/bpf/esprit

# ---- act two: RISAV between two ASes -----------------------------------

step "act two: AS 64500 (h1 behind border b1) and AS 64501 (h2 behind b2)"
echo "  h1 --- i1 b1 o1 ==== inet ==== o2 b2 i2 --- h2"
echo "  (each border's maps pinned in a directory of its own)"
B1=/sys/fs/bpf/b1 B2=/sys/fs/bpf/b2
for n in h1 b1 inet b2 h2; do
	ip netns add $n
	nsenter --net=/run/netns/$n ip link set lo up
	nsenter --net=/run/netns/$n sysctl -qw net.ipv4.ip_forward=1
done
ip link add e0 netns h1 type veth peer i1 netns b1
ip link add o1 netns b1 type veth peer x1 netns inet
ip link add x2 netns inet type veth peer o2 netns b2
ip link add i2 netns b2 type veth peer e0 netns h2
while read -r n dev addr; do
	nsenter --net=/run/netns/$n ip addr add "$addr" dev "$dev"
	nsenter --net=/run/netns/$n ip link set "$dev" up
done <<LINKS
h1 e0 10.100.1.10/24
b1 i1 10.100.1.1/24
b1 o1 172.16.1.1/24
inet x1 172.16.1.2/24
inet x2 172.16.2.2/24
b2 o2 172.16.2.1/24
b2 i2 10.101.1.1/24
h2 e0 10.101.1.10/24
LINKS
nsenter --net=/run/netns/h1 ip route add default via 10.100.1.1
nsenter --net=/run/netns/b1 ip route add default via 172.16.1.2
nsenter --net=/run/netns/inet ip route add 10.100.0.0/16 via 172.16.1.1
nsenter --net=/run/netns/inet ip route add 10.101.0.0/16 via 172.16.2.1
nsenter --net=/run/netns/b2 ip route add default via 172.16.2.2
nsenter --net=/run/netns/h2 ip route add default via 10.101.1.1
for i in "b1 i1" "b1 o1" "inet x1" "inet x2" "b2 o2" "b2 i2"; do
	# shellcheck disable=SC2086
	nsenter --net=/run/netns/${i% *} ethtool -K ${i#* } gro on >/dev/null
done
echo "routers: offloads as the kernel sets them, GRO on"

step "keys: one file per SA, root's alone (esprit refuses any other)"
KEYS=$(mktemp -d)
for k in out in; do
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$KEYS/$k"
	chmod 600 "$KEYS/$k"
done
ls -l "$KEYS"

step "border b1: esprit on both interfaces, AS 64500, peer 64501 enforced"
in_ns b1 "$ESPRIT" attach i1 --pin-dir "$B1"
in_ns b1 "$ESPRIT" attach o1 --pin-dir "$B1"
# b2 the same (shown below), and both learn the prefixes
nsenter --net=/run/netns/b2 "$ESPRIT" attach o2 --pin-dir "$B2" >/dev/null
nsenter --net=/run/netns/b2 "$ESPRIT" attach i2 --pin-dir "$B2" >/dev/null
for n in b1 b2; do
	nsenter --net=/run/netns/$n "$ESPRIT" prefix add 10.100.0.0/16 asn 64500 \
		--pin-dir "/sys/fs/bpf/$n"
	nsenter --net=/run/netns/$n "$ESPRIT" prefix add 10.101.0.0/16 asn 64501 \
		--pin-dir "/sys/fs/bpf/$n"
done
in_ns b1 "$ESPRIT" local-asn 64500 --pin-dir "$B1"
in_ns b1 "$ESPRIT" peer add 64501 mode enforce policy drop --pin-dir "$B1"
in_ns b1 "$ESPRIT" sa add out spi 0x1000 asn 64501 alg hmac-sha256-128 \
	key-file "$KEYS/out" --pin-dir "$B1"
in_ns b1 "$ESPRIT" sa add in spi 0x2000 asn 64501 alg hmac-sha256-128 \
	key-file "$KEYS/in" replay 4096 --pin-dir "$B1"

step "border b2: the mirror image"
in_ns b2 "$ESPRIT" local-asn 64501 --pin-dir "$B2"
in_ns b2 "$ESPRIT" peer add 64500 mode enforce policy drop --pin-dir "$B2"
in_ns b2 "$ESPRIT" sa add in spi 0x1000 asn 64500 alg hmac-sha256-128 \
	key-file "$KEYS/out" replay 4096 --pin-dir "$B2"
in_ns b2 "$ESPRIT" sa add out spi 0x2000 asn 64500 alg hmac-sha256-128 \
	key-file "$KEYS/in" --pin-dir "$B2"

step "TCP from h1 to h2 (iperf3, 3 s): tagged by b1, verified by b2"
nsenter --net=/run/netns/h2 iperf3 -s -1 -B 10.101.1.10 >/dev/null &
IPERF_PID=$!
sleep 0.5
in_ns h1 iperf3 -c 10.101.1.10 -t 3 -f m | grep -E 'sender|receiver'
wait "$IPERF_PID" || true
IPERF_PID=

step "what crosses the middle: every packet carries its AH (tcpdump on x1)"
nsenter --net=/run/netns/inet timeout 5 tcpdump -i x1 -nn -c 4 ip 2>/dev/null &
TCPDUMP_PID=$!
sleep 0.5
nsenter --net=/run/netns/h1 ping -c 2 -i 0.2 -q 10.101.1.10 >/dev/null
wait "$TCPDUMP_PID" || true

step "a packet spoofed from the middle with h1's address (scapy)"
in_ns inet /usr/bin/python3 -c "from scapy.all import IP, UDP, send
send(IP(src='10.100.1.10', dst='10.101.1.10') / UDP(dport=9) / b'spoofed',
     verbose=0)"
sleep 0.3

step "b1's counters: tagged as they came in (XDP), the replies verified"
in_ns b1 "$ESPRIT" stats --pin-dir "$B1" | grep -E '^reason|risav'

step "b2's counters: verified, and the spoofed packet dropped"
in_ns b2 "$ESPRIT" stats --pin-dir "$B2" | grep -E '^reason|risav'
in_ns b2 "$ESPRIT" sa list --pin-dir "$B2"
