/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP Echo responder (PROTOCOLS.md §1): recognises the three request forms,
 * refuses what R2-R4 forbid, rate-limits, and turns the request into its
 * reply in place (R5, R7) for XDP_TX.
 *
 * Which destinations are "ours": with ESPRIT_ECHO_LOCAL_LIST set (esprit
 * attach and the daemon set it after filling esprit_local) only those in the
 * list. Without it (e.g. `ip link set ... xdp obj` and no configuration) a
 * FIB lookup decides: a local route means ours, a forwarding route means
 * transit, and on a host with forwarding off every unicast destination that
 * reached us counts as ours, since the stack would not forward it anyway.
 */
#ifndef ESPRIT_BPF_ECHO_H
#define ESPRIT_BPF_ECHO_H

#include "common.h"
#include "parse.h"
#include "maps.h"
#include "counters.h"
#include "ratelimit.h"
#include "addr.h"
#include "csum.h"

#define ECHO_PAD_MAX 255

struct echo_request {
	__u32 esp_len; /* ESP header to end of IP payload */
	__u16 data_len; /* Data bytes after the echo header */
	__u8 format; /* enum esprit_echo_format */
	__u8 return_spi; /* sub-typed form with R set */
};

static __always_inline __u32 cfg_or(__u32 value, __u32 fallback)
{
	return value ? value : fallback;
}

/*
 * Recognises the request form (E1): sub-typed first, then the trailer forms.
 * Returns 0 or the malformed reason.
 */
static __always_inline enum esprit_reason
echo_classify(struct xdp_md *ctx, const struct packet *pkt,
	      struct echo_request *req)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	__u32 esp_off = pkt->l4_off;
	__u32 len = pkt->l4_len;
	__u32 trailer_off, pad_len, payload;
	__u8 *esp, *trailer;

	req->esp_len = len;
	req->return_spi = 0;
	if (len < ESPRIT_ESP_HDR_LEN + ESPRIT_ESP_TRAILER_LEN)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;

	esp = data + (esp_off & PKT_OFF_MASK);
	if (len >= ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN) {
		struct esprit_echo_subtyped *st = (void *)(esp + 8);

		if ((void *)(st + 1) > data_end)
			return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
		if (st->subtype == ESPRIT_SUBTYPE_REQUEST &&
		    !(st->flags & ~ESPRIT_SUBTYPED_FLAG_R)) {
			__u32 r = st->flags ? ESPRIT_RETURN_SPI_LEN : 0;
			__u32 dlen = bpf_ntohs(st->data_len);

			if (ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN + r +
				    dlen ==
			    len) {
				req->format = ESPRIT_ECHO_FMT_SUBTYPED;
				req->data_len = dlen;
				req->return_spi = r != 0;
				return 0;
			}
		}
	}

	trailer_off = (esp_off + len - ESPRIT_ESP_TRAILER_LEN) & PKT_OFF_MASK;
	trailer = data + trailer_off;
	if ((void *)(trailer + 2) > data_end)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	if (trailer[1] != ESPRIT_NEXTHDR_NONE)
		return ESPRIT_R_ECHO_MALFORMED_NEXT_HEADER;
	pad_len = trailer[0];
	if (len % 4 ||
	    ESPRIT_ESP_HDR_LEN + pad_len + ESPRIT_ESP_TRAILER_LEN > len)
		return ESPRIT_R_ECHO_MALFORMED_PAD_LENGTH;

	/* RFC 4303 §2.4 default padding: 1, 2, 3, ... */
	for (__u32 i = 0; i < ECHO_PAD_MAX; i++) {
		__u8 *pad;

		if (i >= pad_len)
			break;
		pad = data + ((trailer_off - pad_len + i) & PKT_OFF_MASK);
		if ((void *)(pad + 1) > data_end)
			return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
		if (*pad != i + 1)
			return ESPRIT_R_ECHO_MALFORMED_PADDING;
	}

	payload = len - ESPRIT_ESP_HDR_LEN - ESPRIT_ESP_TRAILER_LEN - pad_len;
	if (payload == 0) {
		req->format = ESPRIT_ECHO_FMT_EMPTY;
		req->data_len = 0;
		return 0;
	}
	if (payload < ESPRIT_ECHO_HDR_LEN)
		return ESPRIT_R_ECHO_MALFORMED_DATA_LENGTH;
	req->format = ESPRIT_ECHO_FMT_SEED;
	req->data_len = payload - ESPRIT_ECHO_HDR_LEN;
	return 0;
}

