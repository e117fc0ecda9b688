/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tagger's answer to a packet that its AH would push over the MTU
 * (risav/tag.h includes this after struct tag_pkt): the packet is turned
 * into an ICMPv6 Packet Too Big (RFC 4443 §3.2) or, for IPv4 with DF, an
 * ICMP Fragmentation Needed (RFC 792, RFC 1191), reporting the MTU less
 * the AH, and sent back to its source. The source address is the one the
 * kernel picks for that destination, the next hop and MACs come from
 * bpf_fib_lookup() (BPF_FIB_LOOKUP_SRC, kernel 6.8+), and the packet is
 * redirected to the egress of the interface towards the source. As much
 * of the packet is quoted as fits the minimum MTU (1280 / 576 bytes).
 * Only untagged frames (the IP header right after Ethernet) are answered.
 */
#ifndef ESPRIT_BPF_TAG_ICMP_H
#define ESPRIT_BPF_TAG_ICMP_H

#define TAG_ICMP6_QUOTE_MAX \
	(ESPRIT_IPV6_MIN_MTU - ESPRIT_IPV6_HLEN - ESPRIT_ICMP_HLEN)
#define TAG_ICMP4_QUOTE_MAX \
	(ESPRIT_IPV4_MIN_MTU - ESPRIT_IPV4_HLEN_MIN - ESPRIT_ICMP_HLEN)
#define TAG_ICMP_TTL 64

static __always_inline void
tag_icmp_eth(__u8 *h, const struct bpf_fib_lookup *fib, __u16 proto)
{
	__builtin_memcpy(h, fib->dmac, 6);
	__builtin_memcpy(h + 6, fib->smac, 6);
	h[12] = proto >> 8;
	h[13] = proto;
}

/* ICMPv6 Packet Too Big in place of the packet; 0 or -1. */
static __always_inline int tag_icmp6(struct __sk_buff *skb, struct tag_pkt *tp,
				     const struct bpf_fib_lookup *fib,
				     __u32 mtu)
{
	__u32 keep = tp->l3_len < TAG_ICMP6_QUOTE_MAX ? tp->l3_len
						      : TAG_ICMP6_QUOTE_MAX;
	__u32 plen = 8 + keep, sum;
	__u8 *h = tp->icmp;
	__s64 pseudo;
	__u16 csum;

	if (bpf_skb_change_tail(skb, ESPRIT_ETH_HLEN + keep, 0) ||
	    bpf_skb_adjust_room(skb, ESPRIT_IPV6_HLEN + 8, BPF_ADJ_ROOM_MAC, 0))
		return -1;
	__builtin_memset(h, 0, sizeof(tp->icmp));
	tag_icmp_eth(h, fib, 0x86dd);
	h[14] = 0x60;
	h[18] = plen >> 8;
	h[19] = plen;
	h[20] = 58; /* ICMPv6 */
	h[21] = TAG_ICMP_TTL;
	__builtin_memcpy(h + 22, fib->ipv6_src, 16);
	__builtin_memcpy(h + 38, tp->src.addr, 16);
	h[54] = 2; /* Packet Too Big, code 0 */
	h[58] = mtu >> 24;
	h[59] = mtu >> 16;
	h[60] = mtu >> 8;
	h[61] = mtu;
	if (bpf_skb_store_bytes(skb, 0, h, 62, 0))
		return -1;
	/* pseudo-header: addresses, length, next header */
	__builtin_memcpy(tp->pseudo, h + 22, 32);
	tp->pseudo[32] = 0;
	tp->pseudo[33] = 0;
	tp->pseudo[34] = plen >> 8;
	tp->pseudo[35] = plen;
	tp->pseudo[36] = tp->pseudo[37] = tp->pseudo[38] = 0;
	tp->pseudo[39] = 58;
	pseudo = bpf_csum_diff(NULL, 0, (__be32 *)tp->pseudo, 40, 0);
	if (pseudo < 0 || tag_csum_prepare(skb, tp) ||
	    skb_csum_range(skb, 54, 54 + plen, (__u32)pseudo, &sum))
		return -1;
	csum = ~skb_csum_fold(sum);
	if (bpf_skb_store_bytes(skb, 56, &csum, 2, 0))
		return -1;
	return tag_csum_restore(skb, tp);
}

