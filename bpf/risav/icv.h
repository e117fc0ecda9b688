/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ICV input of an AH (RFC 4302 §3.3.3, docs/protocols.md §4.1), prepared in
 * the packet itself so the hash reads it from there: the headers up to the
 * end of the ICV are copied aside, then the mutable fields and the ICV are
 * zeroed in place. One implementation for both ends:
 *
 *   receiver (XDP): ah_icv_prepare(); verify [l3_off, l3_off + l3_len);
 *                   then strip the AH using the copy, or drop
 *   sender (TC):    insert the AH with its fields set; ah_icv_prepare();
 *                   HMAC over the packet; ah_icv_restore(); store the ICV
 *
 * Zeroed: IPv4 TOS, flags and fragment offset, TTL, header checksum, and
 * every option but EOL, NOP, Security (130), Extended Security (133),
 * Commercial Security (134), Router Alert (148) and SDMD (149), whole
 * (bytes after EOL are padding and kept, as Linux does); IPv6 traffic
 * class, flow label and hop limit, and the data of hop-by-hop and
 * destination options whose change bit (0x20) is set; the ICV (not the
 * padding after it). Packet bytes go through bpf_{xdp,skb}_load_bytes and
 * _store_bytes, so the code is the same for both program types; which one
 * runs is fixed at compile time per caller (_Generic, as bpf/lib/hmac.h does).
 */
#ifndef ESPRIT_BPF_AH_ICV_H
#define ESPRIT_BPF_AH_ICV_H

#include "lib/ctx.h"
#include "lib/sha256.h"
#include "esprit_limits.h"
#include "esprit_risav.h"

#define AH_HDRS_MASK (ESPRIT_AH_HDRS_MAX - 1)
#define AH_ICV_MAX   32 /* the longest ICV: HMAC-SHA-512-256 */
#define AH_ZEROS_LEN 256 /* longer than any option */

struct ah_icv_scratch {
	/* The frame from its first byte to the end of the ICV, as it came. */
	__u8 orig[ESPRIT_AH_HDRS_MAX];
	/* The same with the fixed mutable fields and the ICV zeroed. */
	__u8 work[ESPRIT_AH_HDRS_MAX];
	/* Never written: the source for zeroing option bytes in place. */
	__u8 zeros[AH_ZEROS_LEN];
};

/*
 * Not pinned, per CPU: it holds nothing between packets, and XDP and TC
 * programs run with bottom halves off, so no other user starts on this
 * CPU before the program is done with it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ah_icv_scratch);
} esprit_ah_scr SEC(".maps");

/* Where things are, as packet offsets (from the frame's first byte). */
struct ah_layout {
	__u32 l3_off; /* IP header */
	__u32 ah_off; /* AH header */
	__u32 icv_len; /* the SA's ICV; the rest of the AH is padding */
	__u8 family; /* ESPRIT_AF_INET or ESPRIT_AF_INET6 */
};

static __always_inline struct ah_icv_scratch *ah_icv_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&esprit_ah_scr, &zero);
}

static __always_inline long ah_store(void *pkt, enum sha256_pkt_kind kind,
				     __u32 off, const void *from, __u32 len)
{
	if (kind == SHA256_PKT_XDP)
		return bpf_xdp_store_bytes(pkt, off, (void *)from, len);
	return bpf_skb_store_bytes(pkt, off, from, len, 0);
}

/* A byte of the copy at a packet offset (masked for the verifier). */
static __always_inline __u8 *ah_at(__u8 *buf, __u32 off)
{
	return buf + (off & AH_HDRS_MASK);
}

