/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The taggers' answer to a packet that its AH would push over the MTU
 * (after risav/tag_select.h): the packet is turned into an ICMPv6 Packet
 * Too Big (RFC 4443 §3.2) or, for IPv4 with DF, an ICMP Fragmentation
 * Needed (RFC 792, RFC 1191), reporting the MTU less the AH, and sent back
 * to its source. As much of the packet is quoted as fits the minimum MTU
 * (1280 / 576 bytes). The source address is the one the kernel picks for
 * that destination (bpf_fib_lookup() with BPF_FIB_LOOKUP_SRC, kernel
 * 6.8+).
 *
 * Never in answer to an ICMP error, and at most risav.too_big_rate per
 * second for each source (a token bucket per source address, by hash):
 * a spoofed source gets no flood. Only untagged frames (the IP header
 * right after Ethernet) are answered.
 *
 * Sent from TC egress (tag_icmp_too_big_skb()), redirected out of the
 * interface towards the source: the skb path reaches every device, where
 * XDP_TX or an XDP redirect to a veth is dropped unless its peer runs
 * NAPI (risav/tag_forward.h leaves too-big packets to TC for that).
 */
#ifndef ESPRIT_BPF_TAG_ICMP_H
#define ESPRIT_BPF_TAG_ICMP_H

#include "lib/csum.h"
#include "lib/ratelimit.h"

#define TAG_ICMP6_QUOTE_MAX \
	(ESPRIT_IPV6_MIN_MTU - ESPRIT_IPV6_HLEN - ESPRIT_ICMP_HLEN)
#define TAG_ICMP4_QUOTE_MAX \
	(ESPRIT_IPV4_MIN_MTU - ESPRIT_IPV4_HLEN_MIN - ESPRIT_ICMP_HLEN)
#define TAG_ICMP_TTL 64

/* Bytes of the packet the error quotes. */
static __always_inline __u32 tag_icmp_quote(const struct tag_pkt *tp)
{
	__u32 max = tp->l.family == ESPRIT_AF_INET6 ? TAG_ICMP6_QUOTE_MAX
						    : TAG_ICMP4_QUOTE_MAX;

	return tp->l3_len < max ? tp->l3_len : max;
}

/* The IP and ICMP headers the error puts in front of the quote. */
static __always_inline __u32 tag_icmp_hdrs_len(const struct tag_pkt *tp)
{
	return tp->l.family == ESPRIT_AF_INET6
		       ? ESPRIT_IPV6_HLEN + ESPRIT_ICMP_HLEN
		       : ESPRIT_IPV4_HLEN_MIN + ESPRIT_ICMP_HLEN;
}

/*
 * 0 if the packet may be answered, else why not (counted by the caller):
 * a VLAN-tagged frame or an ICMP error (no ICMP about ICMP errors), or a
 * source over its rate.
 */
static __always_inline enum esprit_reason
tag_icmp_allowed(const struct esprit_risav_config *cfg,
		 const struct tag_pkt *tp)
{
	struct esprit_rate_state *state;
	__u32 rate = cfg->too_big_rate ? cfg->too_big_rate
				       : ESPRIT_DEFAULT_TOO_BIG_RATE;
	__u64 hi, lo;
	__u32 slot;

	if (tp->l.l3_off != ESPRIT_ETH_HLEN || tp->icmp_error)
		return ESPRIT_R_RISAV_TOO_BIG_NO_ICMP;
	__builtin_memcpy(&hi, tp->src.addr, 8);
	__builtin_memcpy(&lo, tp->src.addr + 8, 8);
	slot = rate_prefix_slot(hi, lo) & (ESPRIT_TOO_BIG_SLOTS - 1);
	state = bpf_map_lookup_elem(&esprit_tb_rate, &slot);
	if (!state ||
	    !gcra_conforms(state, rate_now_ns(rate_tick_ns()), rate, rate))
		return ESPRIT_R_RISAV_TOO_BIG_ICMP_LIMITED;
	return 0;
}

