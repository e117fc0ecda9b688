/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV at the receiving border router (docs/protocols.md §2, §4): packets for
 * the local AS from a peer AS must carry a valid AS-scoped AH tag, which
 * is checked and stripped here; what fails is dropped (peer in `enforce`)
 * or counted and passed (`testing`). One entry, risav(), which the
 * dispatcher calls before anything else looks at the packet.
 *
 * In order: RISAV off (local ASN 0) or the destination outside the local
 * AS: untouched. The source's AS (longest prefix match) is not a peer:
 * an AS-scoped AH is stripped unverified (the draft wants every one
 * stripped), anything else untouched. A peer in mode `off`: untouched.
 * To or from a contact address (green channel): untouched. Otherwise the
 * first header after the IP header (after IPv6 hop-by-hop and destination
 * options) must be an AH with Scope 1 whose (SPI, source AS) names an SA,
 * whose length fits the packet and the SA's ICV, whose sequence number is
 * not a replay (if the SA has a window) and whose ICV is valid. An AH with
 * another Scope is not a RISAV tag: from a peer it counts as no tag, or a
 * forged end-to-end AH would get any spoofed packet through.
 *
 * The strip moves the link and IP headers over the AH and gives the
 * packet to the stack (XDP_PASS) exactly as its sender built it before
 * tagging; in `testing` every well-formed AS-scoped AH is stripped, valid
 * or not, so the hosts behind still get the traffic.
 */
#ifndef ESPRIT_BPF_RISAV_H
#define ESPRIT_BPF_RISAV_H

#include "lib/ctx.h"
#include "lib/parse.h"
#include "risav/maps.h"
#include "lib/counters.h"
#include "lib/addr.h"
#include "lib/hmac.h"
#include "risav/icv.h"
#include "risav/replay.h"
#include "risav/audit.h"
#include "risav/prefix.h"

/* risav(): not RISAV's business, or passed on untouched. */
#define RISAV_CONTINUE (-1)
/* risav_check(): the packet is ready for the ICV check. */
#define RISAV_VERIFY (-2)

enum risav_ah {
	RISAV_AH_NONE, /* no AH where the sender puts it */
	RISAV_AH_FOUND,
	RISAV_AH_FRAGMENT, /* a fragment: its AH cannot be checked */
	RISAV_AH_UNSUPPORTED, /* headers before it that RISAV cannot walk */
};

struct risav_pkt {
	struct audit_info info; /* addresses, source AS, SPI, seq, mode */
	struct ah_layout l;
	__u32 l3_end; /* end of the IP packet (Ethernet padding after it) */
	__u32 nh_off; /* the Protocol / Next Header byte that says AH */
	__u32 ah_len;
	__u8 ah_nexthdr;
	__u8 scope;
	/* for the ICV check and what follows it (risav_verdict()) */
	struct esprit_sa_in_key sa;
	__u32 window;
	struct esprit_hmac_sha256_key key; /* the SA's midstates, copied */
	__u8 icv[ESPRIT_HMAC_SHA256_128_ICV_LEN];
};

/*
 * Per CPU, not pinned: the packet's facts live here rather than on the
 * stack, whose 512 bytes the call chain down to the hash shares.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct risav_pkt);
} esprit_vrfy_scr SEC(".maps");

/* The origin AS of an address, 0 (ESPRIT_ASN_NONE) if none. */
static __always_inline __u32 risav_origin(const struct prefix_snapshot *s,
					  const struct esprit_addr *a)
{
	__u32 asn;

	return prefix_origin_in(s, a->addr, &asn) ? asn : ESPRIT_ASN_NONE;
}

