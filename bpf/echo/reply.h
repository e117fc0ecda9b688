/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A request turned into its reply in place (R5, R7): swapped MACs and
 * addresses, fresh TTL / hop limit, the reply SPI and sub-type; and, for
 * the few replies that need more, the plan: cut to the MTU, a new
 * trailer, the return SPI taken out, the frame trimmed.
 */
#ifndef ESPRIT_BPF_ECHO_REPLY_H
#define ESPRIT_BPF_ECHO_REPLY_H

#include "lib/ctx.h"
#include "lib/csum.h"
#include "lib/device.h"
#include "lib/parse.h"
#include "echo/classify.h"
#include "echo/maps.h"

/* In 16-bit words: the header's alignment; byte copies cost 4x more. */
static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u16 *w = (__u16 *)eth;
	__u16 d0 = w[0], d1 = w[1], d2 = w[2];

	w[0] = w[3];
	w[1] = w[4];
	w[2] = w[5];
	w[3] = d0;
	w[4] = d1;
	w[5] = d2;
}

/* Sets a new IPv4 Total Length and TTL, keeping the checksum valid. */
static __always_inline void ipv4_set_len_ttl(struct iphdr *ip, __u16 tot_len,
					     __u8 ttl)
{
	__be16 old_ttl_proto = *(__be16 *)&ip->ttl;
	__be16 old_len = ip->tot_len;

	ip->ttl = ttl;
	ip->tot_len = bpf_htons(tot_len);
	csum_replace2(&ip->check, old_ttl_proto, *(__be16 *)&ip->ttl);
	csum_replace2(&ip->check, old_len, ip->tot_len);
}

/*
 * Rewrites the request into its reply: swapped MACs and addresses, fresh
 * TTL/hop limit, reply SPI, and for the sub-typed form the response
 * sub-type and ESP sequence number 0 (docs/protocols.md §1.4). new_l4_len may be shorter than the request (MTU truncation or a
 * return SPI to drop); the caller trims the frame.
 */
static __always_inline int echo_rewrite(void *data, void *data_end,
					const struct packet *pkt,
					const struct esprit_config *cfg,
					const struct echo_request *req,
					__u32 new_l4_len)
{
	__u8 ttl = cfg_or(cfg->reply_ttl, ESPRIT_DEFAULT_REPLY_TTL);
	void *l3 = data + (pkt->l3_off & PKT_OFF_MASK);
	struct ethhdr *eth = data;
	struct esprit_esp_hdr *esp;

	if ((void *)(eth + 1) > data_end)
		return -1;
	swap_macs(eth);

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = l3;
		__be32 tmp;

		if ((void *)(ip + 1) > data_end)
			return -1;
		tmp = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = tmp;
		ipv4_set_len_ttl(ip, pkt->l4_off - pkt->l3_off + new_l4_len,
				 ttl);
	} else {
		struct ipv6hdr *ip6 = l3;
		__u64 *a = (__u64 *)&ip6->saddr; /* saddr, then daddr */
		__u64 s0, s1;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		s0 = a[0];
		s1 = a[1];
		a[0] = a[2];
		a[1] = a[3];
		a[2] = s0;
		a[3] = s1;
		/* version and traffic class kept (R5), flow label cleared */
		*(__be32 *)ip6 &= bpf_htonl(0xfff00000);
		ip6->payload_len = bpf_htons(new_l4_len);
		ip6->hop_limit = ttl;
	}

	esp = data + (pkt->l4_off & PKT_OFF_MASK);
	if ((void *)(esp + 1) > data_end)
		return -1;
	esp->spi = bpf_htonl(cfg_or(cfg->spi_reply, ESPRIT_DEFAULT_SPI_REPLY));
	if (cfg->echo_flags & ESPRIT_ECHO_SEQ_ZERO)
		esp->seq = 0;

	if (req->format == ESPRIT_ECHO_FMT_SUBTYPED) {
		struct esprit_echo_subtyped *st = (void *)(esp + 1);

		if ((void *)(st + 1) > data_end)
			return -1;
		/* as the reference implementation sends it, whatever seq says */
		esp->seq = 0;
		st->subtype = ESPRIT_SUBTYPE_RESPONSE;
		st->flags = 0;
		st->data_len = bpf_htons(new_l4_len - ESPRIT_ESP_HDR_LEN -
					 ESPRIT_SUBTYPED_HDR_LEN);
	}
	return 0;
}

/* Largest headers moved when a return SPI is cut out: Ethernet, two VLAN
 * tags, a 60-byte IPv4 header and the 16 bytes of ESP + echo header. */
#define ECHO_SHIFT_MAX (ESPRIT_ETH_HLEN + 2 * ESPRIT_VLAN_HLEN + 60 + 16)

/*
 * Removes the 4-byte return SPI that follows the sub-typed echo header by
 * moving everything before it 4 bytes towards the data and advancing the
 * frame start (R7). Reply Data stays where it was.
 */
static __noinline int echo_drop_return_spi(struct xdp_md *ctx,
					   const struct packet *pkt)
{
	__u8 buf[ECHO_SHIFT_MAX];
	__u32 head = pkt->l4_off + ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN;

	if (head > ECHO_SHIFT_MAX || head == 0)
		return -1;
	if (bpf_xdp_load_bytes(ctx, 0, buf, head))
		return -1;
	if (bpf_xdp_store_bytes(ctx, ESPRIT_RETURN_SPI_LEN, buf, head))
		return -1;
	return bpf_xdp_adjust_head(ctx, ESPRIT_RETURN_SPI_LEN);
}

