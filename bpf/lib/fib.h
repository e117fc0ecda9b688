/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "Would the kernel forward this packet?" on a forwarding ingress device,
 * remembered. bpf_fib_lookup() runs a full route lookup, well over 100 ns
 * a packet, and a prober sends to the same address again and again.
 *
 * An answer is reused only while the routes it was read under are
 * unchanged, as the kernel's own counters tell: IPv4's rt_genid, bumped on
 * every change to routes, local addresses and rules (what the kernel
 * checks its cached IPv4 routes against); for IPv6, fib6_sernum, bumped
 * when a route is added or replaced and when rules change, and the count
 * of routes, which a deletion lowers (the kernel's IPv6 route cache hangs
 * on per-node serial numbers instead, out of our reach). They are read
 * before the lookup, so a change during it leaves an entry that never
 * matches. At most ESPRIT_FIB_CACHE_TICKS ticks too, which bounds what no
 * counter tracks: an IPv6 route whose lifetime ran out is ignored by the
 * lookup at once but deleted (and counted) only by the next garbage
 * collection. The table is per CPU and direct-mapped by a hash of the
 * addresses; an entry matches on every input of the lookup that can
 * change its answer: namespace, device, family, source and destination.
 */
#ifndef ESPRIT_BPF_FIB_H
#define ESPRIT_BPF_FIB_H

#include "lib/ctx.h"
#include "lib/device.h"
#include "lib/parse.h"
#include "esprit_fib.h"
#include "esprit_limits.h"

/* Per CPU, not pinned: the answers remembered (it only saves work). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ESPRIT_FIB_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct esprit_fib_verdict);
} esprit_fib_memo SEC(".maps");

/* What bpf_fib_lookup() is asked, and whether it forwards: 1 if it does. */
static __always_inline int fib_lookup_forwards(struct xdp_md *ctx,
					       const struct packet *pkt,
					       const __u64 *src,
					       const __u64 *dst)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	fib.ifindex = ctx->ingress_ifindex;
	fib.l4_protocol = ESPRIT_IPPROTO_ESP;
	fib.tot_len = pkt->l3_len;
	fib.family = pkt->family;
	if (pkt->family == ESPRIT_AF_INET) {
		fib.ipv4_src = (__be32)src[1];
		fib.ipv4_dst = (__be32)dst[1];
	} else {
		__builtin_memcpy(fib.ipv6_src, src, 16);
		__builtin_memcpy(fib.ipv6_dst, dst, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	return rc != BPF_FIB_LKUP_RET_NOT_FWDED &&
	       rc != BPF_FIB_LKUP_RET_FWD_DISABLED;
}

/*
 * Slot of an address pair: the words are loaded as they lie in memory, so
 * the last bytes of an address are the high bits of a word, and a
 * multiply only carries bits upwards; the xor-shift-multiply rounds at the
 * end bring every bit down into the index. Asymmetric in src and dst, so a
 * request and its reply direction do not share a slot.
 */
static __always_inline __u32 fib_slot(const __u64 *src, const __u64 *dst)
{
	__u64 h = dst[0] + dst[1] * 0x9e3779b97f4a7c15ULL;

	h ^= (src[0] + src[1] * 0x9e3779b97f4a7c15ULL) * 0xd6e8feb86659fd93ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h & (ESPRIT_FIB_CACHE_SLOTS - 1);
}

/*
 * 1 if bpf_fib_lookup() from the ingress device would forward the request
 * (its destination is someone else's), 0 if not (local, broadcast, no
 * route, link-local), or -1 if the IP header is not there. Meant for
 * devices that forward: on others the lookup stops at "forwarding off".
 */
static __noinline int fib_transit(struct xdp_md *ctx, const struct packet *pkt)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	void *l3 = data + (pkt->l3_off & PKT_OFF_MASK);
	struct net *net = ingress_dev(ctx)->nd_net.net;
	__u64 src[2] = {}, dst[2] = {};
	struct esprit_fib_verdict *v;
	__u64 cookie, now, generation;
	int transit;
	__u32 slot;

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return -1;
		src[1] = ip->saddr;
		dst[1] = ip->daddr;
		generation = (__u32)READ_ONCE(net->ipv4.rt_genid.counter);
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		__builtin_memcpy(src, &ip6->saddr, 16);
		__builtin_memcpy(dst, &ip6->daddr, 16);
		generation =
			(__u64)(__u32)READ_ONCE(net->ipv6.fib6_sernum.counter)
				<< 32 |
			READ_ONCE(net->ipv6.rt6_stats->fib_rt_entries);
	}
	cookie = net->net_cookie;
	now = bpf_jiffies64();
	slot = fib_slot(src, dst);
	v = bpf_map_lookup_elem(&esprit_fib_memo, &slot);
	if (v && v->family == pkt->family && v->generation == generation &&
	    v->ifindex == ctx->ingress_ifindex && v->net_cookie == cookie &&
	    now - v->stamp < ESPRIT_FIB_CACHE_TICKS && v->dst[0] == dst[0] &&
	    v->dst[1] == dst[1] && v->src[0] == src[0] && v->src[1] == src[1])
		return v->transit;

	transit = fib_lookup_forwards(ctx, pkt, src, dst);
	if (v) {
		v->src[0] = src[0];
		v->src[1] = src[1];
		v->dst[0] = dst[0];
		v->dst[1] = dst[1];
		v->net_cookie = cookie;
		v->stamp = now;
		v->ifindex = ctx->ingress_ifindex;
		v->generation = generation;
		v->family = pkt->family;
		v->transit = transit;
	}
	return transit;
}

#endif
