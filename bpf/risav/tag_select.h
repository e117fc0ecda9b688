/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What both taggers decide the same way (docs/protocols.md §2.4, §3,
 * §4.2): whether a packet is RISAV's to tag, which outbound SA it rides,
 * and the peer's policy for those it cannot. The TC egress tagger
 * (risav/tag.h, the host's own packets) and the XDP one (risav/
 * tag_forward.h, packets forwarded from the inside) differ only in how
 * they reach the packet's bytes, the MTU and the checksum.
 *
 *	tag_read()       the facts of a parsed packet, into struct tag_pkt
 *	tag_candidate()  from the local AS to a peer in enforce or testing
 *	tag_select()     green channel, spoofed contact, untaggable, SA
 *	tag_take_seq()   the next sequence number, or the SA is spent
 *	tag_fix_headers(), tag_build_ah()   the headers as they leave
 *	tag_l4_csum_signed()   the L4 checksum the wire will carry
 */
#ifndef ESPRIT_BPF_TAG_SELECT_H
#define ESPRIT_BPF_TAG_SELECT_H

#include "lib/ctx.h"
#include "risav/maps.h"
#include "lib/counters.h"
#include "lib/parse.h"
#include "lib/addr.h"
#include "risav/icv.h"
#include "risav/prefix.h"

#define TAG_AH_LEN_V4 (ESPRIT_AH_FIXED_LEN + ESPRIT_HMAC_SHA256_128_ICV_LEN)
#define TAG_AH_LEN_V6 (TAG_AH_LEN_V4 + 4) /* a multiple of 8 */

/* What a tagger knows about the packet at hand (per CPU, not stack). */
struct tag_pkt {
	struct esprit_addr src, dst;
	struct ah_layout l;
	struct esprit_sa_out_key sa;
	struct esprit_hmac_sha256_key key; /* the SA's midstates, copied */
	__u32 len; /* the frame */
	__u32 l3_len;
	__u32 ins; /* where the AH goes */
	__u32 nh_off; /* the byte that says what follows the IP headers */
	__u32 ah_len;
	__u32 peer_asn;
	__u32 no_sa; /* the peer's enum esprit_no_sa_policy */
	__u32 seq;
	__u32 csum_off; /* the L4 checksum while it is swapped; else 0 */
	__u16 csum_signed; /* what the wire will carry there */
	__u16 csum_held; /* what the packet holds there */
	__u8 dscp;
	__u8 nexthdr; /* what follows the IP headers: AH's Next Header */
	__u8 df;
	__u8 fragment;
	__u8 icmp_error; /* an ICMP or ICMPv6 error message */
	__u8 tagged; /* already carries an AS-scoped AH */
	__u8 hbh[2]; /* IPv6 hop-by-hop header: next header, length */
	__u8 ah[TAG_AH_LEN_V6];
	__u8 icv[ESPRIT_SHA256_DIGEST_LEN];
	__u8 icmp[64]; /* Ethernet, IP and ICMP headers of an error */
	__u8 pseudo[40]; /* a pseudo-header */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tag_pkt);
} esprit_tag_scr SEC(".maps");

static __always_inline struct tag_pkt *tag_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&esprit_tag_scr, &zero);
}

/* ICMPv4 types 3, 4, 5, 11, 12 and ICMPv6 types below 128 are errors. */
static __always_inline bool tag_is_icmp_error(__u8 family, __u8 proto,
					      __u8 type)
{
	if (family == ESPRIT_AF_INET)
		return proto == ESPRIT_IPPROTO_ICMP &&
		       (type == 3 || type == 4 || type == 5 || type == 11 ||
			type == 12);
	return proto == ESPRIT_IPPROTO_ICMPV6 && type < 128;
}

/*
 * The facts of a packet parse_xdp() or parse_skb() read, from the linear
 * bytes [data, data_end); 0, or -1 (not one to tag).
 */
static __always_inline int tag_read(void *data, void *data_end,
				    const struct packet *pkt,
				    struct tag_pkt *tp)
{
	__u8 *l4;

