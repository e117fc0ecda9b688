// SPDX-License-Identifier: GPL-2.0
/*
 * Prefix lookups for the benchmark, with bpf/risav/prefix.h, the lookup the
 * dataplane uses, and the baselines beside it: an exact-match hash of the
 * same addresses, one read at a random place in a 64 MiB array (the floor
 * of any direct-indexed table), and no lookup at all. Addresses come from
 * bench_addrs, moving on with every run.
 *
 * lookup_mean: BENCH_LOOKUPS lookups per run (the kernel's duration / runs
 * gives the mean). lookup_timed: BENCH_TIMED lookups per run, each between
 * two clock reads, into a histogram per address family.
 */
#include "lib/ctx.h"
#include "risav/prefix.h"
#include "bench_prefix.h"

enum { MODE_NONE, MODE_PREFIX, MODE_EXACT, MODE_FLAT };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_ADDRS);
	__type(key, __u32);
	__type(value, struct bench_addr);
} bench_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BENCH_ADDRS);
	__type(key, struct bench_addr);
	__type(value, __u32);
} bench_exact SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_FLAT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} bench_flat SEC(".maps");

__u32 mode; /* set by the driver before each series */
__u32 cursor;
__u64 hits; /* read back, so no lookup can be optimised away */
__u64 hist[2][BENCH_HIST_BUCKETS]; /* [0] IPv4, [1] IPv6 */

static __always_inline struct bench_addr *addr_at(__u32 i)
{
	__u32 k = i & (BENCH_ADDRS - 1);

	return bpf_map_lookup_elem(&bench_addrs, &k);
}

static __always_inline bool is_v4(const struct bench_addr *a)
{
	return a->addr[10] == 0xff && a->addr[11] == 0xff && !a->addr[0] &&
	       !a->addr[9];
}

/* IPv4: the top 24 bits; IPv6: 24 bits from inside the /48. */
static __always_inline __u32 flat_slot(const struct bench_addr *a)
{
	const __u8 *p = is_v4(a) ? &a->addr[12] : &a->addr[3];

	return (__u32)p[0] << 16 | (__u32)p[1] << 8 | p[2];
}

static __always_inline bool lookup(const struct bench_addr *a, __u32 m)
{
	__u32 asn, slot, *v;

	switch (m) {
	case MODE_PREFIX:
		return prefix_origin(a->addr, &asn);
	case MODE_EXACT:
		return bpf_map_lookup_elem(&bench_exact, a) != NULL;
	case MODE_FLAT:
		/* an array lookup is only arithmetic: read the slot */
		slot = flat_slot(a);
		v = bpf_map_lookup_elem(&bench_flat, &slot);
		return v && READ_ONCE(*v) == 0;
	default:
		return a->addr[15] != 0;
	}
}

SEC("xdp")
int lookup_mean(struct xdp_md *ctx)
{
	__u32 base = cursor, m = mode, found = 0;

	(void)ctx;
	for (int i = 0; i < BENCH_LOOKUPS; i++) {
		struct bench_addr *a = addr_at(base + i);

		if (a && lookup(a, m))
			found++;
	}
	cursor = base + BENCH_LOOKUPS;
	hits += found;
	return XDP_PASS;
}

static __always_inline void record(const struct bench_addr *a, __u64 ns)
{
	__u64 b = ns / BENCH_HIST_NS;

	if (b > BENCH_HIST_BUCKETS - 1)
		b = BENCH_HIST_BUCKETS - 1;
	hist[is_v4(a) ? 0 : 1][b]++;
}

SEC("xdp")
int lookup_timed(struct xdp_md *ctx)
{
	__u32 base = cursor, m = mode, found = 0;

	(void)ctx;
	for (int i = 0; i < BENCH_TIMED; i++) {
		struct bench_addr *a = addr_at(base + i);
		__u64 t0, t1;

		if (!a)
			continue;
		/* MODE_NONE times the clock reads alone */
		t0 = bpf_ktime_get_ns();
		if (m != MODE_NONE && lookup(a, m))
			found++;
		t1 = bpf_ktime_get_ns();
		record(a, t1 - t0);
	}
	cursor = base + BENCH_TIMED;
	hits += found;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