static __always_inline int echo_format_disabled(__u32 flags, __u8 format)
{
	switch (format) {
	case ESPRIT_ECHO_FMT_SEED:
		return flags & ESPRIT_ECHO_NO_SEED;
	case ESPRIT_ECHO_FMT_EMPTY:
		return flags & ESPRIT_ECHO_NO_EMPTY;
	default:
		return flags & ESPRIT_ECHO_NO_SUBTYPED;
	}
}

/* FIB verdict for "is dst ours" when no address list is loaded. */
static __always_inline int fib_says_local(struct xdp_md *ctx,
					  const struct packet *pkt,
					  const struct esprit_addr *src,
					  const struct esprit_addr *dst)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	fib.ifindex = ctx->ingress_ifindex;
	fib.l4_protocol = ESPRIT_IPPROTO_ESP;
	fib.tot_len = pkt->l3_len;
	if (dst->family == ESPRIT_AF_INET) {
		fib.family = ESPRIT_AF_INET;
		__builtin_memcpy(&fib.ipv4_src, &src->addr[12], 4);
		__builtin_memcpy(&fib.ipv4_dst, &dst->addr[12], 4);
	} else {
		fib.family = ESPRIT_AF_INET6;
		__builtin_memcpy(fib.ipv6_src, src->addr, 16);
		__builtin_memcpy(fib.ipv6_dst, dst->addr, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	return rc == BPF_FIB_LKUP_RET_NOT_FWDED ||
	       rc == BPF_FIB_LKUP_RET_FWD_DISABLED;
}

/* Reads addresses and returns 0 if the request may be answered. */
static __always_inline enum esprit_reason
echo_check_addresses(struct xdp_md *ctx, const struct packet *pkt,
		     const struct esprit_config *cfg, struct esprit_addr *src)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	struct ethhdr *eth = data;
	struct esprit_addr dst;
	enum esprit_reason bad;

	if ((void *)(eth + 1) > data_end)
		return ESPRIT_R_MALFORMED_L3;
	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip + 1) > data_end)
			return ESPRIT_R_MALFORMED_L3;
		bad = ipv4_bad_source(ip->saddr, ip->daddr);
		if (!bad)
			bad = ipv4_bad_dest(ip->daddr);
		addr_from_ipv4(src, ip->saddr);
		addr_from_ipv4(&dst, ip->daddr);
	} else {
		struct ipv6hdr *ip6 = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip6 + 1) > data_end)
			return ESPRIT_R_MALFORMED_L3;
		bad = ipv6_bad_source(&ip6->saddr, &ip6->daddr);
		if (!bad)
			bad = ipv6_bad_dest(&ip6->daddr);
		addr_from_ipv6(src, &ip6->saddr);
		addr_from_ipv6(&dst, &ip6->daddr);
	}
	if (bad)
		return bad;
	/* Directed broadcasts arrive as L2 broadcast: never amplify them. */
	if (eth->h_dest[0] & 1)
		return ESPRIT_R_ECHO_DST_NOT_UNICAST;

	if (cfg->echo_flags & ESPRIT_ECHO_LOCAL_LIST) {
		if (!bpf_map_lookup_elem(&esprit_local, &dst))
			return ESPRIT_R_ECHO_DST_NOT_LOCAL;
		if (bpf_map_lookup_elem(&esprit_local, src))
			return ESPRIT_R_ECHO_SRC_LOCAL;
	} else if (!fib_says_local(ctx, pkt, src, &dst)) {
		return ESPRIT_R_ECHO_DST_NOT_LOCAL;
	}
	return 0;
}

static __always_inline int echo_allowed(const struct esprit_config *cfg,
					const struct esprit_addr *src)
{
	struct esprit_prefix_key key = {.prefixlen = 128};

	if (!(cfg->echo_flags & ESPRIT_ECHO_ALLOWLIST))
		return 1;
	__builtin_memcpy(key.addr, src->addr, 16);
	return bpf_map_lookup_elem(&esprit_allow, &key) != NULL;
}

