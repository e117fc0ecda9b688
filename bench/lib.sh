# Helpers for bench/run.sh: the header, and setup_<table> for each table
# that needs more than esprit_bench (namespaces, veths). Sourced inside
# run.sh's private mount+net namespace.
# shellcheck shell=bash

BENCH_NAMESPACES=()

bench_cleanup() {
	local rc=$?
	local n p
	for n in "${BENCH_NAMESPACES[@]}"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null
	done
	exit "$rc"
}

# The machine, so numbers from different runs can be told apart.
bench_header() {
	local model commit
	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	commit=$(git -C "$(dirname "$0")/.." describe --always --dirty 2>/dev/null)
	echo "esprit benchmarks    $(date -u '+%Y-%m-%d %H:%M UTC')  commit ${commit:-?}"
	echo "machine   ${model:-unknown CPU}, $(nproc) CPUs online"
	echo "kernel    $(uname -sr) ($(uname -m)), $(clang --version | head -n 1)"
	echo "load      $(bench_load)"
	echo "          (other work on this machine shows in min/max; the medians resist it)"
	echo "method    medians of ${BENCH_RUNS:-7} runs, warm-up first; ratios first, absolute numbers second"
}

# Total and stolen CPU ticks so far: a hypervisor that runs other guests
# on our CPUs ("steal") slows every figure, whatever runs in here.
cpu_ticks() {
	awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9 }' /proc/stat
}

BENCH_TICKS0=$(cpu_ticks)

bench_steal() {
	local t0 s0 t1 s1
	read -r t0 s0 <<<"$BENCH_TICKS0"
	read -r t1 s1 <<<"$(cpu_ticks)"
	awk -v t="$((t1 - t0))" -v s="$((s1 - s0))" \
		'BEGIN { printf "%.0f%%", (t > 0 ? 100 * s / t : 0) }'
}

bench_load() {
	local busy
	busy=$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 >= 5 && $2 != "ps" { printf "%s%s %s%%", sep, $2, $1; sep=", " }' | head -c 160)
	echo "loadavg $(cut -d' ' -f1-3 /proc/loadavg)${busy:+; busy: $busy}"
}

bns() { # NS CMD...: run in a namespace without remounting /sys
	local n=$1
	shift
	nsenter --net="/run/netns/$n" "$@"
}

bench_ns_add() {
	local n
	for n in "$@"; do
		ip netns add "$n" || return 1
		BENCH_NAMESPACES+=("$n")
		bns "$n" ip link set lo up
		bns "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_ra=0 \
			net.ipv6.conf.default.accept_ra=0
	done
}

# Two namespaces joined by a veth, static neighbours (no ND traffic mixes
# in), IPv6 only; names carry the PID so NAPI thread names are unique. GRO
# on the far end gives it NAPI without XDP: a veth takes frames redirected
# into it (the generator's XDP_TX) only with NAPI on.
VETH_GEN_NS=bgen
VETH_FAR_NS=bfar
VETH_GEN_IF=ebg$(($$ % 10000))
VETH_FAR_IF=ebf$(($$ % 10000))
VETH_GEN_MAC=02:00:00:be:00:01
VETH_FAR_MAC=02:00:00:be:00:02
VETH_GEN6=fc00:be::1
VETH_FAR6=fc00:be::2

veth_topology() {
	bench_ns_add "$VETH_GEN_NS" "$VETH_FAR_NS" || return 1
	ip link add "$VETH_GEN_IF" netns "$VETH_GEN_NS" \
		address "$VETH_GEN_MAC" type veth peer "$VETH_FAR_IF" \
		netns "$VETH_FAR_NS" address "$VETH_FAR_MAC" || return 1
	bns "$VETH_GEN_NS" ip link set "$VETH_GEN_IF" up &&
		bns "$VETH_FAR_NS" ip link set "$VETH_FAR_IF" up &&
		bns "$VETH_GEN_NS" ip addr add "$VETH_GEN6/64" \
			dev "$VETH_GEN_IF" nodad &&
		bns "$VETH_FAR_NS" ip addr add "$VETH_FAR6/64" \
			dev "$VETH_FAR_IF" nodad &&
		bns "$VETH_GEN_NS" ip neigh replace "$VETH_FAR6" \
			lladdr "$VETH_FAR_MAC" dev "$VETH_GEN_IF" nud permanent &&
		bns "$VETH_FAR_NS" ip neigh replace "$VETH_GEN6" \
			lladdr "$VETH_GEN_MAC" dev "$VETH_FAR_IF" nud permanent &&
		bns "$VETH_FAR_NS" ethtool -K "$VETH_FAR_IF" gro on
}

