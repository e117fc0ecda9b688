/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV at the sending border router, in XDP: packets from the local AS
 * that this router forwards to a peer AS are tagged as they arrive on the
 * inside interface, one by one, before GRO can merge them into a GSO
 * packet no tag could cover (an AH packet is never merged). The choices
 * are those of the TC tagger (risav/tag_select.h); what differs:
 *
 *  - Only packets the kernel will forward (bpf_fib_lookup() names an
 *    interface) out of an interface esprit prepared for tagging
 *    (esprit_tag_devs: no transmit checksum offload there, so a checksum
 *    left to the device is completed by the kernel, as skb_checksum_help()
 *    does) are tagged here; anything else is left to the stack and to
 *    the TC tagger of the interface it leaves by.
 *  - The MTU is the route's (the lookup's mtu_result). Too big once
 *    tagged: IPv6 and IPv4 with DF go on untagged, each with XDP metadata
 *    of its own so GRO merges none of them, to the TC tagger of the
 *    interface they leave by, which answers each with an ICMP error
 *    carrying the MTU less the AH (risav/icmp.h: from XDP, XDP_TX and
 *    redirects to a veth are lost unless its peer runs NAPI); IPv4
 *    without DF is tagged and left to the kernel, which fragments it.
 *  - XDP cannot see whether the sender left the TCP or UDP checksum to
 *    the device, so the checksum is computed (tag_l4_csum_signed()): a
 *    packet that holds it already is signed as it is, one that holds only
 *    the pseudo-header's sum is signed as the kernel will complete it.
 *
 * The packet then goes on (XDP_PASS) with its AH; the TC tagger of the
 * interface it leaves by sees the AH and leaves it alone.
 */
#ifndef ESPRIT_BPF_TAG_FORWARD_H
#define ESPRIT_BPF_TAG_FORWARD_H

#include "lib/hmac.h"
#include "lib/csum.h"
#include "risav/tag_select.h"

/* risav_tag_forward(): not tagged here, let the rest of XDP look at it */
#define TAG_FWD_CONTINUE (-1)
/* tag_fwd_check(): the AH is in place, hash (no XDP action is this) */
#define TAG_FWD_HASH 0x100

static __always_inline int tag_fwd_action(enum tag_choice c)
{
	return c == TAG_DROP ? XDP_DROP : XDP_PASS;
}

/*
 * A packet left to the TC tagger untagged: metadata unique to it (4
 * random bytes), since GRO merges only packets whose metadata match.
 */
static __always_inline int tag_fwd_unmerged(struct xdp_md *ctx)
{
	__u32 *meta;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return XDP_PASS;
	meta = xdp_data_meta(ctx);
	if ((void *)(meta + 1) > xdp_data(ctx))
		return XDP_PASS;
	*meta = bpf_get_prandom_u32();
	return XDP_PASS;
}

/*
 * Where the kernel will forward the packet once tagged: 0 with the
 * egress in *ifindex, 1 with the route's MTU in *mtu (too big), or -1
 * (not forwarded: to this host, unroutable, forwarding off).
 */
static __always_inline int tag_fwd_route(struct xdp_md *ctx,
					 const struct tag_pkt *tp,
					 __u32 *ifindex, __u32 *mtu)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	fib.family = tp->l.family;
	fib.ifindex = ctx->ingress_ifindex;
	fib.l4_protocol = tp->nexthdr;
	fib.tot_len = tp->l3_len + tp->ah_len;
	if (tp->l.family == ESPRIT_AF_INET6) {
		__builtin_memcpy(fib.ipv6_src, tp->src.addr, 16);
		__builtin_memcpy(fib.ipv6_dst, tp->dst.addr, 16);
	} else {
		fib.tos = tp->dscp << 2;
		__builtin_memcpy(&fib.ipv4_src, tp->src.addr + 12, 4);
		__builtin_memcpy(&fib.ipv4_dst, tp->dst.addr + 12, 4);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), BPF_FIB_LOOKUP_SKIP_NEIGH);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		*mtu = fib.mtu_result;
		/* again without the MTU check, for the interface */
		fib.tot_len = 0;
		rc = bpf_fib_lookup(ctx, &fib, sizeof(fib),
				    BPF_FIB_LOOKUP_SKIP_NEIGH);
		if (rc != BPF_FIB_LKUP_RET_SUCCESS)
			return -1;
		*ifindex = fib.ifindex;
		return 1;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return -1;
	*ifindex = fib.ifindex;
	return 0;
}