/* Per-prefix bucket first, so one noisy prefix cannot drain the global one. */
static __always_inline enum esprit_reason
echo_rate_limit(const struct esprit_config *cfg, struct esprit_addr *src)
{
	__u32 rate_prefix =
		cfg_or(cfg->rate_prefix, ESPRIT_DEFAULT_RATE_PREFIX);
	__u32 rate_global =
		cfg_or(cfg->rate_global, ESPRIT_DEFAULT_RATE_GLOBAL);
	__u64 now = bpf_ktime_get_coarse_ns();
	struct esprit_rate_state *state;
	__u32 zero = 0;

	if (rate_prefix != ESPRIT_RATE_UNLIMITED) {
		__u32 plen = src->family == ESPRIT_AF_INET
				     ? cfg_or(cfg->prefix_len_v4,
					      ESPRIT_DEFAULT_PREFIX_LEN_V4)
				     : cfg_or(cfg->prefix_len_v6,
					      ESPRIT_DEFAULT_PREFIX_LEN_V6);
		struct esprit_rate_state fresh = {};

		addr_mask(src, plen);
		state = bpf_map_lookup_elem(&esprit_rate_pfx, src);
		if (!state) {
			bpf_map_update_elem(&esprit_rate_pfx, src, &fresh,
					    BPF_NOEXIST);
			state = bpf_map_lookup_elem(&esprit_rate_pfx, src);
		}
		if (state && !gcra_conforms(state, now, rate_prefix,
					    rate_burst(rate_prefix,
						       cfg->rate_prefix_burst)))
			return ESPRIT_R_ECHO_RATE_PREFIX;
	}
	if (rate_global != ESPRIT_RATE_UNLIMITED) {
		state = bpf_map_lookup_elem(&esprit_rate_all, &zero);
		if (state && !gcra_conforms(state, now, rate_global,
					    rate_burst(rate_global,
						       cfg->rate_global_burst)))
			return ESPRIT_R_ECHO_RATE_GLOBAL;
	}
	return 0;
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[6];

	__builtin_memcpy(tmp, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, eth->h_source, 6);
	__builtin_memcpy(eth->h_source, tmp, 6);
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
 * sub-type. new_l4_len may be shorter than the request (MTU truncation or a
 * return SPI to drop); the caller trims the frame.
 */
static __always_inline int echo_rewrite(struct xdp_md *ctx,
					const struct packet *pkt,
					const struct esprit_config *cfg,
					const struct echo_request *req,
					__u32 new_l4_len)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	__u8 ttl = cfg_or(cfg->reply_ttl, ESPRIT_DEFAULT_REPLY_TTL);
	struct ethhdr *eth = data;
	struct esprit_esp_hdr *esp;

	if ((void *)(eth + 1) > data_end)
		return -1;
	swap_macs(eth);

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = data + (pkt->l3_off & PKT_OFF_MASK);
		__be32 tmp;

		if ((void *)(ip + 1) > data_end)
			return -1;
		tmp = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = tmp;
		ipv4_set_len_ttl(ip, pkt->l4_off - pkt->l3_off + new_l4_len,
				 ttl);
	} else {
		struct ipv6hdr *ip6 = data + (pkt->l3_off & PKT_OFF_MASK);
		struct in6_addr tmp;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		tmp = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = tmp;
		ip6->hop_limit = ttl;
		ip6->flow_lbl[0] &= 0xf0; /* keep the traffic class, R5 */
		ip6->flow_lbl[1] = 0;
		ip6->flow_lbl[2] = 0;
		ip6->payload_len = bpf_htons(new_l4_len);
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
		st->subtype = ESPRIT_SUBTYPE_RESPONSE;
		st->flags = 0;
		st->data_len = bpf_htons(new_l4_len - ESPRIT_ESP_HDR_LEN -
					 ESPRIT_SUBTYPED_HDR_LEN);
	}
	return 0;
}

/* Largest headers moved when a return SPI is cut out: Ethernet, two VLAN
 * tags, a 60-byte IPv4 header and the 16 bytes of ESP + echo header. */
#define ECHO_SHIFT_MAX (ETH_HDR_LEN + 2 * VLAN_HDR_LEN + 60 + 16)

/*
 * Removes the 4-byte return SPI that follows the sub-typed echo header by
 * moving everything before it 4 bytes towards the data and advancing the
 * frame start (R7). Reply Data stays where it was.
 */