setup_veth_echo() {
	veth_topology || return 1
	# shellcheck disable=SC2034 # read by run.sh
	TABLE_ARGS=(--gen-ns "$VETH_GEN_NS" --gen-if "$VETH_GEN_IF"
		--gen-addr "$VETH_GEN6" --far-ns "$VETH_FAR_NS"
		--far-if "$VETH_FAR_IF" --far-addr "$VETH_FAR6")
}

# rtt-precision: a prober and a responder namespace joined by a veth,
# IPv6 with static neighbours; esprit_xdp on both, each with its own pin
# directory (the table switches the prober's capture on and off).
RTT_PROBER_NS=brp
RTT_RESP_NS=brr
RTT_PROBER_IF=erp$(($$ % 10000))
RTT_RESP_IF=err$(($$ % 10000))
RTT_PROBER6=fc00:bf::1
RTT_RESP6=fc00:bf::2

setup_rtt_precision() {
	local esprit=$ESPRIT_BUILD/esprit
	bench_ns_add "$RTT_PROBER_NS" "$RTT_RESP_NS" || return 1
	ip link add "$RTT_PROBER_IF" netns "$RTT_PROBER_NS" \
		address 02:00:00:bf:00:01 type veth peer "$RTT_RESP_IF" \
		netns "$RTT_RESP_NS" address 02:00:00:bf:00:02 || return 1
	bns "$RTT_PROBER_NS" ip link set "$RTT_PROBER_IF" up &&
		bns "$RTT_RESP_NS" ip link set "$RTT_RESP_IF" up &&
		bns "$RTT_PROBER_NS" ip addr add "$RTT_PROBER6/64" \
			dev "$RTT_PROBER_IF" nodad &&
		bns "$RTT_RESP_NS" ip addr add "$RTT_RESP6/64" \
			dev "$RTT_RESP_IF" nodad &&
		bns "$RTT_PROBER_NS" ip neigh replace "$RTT_RESP6" \
			lladdr 02:00:00:bf:00:02 dev "$RTT_PROBER_IF" nud permanent &&
		bns "$RTT_RESP_NS" ip neigh replace "$RTT_PROBER6" \
			lladdr 02:00:00:bf:00:01 dev "$RTT_RESP_IF" nud permanent &&
		bns "$RTT_RESP_NS" "$esprit" attach "$RTT_RESP_IF" \
			--pin-dir /sys/fs/bpf/esprit-responder >/dev/null &&
		bns "$RTT_PROBER_NS" "$esprit" attach "$RTT_PROBER_IF" \
			--pin-dir /sys/fs/bpf/esprit-prober >/dev/null ||
		return 1
	# shellcheck disable=SC2034 # read by run.sh
	TABLE_ARGS=(--prober-ns "$RTT_PROBER_NS" --prober-if "$RTT_PROBER_IF"
		--prober-pins /sys/fs/bpf/esprit-prober --resp-addr "$RTT_RESP6"
		--esprit "$esprit")
}