static __always_inline int risav_read_addrs(struct xdp_md *ctx,
					    const struct packet *pkt,
					    struct risav_pkt *rp)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);

	__builtin_memset(rp, 0, sizeof(*rp));
	rp->l.l3_off = pkt->l3_off;
	rp->l.family = pkt->family;
	rp->l3_end = pkt->l3_off + pkt->l3_len;
	rp->info.bytes = pkt->len;
	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip + 1) > data_end)
			return -1;
		addr_from_ipv4(&rp->info.src, ip->saddr);
		addr_from_ipv4(&rp->info.dst, ip->daddr);
	} else {
		struct ipv6hdr *ip6 = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		addr_from_ipv6(&rp->info.src, &ip6->saddr);
		addr_from_ipv6(&rp->info.dst, &ip6->daddr);
		rp->info.flow_label = ((ip6->flow_lbl[0] & 0x0f) << 16) |
				      (ip6->flow_lbl[1] << 8) |
				      ip6->flow_lbl[2];
	}
	return 0;
}

/*
 * An IPv6 fragment header at off: a fragment, unless it is an atomic
 * fragment (offset 0, M 0: RFC 6946), which is a whole packet; its AH
 * would sit behind a header the ICV cannot cover: unverifiable, never
 * passed as a fragment.
 */
static __always_inline int risav_fragment_kind(void *data, void *data_end,
					       __u32 off)
{
	__be16 *offset_m = data + ((off + 2) & PKT_OFF_MASK);

	if ((void *)(offset_m + 1) > data_end)
		return RISAV_AH_UNSUPPORTED;
	return *offset_m & bpf_htons(0xfff9) ? RISAV_AH_FRAGMENT
					     : RISAV_AH_UNSUPPORTED;
}

/* Where the AH would be: after the IPv4 header, or after the IPv6 header
 * and its hop-by-hop and destination options headers. */
static __always_inline int risav_find_ah(struct xdp_md *ctx,
					 const struct packet *pkt,
					 struct risav_pkt *rp)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	__u8 nexthdr = pkt->l4_proto;
	__u32 off = pkt->l4_off;
	__u32 nh_off;

	if (pkt->family == ESPRIT_AF_INET) {
		if (pkt->is_fragment)
			return RISAV_AH_FRAGMENT;
		if (nexthdr != ESPRIT_IPPROTO_AH)
			return RISAV_AH_NONE;
		rp->l.ah_off = off;
		rp->nh_off = pkt->l3_off + 9;
		return RISAV_AH_FOUND;
	}
	nh_off = pkt->l3_off + 6;
#pragma unroll
	for (int i = 0; i < ESPRIT_IPV6_EXT_MAX; i++) {
		__u8 *ext;

		if (nexthdr == ESPRIT_IPPROTO_AH)
			break;
		if (nexthdr == ESPRIT_NEXTHDR_FRAGMENT)
			return risav_fragment_kind(data, data_end, off);
		if (nexthdr != ESPRIT_NEXTHDR_HOP &&
		    nexthdr != ESPRIT_NEXTHDR_DEST)
			return ipv6_is_ext_header(nexthdr)
				       ? RISAV_AH_UNSUPPORTED
				       : RISAV_AH_NONE;
		ext = data + (off & PKT_OFF_MASK);
		if ((void *)(ext + 2) > data_end || off + 2 > rp->l3_end)
			return RISAV_AH_UNSUPPORTED;
		nh_off = off;
		nexthdr = ext[0];
		off += (ext[1] + 1) * 8;
	}
	if (nexthdr != ESPRIT_IPPROTO_AH)
		return RISAV_AH_UNSUPPORTED; /* more headers than walked */
	rp->l.ah_off = off;
	rp->nh_off = nh_off;
	return RISAV_AH_FOUND;
}

/* The AH's fixed part; -1 if the IP packet ends inside it. */
static __always_inline int risav_read_ah(struct xdp_md *ctx,
					 struct risav_pkt *rp)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	struct esprit_ah_hdr *ah = data + (rp->l.ah_off & PKT_OFF_MASK);

	if (rp->l.ah_off + sizeof(*ah) > rp->l3_end ||
	    (void *)(ah + 1) > data_end)
		return -1;
	rp->ah_nexthdr = ah->nexthdr;
	rp->ah_len = (ah->payload_len + 2) * 4;
	rp->scope = ah->scope;
	rp->info.spi = bpf_ntohl(ah->spi);
	rp->info.seq = bpf_ntohl(ah->seq);
	rp->info.has_ah = 1;
	return 0;
}

