/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV at the sending border router, at TC egress: the packets the
 * border sends itself, and forwarded ones XDP did not tag (risav/
 * tag_forward.h tags those arriving on an interface esprit is attached
 * to, before GRO). A packet from the local AS to a peer AS in `enforce` or
 * `testing` mode gets an AS-scoped AH (Scope 1, HMAC-SHA-256-128) from the
 * outbound SA its DSCP selects (risav/tag_select.h). One entry,
 * risav_tag(), for the TC egress program.
 *
 * In order: RISAV off (local ASN 0), a source outside the local AS, a
 * destination outside every peer in enforce or testing mode, a packet
 * already carrying an AS-scoped AH (tagged in XDP): untouched, uncounted.
 * To or from a contact address (green channel): untouched. A packet that
 * cannot be tagged correctly (GSO, an IPv4 fragment, headers the ICV
 * cannot cover, a checksum left to a device that offloads it) and a
 * packet without a usable SA: the peer's policy (sent untagged, or
 * dropped), counted. Tagged beyond the MTU: IPv6 and IPv4 with DF are
 * answered with an ICMP error carrying the MTU less the AH (risav/
 * icmp.h); IPv4 without DF is tagged and sent as it is (the kernel
 * fragments before TC egress, not after: esprit-risav(8)).
 *
 * The AH goes after the IPv4 header with its options, or after the IPv6
 * header and its hop-by-hop options header. The ICV input is prepared in
 * the packet by risav/icv.h and hashed by lib/hmac.h, the code the
 * receiver verifies with. A checksum the stack left for the device to
 * fill in (CHECKSUM_PARTIAL: all local TCP, and UDP or forwarded traffic
 * where the device offloads it) is hashed as the kernel will complete it
 * after TC: the tagging interfaces have transmit checksum offload off
 * (esprit attach sees to it), and a device that still offloads it makes
 * the packet untaggable, since veth, virtio and tun never fill it in.
 */
#ifndef ESPRIT_BPF_TAG_H
#define ESPRIT_BPF_TAG_H

#include <bpf/bpf_core_read.h>
#include "lib/hmac.h"
#include "lib/csum.h"
#include "risav/tag_select.h"
#include "risav/icmp.h"