# The daemon benchmarks: a prober namespace (the daemon runs there) and a
# responder namespace running esprit_xdp attached by hand with its rate
# limits off, joined by a veth; IPv4; N responder addresses.
DAEMON_PROBE_NS=bdp
DAEMON_RESP_NS=bdr
DAEMON_PROBE_IF=edp$(($$ % 10000))
DAEMON_RESP_IF=edr$(($$ % 10000))
daemon_topology() { # N_RESPONDER_ADDRESSES
	local i n
	# the previous daemon table's, if any
	for n in "$DAEMON_PROBE_NS" "$DAEMON_RESP_NS"; do
		ip netns del "$n" 2>/dev/null
	done
	bench_ns_add "$DAEMON_PROBE_NS" "$DAEMON_RESP_NS" || return 1
	ip link add "$DAEMON_PROBE_IF" netns "$DAEMON_PROBE_NS" \
		address 02:00:00:bd:00:01 type veth peer "$DAEMON_RESP_IF" \
		netns "$DAEMON_RESP_NS" address 02:00:00:bd:00:02 || return 1
	bns "$DAEMON_PROBE_NS" ip link set "$DAEMON_PROBE_IF" up &&
		bns "$DAEMON_RESP_NS" ip link set "$DAEMON_RESP_IF" up &&
		bns "$DAEMON_PROBE_NS" ip addr add 10.77.0.254/24 \
			dev "$DAEMON_PROBE_IF" &&
		bns "$DAEMON_RESP_NS" ip neigh replace 10.77.0.254 \
			lladdr 02:00:00:bd:00:01 dev "$DAEMON_RESP_IF" nud permanent ||
		return 1
	for ((i = 1; i <= $1; i++)); do
		bns "$DAEMON_RESP_NS" ip addr add "10.77.0.$i/24" \
			dev "$DAEMON_RESP_IF" &&
			bns "$DAEMON_PROBE_NS" ip neigh replace "10.77.0.$i" \
				lladdr 02:00:00:bd:00:02 dev "$DAEMON_PROBE_IF" \
				nud permanent || return 1
	done
	bns "$DAEMON_RESP_NS" ip link set dev "$DAEMON_RESP_IF" xdpdrv \
		obj "$ESPRIT_BUILD/esprit_xdp.bpf.o" sec xdp &&
		bns "$DAEMON_RESP_NS" "$ESPRIT_BUILD/esprit" responder \
			--pin-dir /sys/fs/bpf/xdp/globals set rate unlimited \
			prefix-rate unlimited >/dev/null
}

setup_daemon_detect() {
	daemon_topology 1 || return 1
	# shellcheck disable=SC2034 # read by run.sh
	TABLE_ARGS=(--ns "$DAEMON_PROBE_NS" --dev "$DAEMON_PROBE_IF"
		--peer 10.77.0.1)
}

setup_daemon_cpu() {
	daemon_topology 100 || return 1
	# shellcheck disable=SC2034 # read by run.sh
	TABLE_ARGS=(--ns "$DAEMON_PROBE_NS" --dev "$DAEMON_PROBE_IF"
		--prefix 10.77.0)
}

# risav-e2e: AS 64500 (host re1) -> border rb1 (tags) -> rin -> border
# rb2 (verifies, strips) -> host re2 (AS 64501), IPv4, esprit attached on
# both borders' outside interfaces with their maps in two pin directories.
# Hosts send single segments (a GSO packet cannot be tagged); the borders'
# outside interfaces fill in checksums in software, as a NIC would.
RE2E_K1=1111111111111111111111111111111111111111111111111111111111111111
RE2E_K2=2222222222222222222222222222222222222222222222222222222222222222
re2e_link() { # NS1 IF1 NS2 IF2
	ip link add "$2" netns "$1" type veth peer "$4" netns "$3" &&
		bns "$1" ip link set "$2" up && bns "$3" ip link set "$4" up
}