/* The way back to the source: our address, next hop and interface. */
static __always_inline int tag_icmp_route(struct __sk_buff *skb,
					  const struct tag_pkt *tp,
					  __u32 ifindex,
					  struct bpf_fib_lookup *fib)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->ifindex = ifindex;
	fib->family = tp->l.family;
	fib->tot_len = tag_icmp_hdrs_len(tp) + tag_icmp_quote(tp);
	if (tp->l.family == ESPRIT_AF_INET6)
		__builtin_memcpy(fib->ipv6_dst, tp->src.addr, 16);
	else
		__builtin_memcpy(&fib->ipv4_dst, tp->src.addr + 12, 4);
	return bpf_fib_lookup(skb, fib, sizeof(*fib), BPF_FIB_LOOKUP_SRC);
}

static __always_inline void tag_icmp_eth(__u8 *h, const __u8 *dmac,
					 const __u8 *smac, __u16 proto)
{
	__builtin_memcpy(h, dmac, 6);
	__builtin_memcpy(h + 6, smac, 6);
	h[12] = proto >> 8;
	h[13] = proto;
}

/*
 * Ethernet, IP and ICMP headers of the error into tp->icmp (checksum 0),
 * from address src; for IPv6 the pseudo-header into tp->pseudo. Returns
 * their length; the ICMP header starts 8 bytes before its end.
 */
static __always_inline __u32 tag_icmp_headers(struct tag_pkt *tp,
					      const struct esprit_addr *src,
					      const __u8 *dmac,
					      const __u8 *smac, __u32 mtu)
{
	__u32 keep = tag_icmp_quote(tp);
	__u8 *h = tp->icmp;

	__builtin_memset(h, 0, sizeof(tp->icmp));
	if (tp->l.family == ESPRIT_AF_INET6) {
		__u32 plen = ESPRIT_ICMP_HLEN + keep;

		tag_icmp_eth(h, dmac, smac, 0x86dd);
		h[14] = 0x60;
		h[18] = plen >> 8;
		h[19] = plen;
		h[20] = ESPRIT_IPPROTO_ICMPV6;
		h[21] = TAG_ICMP_TTL;
		__builtin_memcpy(h + 22, src->addr, 16);
		__builtin_memcpy(h + 38, tp->src.addr, 16);
		h[54] = 2; /* Packet Too Big, code 0 */
		h[58] = mtu >> 24;
		h[59] = mtu >> 16;
		h[60] = mtu >> 8;
		h[61] = mtu;
		/* pseudo-header: addresses, length, next header */
		__builtin_memcpy(tp->pseudo, h + 22, 32);
		__builtin_memset(tp->pseudo + 32, 0, 8);
		tp->pseudo[34] = plen >> 8;
		tp->pseudo[35] = plen;
		tp->pseudo[39] = ESPRIT_IPPROTO_ICMPV6;
		return ESPRIT_ETH_HLEN + ESPRIT_IPV6_HLEN + ESPRIT_ICMP_HLEN;
	}
	{
		__u32 tot = ESPRIT_IPV4_HLEN_MIN + ESPRIT_ICMP_HLEN + keep;
		__s64 ipsum;
		__u16 csum;

		tag_icmp_eth(h, dmac, smac, 0x0800);
		h[14] = 0x45;
		h[15] = 0xc0; /* internetwork control */
		h[16] = tot >> 8;
		h[17] = tot;
		h[22] = TAG_ICMP_TTL;
		h[23] = ESPRIT_IPPROTO_ICMP;
		__builtin_memcpy(h + 26, src->addr + 12, 4);
		__builtin_memcpy(h + 30, tp->src.addr + 12, 4);
		ipsum = bpf_csum_diff(NULL, 0, (__be32 *)(h + 14), 20, 0);
		csum = ipsum < 0 ? 0 : ~skb_csum_fold((__u32)ipsum);
		__builtin_memcpy(h + 24, &csum, 2);
		h[34] = 3; /* Destination Unreachable */
		h[35] = 4; /* Fragmentation Needed and DF set */
		h[40] = mtu >> 8;
		h[41] = mtu;
		return ESPRIT_ETH_HLEN + ESPRIT_IPV4_HLEN_MIN +
		       ESPRIT_ICMP_HLEN;
	}
}

/* The sum the ICMP checksum starts from: the pseudo-header's (IPv6). */
static __always_inline int tag_icmp_seed(const struct tag_pkt *tp, __u32 *seed)
{
	__s64 s;

	*seed = 0;
	if (tp->l.family != ESPRIT_AF_INET6)
		return 0;
	s = bpf_csum_diff(NULL, 0, (__be32 *)tp->pseudo, 40, 0);
	if (s < 0)
		return -1;
	*seed = (__u32)s;
	return 0;
}

