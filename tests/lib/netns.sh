# Helpers for namespace tests (sourced by tests/lib/netns_run.sh).
# shellcheck shell=bash

ESPRIT_BUILD=${ESPRIT_BUILD:-$PWD/build}
ESPRIT=${ESPRIT:-$ESPRIT_BUILD/test/esprit}
XDP_OBJ=$ESPRIT_BUILD/esprit_xdp.bpf.o
XDP_PASS_OBJ=$ESPRIT_BUILD/test/xdp_pass.bpf.o
PY=/usr/bin/python3
TESTS_LIB=$PWD/tests/lib
TEST_TMP=$(mktemp -d /tmp/esprit-test.XXXXXX)
NAMESPACES=()

# ASan's leak checker needs ptrace-like access that namespaces may deny.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

assert_eq() { # expected actual what
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

assert_match() { # regex text what
	[[ $2 =~ $1 ]] || fail "$3: '$2' does not match /$1/"
}

assert_ge() { # min actual what
	[ "$2" -ge "$1" ] || fail "$3: expected >= $1, got $2"
}

assert_le() { # max actual what
	[ "$2" -le "$1" ] || fail "$3: expected <= $1, got $2"
}

# Runs a command in a namespace; keeps this shell's mounts (one bpffs).
ns() {
	local n=$1
	shift
	nsenter --net="/run/netns/$n" "$@"
}

ns_add() {
	local n
	for n in "$@"; do
		ip netns add "$n"
		ns "$n" ip link set lo up
		ns "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_ra=0 \
			net.ipv6.conf.default.accept_ra=0
		NAMESPACES+=("$n")
	done
}

# veth NS1 IF1 MAC1 NS2 IF2 MAC2
veth() {
	ip link add "$2" netns "$1" address "$3" type veth \
		peer "$5" netns "$4" address "$6"
	ns "$1" ip link set "$2" up
	ns "$4" ip link set "$5" up
}

# Lets a veth end receive XDP_TX frames from its peer (veth needs an XDP
# program on the receiving side for that).
xdp_pass() { # NS IF
	ns "$1" ip link set dev "$2" xdpdrv obj "$XDP_PASS_OBJ" sec xdp
}

# Standard pair: "resp" (r0) and "cli" (c0) on 10.11.1.0/24, fc00:11::/64,
# with static neighbours so no ARP/ND traffic mixes into the tests.
RESP4=10.11.1.1
CLI4=10.11.1.2
RESP6=fc00:11::1
CLI6=fc00:11::2
RESP_MAC=02:00:00:11:00:01
CLI_MAC=02:00:00:11:00:02
topo_pair() {
	ns_add resp cli
	veth resp r0 "$RESP_MAC" cli c0 "$CLI_MAC"
	ns resp ip addr add "$RESP4/24" dev r0
	ns cli ip addr add "$CLI4/24" dev c0
	ns resp ip addr add "$RESP6/64" dev r0 nodad
	ns cli ip addr add "$CLI6/64" dev c0 nodad
	ns resp ip neigh replace "$CLI4" lladdr "$CLI_MAC" dev r0 nud permanent
	ns resp ip neigh replace "$CLI6" lladdr "$CLI_MAC" dev r0 nud permanent
	ns cli ip neigh replace "$RESP4" lladdr "$RESP_MAC" dev c0 nud permanent
	ns cli ip neigh replace "$RESP6" lladdr "$RESP_MAC" dev c0 nud permanent
}

# Attaches the responder the way an operator would by hand.
attach_ip_link() { # NS IF
	ns "$1" ip link set dev "$2" xdpdrv obj "$XDP_OBJ" sec xdp
}

# Starts a background command in a namespace and remembers it for cleanup.
BG_PIDS=()
ns_bg() { # NS CMD...
	local n=$1
	shift
	nsenter --net="/run/netns/$n" "$@" &
	BG_PIDS+=($!)
}

# nft_netdev NS DEV ingress|egress TABLE RULE: one rule at a device's hook.
nft_netdev() {
	ns "$1" nft -f - <<-EOF
		table netdev $4 {
			chain c {
				type filter hook $3 device $2 priority 0;
				$5
			}
		}
	EOF
}

# subtyped_peer NS DEV ADDR...: on DEV, a responder that speaks only the
# sub-typed form, as the kernel does (tests/lib/esp_subtyped_peer.py); the
# namespace's stack is kept from the requests, so it sends no ICMP error.
subtyped_peer() {
	local n=$1 dev=$2 ready=$TEST_TMP/subtyped_peer.$1.ready args=() a i
	shift 2
	for a in "$@"; do
		args+=(--addr "$a")
	done
	nft_netdev "$n" "$dev" ingress no_esp_stack "meta l4proto esp drop"
	ns_bg "$n" "$PY" "$TESTS_LIB/esp_subtyped_peer.py" --iface "$dev" \
		"${args[@]}" --ready "$ready" --log "$TEST_TMP/subtyped_peer.log"
	for ((i = 0; i < 300; i++)); do
		[ -e "$ready" ] && return 0
		sleep 0.1
	done
	fail "the sub-typed responder did not start"
}

netns_cleanup() {
	local rc=$?
	local p n
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for n in "${NAMESPACES[@]}"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null || true
		done
		ip netns del "$n" 2>/dev/null || true
	done
	rm -rf "$TEST_TMP"
	exit "$rc"
}