/* The AH holds an ICV of icv_len bytes, ends inside the IP packet, and
 * (IPv6) is a whole number of 8-byte units (RFC 4302 §2.2). */
static __always_inline bool risav_ah_len_ok(const struct risav_pkt *rp,
					    __u32 icv_len)
{
	if (rp->ah_len < ESPRIT_AH_FIXED_LEN + icv_len ||
	    rp->l.ah_off + rp->ah_len > rp->l3_end)
		return false;
	return rp->l.family == ESPRIT_AF_INET || (rp->ah_len & 7) == 0;
}

/* Green channel (risav/maps.h), seen from the receiving side. */
static __always_inline bool risav_green(const struct esprit_risav_config *cfg,
					const struct risav_pkt *rp)
{
	return risav_green_channel(cfg, &rp->info.dst, &rp->info.src,
				   rp->info.asn);
}

/*
 * Removes the AH: the frame's bytes before it, as they arrived (in
 * scr->orig), with the protocol / next header and length restored and the
 * IPv4 checksum updated, move forward over it. The checksum is updated,
 * not recomputed, so a header that arrived corrupt stays so.
 */
static __always_inline int risav_strip(struct xdp_md *ctx,
				       const struct risav_pkt *rp,
				       struct ah_icv_scratch *scr)
{
	__u32 l3 = rp->l.l3_off, hdrs = rp->l.ah_off, ah_len = rp->ah_len;
	__u8 *h = scr->orig;

	if (rp->l.family == ESPRIT_AF_INET) {
		__u16 old_len = ah_get16(h, l3 + 2);
		__u16 old_ttl_proto = ah_get16(h, l3 + 8);
		__u16 new_ttl_proto = (old_ttl_proto & 0xff00) | rp->ah_nexthdr;
		__u16 sum = ah_get16(h, l3 + 10);

		sum = ah_csum_replace(sum, old_len, old_len - ah_len);
		sum = ah_csum_replace(sum, old_ttl_proto, new_ttl_proto);
		ah_put16(h, l3 + 2, old_len - ah_len);
		ah_put16(h, l3 + 8, new_ttl_proto);
		ah_put16(h, l3 + 10, sum);
	} else {
		ah_put16(h, l3 + 4, ah_get16(h, l3 + 4) - ah_len);
		*ah_at(h, rp->nh_off) = rp->ah_nexthdr;
	}
	if (hdrs < 1 || hdrs > ESPRIT_AH_HDRS_MAX)
		return XDP_ABORTED; /* checked before: cannot happen */
	if (bpf_xdp_store_bytes(ctx, ah_len, h, hdrs) ||
	    bpf_xdp_adjust_head(ctx, ah_len))
		return XDP_ABORTED;
	return XDP_PASS;
}

/* Counts a failed check and sends its audit event. */
static __always_inline void risav_report(struct xdp_md *ctx,
					 const struct esprit_risav_config *cfg,
					 const struct risav_pkt *rp,
					 enum esprit_reason reason)
{
	bool drop = rp->info.mode == ESPRIT_PEER_ENFORCE;

	count(reason, rp->info.bytes);
	if (!drop)
		count(ESPRIT_R_RISAV_TESTING_PASSED, rp->info.bytes);
	esprit_audit_emit(ctx, &rp->info, reason,
			  drop ? ESPRIT_AUDIT_DROPPED : 0, audit_rate(cfg));
}

/* A failed check on a packet that cannot be stripped: drop or leave. */
static __always_inline int risav_fail(struct xdp_md *ctx,
				      const struct esprit_risav_config *cfg,
				      const struct risav_pkt *rp,
				      enum esprit_reason reason)
{
	risav_report(ctx, cfg, rp, reason);
	return rp->info.mode == ESPRIT_PEER_ENFORCE ? XDP_DROP : RISAV_CONTINUE;
}

/*
 * A failed check on an AS-scoped AH: drop, or (testing) strip it anyway.
 * headers_saved: scr->orig already holds the frame up to the AH.
 */
