/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whom the responder answers: frames for our MAC address and destinations
 * that are ours (R2, bpf/lib/host.h or the address list), sources it may
 * answer, the allowlist, and the reply rate limits (R3): a
 * per-source-prefix bucket, then the global one, which priority sources
 * (esprit_priority, the allowlist) get past.
 */
#ifndef ESPRIT_BPF_ECHO_POLICY_H
#define ESPRIT_BPF_ECHO_POLICY_H

#include "lib/ctx.h"
#include "lib/addr.h"
#include "lib/device.h"
#include "lib/host.h"
#include "lib/parse.h"
#include "lib/ratelimit.h"
#include "echo/maps.h"

/*
 * The address list's verdict (ESPRIT_ECHO_LOCAL_LIST): the destination
 * must be listed, then bad_src (the source's class) is reported, then a
 * listed source is refused.
 */
static __noinline enum esprit_reason echo_local_list(struct xdp_md *ctx,
						     const struct packet *pkt,
						     enum esprit_reason bad_src)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	void *l3 = data + (pkt->l3_off & PKT_OFF_MASK);
	struct esprit_addr src, dst;

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return ESPRIT_R_MALFORMED_L3;
		addr_from_ipv4(&src, ip->saddr);
		addr_from_ipv4(&dst, ip->daddr);
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return ESPRIT_R_MALFORMED_L3;
		addr_from_ipv6(&src, &ip6->saddr);
		addr_from_ipv6(&dst, &ip6->daddr);
	}
	if (!bpf_map_lookup_elem(&esprit_local, &dst))
		return ESPRIT_R_ECHO_DST_NOT_LOCAL;
	if (bad_src)
		return bad_src;
	if (bpf_map_lookup_elem(&esprit_local, &src))
		return ESPRIT_R_ECHO_SRC_LOCAL;
	return 0;
}

/*
 * The packet's addresses as two 64-bit words each, as they lie on the
 * wire; IPv4 in the low bytes of word 1. Returns -1 if the header is not
 * there.
 */
static __always_inline int echo_addr_words(void *data, void *data_end,
					   const struct packet *pkt, __u64 *src,
					   __u64 *dst)
{
	void *l3 = data + (pkt->l3_off & PKT_OFF_MASK);

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return -1;
		src[0] = dst[0] = 0;
		src[1] = ip->saddr;
		dst[1] = ip->daddr;
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		__builtin_memcpy(src, &ip6->saddr, 16);
		__builtin_memcpy(dst, &ip6->daddr, 16);
	}
	return 0;
}

/*
 * Without the address list: HOST_DST_OURS exactly (the destination is
 * ours and the source is not), or what else the device lists say.
 */
static __always_inline int echo_host_verdict(struct xdp_md *ctx,
					     const struct packet *pkt)
{
	__u64 src[2], dst[2];

	if (echo_addr_words(xdp_data(ctx), xdp_data_end(ctx), pkt, src, dst))
		return 0;
	return host_addresses(ctx, pkt->family, src, dst);
}

/*
 * Reads the addresses and returns 0 if the request may be answered. In
 * this order: group destinations (L2, then IP) are refused; frames for
 * another MAC and destinations that are not ours pass, whatever else is
 * wrong with them, since traffic for others is not ours to judge; then
 * the sources R2 forbids are refused.
 */
static __always_inline enum esprit_reason
echo_check_addresses(struct xdp_md *ctx, void *data, void *data_end,
		     const struct packet *pkt, const struct esprit_config *cfg,
		     struct net_device *dev)
{
	void *l3 = data + (pkt->l3_off & PKT_OFF_MASK);
	struct ethhdr *eth = data;
	enum esprit_reason bad_src, bad_dst;
	int found;

