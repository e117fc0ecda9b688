/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP Echo responder (PROTOCOLS.md §1): recognises the three request forms,
 * refuses what R2-R4 forbid, rate-limits, and turns the request into its
 * reply in place (R5, R7) for XDP_TX.
 *
 * Which destinations are "ours": with ESPRIT_ECHO_LOCAL_LIST set (`esprit
 * responder set local-only on`, after `local sync` filled esprit_local)
 * only those in the list, and sources in the list are refused. Without it
 * (e.g. `ip link set ... xdp obj` and no configuration) the FIB decides: a
 * destination bpf_fib_lookup() would forward from the ingress device is
 * transit and passes untouched; anything it would not forward counts as
 * ours. The kernel folds local, broadcast and unroutable destinations into
 * that one answer, and with forwarding off on the ingress device it
 * answers nothing else (that flag is read directly, bpf/ingress.h, so the
 * helper runs only on forwarding devices, and its answers are remembered
 * while the routes stay as they were, bpf/fib_verdict.h); so in this mode
 * every unicast destination that reached a non-forwarding host is ours,
 * and our own addresses cannot be recognised as sources. The list is
 * exact; the FIB is the zero-configuration default.
 *
 * Speed: one request is answered with straight-line code on pointers read
 * once; what only odd requests need (a cut to the MTU, a return SPI to
 * drop, long padding, the address list, the FIB helper, the allowlist) is
 * in functions of their own, out of the common path's registers; a
 * request that needs none of it takes echo_fast().
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
#include "ingress.h"
#include "fib_verdict.h"

/* Padding bytes 1..8 read as one big-endian word, and 1 in every byte. */
#define ECHO_PAD_WORD  0x0102030405060708ULL
#define ECHO_BYTE_ONES 0x0101010101010101ULL
/* Whole 8-byte words before the last one in 255 bytes of padding. */
#define ECHO_PAD_WORDS_MAX 31

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
 * Padding of 8 bytes or more (RFC 4303 §2.4: 1, 2, 3, ...), 8 bytes at a
 * time: bytes k+1..k+8 read big-endian are ECHO_PAD_WORD + k *
 * ECHO_BYTE_ONES; the last word ends where the padding ends.
 */
static __noinline int echo_long_padding_ok(struct xdp_md *ctx, __u32 pad_off,
					   __u32 pad_len)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	__u64 *word;

	word = data + ((pad_off + pad_len - 8) & PKT_OFF_MASK);
	if ((void *)(word + 1) > data_end)
		return 0;
	if (bpf_be64_to_cpu(*word) !=
	    ECHO_PAD_WORD + (pad_len - 8) * ECHO_BYTE_ONES)
		return 0;
	for (__u32 i = 0; i < ECHO_PAD_WORDS_MAX; i++) {
		__u32 k = i * 8;

		if (k + 8 >= pad_len)
			break;
		word = data + ((pad_off + k) & PKT_OFF_MASK);
		if ((void *)(word + 1) > data_end)
			return 0;
		if (bpf_be64_to_cpu(*word) !=
		    ECHO_PAD_WORD + k * ECHO_BYTE_ONES)
			return 0;
	}
	return 1;
}

/*
 * 1 if the pad_len bytes at pad_off are 1, 2, 3, ... Under 8 bytes (every
 * request with the least padding) one word read back from where the
 * padding ends holds them all.
 */
static __always_inline int echo_padding_ok(struct xdp_md *ctx, void *data,
					   void *data_end, __u32 pad_off,
					   __u32 pad_len)
{
	__u64 *word;
	__u64 mask;

	if (pad_len >= 8)
		return echo_long_padding_ok(ctx, pad_off, pad_len);
	if (!pad_len)
		return 1;
	word = data + ((pad_off + pad_len - 8) & PKT_OFF_MASK);
	if ((void *)(word + 1) > data_end)
		return 0;
	mask = (1ULL << (8 * pad_len)) - 1;
	return (bpf_be64_to_cpu(*word) & mask) ==
	       ECHO_PAD_WORD >> (8 * (8 - pad_len));
}

