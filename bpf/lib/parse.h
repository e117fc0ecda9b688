/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one parser of link and IP headers, for XDP and TC: Ethernet with 0-2
 * VLAN tags (802.1Q, 802.1ad outer), then IPv4 or IPv6. It reads the
 * linear bytes [data, data_end) directly; results are offsets from data,
 * not pointers, so they survive helpers that move packet data, and each
 * user re-checks bounds where it reads.
 *
 *	XDP: parse_xdp(ctx, &pkt)
 *	TC:  parse_skb(skb, &pkt)   (pulls the headers into the linear part)
 */
#ifndef ESPRIT_BPF_PARSE_H
#define ESPRIT_BPF_PARSE_H

#include "lib/ctx.h"
#include "esprit_limits.h"
#include "esprit_types.h"

/* packet.is_fragment: non-zero for any IPv4 fragment. */
#define PKT_FRAG_FIRST 1 /* MF set, offset 0: carries the transport header */
#define PKT_FRAG_LATER 2 /* offset > 0: no transport header in it */

/*
 * Link and IP headers at their longest, what TC makes linear: IPv4 with
 * options, which also covers IPv6 and the start of an extension header.
 */
#define PARSE_HDRS_MAX                                          \
	(ESPRIT_ETH_HLEN + ESPRIT_VLAN_MAX * ESPRIT_VLAN_HLEN + \
	 ESPRIT_IPV4_HLEN_MAX)

enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_IP = 1, /* not IPv4/IPv6: none of our business */
	PARSE_MALFORMED = 2, /* IP, but truncated or inconsistent */
};

struct packet {
	__u32 len; /* bytes of the frame (XDP: of its first buffer) */
	__u16 l3_off; /* start of the IP header */
	__u16 l4_off; /* first byte after the IP header */
	__u16 l3_len; /* IPv4 Total Length / 40 + IPv6 Payload Length */
	__u16 l4_len; /* l3_len minus the IP header */
	__u8 family; /* ESPRIT_AF_INET or ESPRIT_AF_INET6 */
	__u8 l4_proto; /* IPv4 Protocol / IPv6 Next Header */
	__u8 vlan_depth;
	__u8 is_fragment; /* 0, PKT_FRAG_FIRST or PKT_FRAG_LATER */
};

