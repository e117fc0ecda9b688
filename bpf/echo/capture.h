/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Takes ESP Echo Replies to our own probes in XDP: the receive time is read
 * here, before the stack, and the reply goes to the ring buffer of the
 * reader that registered its Identifier in esprit_echo_ids. Replies no reader
 * claimed pass on (a raw-socket ping may be waiting for them), and so do
 * replies in the -00 form, which carry nothing to match them by, and
 * replies in no form at all, counted as malformed.
 */
#ifndef ESPRIT_BPF_ECHO_CAPTURE_H
#define ESPRIT_BPF_ECHO_CAPTURE_H

#include "lib/ctx.h"
#include "lib/parse.h"
#include "echo/maps.h"
#include "lib/counters.h"
#include "lib/addr.h"

struct echo_reply {
	__u32 data_off; /* packet offset of Data */
	__u16 data_len;
	__u16 ident;
	__u16 seq;
	__u8 format;
};

/* What echo_reply_parse() found. */
enum echo_reply_kind {
	ECHO_REPLY_MATCHABLE = 0, /* sub-typed or seed: Identifier, Sequence */
	ECHO_REPLY_EMPTY = 1, /* the -00 form: nothing to match it by here */
	ECHO_REPLY_MALFORMED = 2, /* no form at all */
};

/*
 * Finds Identifier, Sequence and Data of a reply: the sub-typed form
 * (sub-type 3, Data Length fitting the ESP length exactly) first, then the
 * forms that end in a trailer (Next Header 59, a Pad Length that fits).
 */
static __always_inline enum echo_reply_kind
echo_reply_parse(struct xdp_md *ctx, const struct packet *pkt,
		 struct echo_reply *rep)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	__u32 esp_off = pkt->l4_off & PKT_OFF_MASK;
	__u32 len = pkt->l4_len;
	struct esprit_echo_seed *seed;
	__u32 payload;
	__u8 *trailer;

	if (len >= ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN) {
		struct esprit_echo_subtyped *st = data + esp_off + 8;

		if ((void *)(st + 1) > data_end)
			return ECHO_REPLY_MALFORMED;
		if (st->subtype == ESPRIT_SUBTYPE_RESPONSE &&
		    ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN +
				    bpf_ntohs(st->data_len) ==
			    len) {
			rep->format = ESPRIT_ECHO_FMT_SUBTYPED;
			rep->ident = bpf_ntohs(st->ident);
			rep->seq = bpf_ntohs(st->seq);
			rep->data_len = bpf_ntohs(st->data_len);
			rep->data_off = esp_off + ESPRIT_ESP_HDR_LEN +
					ESPRIT_SUBTYPED_HDR_LEN;
			return ECHO_REPLY_MATCHABLE;
		}
	}
	if (len < ESPRIT_ESP_HDR_LEN + ESPRIT_ESP_TRAILER_LEN)
		return ECHO_REPLY_MALFORMED;
	trailer = data +
		  ((esp_off + len - ESPRIT_ESP_TRAILER_LEN) & PKT_OFF_MASK);
	if ((void *)(trailer + 2) > data_end)
		return ECHO_REPLY_MALFORMED;
	if (trailer[1] != ESPRIT_NEXTHDR_NONE ||
	    ESPRIT_ESP_HDR_LEN + ESPRIT_ESP_TRAILER_LEN + trailer[0] > len)
		return ECHO_REPLY_MALFORMED;
	payload =
		len - ESPRIT_ESP_HDR_LEN - ESPRIT_ESP_TRAILER_LEN - trailer[0];
	if (!payload)
		return ECHO_REPLY_EMPTY;
	if (payload < ESPRIT_ECHO_HDR_LEN)
		return ECHO_REPLY_MALFORMED;
	seed = data + esp_off + ESPRIT_ESP_HDR_LEN;
	if ((void *)(seed + 1) > data_end)
		return ECHO_REPLY_MALFORMED;
	rep->format = ESPRIT_ECHO_FMT_SEED;
	rep->ident = bpf_ntohs(seed->ident);
	rep->seq = bpf_ntohs(seed->seq);
	rep->data_len = payload - ESPRIT_ECHO_HDR_LEN;
	rep->data_off = esp_off + ESPRIT_ESP_HDR_LEN + ESPRIT_ECHO_HDR_LEN;
	return ECHO_REPLY_MATCHABLE;
}

static __always_inline void
echo_event_addresses(struct xdp_md *ctx, const struct packet *pkt,
		     struct esprit_echo_reply_event *ev)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip + 1) > data_end)
			return;
		addr_from_ipv4(&ev->src, ip->saddr);
		addr_from_ipv4(&ev->dst, ip->daddr);
		ev->dscp = ip->tos >> 2;
		ev->ttl = ip->ttl;
	} else {
		struct ipv6hdr *ip6 = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip6 + 1) > data_end)
			return;
		addr_from_ipv6(&ev->src, &ip6->saddr);
		addr_from_ipv6(&ev->dst, &ip6->daddr);
		ev->dscp = (ip6->priority << 2) | (ip6->flow_lbl[0] >> 6);
		ev->ttl = ip6->hop_limit;
	}
}

static __always_inline __u32 echo_esp_seq(struct xdp_md *ctx,
					  const struct packet *pkt)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	struct esprit_esp_hdr *esp = data + (pkt->l4_off & PKT_OFF_MASK);

	if ((void *)(esp + 1) > data_end)
		return 0;
	return bpf_ntohl(esp->seq);
}