/*
 * The two forms that end in an RFC 4303 trailer: the seed form and the -00
 * form. Returns 0 or the malformed reason.
 */
static __always_inline enum esprit_reason
echo_classify_trailer(struct xdp_md *ctx, void *data, void *data_end,
		      const struct packet *pkt, struct echo_request *req)
{
	__u32 len = pkt->l4_len;
	__u32 trailer_off, pad_len, payload;
	__u8 *trailer;

	trailer_off = (pkt->l4_off + len - ESPRIT_ESP_TRAILER_LEN) &
		      PKT_OFF_MASK;
	trailer = data + trailer_off;
	if ((void *)(trailer + 2) > data_end)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	if (trailer[1] != ESPRIT_NEXTHDR_NONE)
		return ESPRIT_R_ECHO_MALFORMED_NEXT_HEADER;
	pad_len = trailer[0];
	if (len % 4 ||
	    ESPRIT_ESP_HDR_LEN + pad_len + ESPRIT_ESP_TRAILER_LEN > len)
		return ESPRIT_R_ECHO_MALFORMED_PAD_LENGTH;

	if (!echo_padding_ok(ctx, data, data_end, trailer_off - pad_len,
			     pad_len))
		return ESPRIT_R_ECHO_MALFORMED_PADDING;

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

/*
 * A request that starts like a sub-typed one: 0 if Data Length fits the
 * ESP length exactly (16 + 4·R + Data Length), else the reason.
 */
static __always_inline enum esprit_reason
echo_classify_subtyped(void *data_end, const struct esprit_echo_subtyped *st,
		       __u32 len, struct echo_request *req)
{
	__u32 r = st->flags ? ESPRIT_RETURN_SPI_LEN : 0;
	__u32 dlen;

	if (len < ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	if ((void *)(st + 1) > data_end)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	dlen = bpf_ntohs(st->data_len);
	if (ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN + r + dlen != len)
		return ESPRIT_R_ECHO_MALFORMED_DATA_LENGTH;
	req->format = ESPRIT_ECHO_FMT_SUBTYPED;
	req->data_len = dlen;
	req->return_spi = r != 0;
	return 0;
}

/*
 * Recognises the request form (E1): sub-typed first, then the trailer
 * forms. Returns 0 or the malformed reason. A request that starts like a
 * sub-typed one (sub-type 2, no flag but R) and is no trailer form either
 * is reported by its Data Length (or as truncated, if even its header is
 * incomplete); anything else by what is wrong with its trailer.
 */
static __always_inline enum esprit_reason
echo_classify(struct xdp_md *ctx, void *data, void *data_end,
	      const struct packet *pkt, struct echo_request *req)
{
	__u32 len = pkt->l4_len;
	enum esprit_reason subtyped_why;
	struct esprit_echo_subtyped *st;
	__u8 *esp;

	req->esp_len = len;
	req->return_spi = 0;
	if (len < ESPRIT_ESP_HDR_LEN + ESPRIT_ESP_TRAILER_LEN)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;

	esp = data + (pkt->l4_off & PKT_OFF_MASK);
	st = (void *)(esp + ESPRIT_ESP_HDR_LEN);
	if ((void *)esp + ESPRIT_ESP_HDR_LEN + 2 > data_end)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	if (st->subtype != ESPRIT_SUBTYPE_REQUEST ||
	    (st->flags & ~ESPRIT_SUBTYPED_FLAG_R))
		return echo_classify_trailer(ctx, data, data_end, pkt, req);

	subtyped_why = echo_classify_subtyped(data_end, st, len, req);
	if (subtyped_why &&
	    echo_classify_trailer(ctx, data, data_end, pkt, req))
		return subtyped_why;
	return 0;
}

/* The ESPRIT_ECHO_NO_* flag of a format is bit <format>. */
_Static_assert(ESPRIT_ECHO_NO_SEED == 1U << ESPRIT_ECHO_FMT_SEED &&
		       ESPRIT_ECHO_NO_EMPTY == 1U << ESPRIT_ECHO_FMT_EMPTY &&
		       ESPRIT_ECHO_NO_SUBTYPED ==
			       1U << ESPRIT_ECHO_FMT_SUBTYPED,
	       "echo_format_disabled() maps formats to flags by shifting");

static __always_inline int echo_format_disabled(__u32 flags, __u8 format)
{
	return flags & (1U << format);
}

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
 * Reads the addresses and returns 0 if the request may be answered. In
 * this order: group destinations (L2, then IP) are refused; destinations
 * that are not ours pass, whatever else is wrong with them, since transit
 * traffic is not ours to judge; then the sources R2 forbids are refused.
 */
static __always_inline enum esprit_reason
echo_check_addresses(struct xdp_md *ctx, void *data, void *data_end,
		     const struct packet *pkt, const struct esprit_config *cfg,
		     struct net_device *dev)
{
	void *l3 = data + (pkt->l3_off & PKT_OFF_MASK);
	struct ethhdr *eth = data;
	enum esprit_reason bad_src, bad_dst;

	if ((void *)(eth + 1) > data_end)
		return ESPRIT_R_MALFORMED_L3;
	/* Directed broadcasts arrive as L2 broadcast: never amplify them. */
	if (eth->h_dest[0] & 1)
		return ESPRIT_R_ECHO_DST_NOT_UNICAST;

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
	if (ingress_forwards(dev, pkt->family) && fib_transit(ctx, pkt))
		return ESPRIT_R_ECHO_DST_NOT_LOCAL;
	return bad_src;
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

/* 1 if the requester is in the allowlist (ESPRIT_ECHO_ALLOWLIST). */
static __noinline int echo_allowlisted(struct xdp_md *ctx,
				       const struct packet *pkt)
{
	struct esprit_prefix_key key = {.prefixlen = 128};
	__u64 hi, lo;

	if (echo_source(xdp_data(ctx), xdp_data_end(ctx), pkt, &hi, &lo))
		return 0;
	hi = bpf_cpu_to_be64(hi);
	lo = bpf_cpu_to_be64(lo);
	__builtin_memcpy(key.addr, &hi, 8);
	__builtin_memcpy(key.addr + 8, &lo, 8);
	return bpf_map_lookup_elem(&esprit_allow, &key) != NULL;
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
 * The rate limits, when at least one is on. Per-prefix bucket first, so
 * one noisy prefix cannot drain the global one. A function of its own:
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
			return ESPRIT_R_ECHO_RATE_GLOBAL;
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
 * sub-type. new_l4_len may be shorter than the request (MTU truncation or a
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

/*
 * Every request the fast path below does not answer: each check in the
 * documented order, each refusal with its own reason, and the replies
 * that need more than an in-place rewrite. Returns an XDP action.
 */
static __noinline int echo_respond_full(struct xdp_md *ctx, struct packet *pkt,
					const struct esprit_config *cfg)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	struct net_device *dev = ingress_dev(ctx);
	struct echo_reply_plan plan = {};
	struct echo_request req = {};
	__u32 flags = cfg->echo_flags;
	enum esprit_reason why;
	__u32 frame_len;

	if (flags & ESPRIT_ECHO_OFF)
		return count_verdict(ESPRIT_R_ECHO_DISABLED, pkt->len,
				     XDP_PASS);
	if (pkt->is_fragment)
		return count_verdict(ESPRIT_R_ECHO_FRAGMENT, pkt->len,
				     XDP_PASS);
	/* The reply reuses the header: a corrupt one must not go back out. */
	if (pkt->family == ESPRIT_AF_INET &&
	    !ipv4_header_csum_ok(ctx, pkt->l3_off,
				 (__u32)(pkt->l4_off - pkt->l3_off) / 4))
		return count_verdict(ESPRIT_R_MALFORMED_L3, pkt->len, XDP_PASS);

	why = echo_check_addresses(ctx, data, data_end, pkt, cfg, dev);
	if (why == ESPRIT_R_ECHO_DST_NOT_LOCAL || why == ESPRIT_R_MALFORMED_L3)
		return count_verdict(why, pkt->len, XDP_PASS);
	if (why)
		return count_verdict(why, pkt->len, XDP_DROP);

	why = echo_classify(ctx, data, data_end, pkt, &req);
	if (why)
		return count_verdict(why, pkt->len, XDP_DROP);
	if (echo_format_disabled(flags, req.format))
		return count_verdict(ESPRIT_R_ECHO_DISABLED, pkt->len,
				     XDP_PASS);
	if ((flags & ESPRIT_ECHO_ALLOWLIST) && !echo_allowlisted(ctx, pkt))
		return count_verdict(ESPRIT_R_ECHO_NOT_ALLOWED, pkt->len,
				     XDP_DROP);
	why = echo_rate_limit(ctx, pkt, cfg);
	if (why)
		return count_verdict(why, pkt->len, XDP_DROP);

	if (echo_plan_reply(pkt, &req, dev, &plan))
		return count_verdict(ESPRIT_R_ECHO_MALFORMED_TRUNCATED,
				     pkt->len, XDP_DROP);
	if (echo_rewrite(data, data_end, pkt, cfg, &req, plan.esp_len))
		return count_verdict(ESPRIT_R_MALFORMED_L3, pkt->len, XDP_DROP);
	if (plan.new_trailer && echo_write_trailer(ctx, pkt, &plan))
		return count_verdict(ESPRIT_R_MALFORMED_L3, pkt->len, XDP_DROP);
	if (req.return_spi && echo_drop_return_spi(ctx, pkt))
		return count_verdict(ESPRIT_R_MALFORMED_L3, pkt->len, XDP_DROP);
	frame_len = pkt->l4_off + plan.esp_len;
	if (echo_trim(ctx, frame_len))
		return count_verdict(ESPRIT_R_MALFORMED_L3, pkt->len, XDP_DROP);
	return count_verdict(plan.truncated ? ESPRIT_R_ECHO_TRUNCATED_TO_MTU
					    : ESPRIT_R_ECHO_REFLECTED,
			     frame_len, XDP_TX);
}

/* Flags that send every request down the full path. */
#define ECHO_FULL_PATH_FLAGS \
	(ESPRIT_ECHO_OFF | ESPRIT_ECHO_LOCAL_LIST | ESPRIT_ECHO_ALLOWLIST)

/*
 * The trailer forms as the fast path takes them: Next Header 59, a length
 * that is a multiple of 4, padding of at most 6 bytes and right, and no
 * Data or at least the echo header. 0, or -1 for anything else. One load:
 * the packet's last 8 bytes hold the trailer and all of that padding.
 */
static __always_inline int echo_fast_trailer(void *data, void *data_end,
					     __u32 esp_off, __u32 len,
					     struct echo_request *req)
{
	__u32 pad_len, payload;
	__u64 *word, last;

	word = data + ((esp_off + len - 8) & PKT_OFF_MASK);
	if ((void *)(word + 1) > data_end)
		return -1;
	last = bpf_be64_to_cpu(*word); /* padding, Pad Length, Next Header */
	pad_len = (last >> 8) & 0xff;
	if ((last & 0xff) != ESPRIT_NEXTHDR_NONE || len % 4 || pad_len > 6 ||
	    ESPRIT_ESP_HDR_LEN + pad_len + ESPRIT_ESP_TRAILER_LEN > len)
		return -1;
	if (pad_len && ((last >> 16) & ((1ULL << (8 * pad_len)) - 1)) !=
			       ECHO_PAD_WORD >> (8 * (8 - pad_len)))
		return -1;
	payload = len - ESPRIT_ESP_HDR_LEN - ESPRIT_ESP_TRAILER_LEN - pad_len;
	if (payload && payload < ESPRIT_ECHO_HDR_LEN)
		return -1;
	req->format = payload ? ESPRIT_ECHO_FMT_SEED : ESPRIT_ECHO_FMT_EMPTY;
	return 0;
}

/*
 * The fast path: a request that every check lets through, answered with
 * as few instructions as we can. The order of the checks only decides the
 * reason a refusal is counted under; a request that is answered passes
 * all of them, in any order. So this tests the same conditions as
 * echo_respond_full(), cheapest first, and at the first doubt - a failed
 * test, or a reply that needs more than an in-place rewrite (cut to the
 * MTU, a return SPI to drop, Ethernet padding to trim, padding of 7 bytes
 * or more, the address list, the allowlist) - returns -1 with nothing
 * touched, and the full path sorts it out. The rate limiter's verdict is
 * final, since asking spends a token: it comes last, as in the full path.
 */
static __always_inline int echo_fast(struct xdp_md *ctx, struct packet *pkt,
				     const struct esprit_config *cfg)
{
	/* first: clang keeps no register across a call */
	struct net_device *dev = ingress_dev(ctx);
	__u32 mtu = ingress_mtu(dev);
	__u32 flags = cfg->echo_flags;
	__u32 esp_off = pkt->l4_off & PKT_OFF_MASK;
	__u32 len = pkt->l4_len;
	struct esprit_echo_subtyped *st;
	struct echo_request req = {};
	struct esprit_esp_hdr *esp;
	void *data, *data_end, *l3;
	enum esprit_reason why;
	struct ethhdr *eth;

	if ((flags & ECHO_FULL_PATH_FLAGS) || pkt->is_fragment ||
	    (ingress_forwards(dev, pkt->family) && fib_transit(ctx, pkt)))
		return -1;
	data = xdp_data(ctx);
	data_end = xdp_data_end(ctx);
	eth = data;
	if (pkt->len != pkt->l4_off + len ||
	    len < ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN ||
	    pkt->l4_off - pkt->l3_off + len > mtu)
		return -1;
	l3 = data + (pkt->l3_off & PKT_OFF_MASK);
	esp = data + esp_off;
	st = (void *)(esp + 1);
	if ((void *)(eth + 1) > data_end || (void *)(st + 1) > data_end)
		return -1;
	if (eth->h_dest[0] & 1)
		return -1;

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end || ip->ihl != 5 ||
		    ipv4_bad_dest(ip->daddr) ||
		    ipv4_bad_source(ip->saddr, ip->daddr) ||
		    !ipv4_header_csum_ok(ctx, pkt->l3_off, 5))
			return -1;
	} else {
		struct ipv6hdr *ip6 = l3;
		struct ipv6_words src, dst;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		/* zero first words (::, ::1, v4-mapped) and link-local
		 * sources are left to the full path: never answered fast */
		dst = ipv6_words(&ip6->daddr);
		src = ipv6_words(&ip6->saddr);
		if (!dst.hi || !src.hi || ipv6_is_multicast(dst) ||
		    ipv6_is_multicast(src) || ipv6_is_link_local(src))
			return -1;
	}

	if (st->subtype == ESPRIT_SUBTYPE_REQUEST) {
		if (st->flags || ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN +
						 bpf_ntohs(st->data_len) !=
					 len)
			return -1;
		req.format = ESPRIT_ECHO_FMT_SUBTYPED;
	} else if (echo_fast_trailer(data, data_end, esp_off, len, &req)) {
		return -1;
	}
	if (echo_format_disabled(flags, req.format))
		return -1;

	why = echo_rate_limit(ctx, pkt, cfg);
	if (why)
		return count_verdict(why, pkt->len, XDP_DROP);

	/* read again: held across the limiter's calls they would be spilled */
	if (echo_rewrite(xdp_data(ctx), xdp_data_end(ctx), pkt, cfg, &req, len))
		return -1;
	return count_verdict(ESPRIT_R_ECHO_REFLECTED, pkt->len, XDP_TX);
}

/*
 * Entry for ESP packets whose SPI is the request SPI. Returns an XDP action.
 */
static __always_inline int echo_respond(struct xdp_md *ctx, struct packet *pkt,
					const struct esprit_config *cfg)
{
	int action = echo_fast(ctx, pkt, cfg);

	return action >= 0 ? action : echo_respond_full(ctx, pkt, cfg);
}

#endif