	tp->len = pkt->len;
	tp->l.l3_off = pkt->l3_off;
	tp->l.family = pkt->family;
	tp->l3_len = pkt->l3_len;
	tp->nexthdr = pkt->l4_proto;
	tp->ins = pkt->l4_off;
	tp->fragment = pkt->is_fragment != 0;
	if (pkt->family == ESPRIT_AF_INET) {
		struct iphdr *ip = data + (pkt->l3_off & PKT_OFF_MASK);

		if ((void *)(ip + 1) > data_end)
			return -1;
		tp->dscp = ip->tos >> 2;
		tp->df = !!(ip->frag_off & bpf_htons(ESPRIT_IPV4_DF));
		tp->nh_off = pkt->l3_off + offsetof(struct iphdr, protocol);
		tp->ah_len = TAG_AH_LEN_V4;
		addr_from_ipv4(&tp->src, ip->saddr);
		addr_from_ipv4(&tp->dst, ip->daddr);
	} else {
		struct ipv6hdr *ip6 = data + (pkt->l3_off & PKT_OFF_MASK);
		__u8 *hbh;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		tp->dscp = ((ip6->priority << 4) | (ip6->flow_lbl[0] >> 4)) >>
			   2;
		tp->nh_off = pkt->l3_off + offsetof(struct ipv6hdr, nexthdr);
		tp->ah_len = TAG_AH_LEN_V6;
		addr_from_ipv6(&tp->src, &ip6->saddr);
		addr_from_ipv6(&tp->dst, &ip6->daddr);
		if (tp->nexthdr == ESPRIT_NEXTHDR_HOP) {
			hbh = data + (tp->ins & PKT_OFF_MASK);
			if ((void *)(hbh + 2) > data_end)
				return -1;
			tp->hbh[0] = hbh[0];
			tp->hbh[1] = hbh[1];
			tp->nh_off = tp->ins;
			tp->nexthdr = hbh[0];
			tp->ins += (hbh[1] + 1) * 8;
			if (tp->ins > pkt->l3_off + tp->l3_len)
				return -1;
		}
	}
	if (tp->fragment)
		return 0;
	l4 = data + (tp->ins & PKT_OFF_MASK);
	if ((void *)(l4 + 4) > data_end)
		return 0;
	if (tp->nexthdr == ESPRIT_IPPROTO_AH)
		tp->tagged = l4[3] == ESPRIT_AH_SCOPE_AS;
	tp->icmp_error =
		tag_is_icmp_error(tp->l.family, tp->nexthdr, l4[0]) ? 1 : 0;
	return 0;
}

/*
 * From the local AS to a peer AS in enforce or testing mode: 1, with the
 * peer's ASN and policy in tp; else 0 (none of RISAV's business).
 */
static __always_inline int tag_candidate(const struct esprit_risav_config *cfg,
					 struct tag_pkt *tp)
{
	const struct esprit_peer *peer;
	struct prefix_snapshot table;
	__u32 asn = 0;

	prefix_snapshot(&table); /* one table for both addresses */
	if (!prefix_origin_in(&table, tp->src.addr, &asn) ||
	    asn != cfg->local_asn)
		return 0;
	if (!prefix_origin_in(&table, tp->dst.addr, &asn) || !asn)
		return 0;
	peer = bpf_map_lookup_elem(&esprit_peers, &asn);
	if (!peer || (peer->mode != ESPRIT_PEER_ENFORCE &&
		      peer->mode != ESPRIT_PEER_TESTING))
		return 0;
	tp->peer_asn = asn;
	tp->no_sa = peer->no_sa;
	return 1;
}

/* A tagger's choice for a candidate; the first two are counted. */
enum tag_choice {
	TAG_SEND, /* as it is, untagged */
	TAG_DROP,
	TAG_SA, /* tagged with tp->sa */
};