/*
 * The error is made of a packet whose L4 checksum was left for completion
 * (CHECKSUM_PARTIAL), and it still is: wherever the error leaves, the
 * kernel or the device will sum from the old start to the end and store
 * the result where the old checksum was, now inside the quote. That word
 * is given the one value the completion writes back unchanged: v with
 * v = ~(S + v) in ones' complement, S the sum of the other words, so
 * 2v = -S and v = -S * 2^-1 = -S * 32768 (mod 0xffff). 0 or -1.
 */
static __always_inline int tag_icmp_partial_fixed(struct __sk_buff *skb)
{
	__u32 start, field, sum, s;
	__u16 held, v;
	__u64 wide;
	int partial = skb_partial_csum(skb, &start, &field);

	if (partial <= 0)
		return partial;
	if (bpf_skb_load_bytes(skb, field, &held, 2) ||
	    skb_csum_range(skb, start, skb->len, 0, &sum))
		return -1;
	/* S: the sum without the word, as a number mod 0xffff */
	wide = (__u64)sum + (__u16)~held;
	s = skb_csum_fold((__u32)((wide & 0xffffffff) + (wide >> 32))) % 0xffff;
	v = (__u16)(((0xffff - s) * 32768ULL) % 0xffff);
	return bpf_skb_store_bytes(skb, field, &v, 2, 0) ? -1 : 0;
}

/*
 * The packet becomes the error for a path MTU of mtu, redirected towards
 * its source: TC_ACT_REDIRECT, or TC_ACT_SHOT if it cannot be (counted).
 * A source of this host's own (its packets leave through here) gets the
 * error as if the destination had sent it, received on this interface:
 * an error from one of its own addresses would be a martian.
 */
static __always_inline int
tag_icmp_too_big_skb(struct __sk_buff *skb,
		     const struct esprit_risav_config *cfg, struct tag_pkt *tp,
		     __u32 mtu)
{
	struct bpf_fib_lookup fib;
	enum esprit_reason why = tag_icmp_allowed(cfg, tp);
	__u32 keep = tag_icmp_quote(tp), hlen, seed, sum, to, flags = 0;
	/* read once: clang may otherwise load it through a moved pointer */
	__u32 ifindex = READ_ONCE(skb->ifindex);
	struct esprit_addr from;
	__u8 macs[12];
	__u16 csum;
	int rc;

	if (why)
		return count_verdict(why, tp->len, TC_ACT_SHOT);
	rc = tag_icmp_route(skb, tp, ifindex, &fib);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		if (tp->l.family == ESPRIT_AF_INET6)
			addr_from_ipv6(&from, (void *)fib.ipv6_src);
		else
			addr_from_ipv4(&from, fib.ipv4_src);
		hlen = tag_icmp_headers(tp, &from, fib.dmac, fib.smac, mtu);
		to = fib.ifindex;
	} else if (rc == BPF_FIB_LKUP_RET_NOT_FWDED &&
		   !bpf_skb_load_bytes(skb, 0, macs, 12)) {
		from = tp->dst;
		hlen = tag_icmp_headers(tp, &from, macs + 6, macs, mtu);
		to = ifindex;
		flags = BPF_F_INGRESS;
	} else {
		goto fail;
	}
	if (bpf_skb_change_tail(skb, ESPRIT_ETH_HLEN + keep, 0) ||
	    bpf_skb_adjust_room(skb, tag_icmp_hdrs_len(tp), BPF_ADJ_ROOM_MAC,
				0) ||
	    bpf_skb_store_bytes(skb, 0, tp->icmp, hlen & 63, 0) ||
	    tag_icmp_partial_fixed(skb) || tag_icmp_seed(tp, &seed) ||
	    skb_csum_range(skb, hlen - ESPRIT_ICMP_HLEN, hlen + keep, seed,
			   &sum))
		goto fail;
	csum = ~skb_csum_fold(sum);
	if (bpf_skb_store_bytes(skb, hlen - ESPRIT_ICMP_HLEN + 2, &csum, 2, 0))
		goto fail;
	count(ESPRIT_R_RISAV_TOO_BIG_ICMP_SENT, tp->len);
	return bpf_redirect(to, flags);
fail:
	return count_verdict(ESPRIT_R_RISAV_TOO_BIG_NO_ICMP, tp->len,
			     TC_ACT_SHOT);
}

#endif
