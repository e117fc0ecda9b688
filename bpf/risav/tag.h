/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV at the sending border router (docs/protocols.md §2.4, §3, §4.2): a
 * packet from the local AS to a peer AS in `enforce` or `testing` mode
 * gets an AS-scoped AH (Scope 1, HMAC-SHA-256-128) from the outbound SA
 * its DSCP selects. One entry, risav_tag(), for the TC egress program.
 *
 * In order: RISAV off (local ASN 0), a source outside the local AS, a
 * destination outside every peer in enforce or testing mode: untouched,
 * uncounted. To or from a contact address (green channel): untouched.
 * GSO packets, IPv4 fragments and headers the ICV code cannot cover:
 * sent as they are (counted). The SA: esprit_sa_sel[(peer, DSCP)], one
 * lookup; none, or one whose sequence numbers are spent: the peer's
 * no-SA policy (send untagged, or drop). Tagged beyond the MTU: IPv6 and
 * IPv4 with DF are answered with an ICMP error carrying the MTU less the
 * AH (bpf/risav/icmp.h); IPv4 without DF is tagged and sent as it is (the
 * kernel fragments before TC egress, not after: esprit-risav(8)).
 *
 * The AH goes after the IPv4 header with its options, or after the IPv6
 * header and its hop-by-hop options header; the sequence number is one
 * atomic fetch-and-add on the SA's 64-bit counter, so CPUs sending on
 * one SA at once never share a number. The ICV input is prepared in the
 * packet by bpf/risav/icv.h and hashed by bpf/lib/hmac.h, the code the receiver
 * verifies with. A packet whose L4 checksum the stack left for the device
 * to fill in (CHECKSUM_PARTIAL, e.g. local TCP or veth traffic) is hashed
 * with the checksum the device will write.
 */
#ifndef ESPRIT_BPF_TAG_H
#define ESPRIT_BPF_TAG_H

#include <bpf/bpf_core_read.h>
#include "lib/ctx.h"
#include "risav/maps.h"
#include "lib/counters.h"
#include "lib/parse.h"
#include "lib/addr.h"
#include "lib/hmac.h"
#include "risav/icv.h"
#include "risav/prefix.h"
#include "lib/csum.h"

#ifndef TC_ACT_OK
#define TC_ACT_OK   0
#define TC_ACT_SHOT 2
#endif

#define TAG_AH_LEN_V4	  (ESPRIT_AH_FIXED_LEN + ESPRIT_HMAC_SHA256_128_ICV_LEN)
#define TAG_AH_LEN_V6	  (TAG_AH_LEN_V4 + 4) /* a multiple of 8 */
#define TAG_CHECKSUM_PART 3 /* CHECKSUM_PARTIAL, include/linux/skbuff.h */

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/* What the tagger knows about the packet at hand (per CPU, not stack). */
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
	__u32 csum_off; /* CHECKSUM_PARTIAL: the L4 checksum; else 0 */
	__u16 csum_final; /* what the device will write there */
	__u16 csum_partial; /* what the stack left there */
	__u8 dscp;
	__u8 nexthdr; /* what follows the IP headers: AH's Next Header */
	__u8 df;
	__u8 fragment;
	__u8 hbh[2]; /* IPv6 hop-by-hop header: next header, length */
	__u8 ah[TAG_AH_LEN_V6];
	__u8 icv[ESPRIT_SHA256_DIGEST_LEN];
	__u8 icmp[64]; /* Ethernet, IP and ICMP headers of an error */
	__u8 pseudo[40]; /* ICMPv6 pseudo-header */
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