/* The frame's headers in [data, data_end); frame_len: the whole frame. */
static __always_inline int parse_frame(void *data, void *data_end,
				       __u32 frame_len, struct packet *pkt)
{
	struct ethhdr *eth = data;
	__u16 off = ESPRIT_ETH_HLEN;
	__be16 proto;

	pkt->len = frame_len;
	pkt->vlan_depth = 0;
	pkt->is_fragment = 0;
	if ((void *)(eth + 1) > data_end)
		return PARSE_NOT_IP;
	proto = eth->h_proto;

#pragma unroll
	for (int i = 0; i < ESPRIT_VLAN_MAX; i++) {
		struct vlan_hdr *vlan;

		if (proto != bpf_htons(ESPRIT_ETH_P_8021Q) &&
		    proto != bpf_htons(ESPRIT_ETH_P_8021AD))
			break;
		vlan = data + off;
		if ((void *)(vlan + 1) > data_end)
			return PARSE_NOT_IP;
		proto = vlan->h_vlan_encapsulated_proto;
		off += ESPRIT_VLAN_HLEN;
		pkt->vlan_depth++;
	}
	pkt->l3_off = off;

	if (proto == bpf_htons(ESPRIT_ETH_P_IP)) {
		struct iphdr *ip = data + off;
		__u16 hdr_len, tot_len;

		if ((void *)(ip + 1) > data_end)
			return PARSE_MALFORMED;
		hdr_len = ip->ihl * 4;
		tot_len = bpf_ntohs(ip->tot_len);
		if (ip->version != 4 || hdr_len < ESPRIT_IPV4_HLEN_MIN ||
		    tot_len < hdr_len || off + tot_len > pkt->len)
			return PARSE_MALFORMED;
		pkt->family = ESPRIT_AF_INET;
		pkt->l4_proto = ip->protocol;
		pkt->l3_len = tot_len;
		pkt->l4_off = off + hdr_len;
		pkt->l4_len = tot_len - hdr_len;
		if (ip->frag_off & bpf_htons(ESPRIT_IPV4_OFFSET))
			pkt->is_fragment = PKT_FRAG_LATER;
		else if (ip->frag_off & bpf_htons(ESPRIT_IPV4_MF))
			pkt->is_fragment = PKT_FRAG_FIRST;
		return PARSE_OK;
	}
	if (proto == bpf_htons(ESPRIT_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		__u16 payload_len;

		if ((void *)(ip6 + 1) > data_end)
			return PARSE_MALFORMED;
		payload_len = bpf_ntohs(ip6->payload_len);
		if (ip6->version != 6 ||
		    off + ESPRIT_IPV6_HLEN + payload_len > pkt->len)
			return PARSE_MALFORMED;
		pkt->family = ESPRIT_AF_INET6;
		pkt->l4_proto = ip6->nexthdr;
		pkt->l3_len = ESPRIT_IPV6_HLEN + payload_len;
		pkt->l4_off = off + ESPRIT_IPV6_HLEN;
		pkt->l4_len = payload_len;
		return PARSE_OK;
	}
	return PARSE_NOT_IP;
}

static __always_inline int parse_xdp(struct xdp_md *ctx, struct packet *pkt)
{
	void *data = xdp_data(ctx), *data_end = xdp_data_end(ctx);

	return parse_frame(data, data_end, data_end - data, pkt);
}

/*
 * The headers of a TC packet are in its linear part but for odd stacks
 * (a paged frame from a driver that puts none in the head): pulled then.
 */
static __always_inline int parse_skb(struct __sk_buff *skb, struct packet *pkt)
{
	__u32 want = skb->len < PARSE_HDRS_MAX ? skb->len : PARSE_HDRS_MAX;

	if (skb_data(skb) + want > skb_data_end(skb) &&
	    bpf_skb_pull_data(skb, want))
		return PARSE_NOT_IP;
	return parse_frame(skb_data(skb), skb_data_end(skb), skb->len, pkt);
}

/* IPv6 extension headers that may stand between the base header and ESP. */
static __always_inline int ipv6_is_ext_header(__u8 nexthdr)
{
	switch (nexthdr) {
	case ESPRIT_NEXTHDR_HOP:
	case ESPRIT_NEXTHDR_ROUTING:
	case ESPRIT_NEXTHDR_FRAGMENT:
	case ESPRIT_NEXTHDR_DEST:
	case ESPRIT_NEXTHDR_MOBILITY:
	case ESPRIT_NEXTHDR_HIP:
	case ESPRIT_NEXTHDR_SHIM6:
		return 1;
	}
	return 0;
}

/*
 * Walks up to ESPRIT_IPV6_EXT_MAX extension headers after the base header
 * and returns the protocol that follows them (or the last one reached).
 */
static __always_inline __u8 ipv6_upper_proto(void *data, void *data_end,
					     const struct packet *pkt)
{
	__u8 nexthdr = pkt->l4_proto;
	__u32 off = pkt->l4_off;

#pragma unroll
	for (int i = 0; i < ESPRIT_IPV6_EXT_MAX; i++) {
		__u8 this_hdr = nexthdr;
		__u8 *ext;

		if (!ipv6_is_ext_header(this_hdr))
			break;
		off &= 0xfff;
		ext = data + off;
		if ((void *)(ext + 2) > data_end)
			break;
		nexthdr = ext[0];
		/* fragment headers are 8 bytes; their second byte is reserved */
		off += this_hdr == ESPRIT_NEXTHDR_FRAGMENT
			       ? ESPRIT_IPV6_FRAG_HLEN
			       : (ext[1] + 1) * 8;
	}
	return nexthdr;
}

#endif