static __always_inline int
risav_fail_strip(struct xdp_md *ctx, const struct esprit_risav_config *cfg,
		 const struct risav_pkt *rp, struct ah_icv_scratch *scr,
		 enum esprit_reason reason, bool headers_saved)
{
	risav_report(ctx, cfg, rp, reason);
	if (rp->info.mode == ESPRIT_PEER_ENFORCE)
		return XDP_DROP;
	if (!headers_saved &&
	    (!risav_ah_len_ok(rp, 0) ||
	     ah_copy_headers(ctx, SHA256_PKT_XDP, scr->orig, rp->l.ah_off)))
		return RISAV_CONTINUE;
	return risav_strip(ctx, rp, scr);
}

/*
 * The ICV check of the IP packet described by rp (prepared by
 * risav_check()). A global function, so the verifier checks the hash
 * once rather than once for every state the packet paths reach it in.
 * 0 only if the ICV is valid.
 */
__noinline int risav_icv_check(struct xdp_md *ctx, const struct risav_pkt *rp)
{
	if (!rp)
		return -1;
	return hmac_sha256_128_verify(ctx, rp->l.l3_off,
				      rp->l3_end - rp->l.l3_off, &rp->key,
				      rp->icv);
}

static __always_inline bool risav_sa_usable(const struct esprit_sa_in *sa)
{
	return sa && sa->state == ESPRIT_SA_ACTIVE &&
	       sa->auth.alg == ESPRIT_AUTH_HMAC_SHA256_128 &&
	       sa->auth.icv_len == ESPRIT_HMAC_SHA256_128_ICV_LEN;
}

enum risav_sa_count {
	RISAV_SA_VERIFIED,
	RISAV_SA_BAD_ICV,
	RISAV_SA_REPLAYED,
};

/*
 * Counts for the SA. The counters are looked up here, each time, rather
 * than held across the hash: a pointer that may be NULL, kept live over
 * the verification, would make the verifier walk it all twice.
 */
static __always_inline void risav_sa_count(const struct esprit_sa_in_key *key,
					   enum risav_sa_count what,
					   __u32 bytes)
{
	struct esprit_sa_stats *st = bpf_map_lookup_elem(&esprit_sa_in_st, key);

	if (!st)
		return;
	if (what == RISAV_SA_VERIFIED) {
		st->packets++;
		st->bytes += bytes;
	} else if (what == RISAV_SA_BAD_ICV) {
		st->bad_icv++;
	} else {
		st->replayed++;
	}
}

/* The SA's window has seen seq, or the SA has no window state. */
static __always_inline bool risav_replayed(const struct esprit_sa_in_key *key,
					   __u32 seq, __u32 window, bool accept)
{
	struct esprit_replay *rw = bpf_map_lookup_elem(&esprit_sa_in_rw, key);

	if (!rw)
		return true;
	if (accept)
		return !replay_accept(rw, seq, window);
	return replay_seen(rw, seq, window);
}

/*
 * An AS-scoped AH from a peer in enforce or testing mode, up to the ICV
 * check: the SA, the lengths, the replay window (before the ICV, RFC 4302
 * §3.4.3), the ICV input prepared in the packet.
 */
static __always_inline int risav_verify(struct xdp_md *ctx,
					const struct esprit_risav_config *cfg,
					struct risav_pkt *rp,
					struct ah_icv_scratch *scr)
{
	const struct esprit_sa_in *sa;

	rp->sa.spi = rp->info.spi;
	rp->sa.asn = rp->info.asn;
	sa = bpf_map_lookup_elem(&esprit_sa_in, &rp->sa);
	if (!risav_sa_usable(sa))
		return risav_fail_strip(ctx, cfg, rp, scr,
					ESPRIT_R_AH_UNKNOWN_SPI, false);
	rp->l.icv_len = ESPRIT_HMAC_SHA256_128_ICV_LEN;
	if (!risav_ah_len_ok(rp, rp->l.icv_len))
		return risav_fail(ctx, cfg, rp, ESPRIT_R_AH_BAD_LENGTH);