/*
 * With local-only on, the operator listed our addresses: a reply to any other
 * address is in transit through this host, never ours to take, whatever its
 * Identifier.
 */
static __always_inline int reply_to_listed_address(struct xdp_md *ctx,
						   const struct packet *pkt)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	struct esprit_addr dst = {};

	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip + 1) > data_end)
			return 0;
		addr_from_ipv4(&dst, ip->daddr);
	} else {
		struct ipv6hdr *ip6 = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		addr_from_ipv6(&dst, &ip6->daddr);
	}
	return bpf_map_lookup_elem(&esprit_local, &dst) != NULL;
}

/* Whether the reply comes from the address the reader probed. */
static __always_inline int
reply_from_peer(struct xdp_md *ctx, const struct packet *pkt,
		const struct esprit_echo_reader *reader)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	struct esprit_addr src __attribute__((aligned(4))) = {};

	if (!reader->peer.family)
		return 1;
	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip + 1) > data_end)
			return 0;
		addr_from_ipv4(&src, ip->saddr);
	} else {
		struct ipv6hdr *ip6 = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		addr_from_ipv6(&src, &ip6->saddr);
	}
	return addr_equal(&src, &reader->peer);
}

static __always_inline void ring_drop(__u32 slot)
{
	__u64 *drops = bpf_map_lookup_elem(&esprit_rb_drops, &slot);

	if (drops)
		(*drops)++;
}

/* The telemetry: the reply as an event in the reader's ring. */
static __always_inline int echo_capture_emit(struct xdp_md *ctx,
					     const struct packet *pkt,
					     const struct echo_reply *rep,
					     void *ring, __u32 slot,
					     __u64 rx_ns)
{
	struct esprit_echo_reply_event *ev;
	__u32 copy;

	ev = bpf_ringbuf_reserve(ring, sizeof(*ev), 0);
	if (!ev) {
		ring_drop(slot);
		return count_verdict(ESPRIT_R_RING_FULL, pkt->len, XDP_DROP);
	}

	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = ESPRIT_EV_ECHO_REPLY;
	ev->format = rep->format;
	ev->ifindex = ctx->ingress_ifindex;
	ev->rx_ns = rx_ns;
	ev->ident = rep->ident;
	ev->seq = rep->seq;
	ev->data_len = rep->data_len;
	echo_event_addresses(ctx, pkt, ev);
	ev->esp_seq = echo_esp_seq(ctx, pkt);
	copy = rep->data_len;
	if (copy > ESPRIT_ECHO_EVENT_DATA)
		copy = ESPRIT_ECHO_EVENT_DATA;
	if (copy)
		bpf_xdp_load_bytes(ctx, rep->data_off, ev->data, copy);
	bpf_ringbuf_submit(ev, 0);
	return count_verdict(ESPRIT_R_ECHO_REPLY_CAPTURED, pkt->len, XDP_DROP);
}

/*
 * Entry for ESP packets whose SPI is the reply SPI. Built with
 * -DESPRIT_NO_TELEMETRY (a benchmark's baseline only: bench/ring_cost.c),
 * a reply is matched and consumed as always but neither timestamped nor
 * queued, so the difference is what the timestamp and ring buffer cost.
 */
static __always_inline int echo_capture_reply(struct xdp_md *ctx,
					      struct packet *pkt,
					      const struct esprit_config *cfg)
{
#ifndef ESPRIT_NO_TELEMETRY
	__u64 rx_ns = bpf_ktime_get_ns();
#endif
	struct esprit_echo_reader *reader;
	struct esprit_echo_id id = {};
	struct echo_reply rep = {};
	enum echo_reply_kind kind;
	__u32 slot;
	void *ring;

	if (cfg->echo_flags & ESPRIT_ECHO_NO_CAPTURE || pkt->is_fragment)
		return count_verdict(ESPRIT_R_ECHO_REPLY_PASSED, pkt->len,
				     XDP_PASS);
	kind = echo_reply_parse(ctx, pkt, &rep);
	if (kind == ECHO_REPLY_MALFORMED)
		return count_verdict(ESPRIT_R_ECHO_REPLY_MALFORMED, pkt->len,
				     XDP_PASS);
	if (kind == ECHO_REPLY_EMPTY)
		return count_verdict(ESPRIT_R_ECHO_REPLY_PASSED, pkt->len,
				     XDP_PASS);
	id.ident = rep.ident;
	reader = bpf_map_lookup_elem(&esprit_echo_ids, &id);
	if (!reader || !reply_from_peer(ctx, pkt, reader) ||
	    (cfg->echo_flags & ESPRIT_ECHO_LOCAL_LIST &&
	     !reply_to_listed_address(ctx, pkt)))
		return count_verdict(ESPRIT_R_ECHO_REPLY_PASSED, pkt->len,
				     XDP_PASS);
	slot = reader->ring_slot;
	ring = bpf_map_lookup_elem(&esprit_rings, &slot);
	if (!ring)
		return count_verdict(ESPRIT_R_ECHO_REPLY_PASSED, pkt->len,
				     XDP_PASS);
#ifdef ESPRIT_NO_TELEMETRY
	return count_verdict(ESPRIT_R_ECHO_REPLY_CAPTURED, pkt->len, XDP_DROP);
#else
	return echo_capture_emit(ctx, pkt, &rep, ring, slot, rx_ns);
#endif
}

#endif