/* ICMP Fragmentation Needed in place of the packet; 0 or -1. */
static __always_inline int tag_icmp4(struct __sk_buff *skb, struct tag_pkt *tp,
				     const struct bpf_fib_lookup *fib,
				     __u32 mtu)
{
	__u32 keep = tp->l3_len < TAG_ICMP4_QUOTE_MAX ? tp->l3_len
						      : TAG_ICMP4_QUOTE_MAX;
	__u32 tot = 28 + keep, sum;
	__u8 *h = tp->icmp;
	__s64 ipsum;
	__u16 csum;

	if (bpf_skb_change_tail(skb, ESPRIT_ETH_HLEN + keep, 0) ||
	    bpf_skb_adjust_room(skb, 28, BPF_ADJ_ROOM_MAC, 0))
		return -1;
	__builtin_memset(h, 0, sizeof(tp->icmp));
	tag_icmp_eth(h, fib, 0x0800);
	h[14] = 0x45;
	h[15] = 0xc0; /* internetwork control */
	h[16] = tot >> 8;
	h[17] = tot;
	h[22] = TAG_ICMP_TTL;
	h[23] = 1; /* ICMP */
	__builtin_memcpy(h + 26, &fib->ipv4_src, 4);
	__builtin_memcpy(h + 30, tp->src.addr + 12, 4);
	ipsum = bpf_csum_diff(NULL, 0, (__be32 *)(h + 14), 20, 0);
	if (ipsum < 0)
		return -1;
	csum = ~skb_csum_fold((__u32)ipsum);
	__builtin_memcpy(h + 24, &csum, 2);
	h[34] = 3; /* Destination Unreachable */
	h[35] = 4; /* Fragmentation Needed and DF set */
	h[40] = mtu >> 8;
	h[41] = mtu;
	if (bpf_skb_store_bytes(skb, 0, h, 42, 0) ||
	    tag_csum_prepare(skb, tp) ||
	    skb_csum_range(skb, 34, 34 + 8 + keep, 0, &sum))
		return -1;
	csum = ~skb_csum_fold(sum);
	if (bpf_skb_store_bytes(skb, 36, &csum, 2, 0))
		return -1;
	return tag_csum_restore(skb, tp);
}

/*
 * Turns the packet into the ICMP error for a path MTU of mtu and
 * redirects it towards its source: TC_ACT_REDIRECT, or TC_ACT_SHOT if it
 * cannot (no route or neighbour back, a VLAN-tagged frame, a helper
 * failing), counted either way.
 */
static __always_inline int tag_icmp_too_big(struct __sk_buff *skb,
					    struct tag_pkt *tp, __u32 mtu)
{
	struct bpf_fib_lookup fib = {};
	int err;

	if (tp->l.l3_off != ESPRIT_ETH_HLEN)
		return count_verdict(ESPRIT_R_RISAV_TOO_BIG_NO_ICMP, tp->len,
				     TC_ACT_SHOT);
	fib.ifindex = skb->ifindex;
	if (tp->l.family == ESPRIT_AF_INET6) {
		fib.family = ESPRIT_AF_INET6;
		__builtin_memcpy(fib.ipv6_dst, tp->src.addr, 16);
		fib.tot_len = ESPRIT_IPV6_HLEN + 8 +
			      (tp->l3_len < TAG_ICMP6_QUOTE_MAX
				       ? tp->l3_len
				       : TAG_ICMP6_QUOTE_MAX);
	} else {
		fib.family = ESPRIT_AF_INET;
		__builtin_memcpy(&fib.ipv4_dst, tp->src.addr + 12, 4);
		fib.tot_len = 28 + (tp->l3_len < TAG_ICMP4_QUOTE_MAX
					    ? tp->l3_len
					    : TAG_ICMP4_QUOTE_MAX);
	}
	if (bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_SRC) !=
	    BPF_FIB_LKUP_RET_SUCCESS)
		return count_verdict(ESPRIT_R_RISAV_TOO_BIG_NO_ICMP, tp->len,
				     TC_ACT_SHOT);
	err = tp->l.family == ESPRIT_AF_INET6 ? tag_icmp6(skb, tp, &fib, mtu)
					      : tag_icmp4(skb, tp, &fib, mtu);
	if (err)
		return count_verdict(ESPRIT_R_RISAV_TOO_BIG_NO_ICMP, tp->len,
				     TC_ACT_SHOT);
	count(ESPRIT_R_RISAV_TOO_BIG_ICMP_SENT, tp->len);
	return bpf_redirect(fib.ifindex, 0);
}

#endif