	rp->window = sa->replay_window;
	if (rp->window &&
	    risav_replayed(&rp->sa, rp->info.seq, rp->window, false)) {
		risav_sa_count(&rp->sa, RISAV_SA_REPLAYED, 0);
		return risav_fail_strip(ctx, cfg, rp, scr, ESPRIT_R_AH_REPLAY,
					false);
	}
	rp->key = sa->auth.material.hmac_sha256;

	/* the ICV goes aside before the packet's copy is zeroed */
	if (bpf_xdp_load_bytes(ctx, rp->l.ah_off + ESPRIT_AH_FIXED_LEN, rp->icv,
			       sizeof(rp->icv)) ||
	    ah_icv_prepare(ctx, &rp->l, scr))
		return risav_fail(ctx, cfg, rp, ESPRIT_R_RISAV_UNVERIFIABLE);
	return RISAV_VERIFY;
}

/*
 * After the ICV check (icv_rc 0: valid): the window moved (only now, RFC
 * 4302 §3.4.3), the counts, and the strip; or the failure.
 */
__noinline int risav_verdict(struct xdp_md *ctx, struct risav_pkt *rp,
			     int icv_rc)
{
	const struct esprit_risav_config *cfg;
	struct ah_icv_scratch *scr = ah_icv_scratch();
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&esprit_risav, &zero);
	if (!rp || !cfg || !scr) /* cannot happen */
		return XDP_ABORTED;
	/* midstates forge ICVs as well as the key: no copy left lying */
	__builtin_memset(&rp->key, 0, sizeof(rp->key));
	if (icv_rc) {
		risav_sa_count(&rp->sa, RISAV_SA_BAD_ICV, 0);
		return risav_fail_strip(ctx, cfg, rp, scr, ESPRIT_R_AH_BAD_ICV,
					true);
	}
	if (rp->window &&
	    risav_replayed(&rp->sa, rp->info.seq, rp->window, true)) {
		risav_sa_count(&rp->sa, RISAV_SA_REPLAYED, 0);
		return risav_fail_strip(ctx, cfg, rp, scr, ESPRIT_R_AH_REPLAY,
					true);
	}
	risav_sa_count(&rp->sa, RISAV_SA_VERIFIED, rp->l3_end - rp->l.l3_off);
	count(ESPRIT_R_RISAV_VERIFIED, rp->info.bytes);
	return risav_strip(ctx, rp, scr);
}

static __always_inline int
risav_from_peer(struct xdp_md *ctx, const struct esprit_risav_config *cfg,
		struct risav_pkt *rp, int ah)
{
	struct ah_icv_scratch *scr;

	if (risav_green(cfg, rp))
		return count_verdict(ESPRIT_R_RISAV_GREEN_CHANNEL,
				     rp->info.bytes, RISAV_CONTINUE);
	if (ah == RISAV_AH_FRAGMENT) {
		if (cfg->risav_flags & ESPRIT_RISAV_PASS_FRAGMENTS)
			return count_verdict(ESPRIT_R_RISAV_FRAGMENT_PASSED,
					     rp->info.bytes, RISAV_CONTINUE);
		return risav_fail(ctx, cfg, rp, ESPRIT_R_RISAV_FRAGMENT);
	}
	if (ah == RISAV_AH_UNSUPPORTED)
		return risav_fail(ctx, cfg, rp, ESPRIT_R_RISAV_UNVERIFIABLE);
	if (ah == RISAV_AH_NONE)
		return risav_fail(ctx, cfg, rp, ESPRIT_R_RISAV_UNTAGGED);
	if (risav_read_ah(ctx, rp))
		return risav_fail(ctx, cfg, rp, ESPRIT_R_AH_TRUNCATED);
	if (rp->scope != ESPRIT_AH_SCOPE_AS)
		return risav_fail(ctx, cfg, rp, ESPRIT_R_RISAV_UNTAGGED);
	scr = ah_icv_scratch();
	if (!scr) /* an array's only slot: cannot happen */
		return risav_fail(ctx, cfg, rp, ESPRIT_R_RISAV_UNVERIFIABLE);
	return risav_verify(ctx, cfg, rp, scr);
}

