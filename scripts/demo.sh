#!/bin/bash
# make demo: two network namespaces joined by a veth pair; the responder
# attached with iproute2 on one side, esprit on the other, and esprit ping
# between them over IPv4 and IPv6. Everything runs inside a private mount
# and network namespace, so the host's interfaces, routes and bpffs pins
# are never touched, and it all disappears when the demo ends.
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
	nsenter --net=/run/netns/prober "$ESPRIT" detach c0 >/dev/null 2>&1
	nsenter --net=/run/netns/responder ip link set dev r0 xdp off 2>/dev/null
	ip netns del prober 2>/dev/null
	ip netns del responder 2>/dev/null
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
