/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ethernet (0-2 VLAN tags) and IPv4/IPv6 parsing for XDP. Results are
 * offsets from ctx->data, not pointers, so they survive helpers that move
 * packet data; each user re-checks bounds where it reads.
 */
#ifndef ESPRIT_PARSE_H
#define ESPRIT_PARSE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "esprit_limits.h"
#include "esprit_types.h"

#define ETH_P_IP_BE	 bpf_htons(0x0800)
#define ETH_P_IPV6_BE	 bpf_htons(0x86dd)
#define ETH_P_8021Q_BE	 bpf_htons(0x8100)
#define ETH_P_8021AD_BE	 bpf_htons(0x88a8)
#define ETH_HDR_LEN	 14
#define VLAN_HDR_LEN	 4
#define IPV4_MIN_HDR_LEN 20
#define IPV6_HDR_LEN	 40
#define IPV4_FRAG_MASK	 bpf_htons(0x3fff) /* MF flag + fragment offset */

/* packet.is_fragment: non-zero for any IPv4 fragment. */
#define PKT_FRAG_FIRST	 1 /* MF set, offset 0: carries the ESP header */
#define PKT_FRAG_LATER	 2 /* offset > 0: no transport header in it */
#define IPV4_OFFSET_MASK bpf_htons(0x1fff)

enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_IP = 1, /* not IPv4/IPv6: none of our business */
	PARSE_MALFORMED = 2, /* IP, but truncated or inconsistent */
};

struct packet {
	__u32 len; /* bytes from ctx->data to ctx->data_end */
	__u16 l3_off; /* start of the IP header */
	__u16 l4_off; /* first byte after the IP header */
	__u16 l3_len; /* IPv4 Total Length / 40 + IPv6 Payload Length */
	__u16 l4_len; /* l3_len minus the IP header */
	__u8 family; /* ESPRIT_AF_INET or ESPRIT_AF_INET6 */
	__u8 l4_proto; /* IPv4 Protocol / IPv6 Next Header */
	__u8 vlan_depth;
	__u8 is_fragment; /* 0, PKT_FRAG_FIRST or PKT_FRAG_LATER */
};

static __always_inline int parse_packet(struct xdp_md *ctx, struct packet *pkt)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	struct ethhdr *eth = data;
	__u16 off = ETH_HDR_LEN;
	__be16 proto;

	pkt->len = data_end - data;
	pkt->vlan_depth = 0;
	pkt->is_fragment = 0;
	if ((void *)(eth + 1) > data_end)
		return PARSE_NOT_IP;
	proto = eth->h_proto;

#pragma unroll
	for (int i = 0; i < ESPRIT_VLAN_MAX; i++) {
		struct vlan_hdr *vlan;

		if (proto != ETH_P_8021Q_BE && proto != ETH_P_8021AD_BE)
			break;
		vlan = data + off;
		if ((void *)(vlan + 1) > data_end)
			return PARSE_NOT_IP;
		proto = vlan->h_vlan_encapsulated_proto;
		off += VLAN_HDR_LEN;
		pkt->vlan_depth++;
	}
	pkt->l3_off = off;

	if (proto == ETH_P_IP_BE) {
		struct iphdr *ip = data + off;
		__u16 hdr_len, tot_len;

		if ((void *)(ip + 1) > data_end)
			return PARSE_MALFORMED;
		hdr_len = ip->ihl * 4;
		tot_len = bpf_ntohs(ip->tot_len);
		if (ip->version != 4 || hdr_len < IPV4_MIN_HDR_LEN ||
		    tot_len < hdr_len || off + tot_len > pkt->len)
			return PARSE_MALFORMED;
		pkt->family = ESPRIT_AF_INET;
		pkt->l4_proto = ip->protocol;
		pkt->l3_len = tot_len;
		pkt->l4_off = off + hdr_len;
		pkt->l4_len = tot_len - hdr_len;
		if (ip->frag_off & IPV4_OFFSET_MASK)
			pkt->is_fragment = PKT_FRAG_LATER;
		else if (ip->frag_off & IPV4_FRAG_MASK)
			pkt->is_fragment = PKT_FRAG_FIRST;
		return PARSE_OK;
	}
	if (proto == ETH_P_IPV6_BE) {
		struct ipv6hdr *ip6 = data + off;
		__u16 payload_len;

		if ((void *)(ip6 + 1) > data_end)
			return PARSE_MALFORMED;
		payload_len = bpf_ntohs(ip6->payload_len);
		if (ip6->version != 6 ||
		    off + IPV6_HDR_LEN + payload_len > pkt->len)
			return PARSE_MALFORMED;
		pkt->family = ESPRIT_AF_INET6;
		pkt->l4_proto = ip6->nexthdr;
		pkt->l3_len = IPV6_HDR_LEN + payload_len;
		pkt->l4_off = off + IPV6_HDR_LEN;
		pkt->l4_len = payload_len;
		return PARSE_OK;
	}
	return PARSE_NOT_IP;
}

/* IPv6 extension headers that may stand between the base header and ESP. */
static __always_inline int ipv6_is_ext_header(__u8 nexthdr)
{
	switch (nexthdr) {
	case 0: /* hop-by-hop options */
	case 43: /* routing */
	case 44: /* fragment */
	case 60: /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
		return 1;
	}
	return 0;
}

/*
 * Walks up to ESPRIT_IPV6_EXT_MAX extension headers after the base header
 * and returns the protocol that follows them (or the last one reached).
 */
static __always_inline __u8 ipv6_upper_proto(struct xdp_md *ctx,
					     const struct packet *pkt)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
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
		off += this_hdr == 44 ? 8 : (ext[1] + 1) * 8;
	}
	return nexthdr;
}

#endif