static __always_inline int tag_action(enum tag_choice c)
{
	return c == TAG_DROP ? TC_ACT_SHOT : TC_ACT_OK;
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

/* Whether the device the packet leaves by offloads checksums. */
static __always_inline bool tag_dev_offloads_csum(struct sk_buff *k)
{
	/* the bits have not moved since they were defined (2.6.x) */
	__u64 csum = (1ULL << NETIF_F_HW_CSUM_BIT) |
		     (1ULL << NETIF_F_IP_CSUM_BIT) |
		     (1ULL << NETIF_F_IPV6_CSUM_BIT);

	return BPF_CORE_READ(k, dev, features) & csum;
}

/*
 * A checksum the stack left for completion: where it is (tp->csum_off),
 * what it holds and what the kernel will write there. 0 (none, or
 * found), 1 (the device would fill it: untaggable), or -1.
 */
static __always_inline int tag_csum_find(struct __sk_buff *skb,
					 struct tag_pkt *tp)
{
	__u32 start, field, sum;
	int partial;

	tp->csum_off = 0;
	partial = skb_partial_csum(skb, &start, &field);
	if (partial <= 0)
		return partial;
	if (tag_dev_offloads_csum(bpf_cast_to_kern_ctx(skb)))
		return 1;
	if (skb_csum_range(skb, start, skb->len, 0, &sum))
		return -1;
	tp->csum_off = field;
	if (bpf_skb_load_bytes(skb, tp->csum_off, &tp->csum_held, 2))
		return -1;
	tp->csum_signed =
		tag_l4_csum_signed(tp->csum_held, (__u16)~skb_csum_fold(sum));
	return 0;
}

/* The checksum as it will leave, for the hash; then as it was. */
static __always_inline int tag_csum_swap(struct __sk_buff *skb,
					 struct tag_pkt *tp, bool signed_value)
{
	if (!tp->csum_off)
		return 0;
	return bpf_skb_store_bytes(
		       skb, tp->csum_off,
		       signed_value ? &tp->csum_signed : &tp->csum_held, 2, 0)
		       ? -1
		       : 0;
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
	struct ah_icv_scratch *scr;
	enum tag_choice c;
	struct packet pkt;
	int offloaded;
	__u32 zero = 0, mtu;

	cfg = bpf_map_lookup_elem(&esprit_risav, &zero);
	if (!cfg || !cfg->local_asn || !tp)
		return count_verdict(ESPRIT_R_NOT_ESPRIT_EGRESS, skb->len,
				     TC_ACT_OK);
	__builtin_memset(tp, 0, sizeof(*tp));
	if (parse_skb(skb, &pkt) != PARSE_OK ||
	    tag_read(skb_data(skb), skb_data_end(skb), &pkt, tp) ||
	    tp->tagged || !tag_candidate(cfg, tp))
		return count_verdict(ESPRIT_R_NOT_ESPRIT_EGRESS, skb->len,
				     TC_ACT_OK);
	offloaded = tag_csum_find(skb, tp);
	c = tag_select(cfg, tp, skb->gso_size || offloaded);
	if (c != TAG_SA)
		return tag_action(c);
	mtu = tag_too_big(skb, tp);
	if (mtu) {
		if (tp->l.family == ESPRIT_AF_INET6 || tp->df) {
			tag_sa_count(&tp->sa, TAG_SA_TOO_BIG, 0);
			count(ESPRIT_R_RISAV_TOO_BIG, tp->len);
			return tag_icmp_too_big_skb(skb, cfg, tp,
						    mtu - tp->ah_len);
		}
		count(ESPRIT_R_RISAV_TOO_BIG_TAGGED, tp->len);
	}
	c = tag_take_seq(tp);
	if (c != TAG_SA)
		return tag_action(c);

	scr = ah_icv_scratch();
	if (!scr || ah_copy_headers(skb, SHA256_PKT_SKB, scr->orig, tp->ins))
		return tag_action(tag_untaggable(tp));
	tag_fix_headers(scr->orig, tp);
	tag_build_ah(tp);
	if (tag_insert(skb, tp, scr))
		return count_verdict(ESPRIT_R_RISAV_TAG_FAILED, tp->len,
				     TC_ACT_SHOT);
	tp->l.ah_off = tp->ins;
	tp->l.icv_len = ESPRIT_HMAC_SHA256_128_ICV_LEN;
	if (tp->csum_off)
		tp->csum_off += tp->ah_len; /* the payload moved back */
	if (tag_csum_swap(skb, tp, true))
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
	/* with RISAV off, one lookup and the count: no scratch wanted */
	tp = cfg && cfg->local_asn ? tag_scratch() : NULL;
	if (!tp)
		return count_verdict(ESPRIT_R_NOT_ESPRIT_EGRESS, skb->len,
				     TC_ACT_OK);
	rc = tag_check(skb, tp);
	if (rc != 1)
		return rc;
	tp = tag_scratch();
	if (!tp)
		return TC_ACT_SHOT;
	if (tag_icv(skb, tp) || tag_csum_swap(skb, tp, false) ||
	    bpf_skb_store_bytes(skb, tp->ins + ESPRIT_AH_FIXED_LEN, tp->icv,
				ESPRIT_HMAC_SHA256_128_ICV_LEN, 0))
		return count_verdict(ESPRIT_R_RISAV_TAG_FAILED, tp->len,
				     TC_ACT_SHOT);
	tag_sa_count(&tp->sa, TAG_SA_TAGGED, tp->l3_len);
	return count_verdict(ESPRIT_R_RISAV_TAGGED, tp->len, TC_ACT_OK);
}

#endif