	if ((void *)(eth + 1) > data_end)
		return ESPRIT_R_MALFORMED_L3;
	/* Directed broadcasts arrive as L2 broadcast: never amplify them. */
	if (eth->h_dest[0] & 1)
		return ESPRIT_R_ECHO_DST_NOT_UNICAST;
	if (!host_mac_is_device(dev, (const __u16 *)eth->h_dest))
		return ESPRIT_R_ECHO_DST_MAC_NOT_OURS;

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return ESPRIT_R_MALFORMED_L3;
		bad_dst = ipv4_bad_dest(ip->daddr);
		if (bad_dst)
			return bad_dst;
		bad_src = ipv4_bad_source(ip->saddr, ip->daddr);
	} else {
		struct ipv6hdr *ip6 = l3;
		struct ipv6_words src, dst;

		if ((void *)(ip6 + 1) > data_end)
			return ESPRIT_R_MALFORMED_L3;
		dst = ipv6_words(&ip6->daddr);
		bad_dst = ipv6_bad_dest(dst);
		if (bad_dst)
			return bad_dst;
		src = ipv6_words(&ip6->saddr);
		bad_src = ipv6_bad_source(src, dst);
	}

	if (cfg->echo_flags & ESPRIT_ECHO_LOCAL_LIST)
		return echo_local_list(ctx, pkt, bad_src);
	found = echo_host_verdict(ctx, pkt);
	if (!(found & HOST_DST_OURS))
		return ESPRIT_R_ECHO_DST_NOT_LOCAL;
	if (bad_src)
		return bad_src;
	if (found & HOST_SRC_OURS)
		return ESPRIT_R_ECHO_SRC_LOCAL;
	return 0;
}

/*
 * The source as IPv6 words in host order, IPv4 as ::ffff:a.b.c.d (the
 * form of every address key). Returns -1 if the header is not there.
 */
static __always_inline int echo_source(void *data, void *data_end,
				       const struct packet *pkt, __u64 *hi,
				       __u64 *lo)
{
	void *l3 = data + (pkt->l3_off & PKT_OFF_MASK);

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return -1;
		*hi = 0;
		*lo = ((__u64)0xffff << 32) | bpf_ntohl(ip->saddr);
	} else {
		struct ipv6hdr *ip6 = l3;
		struct ipv6_words w;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		w = ipv6_words(&ip6->saddr);
		*hi = bpf_be64_to_cpu(w.hi);
		*lo = bpf_be64_to_cpu(w.lo);
	}
	return 0;
}

/* The requester's address as the key of an address map or trie. */
static __always_inline int echo_source_addr(struct xdp_md *ctx,
					    const struct packet *pkt,
					    struct esprit_addr *a)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	void *l3 = data + (pkt->l3_off & PKT_OFF_MASK);

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return -1;
		addr_from_ipv4(a, ip->saddr);
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		addr_from_ipv6(a, &ip6->saddr);
	}
	return 0;
}

/* 1 if the requester is in the allowlist. */
static __always_inline int echo_in_allowlist(const struct esprit_addr *a)
{
	struct esprit_prefix_key key = {.prefixlen = 128};

	__builtin_memcpy(key.addr, a->addr, 16);
	return bpf_map_lookup_elem(&esprit_allow, &key) != NULL;
}

/* 1 if the requester is allowlisted (ESPRIT_ECHO_ALLOWLIST). */
static __noinline int echo_allowlisted(struct xdp_md *ctx,
				       const struct packet *pkt)
{
	struct esprit_addr a;

	if (echo_source_addr(ctx, pkt, &a))
		return 0;
	return echo_in_allowlist(&a);
}

/*
 * 1 if the requester is a priority source: an address in esprit_priority
 * or a prefix of the allowlist. Asked only when the global bucket is
 * empty, so the common request never pays for it.
 */
static __noinline int echo_priority_source(struct xdp_md *ctx,
					   const struct packet *pkt)
{
	struct esprit_addr a;

	if (echo_source_addr(ctx, pkt, &a))
		return 0;
	return bpf_map_lookup_elem(&esprit_priority, &a) != NULL ||
	       echo_in_allowlist(&a);
}

