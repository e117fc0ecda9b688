#!/bin/bash
# make bench: prints every benchmark table. Each figure stands beside a
# baseline measured in the same run; targets are reported, never enforced.
# The exit status is non-zero only when a table could not be measured.
#
# Everything runs inside `unshare --mount --net`: the namespaces, veths,
# bpffs and sysfs mounts made here vanish with it; the host is not touched.
#
# Environment: BENCH_TABLES (names, default: every table esprit_bench
# knows), BENCH_RUNS (runs per series, default 7), BENCH_SECONDS (length of
# one timed run where runs are timed, default 1), ESPRIT_BUILD.
set -u

ESPRIT_BUILD=${ESPRIT_BUILD:-$PWD/build}
export ESPRIT_BUILD
BENCH=$ESPRIT_BUILD/bench/esprit_bench

if [ -z "${ESPRIT_BENCH_PRIVATE:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench: needs root (BPF, namespaces)" >&2
		exit 2
	fi
	ESPRIT_BENCH_PRIVATE=1 exec unshare --mount --net \
		--propagation private "$0" "$@"
fi

mkdir -p /run/netns
mount -t tmpfs -o mode=0755 bench-netns /run/netns
mount -t bpf -o mode=0700 bpf /sys/fs/bpf
ip link set lo up

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT

bench_header
failed=0
for table in ${BENCH_TABLES:-$("$BENCH" --list)}; do
	# A table that needs more than esprit_bench has setup_<name> in
	# lib.sh, which prepares it and leaves its arguments in TABLE_ARGS.
	TABLE_ARGS=()
	setup=setup_${table//-/_}
	if declare -F "$setup" >/dev/null && ! "$setup"; then
		echo "bench: $table: setup failed" >&2
		failed=1
		continue
	fi
	"$BENCH" "$table" "${TABLE_ARGS[@]}" || failed=1
done

echo
echo "load at end: $(bench_load)"
echo "CPU time stolen by the hypervisor during the run: $(bench_steal)"
if [ "$failed" = 1 ]; then
	echo "bench: some tables could not be measured (see ERROR above)"
	exit 1
fi
echo "bench: done (targets are reported above, never enforced)"