setup_risav_e2e() {
	local e=$ESPRIT_BUILD/esprit n
	bench_ns_add re1 rb1 rin rb2 re2 || return 1
	re2e_link re1 e0 rb1 i1 && re2e_link rb1 o1 rin x1 &&
		re2e_link rin x2 rb2 o2 && re2e_link rb2 i2 re2 e0 || return 1
	# a router as Linux runs one: offloads as they come, GRO on
	for n in rb1 rin rb2; do
		bns "$n" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 || return 1
	done
	for n in "rb1 i1" "rb1 o1" "rin x1" "rin x2" "rb2 o2" "rb2 i2"; do
		# shellcheck disable=SC2086
		bns ${n% *} ethtool -K ${n#* } gro on >/dev/null || return 1
	done
	bns re1 ip -6 addr add 2001:db8:100:1::10/64 dev e0 nodad &&
		bns rb1 ip -6 addr add 2001:db8:100:1::1/64 dev i1 nodad &&
		bns rb1 ip -6 addr add fd00:1::1/64 dev o1 nodad &&
		bns rin ip -6 addr add fd00:1::2/64 dev x1 nodad &&
		bns rin ip -6 addr add fd00:2::2/64 dev x2 nodad &&
		bns rb2 ip -6 addr add fd00:2::1/64 dev o2 nodad &&
		bns rb2 ip -6 addr add 2001:db8:101:1::1/64 dev i2 nodad &&
		bns re2 ip -6 addr add 2001:db8:101:1::10/64 dev e0 nodad &&
		bns re1 ip -6 route add default via 2001:db8:100:1::1 &&
		bns rb1 ip -6 route add default via fd00:1::2 &&
		bns rin ip -6 route add 2001:db8:100::/48 via fd00:1::1 &&
		bns rin ip -6 route add 2001:db8:101::/48 via fd00:2::1 &&
		bns rb2 ip -6 route add default via fd00:2::2 &&
		bns re2 ip -6 route add default via 2001:db8:101:1::1 ||
		return 1
	bns re1 ip addr add 10.100.1.10/24 dev e0 &&
		bns rb1 ip addr add 10.100.1.1/24 dev i1 &&
		bns rb1 ip addr add 172.16.1.1/24 dev o1 &&
		bns rin ip addr add 172.16.1.2/24 dev x1 &&
		bns rin ip addr add 172.16.2.2/24 dev x2 &&
		bns rb2 ip addr add 172.16.2.1/24 dev o2 &&
		bns rb2 ip addr add 10.101.1.1/24 dev i2 &&
		bns re2 ip addr add 10.101.1.10/24 dev e0 || return 1
	bns re1 ip route add default via 10.100.1.1 &&
		bns rb1 ip route add default via 172.16.1.2 &&
		bns rin ip route add 10.100.0.0/16 via 172.16.1.1 &&
		bns rin ip route add 10.101.0.0/16 via 172.16.2.1 &&
		bns rb2 ip route add default via 172.16.2.2 &&
		bns re2 ip route add default via 10.101.1.1 || return 1
	for n in "rb1 i1" "rb1 o1" "rb2 o2" "rb2 i2"; do
		# shellcheck disable=SC2086
		bns ${n% *} "$e" attach ${n#* } --pin-dir "/sys/fs/bpf/${n% *}" \
			>/dev/null || return 1
	done
	for n in rb1 rb2; do
		bns "$n" "$e" prefix add 10.100.0.0/16 asn 64500 \
			--pin-dir "/sys/fs/bpf/$n" &&
			bns "$n" "$e" prefix add 10.101.0.0/16 asn 64501 \
				--pin-dir "/sys/fs/bpf/$n" &&
			bns "$n" "$e" prefix add 2001:db8:100::/48 asn 64500 \
				--pin-dir "/sys/fs/bpf/$n" &&
			bns "$n" "$e" prefix add 2001:db8:101::/48 asn 64501 \
				--pin-dir "/sys/fs/bpf/$n" >/dev/null || return 1
	done
	bns rb1 "$e" peer add 64501 mode enforce --pin-dir /sys/fs/bpf/rb1 &&
		bns rb1 "$e" sa add out spi 0x1000 asn 64501 \
			alg hmac-sha256-128 key "$RE2E_K1" \
			--pin-dir /sys/fs/bpf/rb1 &&
		bns rb1 "$e" sa add in spi 0x2000 asn 64501 \
			alg hmac-sha256-128 key "$RE2E_K2" \
			--pin-dir /sys/fs/bpf/rb1 &&
		bns rb2 "$e" peer add 64500 mode enforce \
			--pin-dir /sys/fs/bpf/rb2 &&
		bns rb2 "$e" sa add in spi 0x1000 asn 64500 \
			alg hmac-sha256-128 key "$RE2E_K1" \
			--pin-dir /sys/fs/bpf/rb2 &&
		bns rb2 "$e" sa add out spi 0x2000 asn 64500 \
			alg hmac-sha256-128 key "$RE2E_K2" \
			--pin-dir /sys/fs/bpf/rb2 || return 1
	# shellcheck disable=SC2034 # read by run.sh
	TABLE_ARGS=(--h1-ns re1 --h2-ns re2 --h2-addr 10.101.1.10
		--h2-addr6 2001:db8:101:1::10
		--b1-pins /sys/fs/bpf/rb1 --b2-pins /sys/fs/bpf/rb2)
}