/* Recomputes what the rate settings imply after they changed. */
static __noinline void echo_rate_memo_update(struct esprit_rate_memo *m,
					     const struct esprit_config *cfg)
{
	m->rate_global = cfg->rate_global;
	m->rate_global_burst = cfg->rate_global_burst;
	m->rate_prefix = cfg->rate_prefix;
	m->rate_prefix_burst = cfg->rate_prefix_burst;
	m->prefix_len_v4 = cfg->prefix_len_v4;
	m->prefix_len_v6 = cfg->prefix_len_v6;
	m->valid = 1;
	m->tick_ns = rate_tick_ns();
	rate_params(&m->global,
		    cfg_or(cfg->rate_global, ESPRIT_DEFAULT_RATE_GLOBAL),
		    cfg->rate_global_burst);
	rate_params(&m->prefix,
		    cfg_or(cfg->rate_prefix, ESPRIT_DEFAULT_RATE_PREFIX),
		    cfg->rate_prefix_burst);
	rate_prefix_mask(m->mask_v4,
			 ESPRIT_V4_MAPPED_PREFIXLEN +
				 cfg_or(cfg->prefix_len_v4,
					ESPRIT_DEFAULT_PREFIX_LEN_V4));
	rate_prefix_mask(m->mask_v6, cfg_or(cfg->prefix_len_v6,
					    ESPRIT_DEFAULT_PREFIX_LEN_V6));
}

/*
 * The rate limits, when at least one is on: 0 or
 * ESPRIT_R_ECHO_REFLECTED_PRIORITY to answer, else the refusal.
 * Per-prefix bucket first, so one noisy prefix cannot drain the global
 * one; a priority source still has its prefix's bucket to respect. A function of its own:
 * inlined, its values would crowd the answer's registers.
 */
static __always_inline enum esprit_reason
echo_rate_limit_on(struct xdp_md *ctx, const struct packet *pkt,
		   const struct esprit_config *cfg)
{
	struct esprit_rate_state *state;
	struct esprit_rate_memo *memo;
	__u32 zero = 0;
	__u64 now;

	memo = bpf_map_lookup_elem(&esprit_rl_memo, &zero);
	if (!memo) /* an array's only slot: cannot happen */
		return 0;
	if (memo->rate_global != cfg->rate_global ||
	    memo->rate_global_burst != cfg->rate_global_burst ||
	    memo->rate_prefix != cfg->rate_prefix ||
	    memo->rate_prefix_burst != cfg->rate_prefix_burst ||
	    memo->prefix_len_v4 != cfg->prefix_len_v4 ||
	    memo->prefix_len_v6 != cfg->prefix_len_v6 || !memo->valid)
		echo_rate_memo_update(memo, cfg);
	now = rate_now_ns(memo->tick_ns);
	if (cfg->rate_prefix != ESPRIT_RATE_UNLIMITED) {
		const __u64 *mask = pkt->family == ESPRIT_AF_INET
					    ? memo->mask_v4
					    : memo->mask_v6;
		__u64 hi, lo;
		__u32 slot;

		if (echo_source(xdp_data(ctx), xdp_data_end(ctx), pkt, &hi,
				&lo))
			return ESPRIT_R_ECHO_RATE_PREFIX;
		slot = rate_prefix_slot(hi & mask[0], lo & mask[1]);
		state = bpf_map_lookup_elem(&esprit_pfx_rate, &slot);
		if (state && !gcra_conforms_params(state, now, &memo->prefix))
			return ESPRIT_R_ECHO_RATE_PREFIX;
	}
	if (cfg->rate_global != ESPRIT_RATE_UNLIMITED) {
		state = bpf_map_lookup_elem(&esprit_rate_all, &zero);
		if (state && !gcra_conforms_params(state, now, &memo->global))
			return echo_priority_source(ctx, pkt)
				       ? ESPRIT_R_ECHO_REFLECTED_PRIORITY
				       : ESPRIT_R_ECHO_RATE_GLOBAL;
	}
	return 0;
}

static __always_inline enum esprit_reason
echo_rate_limit(struct xdp_md *ctx, const struct packet *pkt,
		const struct esprit_config *cfg)
{
	if (cfg->rate_prefix == ESPRIT_RATE_UNLIMITED &&
	    cfg->rate_global == ESPRIT_RATE_UNLIMITED)
		return 0;
	return echo_rate_limit_on(ctx, pkt, cfg);
}

#endif