static __always_inline int echo_drop_return_spi(struct xdp_md *ctx,
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

/*
 * The reply's ESP length: the request's, less a return SPI, and cut to the
 * MTU when the request arrived bigger than we may send (R1, "up to the
 * MTU"). Sets *truncated when Data had to be cut.
 */
static __always_inline __u32 echo_reply_len(struct xdp_md *ctx,
					    const struct packet *pkt,
					    const struct echo_request *req,
					    int *truncated)
{
	__u32 ip_hdr_len = pkt->l4_off - pkt->l3_off;
	__u32 len =
		req->esp_len - (req->return_spi ? ESPRIT_RETURN_SPI_LEN : 0);
	__u32 mtu_len = ip_hdr_len + len;
	__u32 room;

	*truncated = 0;
	if (bpf_check_mtu(ctx, 0, &mtu_len, 0, 0) !=
	    BPF_MTU_CHK_RET_FRAG_NEEDED)
		return len;
	/* mtu_len now holds the MTU */
	if (mtu_len <= ip_hdr_len)
		return 0;
	room = mtu_len - ip_hdr_len;
	if (req->format == ESPRIT_ECHO_FMT_SUBTYPED) {
		if (room < ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN)
			return 0;
		*truncated = 1;
		return room;
	}
	/* Seed form: Data, no padding, Pad Length 0, NH 59, 4-byte aligned. */
	room &= ~3U;
	if (room <
	    ESPRIT_ESP_HDR_LEN + ESPRIT_ECHO_HDR_LEN + ESPRIT_ESP_TRAILER_LEN)
		return 0;
	*truncated = 1;
	return room;
}

/* Writes the seed-form trailer (Pad Length 0, NH 59) at the new end. */
static __always_inline int echo_write_short_trailer(struct xdp_md *ctx,
						    const struct packet *pkt,
						    __u32 new_l4_len)
{
	__u8 trailer[2] = {0, ESPRIT_NEXTHDR_NONE};
	__u32 off = pkt->l4_off + new_l4_len - ESPRIT_ESP_TRAILER_LEN;

	return bpf_xdp_store_bytes(ctx, off & PKT_OFF_MASK, trailer, 2);
}

/*
 * Entry for ESP packets whose SPI is the request SPI. Returns an XDP action.
 */
static __always_inline int echo_respond(struct xdp_md *ctx, struct packet *pkt,
					const struct esprit_config *cfg)
{
	struct echo_request req = {};
	struct esprit_addr src;
	enum esprit_reason why;
	__u32 reply_len, frame_len;
	int truncated;

	if (cfg->echo_flags & ESPRIT_ECHO_OFF)
		return count_verdict(ESPRIT_R_ECHO_DISABLED, pkt->len,
				     XDP_PASS);
	if (pkt->is_fragment)
		return count_verdict(ESPRIT_R_ECHO_FRAGMENT, pkt->len,
				     XDP_PASS);

	why = echo_classify(ctx, pkt, &req);
	if (why)
		return count_verdict(why, pkt->len, XDP_DROP);
	if (echo_format_disabled(cfg->echo_flags, req.format))
		return count_verdict(ESPRIT_R_ECHO_DISABLED, pkt->len,
				     XDP_PASS);

	why = echo_check_addresses(ctx, pkt, cfg, &src);
	if (why == ESPRIT_R_ECHO_DST_NOT_LOCAL || why == ESPRIT_R_MALFORMED_L3)
		return count_verdict(why, pkt->len, XDP_PASS);
	if (why)
		return count_verdict(why, pkt->len, XDP_DROP);
	if (!echo_allowed(cfg, &src))
		return count_verdict(ESPRIT_R_ECHO_NOT_ALLOWED, pkt->len,
				     XDP_DROP);
	why = echo_rate_limit(cfg, &src);
	if (why)
		return count_verdict(why, pkt->len, XDP_DROP);

	reply_len = echo_reply_len(ctx, pkt, &req, &truncated);
	if (!reply_len)
		return count_verdict(ESPRIT_R_ECHO_MALFORMED_TRUNCATED,
				     pkt->len, XDP_DROP);
	if (echo_rewrite(ctx, pkt, cfg, &req, reply_len))
		return count_verdict(ESPRIT_R_MALFORMED_L3, pkt->len, XDP_DROP);
	if (truncated && req.format == ESPRIT_ECHO_FMT_SEED &&
	    echo_write_short_trailer(ctx, pkt, reply_len))
		return count_verdict(ESPRIT_R_MALFORMED_L3, pkt->len, XDP_DROP);

	if (req.return_spi && echo_drop_return_spi(ctx, pkt))
		return count_verdict(ESPRIT_R_MALFORMED_L3, pkt->len, XDP_DROP);
	frame_len = pkt->l4_off + reply_len;
	if (truncated) {
		/* Cut Data, and any Ethernet padding with it. */
		int cur = xdp_data_end(ctx) - xdp_data(ctx);

		if ((int)frame_len < cur &&
		    bpf_xdp_adjust_tail(ctx, (int)frame_len - cur))
			return count_verdict(ESPRIT_R_MALFORMED_L3, pkt->len,
					     XDP_DROP);
		return count_verdict(ESPRIT_R_ECHO_TRUNCATED_TO_MTU, frame_len,
				     XDP_TX);
	}
	return count_verdict(ESPRIT_R_ECHO_REFLECTED, frame_len, XDP_TX);
}

#endif