/* The headers through the shared parser; 0, or -1 (not ours). */
static __always_inline int tag_parse(struct __sk_buff *skb, struct tag_pkt *tp)
{
	struct packet pkt;
	void *data, *data_end;

	if (parse_skb(skb, &pkt) != PARSE_OK)
		return -1;
	data = skb_data(skb);
	data_end = skb_data_end(skb);
	tp->len = pkt.len;
	tp->l.l3_off = pkt.l3_off;
	tp->l.family = pkt.family;
	tp->l3_len = pkt.l3_len;
	tp->nexthdr = pkt.l4_proto;
	tp->ins = pkt.l4_off;
	tp->fragment = pkt.is_fragment != 0;
	if (pkt.family == ESPRIT_AF_INET) {
		struct iphdr *ip = data + (pkt.l3_off & PKT_OFF_MASK);

		if ((void *)(ip + 1) > data_end)
			return -1;
		tp->dscp = ip->tos >> 2;
		tp->df = !!(ip->frag_off & bpf_htons(ESPRIT_IPV4_DF));
		tp->nh_off = pkt.l3_off + offsetof(struct iphdr, protocol);
		tp->ah_len = TAG_AH_LEN_V4;
		addr_from_ipv4(&tp->src, ip->saddr);
		addr_from_ipv4(&tp->dst, ip->daddr);
		return 0;
	}
	{
		struct ipv6hdr *ip6 = data + (pkt.l3_off & PKT_OFF_MASK);
		__u8 *hbh;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		tp->dscp = ((ip6->priority << 4) | (ip6->flow_lbl[0] >> 4)) >>
			   2;
		tp->nh_off = pkt.l3_off + offsetof(struct ipv6hdr, nexthdr);
		tp->ah_len = TAG_AH_LEN_V6;
		addr_from_ipv6(&tp->src, &ip6->saddr);
		addr_from_ipv6(&tp->dst, &ip6->daddr);
		if (tp->nexthdr != ESPRIT_NEXTHDR_HOP)
			return 0;
		hbh = data + (tp->ins & PKT_OFF_MASK);
		if ((void *)(hbh + 2) > data_end)
			return -1;
		tp->hbh[0] = hbh[0];
		tp->hbh[1] = hbh[1];
		tp->nh_off = tp->ins;
		tp->nexthdr = hbh[0];
		tp->ins += (hbh[1] + 1) * 8;
		if (tp->ins > pkt.l3_off + tp->l3_len)
			return -1;
	}
	return 0;
}

