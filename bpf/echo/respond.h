/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP Echo responder (docs/protocols.md §1): recognises the three request forms,
 * refuses what R2-R4 forbid, rate-limits, and turns the request into its
 * reply in place (R5, R7) for XDP_TX.
 *
 * Which requests are ours (R2): the frame must be addressed to the ingress
 * device's MAC address, always. Then, with ESPRIT_ECHO_LOCAL_LIST set
 * (`esprit responder set local-only on`; the daemon or `local sync` keeps
 * esprit_local equal to the host's addresses) the destination must be in
 * that list, and sources in it are refused. Without it (e.g. `ip link set
 * ... xdp obj` and no configuration) the kernel's own lists decide
 * (bpf/lib/host.h): the destination must be an address of the ingress
 * device or of lo, and a source that is an address of the ingress device
 * is refused. Anything else passes untouched: a request for an address
 * that is not ours is never answered, whatever the mode.
 *
 * Speed: one request is answered with straight-line code on pointers read
 * once; what only odd requests need (a cut to the MTU, a return SPI to
 * drop, long padding, the address list, the allowlist, priority sources) is
 * in functions of their own, out of the common path's registers; a
 * request that needs none of it takes echo_fast().
 */
#ifndef ESPRIT_BPF_ECHO_RESPOND_H
#define ESPRIT_BPF_ECHO_RESPOND_H

#include "lib/ctx.h"
#include "lib/counters.h"
#include "lib/csum.h"
#include "lib/device.h"
#include "lib/parse.h"
#include "echo/classify.h"
#include "echo/maps.h"
#include "echo/policy.h"
#include "echo/reply.h"

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
	if (why == ESPRIT_R_ECHO_DST_NOT_LOCAL ||
	    why == ESPRIT_R_MALFORMED_L3 ||
	    why == ESPRIT_R_ECHO_DST_MAC_NOT_OURS)
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
	if (why && why != ESPRIT_R_ECHO_REFLECTED_PRIORITY)
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
	if (!why)
		why = plan.truncated ? ESPRIT_R_ECHO_TRUNCATED_TO_MTU
				     : ESPRIT_R_ECHO_REFLECTED;
	return count_verdict(why, frame_len, XDP_TX);
}

/* Flags that send every request down the full path. */
#define ECHO_FULL_PATH_FLAGS \
	(ESPRIT_ECHO_OFF | ESPRIT_ECHO_LOCAL_LIST | ESPRIT_ECHO_ALLOWLIST)

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

	if ((flags & ECHO_FULL_PATH_FLAGS) || pkt->is_fragment)
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
	if ((eth->h_dest[0] & 1) ||
	    !host_mac_is_device(dev, (const __u16 *)eth->h_dest))
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
	if (echo_format_disabled(flags, req.format) ||
	    echo_host_verdict(ctx, pkt) != HOST_DST_OURS)
		return -1;

	why = echo_rate_limit(ctx, pkt, cfg);
	if (why && why != ESPRIT_R_ECHO_REFLECTED_PRIORITY)
		return count_verdict(why, pkt->len, XDP_DROP);

	/* read again: held across the limiter's calls they would be spilled */
	if (echo_rewrite(xdp_data(ctx), xdp_data_end(ctx), pkt, cfg, &req, len))
		return -1;
	return count_verdict(why ? why : ESPRIT_R_ECHO_REFLECTED, pkt->len,
			     XDP_TX);
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