/* The peer's policy for a packet it gets no tag on, counted by why. */
static __always_inline enum tag_choice tag_policy(const struct tag_pkt *tp,
						  enum esprit_reason sent,
						  enum esprit_reason dropped)
{
	if (tp->no_sa == ESPRIT_NO_SA_DROP)
		return count_verdict(dropped, tp->len, TAG_DROP);
	return count_verdict(sent, tp->len, TAG_SEND);
}

static __always_inline enum tag_choice tag_no_sa(const struct tag_pkt *tp)
{
	return tag_policy(tp, ESPRIT_R_RISAV_NO_SA_UNTAGGED,
			  ESPRIT_R_RISAV_NO_SA_DROPPED);
}

static __always_inline enum tag_choice tag_untaggable(const struct tag_pkt *tp)
{
	return tag_policy(tp, ESPRIT_R_RISAV_UNTAGGABLE,
			  ESPRIT_R_RISAV_UNTAGGABLE_DROPPED);
}

/*
 * To another AS's contact address from a source that is not one of ours:
 * only the Contact Servers and border routers talk to a contact across
 * the border (docs/protocols.md §2.4); anyone else is spoofing the green
 * channel.
 */
static __always_inline bool
tag_contact_spoof(const struct esprit_risav_config *cfg,
		  const struct tag_pkt *tp)
{
	const __u32 *to = bpf_map_lookup_elem(&esprit_contacts, &tp->dst);
	const __u32 *from;

	if (!to || *to == cfg->local_asn)
		return false;
	from = bpf_map_lookup_elem(&esprit_contacts, &tp->src);
	return !from || *from != cfg->local_asn;
}

static __always_inline bool tag_sa_usable(const struct esprit_sa_out *sa)
{
	return sa && sa->state == ESPRIT_SA_ACTIVE &&
	       sa->auth.alg == ESPRIT_AUTH_HMAC_SHA256_128 &&
	       sa->auth.icv_len == ESPRIT_HMAC_SHA256_128_ICV_LEN;
}

/*
 * For a candidate: the green channel (sent untagged), a spoofed contact
 * (dropped), a packet the caller cannot tag (untaggable: the peer's
 * policy), no usable SA (the policy); else TAG_SA with tp->sa set.
 */
static __always_inline enum tag_choice
tag_select(const struct esprit_risav_config *cfg, struct tag_pkt *tp,
	   bool untaggable)
{
	const struct esprit_sa_sel *sel;

	if (risav_green_channel(cfg, &tp->src, &tp->dst, tp->peer_asn))
		return count_verdict(ESPRIT_R_RISAV_TAG_GREEN_CHANNEL, tp->len,
				     TAG_SEND);
	if (tag_contact_spoof(cfg, tp))
		return count_verdict(ESPRIT_R_RISAV_TO_CONTACT_DROPPED, tp->len,
				     TAG_DROP);
	if (untaggable || tp->fragment ||
	    tp->ins + tp->ah_len > ESPRIT_AH_HDRS_MAX)
		return tag_untaggable(tp);
	sel = bpf_map_lookup_elem(&esprit_sa_sel, &tp->peer_asn);
	if (!sel || !sel->spi[tp->dscp & (ESPRIT_DSCP_COUNT - 1)])
		return tag_no_sa(tp);
	tp->sa.spi = sel->spi[tp->dscp & (ESPRIT_DSCP_COUNT - 1)];
	tp->sa.asn = tp->peer_asn;
	if (!tag_sa_usable(bpf_map_lookup_elem(&esprit_sa_out, &tp->sa)))
		return tag_no_sa(tp);
	return TAG_SA;
}

enum tag_sa_count {
	TAG_SA_TAGGED,
	TAG_SA_EXHAUSTED,
	TAG_SA_TOO_BIG,
};

static __always_inline void tag_sa_count(const struct esprit_sa_out_key *key,
					 enum tag_sa_count what, __u32 bytes)
{
	struct esprit_sa_out_stats *st =
		bpf_map_lookup_elem(&esprit_sa_outst, key);