/* HC' = ~(~HC + ~m + m') on host-order 16-bit words (RFC 1624). */
static __always_inline __u16 ah_csum_replace(__u16 sum, __u16 old, __u16 new)
{
	__u32 s = (__u16)~sum;

	s += (__u16)~old;
	s += new;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

static __always_inline __u16 ah_get16(__u8 *buf, __u32 off)
{
	return (*ah_at(buf, off) << 8) | *ah_at(buf, off + 1);
}

static __always_inline void ah_put16(__u8 *buf, __u32 off, __u16 v)
{
	*ah_at(buf, off) = v >> 8;
	*ah_at(buf, off + 1) = v;
}

/* Bytes [0, len) of the frame into buf; len in 1..ESPRIT_AH_HDRS_MAX. */
static __always_inline int ah_copy_headers(void *pkt, enum sha256_pkt_kind kind,
					   __u8 *buf, __u32 len)
{
	if (len < 1 || len > ESPRIT_AH_HDRS_MAX)
		return -1;
	return sha256_load(pkt, kind, 0, buf, len) ? -1 : 0;
}

/* RFC 4302 Appendix A: the IPv4 options included in the ICV as they are. */
static __always_inline bool ipv4_opt_immutable(__u8 type)
{
	switch (type) {
	case 130: /* Security */
	case 133: /* Extended Security */
	case 134: /* Commercial Security */
	case 148: /* Router Alert */
	case 149: /* Sender-Directed Multi-Destination Delivery */
		return true;
	}
	return false;
}

/* One walk over the options before an AH, an option per bpf_loop step. */
struct ah_opt_walk {
	void *pkt;
	struct ah_icv_scratch *scr;
	__u32 p; /* next byte to look at */
	__u32 end; /* IPv4: end of the options; IPv6: the AH */
	__u32 hdr_end; /* IPv6: end of the extension header at hand */
	__u8 family;
	__u8 nexthdr; /* IPv6: type of the header starting at hdr_end */
	int err; /* -1 until the walk reaches its end */
};

/*
 * IPv4 options in [p, end): those not immutable are zeroed whole in the
 * packet. EOL ends the list; what follows is padding, kept (as Linux).
 */
static __always_inline long ah_ipv4_opt_step(struct ah_opt_walk *w,
					     enum sha256_pkt_kind kind)
{
	__u32 p = w->p;
	__u8 type, len;

	if (p >= w->end)
		goto done;
	type = *ah_at(w->scr->orig, p);
	if (type == ESPRIT_IPV4_OPT_EOL)
		goto done;
	if (type == ESPRIT_IPV4_OPT_NOP) {
		w->p = p + 1;
		return 0;
	}
	if (p + 2 > w->end)
		return 1;
	len = *ah_at(w->scr->orig, p + 1);
	if (len < 2 || p + len > w->end)
		return 1;
	if (!ipv4_opt_immutable(type) &&
	    ah_store(w->pkt, kind, p, w->scr->zeros, len))
		return 1;
	w->p = p + len;
	return 0;
done:
	w->err = 0;
	return 1;
}

/*
 * IPv6 hop-by-hop and destination options headers in [p, end): the data
 * of options with the change bit set is zeroed in the packet. Any other
 * header before the AH ends the walk with an error.
 */
static __always_inline long ah_ipv6_opt_step(struct ah_opt_walk *w,
					     enum sha256_pkt_kind kind)
{
	__u32 p = w->p;
	__u8 type, len;

	if (p >= w->hdr_end) { /* at the start of the next header */
		if (w->nexthdr == ESPRIT_IPPROTO_AH) {
			if (p == w->end)
				w->err = 0;
			return 1;
		}
		if ((w->nexthdr != ESPRIT_NEXTHDR_HOP &&
		     w->nexthdr != ESPRIT_NEXTHDR_DEST) ||
		    p + 2 > w->end)
			return 1;
		w->nexthdr = *ah_at(w->scr->orig, p);
		w->hdr_end = p + (*ah_at(w->scr->orig, p + 1) + 1) * 8;
		if (w->hdr_end > w->end)
			return 1;
		w->p = p + 2;
		return 0;
	}
	type = *ah_at(w->scr->orig, p);
	if (type == ESPRIT_IPV6_OPT_PAD1) {
		w->p = p + 1;
		return 0;
	}
	if (p + 2 > w->hdr_end)
		return 1;
	len = *ah_at(w->scr->orig, p + 1);
	if (p + 2 + len > w->hdr_end)
		return 1;
	if ((type & ESPRIT_IPV6_OPT_CHANGE) && len &&
	    ah_store(w->pkt, kind, p + 2, w->scr->zeros, len))
		return 1;
	w->p = p + 2 + len;
	return 0;
}

static long ah_opt_step_xdp(__u32 i, void *ctx)
{
	struct ah_opt_walk *w = ctx;

	(void)i;
	if (w->family == ESPRIT_AF_INET)
		return ah_ipv4_opt_step(w, SHA256_PKT_XDP);
	return ah_ipv6_opt_step(w, SHA256_PKT_XDP);
}

static long ah_opt_step_skb(__u32 i, void *ctx)
{
	struct ah_opt_walk *w = ctx;

	(void)i;
	if (w->family == ESPRIT_AF_INET)
		return ah_ipv4_opt_step(w, SHA256_PKT_SKB);
	return ah_ipv6_opt_step(w, SHA256_PKT_SKB);
}

/*
 * Zeroes the mutable options in the packet: IPv4 options whole, the data
 * of changeable IPv6 hop-by-hop / destination options. Returns 0, or -1
 * for malformed or unsupported headers, or more than ESPRIT_AH_OPTS_MAX
 * options (a walk step each).
 */
static __always_inline int ah_zero_options(void *pkt, enum sha256_pkt_kind kind,
					   const struct ah_layout *l,
					   struct ah_icv_scratch *scr)
{
	struct ah_opt_walk w = {
		.pkt = pkt,
		.scr = scr,
		.family = l->family,
		.err = -1,
	};
	__u32 l3 = l->l3_off;

	if (l->family == ESPRIT_AF_INET) {
		w.p = l3 + ESPRIT_IPV4_HLEN_MIN;
		w.end = l3 + (*ah_at(scr->orig, l3) & 0x0f) * 4;
		if (w.p == w.end)
			return 0;
	} else {
		w.p = w.hdr_end = l3 + ESPRIT_IPV6_HLEN;
		w.end = l->ah_off;
		w.nexthdr = *ah_at(scr->orig, l3 + 6);
		if (w.nexthdr == ESPRIT_IPPROTO_AH)
			return w.p == w.end ? 0 : -1;
	}
	if (kind == SHA256_PKT_XDP)
		bpf_loop(ESPRIT_AH_OPTS_MAX, ah_opt_step_xdp, &w, 0);
	else
		bpf_loop(ESPRIT_AH_OPTS_MAX, ah_opt_step_skb, &w, 0);
	return w.err;
}

/* The fixed mutable fields of the IP header at l3 in buf. */
static __always_inline void ah_zero_ip_fields(__u8 *buf, __u8 family, __u32 l3)
{
	if (family == ESPRIT_AF_INET) {
		*ah_at(buf, l3 + 1) = 0; /* TOS (DSCP, ECN) */
		*ah_at(buf, l3 + 6) = 0; /* flags, fragment offset */
		*ah_at(buf, l3 + 7) = 0;
		*ah_at(buf, l3 + 8) = 0; /* TTL */
		*ah_at(buf, l3 + 10) = 0; /* header checksum */
		*ah_at(buf, l3 + 11) = 0;
		return;
	}
	*ah_at(buf, l3) &= 0xf0; /* traffic class, flow label; version kept */
	*ah_at(buf, l3 + 1) = 0;
	*ah_at(buf, l3 + 2) = 0;
	*ah_at(buf, l3 + 3) = 0;
	*ah_at(buf, l3 + 7) = 0; /* hop limit */
}

/* The headers [0, end of ICV) as they were: undoes ah_icv_prepare(). */
static __always_inline int ah_icv_restore_kind(void *pkt,
					       enum sha256_pkt_kind kind,
					       const struct ah_layout *l,
					       struct ah_icv_scratch *scr)
{
	__u32 len = l->ah_off + ESPRIT_AH_FIXED_LEN + l->icv_len;

	if (len < 1 || len > ESPRIT_AH_HDRS_MAX)
		return -1;
	return ah_store(pkt, kind, 0, scr->orig, len) ? -1 : 0;
}

/*
 * Turns the packet into the ICV input: copies the frame up to the end of
 * the ICV into scr->orig, then zeroes the mutable fields and the ICV in
 * the packet. Returns 0, or -1 with the packet as it was (headers longer
 * than ESPRIT_AH_HDRS_MAX, malformed or unsupported ones before the AH).
 */
static __always_inline int ah_icv_prepare_kind(void *pkt,
					       enum sha256_pkt_kind kind,
					       const struct ah_layout *l,
					       struct ah_icv_scratch *scr)
{
	__u32 icv_off = l->ah_off + ESPRIT_AH_FIXED_LEN;
	__u32 len = icv_off + l->icv_len;
	__u32 l3 = l->l3_off;
	int err;

	if (l->icv_len > AH_ICV_MAX || len > ESPRIT_AH_HDRS_MAX)
		return -1;
	if (ah_copy_headers(pkt, kind, scr->orig, len) ||
	    ah_copy_headers(pkt, kind, scr->work, len))
		return -1;
	ah_zero_ip_fields(scr->work, l->family, l3);
	for (__u32 i = 0; i < AH_ICV_MAX; i++) {
		if (i >= l->icv_len)
			break;
		*ah_at(scr->work, icv_off + i) = 0;
	}
	if (ah_store(pkt, kind, 0, scr->work, len))
		return -1;
	err = ah_zero_options(pkt, kind, l, scr);
	if (err) {
		ah_icv_restore_kind(pkt, kind, l, scr);
		return -1;
	}
	return 0;
}

static __always_inline int ah_icv_prepare_xdp(struct xdp_md *ctx,
					      const struct ah_layout *l,
					      struct ah_icv_scratch *scr)
{
	return ah_icv_prepare_kind(ctx, SHA256_PKT_XDP, l, scr);
}

static __always_inline int ah_icv_prepare_skb(struct __sk_buff *skb,
					      const struct ah_layout *l,
					      struct ah_icv_scratch *scr)
{
	return ah_icv_prepare_kind(skb, SHA256_PKT_SKB, l, scr);
}

static __always_inline int ah_icv_restore_xdp(struct xdp_md *ctx,
					      const struct ah_layout *l,
					      struct ah_icv_scratch *scr)
{
	return ah_icv_restore_kind(ctx, SHA256_PKT_XDP, l, scr);
}

static __always_inline int ah_icv_restore_skb(struct __sk_buff *skb,
					      const struct ah_layout *l,
					      struct ah_icv_scratch *scr)
{
	return ah_icv_restore_kind(skb, SHA256_PKT_SKB, l, scr);
}

#define ah_icv_prepare(ctx, l, scr)                       \
	_Generic((ctx), struct xdp_md *                   \
		 : ah_icv_prepare_xdp, struct __sk_buff * \
		 : ah_icv_prepare_skb)((ctx), (l), (scr))

#define ah_icv_restore(ctx, l, scr)                       \
	_Generic((ctx), struct xdp_md *                   \
		 : ah_icv_restore_xdp, struct __sk_buff * \
		 : ah_icv_restore_skb)((ctx), (l), (scr))

#endif