/* What the reply will be, decided before the request is rewritten. */
struct echo_reply_plan {
	__u32 esp_len; /* ESP header to the end of the reply */
	__u32 trailer_off; /* trailer forms, when cut: new padding goes here */
	__u8 pad_len; /* and is this long (0-3) */
	__u8 new_trailer; /* padding + trailer to write at trailer_off */
	__u8 truncated; /* shortened to fit the MTU */
};

/*
 * Plans a reply that does not fit the ingress device's MTU ("copy the
 * Data, up to the MTU"):
 *   sub-typed: header and as much Data as fits (Data Length follows);
 *   seed: the largest 4-byte-aligned length that fits, holding as much
 *     Data as fits and the least padding after it;
 *   -00: its canonical 12 bytes (padding 1, 2).
 * Never longer than the request (R1). Returns 0, or -1 when not even the
 * header of the form fits (an MTU under 76 with a 60-byte IPv4 header).
 */
static __noinline int echo_plan_cut(const struct echo_request *req,
				    __u32 ip_hdr_len, __u32 mtu,
				    struct echo_reply_plan *plan)
{
	__u32 room, keep;

	if (mtu <= ip_hdr_len)
		return -1;
	room = mtu - ip_hdr_len;
	plan->truncated = 1;
	if (req->format == ESPRIT_ECHO_FMT_SUBTYPED) {
		if (room < ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN)
			return -1;
		plan->esp_len = room;
		return 0;
	}

	room &= ~3U;
	if (req->format == ESPRIT_ECHO_FMT_SEED) {
		__u32 fit;

		if (room < ESPRIT_ESP_HDR_LEN + ESPRIT_ECHO_HDR_LEN + 4)
			return -1;
		fit = room - ESPRIT_ESP_HDR_LEN - ESPRIT_ECHO_HDR_LEN -
		      ESPRIT_ESP_TRAILER_LEN;
		keep = ESPRIT_ECHO_HDR_LEN +
		       (req->data_len < fit ? req->data_len : fit);
	} else {
		keep = 0;
		if (room < ESPRIT_ESP_HDR_LEN + 4)
			return -1;
	}
	plan->trailer_off = ESPRIT_ESP_HDR_LEN + keep;
	plan->pad_len = (4 - (keep + ESPRIT_ESP_TRAILER_LEN) % 4) % 4;
	plan->esp_len = ESPRIT_ESP_HDR_LEN + keep + plan->pad_len +
			ESPRIT_ESP_TRAILER_LEN;
	plan->new_trailer = 1;
	return 0;
}

/*
 * Plans the reply: the request less any return SPI, or when that does not
 * fit the MTU of the device it goes back out of (an IP-layer size, as
 * bpf_xdp_check_mtu() compares), cut by echo_plan_cut(). Returns 0 or -1.
 */
static __always_inline int echo_plan_reply(const struct packet *pkt,
					   const struct echo_request *req,
					   struct net_device *dev,
					   struct echo_reply_plan *plan)
{
	__u32 ip_hdr_len = pkt->l4_off - pkt->l3_off;
	__u32 len =
		req->esp_len - (req->return_spi ? ESPRIT_RETURN_SPI_LEN : 0);
	__u32 mtu = ingress_mtu(dev);

	plan->esp_len = len;
	plan->new_trailer = 0;
	plan->truncated = 0;
	if (ip_hdr_len + len <= mtu)
		return 0;
	return echo_plan_cut(req, ip_hdr_len, mtu, plan);
}

/* Writes padding 1..pad_len, Pad Length and Next Header 59 at ESP + off. */
static __noinline int echo_write_trailer(struct xdp_md *ctx,
					 const struct packet *pkt,
					 const struct echo_reply_plan *plan)
{
	__u32 off = (pkt->l4_off + plan->trailer_off) & PKT_OFF_MASK;
	__u8 bytes[5] = {1, 2, 3, 0, 0};

	switch (plan->pad_len) {
	case 0:
		bytes[0] = 0;
		bytes[1] = ESPRIT_NEXTHDR_NONE;
		return bpf_xdp_store_bytes(ctx, off, bytes, 2);
	case 1:
		bytes[1] = 1;
		bytes[2] = ESPRIT_NEXTHDR_NONE;
		return bpf_xdp_store_bytes(ctx, off, bytes, 3);
	case 2:
		bytes[2] = 2;
		bytes[3] = ESPRIT_NEXTHDR_NONE;
		return bpf_xdp_store_bytes(ctx, off, bytes, 4);
	default:
		bytes[3] = 3;
		bytes[4] = ESPRIT_NEXTHDR_NONE;
		return bpf_xdp_store_bytes(ctx, off, bytes, 5);
	}
}

/*
 * Ends the frame where the reply ends: cuts Data beyond the MTU and any
 * Ethernet padding that came after the request's IP packet.
 */
static __always_inline int echo_trim(struct xdp_md *ctx, __u32 frame_len)
{
	int cur = xdp_data_end(ctx) - xdp_data(ctx);

	if ((int)frame_len < cur)
		return bpf_xdp_adjust_tail(ctx, (int)frame_len - cur);
	return 0;
}

#endif