	if (!st)
		return;
	if (what == TAG_SA_TAGGED) {
		st->packets++;
		st->bytes += bytes;
	} else if (what == TAG_SA_EXHAUSTED) {
		st->exhausted++;
	} else {
		st->too_big++;
	}
}

/*
 * The SA's next sequence number and key into tp: TAG_SA, or the peer's
 * policy once its numbers are spent (counted).
 */
static __always_inline enum tag_choice tag_take_seq(struct tag_pkt *tp)
{
	struct esprit_sa_out *sa = bpf_map_lookup_elem(&esprit_sa_out, &tp->sa);
	__u64 seq;

	if (!tag_sa_usable(sa))
		return tag_no_sa(tp);
	seq = __sync_fetch_and_add(&sa->seq, 1) + 1;
	if (seq > ESPRIT_SA_OUT_SEQ_LAST) {
		tag_sa_count(&tp->sa, TAG_SA_EXHAUSTED, 0);
		count(ESPRIT_R_RISAV_SA_EXHAUSTED, tp->len);
		return tag_no_sa(tp);
	}
	tp->seq = (__u32)seq;
	tp->key = sa->auth.material.hmac_sha256;
	return TAG_SA;
}

/* The IP headers as they must read once the AH follows them, in buf. */
static __always_inline void tag_fix_headers(__u8 *buf, const struct tag_pkt *tp)
{
	__u32 l3 = tp->l.l3_off, ah_len = tp->ah_len;

	if (tp->l.family == ESPRIT_AF_INET) {
		__u16 old_len = ah_get16(buf, l3 + 2);
		__u16 old_tp = ah_get16(buf, l3 + 8);
		__u16 new_tp = (old_tp & 0xff00) | ESPRIT_IPPROTO_AH;
		__u16 sum = ah_get16(buf, l3 + 10);

		sum = ah_csum_replace(sum, old_len, old_len + ah_len);
		sum = ah_csum_replace(sum, old_tp, new_tp);
		ah_put16(buf, l3 + 2, old_len + ah_len);
		ah_put16(buf, l3 + 8, new_tp);
		ah_put16(buf, l3 + 10, sum);
		return;
	}
	ah_put16(buf, l3 + 4, ah_get16(buf, l3 + 4) + ah_len);
	*ah_at(buf, tp->nh_off) = ESPRIT_IPPROTO_AH;
}

/* The AH with a zero ICV (and padding), in tp->ah. */
static __always_inline void tag_build_ah(struct tag_pkt *tp)
{
	__builtin_memset(tp->ah, 0, sizeof(tp->ah));
	tp->ah[0] = tp->nexthdr;
	tp->ah[1] = tp->ah_len / 4 - 2;
	tp->ah[3] = ESPRIT_AH_SCOPE_AS;
	tp->ah[4] = tp->sa.spi >> 24;
	tp->ah[5] = tp->sa.spi >> 16;
	tp->ah[6] = tp->sa.spi >> 8;
	tp->ah[7] = tp->sa.spi;
	tp->ah[8] = tp->seq >> 24;
	tp->ah[9] = tp->seq >> 16;
	tp->ah[10] = tp->seq >> 8;
	tp->ah[11] = tp->seq;
}

/*
 * The TCP or UDP checksum as the wire will carry it, given what the packet
 * holds (held) and the checksum of its bytes (final: the complement of the
 * folded sum over the pseudo-header and the segment, the field counted as
 * zero). A packet whose sender left the checksum to the device holds only
 * the pseudo-header's sum, and the kernel completes it before the frame
 * leaves (the tagging interfaces have no checksum offload) as
 * skb_checksum_help() does: a zero result goes out as 0xffff, for TCP as
 * for UDP. A held value that is already the checksum leaves as it is.
 */
static __always_inline __u16 tag_l4_csum_signed(__u16 held, __u16 final)
{
	if (held == final || (!final && held == 0xffff))
		return held;
	return final ? final : 0xffff;
}

#endif