/* Green channel (risav/maps.h), seen from the sending side. */
static __always_inline bool tag_green(const struct esprit_risav_config *cfg,
				      const struct tag_pkt *tp)
{
	return risav_green_channel(cfg, &tp->src, &tp->dst, tp->peer_asn);
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

/* No SA for the packet: the peer's policy. */
static __always_inline int tag_no_sa(const struct tag_pkt *tp)
{
	if (tp->no_sa == ESPRIT_NO_SA_DROP)
		return count_verdict(ESPRIT_R_RISAV_NO_SA_DROPPED, tp->len,
				     TC_ACT_SHOT);
	return count_verdict(ESPRIT_R_RISAV_NO_SA_UNTAGGED, tp->len, TC_ACT_OK);
}

/*
 * The device's MTU if the tagged packet would not fit it, else 0. Under
 * BPF_PROG_TEST_RUN the device is the one the context names (or lo).
 */
static __always_inline __u32 tag_too_big(struct __sk_buff *skb,
					 const struct tag_pkt *tp)
{
	__u32 mtu = 0;

	if (bpf_check_mtu(skb, 0, &mtu, 0, 0) < 0)
		return 0;
	return tp->l3_len + tp->ah_len > mtu ? mtu : 0;
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
 * Opens room for the AH after the link header and moves the IP headers
 * (saved in scr->orig, already fixed) to the front of it, so the AH's
 * place is right after them and the payload does not move.
 */
static __always_inline int tag_insert(struct __sk_buff *skb, struct tag_pkt *tp,
				      struct ah_icv_scratch *scr)
{
	__u32 ins = tp->ins;

	if (ins < 1 || ins > ESPRIT_AH_HDRS_MAX)
		return -1;
	if (bpf_skb_adjust_room(skb, tp->ah_len, BPF_ADJ_ROOM_MAC, 0))
		return -1;
	if (bpf_skb_store_bytes(skb, 0, scr->orig, ins, 0))
		return -1;
	if (tp->ah_len == TAG_AH_LEN_V4)
		return bpf_skb_store_bytes(skb, ins, tp->ah, TAG_AH_LEN_V4, 0)
			       ? -1
			       : 0;
	return bpf_skb_store_bytes(skb, ins, tp->ah, TAG_AH_LEN_V6, 0) ? -1 : 0;
}

/*
 * CHECKSUM_PARTIAL: the stack left the L4 checksum to the device, which
 * sums from csum_start to the end and stores the result at csum_offset.
 * The ICV must cover what the wire will carry, so that sum is made here
 * (as skb_checksum_help() would) and written for the hash, then the
 * field goes back as the device expects it. 0, or -1.
 */
static __always_inline int tag_csum_prepare(struct __sk_buff *skb,
					    struct tag_pkt *tp)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
	__u64 head, data;
	__u16 start, field;
	__u32 off, sum;

	tp->csum_off = 0;
	if (BPF_CORE_READ_BITFIELD(k, ip_summed) != TAG_CHECKSUM_PART)
		return 0;
	head = (__u64)BPF_CORE_READ(k, head);
	data = (__u64)BPF_CORE_READ(k, data);
	start = BPF_CORE_READ(k, csum_start);
	field = BPF_CORE_READ(k, csum_offset);
	if (data < head || start < data - head)
		return -1;
	off = start - (data - head);
	if (off + field + 2 > skb->len ||
	    skb_csum_range(skb, off, skb->len, 0, &sum))
		return -1;
	tp->csum_off = off + field;
	if (bpf_skb_load_bytes(skb, tp->csum_off, &tp->csum_partial, 2))
		return -1;
	tp->csum_final = ~skb_csum_fold(sum);
	/* UDP sends a zero sum as 0xffff (0 means none); TCP sends 0 */
	if (!tp->csum_final && field == ESPRIT_UDP_CSUM_OFF)
		tp->csum_final = 0xffff;
	return bpf_skb_store_bytes(skb, tp->csum_off, &tp->csum_final, 2, 0)
		       ? -1
		       : 0;
}

static __always_inline int tag_csum_restore(struct __sk_buff *skb,
					    struct tag_pkt *tp)
{
	if (!tp->csum_off)
		return 0;
	return bpf_skb_store_bytes(skb, tp->csum_off, &tp->csum_partial, 2, 0)
		       ? -1
		       : 0;
}

#include "risav/icmp.h"

/*
 * The ICV of the tagged packet into tp->icv: prepares the ICV input in
 * the packet, hashes, puts the packet back. A global function, so the
 * verifier checks the hash once and the caller's frame is all that sits
 * under it on the stack. 0, or -1 (the packet may be half-changed).
 */
__noinline int tag_icv(struct __sk_buff *skb, struct tag_pkt *tp)
{
	struct ah_icv_scratch *scr = ah_icv_scratch();
	int err;

	if (!tp || !scr)
		return -1;
	if (ah_icv_prepare(skb, &tp->l, scr))
		return -1;
	err = hmac_sha256(skb, tp->l.l3_off, tp->l3_len + tp->ah_len, &tp->key,
			  tp->icv);
	__builtin_memset(&tp->key, 0, sizeof(tp->key));
	if (ah_icv_restore(skb, &tp->l, scr) || err)
		return -1;
	return 0;
}

/*
 * Everything before the hash: the verdict (TC action) on packets not to
 * tag, or 1 with the AH in place and the ICV input ready to prepare. A
 * global function: its frame is gone when the hash runs.
 */
__noinline int tag_check(struct __sk_buff *skb, struct tag_pkt *tp)
{
	const struct esprit_risav_config *cfg;
	const struct esprit_sa_out_key *sel;
	const struct esprit_peer *peer;
	struct esprit_sa_sel_key sk;
	struct ah_icv_scratch *scr;
	struct prefix_snapshot table;
	struct esprit_sa_out *sa;
	__u32 zero = 0, asn = 0, mtu;
	__u64 seq;

	cfg = bpf_map_lookup_elem(&esprit_risav, &zero);
	if (!cfg || !cfg->local_asn || !tp)
		return TC_ACT_OK;
	__builtin_memset(tp, 0, sizeof(*tp));
	if (tag_parse(skb, tp))
		return TC_ACT_OK;
	prefix_snapshot(&table); /* one table for both addresses */
	if (!prefix_origin_in(&table, tp->src.addr, &asn) ||
	    asn != cfg->local_asn)
		return TC_ACT_OK;
	if (!prefix_origin_in(&table, tp->dst.addr, &asn) || !asn)
		return TC_ACT_OK;
	peer = bpf_map_lookup_elem(&esprit_peers, &asn);
	if (!peer || (peer->mode != ESPRIT_PEER_ENFORCE &&
		      peer->mode != ESPRIT_PEER_TESTING))
		return TC_ACT_OK;
	tp->peer_asn = asn;
	tp->no_sa = peer->no_sa;
	if (tag_green(cfg, tp))
		return count_verdict(ESPRIT_R_RISAV_TAG_GREEN_CHANNEL, tp->len,
				     TC_ACT_OK);
	if (tag_contact_spoof(cfg, tp))
		return count_verdict(ESPRIT_R_RISAV_TO_CONTACT_DROPPED, tp->len,
				     TC_ACT_SHOT);
	if (skb->gso_size || tp->fragment ||
	    tp->ins + tp->ah_len > ESPRIT_AH_HDRS_MAX)
		return count_verdict(ESPRIT_R_RISAV_UNTAGGABLE, tp->len,
				     TC_ACT_OK);

	sk.asn = asn;
	sk.dscp = tp->dscp;
	sel = bpf_map_lookup_elem(&esprit_sa_sel, &sk);
	if (!sel)
		return tag_no_sa(tp);
	tp->sa = *sel;
	sa = bpf_map_lookup_elem(&esprit_sa_out, &tp->sa);
	if (!tag_sa_usable(sa))
		return tag_no_sa(tp);
	mtu = tag_too_big(skb, tp);
	if (mtu) {
		if (tp->l.family == ESPRIT_AF_INET6 || tp->df) {
			tag_sa_count(&tp->sa, TAG_SA_TOO_BIG, 0);
			count(ESPRIT_R_RISAV_TOO_BIG, tp->len);
			return tag_icmp_too_big(skb, tp, mtu - tp->ah_len);
		}
		count(ESPRIT_R_RISAV_TOO_BIG_TAGGED, tp->len);
	}
	seq = __sync_fetch_and_add(&sa->seq, 1) + 1;
	if (seq > ESPRIT_SA_OUT_SEQ_LAST) {
		tag_sa_count(&tp->sa, TAG_SA_EXHAUSTED, 0);
		count(ESPRIT_R_RISAV_SA_EXHAUSTED, tp->len);
		return tag_no_sa(tp);
	}
	tp->seq = (__u32)seq;
	tp->key = sa->auth.material.hmac_sha256;

	scr = ah_icv_scratch();
	if (!scr || ah_copy_headers(skb, SHA256_PKT_SKB, scr->orig, tp->ins))
		return count_verdict(ESPRIT_R_RISAV_UNTAGGABLE, tp->len,
				     TC_ACT_OK);
	tag_fix_headers(scr->orig, tp);
	tag_build_ah(tp);
	if (tag_insert(skb, tp, scr))
		return count_verdict(ESPRIT_R_RISAV_TAG_FAILED, tp->len,
				     TC_ACT_SHOT);
	tp->l.ah_off = tp->ins;
	tp->l.icv_len = ESPRIT_HMAC_SHA256_128_ICV_LEN;
	if (tag_csum_prepare(skb, tp))
		return count_verdict(ESPRIT_R_RISAV_TAG_FAILED, tp->len,
				     TC_ACT_SHOT);
	return 1;
}

/*
 * The entry: a TC action. Packets not to tag leave untouched; tagged
 * ones leave with their AH, or are dropped if tagging failed half-way.
 */
static __always_inline int risav_tag(struct __sk_buff *skb)
{
	const struct esprit_risav_config *cfg;
	struct tag_pkt *tp;
	__u32 zero = 0;
	int rc;

	cfg = bpf_map_lookup_elem(&esprit_risav, &zero);
	if (!cfg || !cfg->local_asn)
		return TC_ACT_OK;
	tp = tag_scratch();
	if (!tp)
		return TC_ACT_OK;
	rc = tag_check(skb, tp);
	if (rc != 1)
		return rc;
	tp = tag_scratch();
	if (!tp)
		return TC_ACT_SHOT;
	if (tag_icv(skb, tp) || tag_csum_restore(skb, tp) ||
	    bpf_skb_store_bytes(skb, tp->ins + ESPRIT_AH_FIXED_LEN, tp->icv,
				ESPRIT_HMAC_SHA256_128_ICV_LEN, 0))
		return count_verdict(ESPRIT_R_RISAV_TAG_FAILED, tp->len,
				     TC_ACT_SHOT);
	tag_sa_count(&tp->sa, TAG_SA_TAGGED, tp->l3_len);
	return count_verdict(ESPRIT_R_RISAV_TAGGED, tp->len, TC_ACT_OK);
}

#endif