/* From an AS that is not a peer: only an AS-scoped AH is touched. */
static __always_inline int
risav_from_non_peer(struct xdp_md *ctx, const struct esprit_risav_config *cfg,
		    struct risav_pkt *rp, int ah)
{
	struct ah_icv_scratch *scr;

	if (ah != RISAV_AH_FOUND || risav_read_ah(ctx, rp) ||
	    rp->scope != ESPRIT_AH_SCOPE_AS || !risav_ah_len_ok(rp, 0))
		return RISAV_CONTINUE;
	if (risav_green(cfg, rp))
		return count_verdict(ESPRIT_R_RISAV_GREEN_CHANNEL,
				     rp->info.bytes, RISAV_CONTINUE);
	scr = ah_icv_scratch();
	if (!scr ||
	    ah_copy_headers(ctx, SHA256_PKT_XDP, scr->orig, rp->l.ah_off))
		return RISAV_CONTINUE;
	count(ESPRIT_R_RISAV_STRIPPED_NON_PEER, rp->info.bytes);
	return risav_strip(ctx, rp, scr);
}

/*
 * Everything up to the ICV check: an XDP action, RISAV_CONTINUE, or
 * RISAV_VERIFY with the packet prepared and its facts in the per-CPU rp.
 * A global function: verified once, and its frame is not on the stack
 * when the hash runs.
 */
__noinline int risav_check(struct xdp_md *ctx, const struct packet *pkt)
{
	const struct esprit_risav_config *cfg;
	const struct esprit_peer *peer = NULL;
	struct prefix_snapshot table;
	struct risav_pkt *rp;
	__u32 zero = 0;
	int ah;

	cfg = bpf_map_lookup_elem(&esprit_risav, &zero);
	if (!cfg || !cfg->local_asn || !pkt)
		return RISAV_CONTINUE;
	rp = bpf_map_lookup_elem(&esprit_vrfy_scr, &zero);
	if (!rp || risav_read_addrs(ctx, pkt, rp))
		return RISAV_CONTINUE;
	prefix_snapshot(&table); /* one table for both addresses */
	if (risav_origin(&table, &rp->info.dst) != cfg->local_asn)
		return RISAV_CONTINUE;
	ah = risav_find_ah(ctx, pkt, rp);
	rp->info.asn = risav_origin(&table, &rp->info.src);
	if (rp->info.asn)
		peer = bpf_map_lookup_elem(&esprit_peers, &rp->info.asn);
	if (!peer)
		return risav_from_non_peer(ctx, cfg, rp, ah);
	if (peer->mode != ESPRIT_PEER_ENFORCE &&
	    peer->mode != ESPRIT_PEER_TESTING)
		return RISAV_CONTINUE;
	rp->info.mode = peer->mode;
	return risav_from_peer(ctx, cfg, rp, ah);
}

/*
 * The entry: the verdict on an IP packet parsed into pkt, an XDP action,
 * or RISAV_CONTINUE to let the other features look at it. Inline, so with
 * RISAV off (local ASN 0) it costs one array lookup; the ICV check is
 * called from here, not from risav_check(), so the stack under the hash
 * holds only the caller's frame.
 */
static __always_inline int risav(struct xdp_md *ctx, const struct packet *pkt)
{
	const struct esprit_risav_config *cfg;
	struct risav_pkt *rp;
	struct packet copy;
	__u32 zero = 0;
	int rc;

	cfg = bpf_map_lookup_elem(&esprit_risav, &zero);
	if (!cfg || !cfg->local_asn)
		return RISAV_CONTINUE;
	/* a copy: the verifier forgets what a global function was given a
	 * pointer to, and the caller's own pkt must stay known */
	copy = *pkt;
	rc = risav_check(ctx, &copy);
	if (rc != RISAV_VERIFY)
		return rc;
	rp = bpf_map_lookup_elem(&esprit_vrfy_scr, &zero);
	if (!rp)
		return XDP_ABORTED; /* an array's only slot: cannot happen */
	rc = risav_verdict(ctx, rp, risav_icv_check(ctx, rp));
	/* never RISAV_CONTINUE: saying so spares the verifier a path */
	return rc == RISAV_CONTINUE ? XDP_ABORTED : rc;
}

#endif