/*
 * The TCP or UDP checksum as the wire will carry it, into tp (csum_off,
 * csum_held, csum_signed); csum_off stays 0 for other protocols and for
 * UDP without a checksum (zero: IPv4, or IPv6 tunnels as RFC 6935
 * allows; a sum left to the device is never zero, since the pseudo-
 * header's is not). 0 or -1.
 */
static __always_inline int tag_fwd_csum(struct xdp_md *ctx, struct tag_pkt *tp)
{
	__u32 l4 = tp->ins, end = tp->l.l3_off + tp->l3_len, len, field;
	__u32 sum, seed;
	__u64 wide;
	__s64 s;

	tp->csum_off = 0;
	if (tp->nexthdr == ESPRIT_IPPROTO_TCP)
		field = l4 + ESPRIT_TCP_CSUM_OFF;
	else if (tp->nexthdr == ESPRIT_IPPROTO_UDP)
		field = l4 + ESPRIT_UDP_CSUM_OFF;
	else
		return 0;
	if (field + 2 > end || end > 65535)
		return -1;
	if (bpf_xdp_load_bytes(ctx, field, &tp->csum_held, 2))
		return -1;
	if (tp->nexthdr == ESPRIT_IPPROTO_UDP && !tp->csum_held)
		return 0;
	len = end - l4;
	__builtin_memset(tp->pseudo, 0, sizeof(tp->pseudo));
	if (tp->l.family == ESPRIT_AF_INET6) {
		__builtin_memcpy(tp->pseudo, tp->src.addr, 16);
		__builtin_memcpy(tp->pseudo + 16, tp->dst.addr, 16);
		tp->pseudo[34] = len >> 8;
		tp->pseudo[35] = len;
		tp->pseudo[39] = tp->nexthdr;
		s = bpf_csum_diff(NULL, 0, (__be32 *)tp->pseudo, 40, 0);
	} else {
		__builtin_memcpy(tp->pseudo, tp->src.addr + 12, 4);
		__builtin_memcpy(tp->pseudo + 4, tp->dst.addr + 12, 4);
		tp->pseudo[9] = tp->nexthdr;
		tp->pseudo[10] = len >> 8;
		tp->pseudo[11] = len;
		s = bpf_csum_diff(NULL, 0, (__be32 *)tp->pseudo, 12, 0);
	}
	if (s < 0)
		return -1;
	/* the field counts as zero: its value taken back out of the sum */
	wide = (__u64)(__u32)s + (__u16)~tp->csum_held;
	seed = (__u32)((wide & 0xffffffff) + (wide >> 32));
	if (xdp_csum_range(ctx, l4, end, seed, &sum))
		return -1;
	tp->csum_signed =
		tag_l4_csum_signed(tp->csum_held, (__u16)~skb_csum_fold(sum));
	tp->csum_off = field;
	return 0;
}

static __always_inline int
tag_fwd_csum_swap(struct xdp_md *ctx, struct tag_pkt *tp, bool signed_value)
{
	if (!tp->csum_off)
		return 0;
	return bpf_xdp_store_bytes(
		       ctx, tp->csum_off,
		       signed_value ? &tp->csum_signed : &tp->csum_held, 2)
		       ? -1
		       : 0;
}

/*
 * Room for the AH in front of the frame, and the link and IP headers
 * (saved in scr->orig, already fixed) moved to the front of it, so the
 * AH's place is right after them and the payload does not move.
 */
static __always_inline int tag_fwd_insert(struct xdp_md *ctx,
					  struct tag_pkt *tp,
					  struct ah_icv_scratch *scr)
{
	__u32 ins = tp->ins;

	if (ins < 1 || ins > ESPRIT_AH_HDRS_MAX)
		return -1;
	if (bpf_xdp_adjust_head(ctx, -(int)tp->ah_len))
		return -1;
	if (bpf_xdp_store_bytes(ctx, 0, scr->orig, ins))
		return -1;
	if (tp->ah_len == TAG_AH_LEN_V4)
		return bpf_xdp_store_bytes(ctx, ins, tp->ah, TAG_AH_LEN_V4) ? -1
									    : 0;
	return bpf_xdp_store_bytes(ctx, ins, tp->ah, TAG_AH_LEN_V6) ? -1 : 0;
}

/* The ICV into tp->icv, as tag_icv() does at TC. 0 or -1. */
__noinline int tag_fwd_icv(struct xdp_md *ctx, struct tag_pkt *tp)
{
	struct ah_icv_scratch *scr = ah_icv_scratch();
	int err;

	if (!ctx || !tp || !scr)
		return -1;
	if (ah_icv_prepare(ctx, &tp->l, scr))
		return -1;
	err = hmac_sha256(ctx, tp->l.l3_off, tp->l3_len + tp->ah_len, &tp->key,
			  tp->icv);
	__builtin_memset(&tp->key, 0, sizeof(tp->key));
	if (ah_icv_restore(ctx, &tp->l, scr) || err)
		return -1;
	return 0;
}

/*
 * Everything before the hash: an XDP action, TAG_FWD_CONTINUE, or
 * TAG_FWD_HASH with the AH in place. A global function: its frame is gone when the hash
 * runs.
 */
__noinline int tag_fwd_check(struct xdp_md *ctx, const struct packet *pkt)
{
	const struct esprit_risav_config *cfg;
	struct ah_icv_scratch *scr;
	struct tag_pkt *tp = tag_scratch();
	__u32 zero = 0, ifindex = 0, mtu = 0;
	enum tag_choice c;
	int route;

	cfg = bpf_map_lookup_elem(&esprit_risav, &zero);
	if (!cfg || !cfg->local_asn || !tp || !pkt || !ctx)
		return TAG_FWD_CONTINUE;
	__builtin_memset(tp, 0, sizeof(*tp));
	if (tag_read(xdp_data(ctx), xdp_data_end(ctx), pkt, tp) || tp->tagged ||
	    !tag_candidate(cfg, tp))
		return TAG_FWD_CONTINUE;
	route = tag_fwd_route(ctx, tp, &ifindex, &mtu);
	if (route < 0 || !bpf_map_lookup_elem(&esprit_tag_devs, &ifindex))
		return TAG_FWD_CONTINUE;
	c = tag_select(cfg, tp, false);
	if (c != TAG_SA)
		return tag_fwd_action(c);
	if (route == 1) {
		if (tp->l.family == ESPRIT_AF_INET6 || tp->df)
			return tag_fwd_unmerged(ctx);
		count(ESPRIT_R_RISAV_TOO_BIG_TAGGED, tp->len);
	}
	scr = ah_icv_scratch();
	if (!scr || tag_fwd_csum(ctx, tp) ||
	    ah_copy_headers(ctx, SHA256_PKT_XDP, scr->orig, tp->ins))
		return tag_fwd_action(tag_untaggable(tp));
	c = tag_take_seq(tp);
	if (c != TAG_SA)
		return tag_fwd_action(c);
	tag_fix_headers(scr->orig, tp);
	tag_build_ah(tp);
	/* the payload stays where it is: the field, before the move */
	if (tag_fwd_csum_swap(ctx, tp, true) || tag_fwd_insert(ctx, tp, scr))
		return count_verdict(ESPRIT_R_RISAV_TAG_FAILED, tp->len,
				     XDP_DROP);
	if (tp->csum_off)
		tp->csum_off += tp->ah_len;
	tp->l.ah_off = tp->ins;
	tp->l.icv_len = ESPRIT_HMAC_SHA256_128_ICV_LEN;
	return TAG_FWD_HASH;
}

/*
 * The entry: an XDP action for a packet tagged (or refused) here, or
 * TAG_FWD_CONTINUE. Inline, so with RISAV off it costs one array lookup.
 */
static __always_inline int risav_tag_forward(struct xdp_md *ctx,
					     const struct packet *pkt)
{
	const struct esprit_risav_config *cfg;
	struct tag_pkt *tp;
	struct packet copy;
	__u32 zero = 0;
	int rc;

	cfg = bpf_map_lookup_elem(&esprit_risav, &zero);
	if (!cfg || !cfg->local_asn)
		return TAG_FWD_CONTINUE;
	copy = *pkt; /* the caller's stays known to the verifier */
	rc = tag_fwd_check(ctx, &copy);
	if (rc != TAG_FWD_HASH)
		return rc;
	tp = tag_scratch();
	if (!tp)
		return XDP_DROP;
	if (tag_fwd_icv(ctx, tp) || tag_fwd_csum_swap(ctx, tp, false) ||
	    bpf_xdp_store_bytes(ctx, tp->ins + ESPRIT_AH_FIXED_LEN, tp->icv,
				ESPRIT_HMAC_SHA256_128_ICV_LEN))
		return count_verdict(ESPRIT_R_RISAV_TAG_FAILED, tp->len,
				     XDP_DROP);
	tag_sa_count(&tp->sa, TAG_SA_TAGGED, tp->l3_len);
	return count_verdict(ESPRIT_R_RISAV_TAGGED_FORWARDED, tp->len,
			     XDP_PASS);
}

#endif
