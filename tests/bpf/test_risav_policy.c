// SPDX-License-Identifier: GPL-2.0
/*
 * What RISAV does with a packet, by where it comes from (peer in enforce,
 * testing or off, an AS that is no peer, a contact address) and by what
 * it carries (a valid, bad or unknown tag, none, an AH of another Scope,
 * a truncated or inconsistent AH, a fragment).
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "esprit_counters.h"
#include "esprit_risav.h"
#include "risav_check.h"
#include "testlib.h"

static struct risav_fixture fx;
static struct pkt plain, tagged, in;

static int suite_init(void)
{
	return rc_world_open(&fx, 1000000);
}

static int suite_cleanup(void)
{
	risav_fixture_close(&fx);
	return 0;
}

static void set_flags(uint32_t flags)
{
	CU_ASSERT_EQUAL_FATAL(
		risav_fixture_config(&fx, RC_LOCAL_ASN, flags, 1000000), 0);
}

static void build(int family, uint32_t asn, const uint8_t *key, uint8_t scope)
{
	rc_plain(&plain, rc_flow(family, asn), 64);
	rc_tag(&tagged, &plain, RC_SPI, 1, scope, key);
}

static void test_enforce(void)
{
	for (int family = 4; family <= 6; family += 2) {
		build(family, RC_ENFORCE_ASN, rc_key, 1);
		rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_VERIFIED,
			  &plain);
		rc_expect(&fx, &plain, XDP_DROP, ESPRIT_R_RISAV_UNTAGGED, NULL);
		build(family, RC_ENFORCE_ASN, rc_other_key, 1);
		rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_AH_BAD_ICV, NULL);
		build(family, RC_ENFORCE_ASN, rc_key, 1);
		tagged.data[tagged.ah_off + 7] = 0x55; /* SPI 0x1055 */
		rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_AH_UNKNOWN_SPI,
			  NULL);
	}
}

/* Testing: the same checks and counters, nothing dropped, every
 * well-formed AS-scoped AH stripped (the hosts cannot take AH). */
static void test_testing(void)
{
	for (int family = 4; family <= 6; family += 2) {
		build(family, RC_TESTING_ASN, rc_key, 1);
		rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_VERIFIED,
			  &plain);
		rc_expect2(&fx, &plain, XDP_PASS, ESPRIT_R_RISAV_UNTAGGED,
			   ESPRIT_R_RISAV_TESTING_PASSED, &plain);
		build(family, RC_TESTING_ASN, rc_other_key, 1);
		rc_expect2(&fx, &tagged, XDP_PASS, ESPRIT_R_AH_BAD_ICV,
			   ESPRIT_R_RISAV_TESTING_PASSED, &plain);
		build(family, RC_TESTING_ASN, rc_key, 1);
		tagged.data[tagged.ah_off + 7] = 0x55;
		rc_expect2(&fx, &tagged, XDP_PASS, ESPRIT_R_AH_UNKNOWN_SPI,
			   ESPRIT_R_RISAV_TESTING_PASSED, &plain);
	}
}

/* Off: untouched, uncounted, tag or not. */
static void test_off(void)
{
	for (int family = 4; family <= 6; family += 2) {
		build(family, RC_OFF_ASN, rc_key, 1);
		rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &tagged);
		rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &plain);
		build(family, RC_OFF_ASN, rc_other_key, 1);
		rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &tagged);
	}
}

/* Not a peer: an AS-scoped AH is stripped without checking; anything else
 * is none of RISAV's business. */
static void test_not_a_peer(void)
{
	for (int family = 4; family <= 6; family += 2) {
		build(family, RC_OTHER_ASN, rc_other_key, 1);
		rc_expect(&fx, &tagged, XDP_PASS,
			  ESPRIT_R_RISAV_STRIPPED_NON_PEER, &plain);
		rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &plain);
		build(family, RC_OTHER_ASN, rc_key, 0);
		rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &tagged);
	}
	/* a source no prefix covers belongs to no AS: the same */
	{
		struct rc_flow fl = *rc_flow(4, RC_OTHER_ASN);

		fl.src = "100.65.0.1";
		rc_plain(&plain, &fl, 10);
		rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_key);
		rc_expect(&fx, &tagged, XDP_PASS,
			  ESPRIT_R_RISAV_STRIPPED_NON_PEER, &plain);
		rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &plain);
	}
}

/* An AH of any other Scope is not a RISAV tag: left alone from others,
 * and no tag at all from a peer (or a forged one would let anything in). */
static void test_other_scopes(void)
{
	static const uint8_t scopes[] = {0, 2, 0xff};

	for (size_t i = 0; i < sizeof(scopes); i++) {
		build(4, RC_ENFORCE_ASN, rc_key, scopes[i]);
		rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_RISAV_UNTAGGED,
			  NULL);
		build(6, RC_TESTING_ASN, rc_key, scopes[i]);
		rc_expect2(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_UNTAGGED,
			   ESPRIT_R_RISAV_TESTING_PASSED, &tagged);
		build(6, RC_OTHER_ASN, rc_key, scopes[i]);
		rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &tagged);
	}
}

/* A flow from src to dst, UDP with payload_len bytes, into plain. */
static void flow(int family, uint32_t asn, const char *src, const char *dst)
{
	struct rc_flow fl = *rc_flow(family, asn);

	if (src)
		fl.src = src;
	if (dst)
		fl.dst = dst;
	rc_plain(&plain, &fl, 20);
}

/*
 * The green channel is the peer's contact talking to ours: never checked,
 * never stripped. A contact to any other host, or any host to a contact,
 * is checked as everything else (untagged from an enforced peer: dropped).
 */
static void test_green_channel(void)
{
	flow(4, RC_ENFORCE_ASN, "198.51.100.250", "192.0.2.250");
	rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_RISAV_GREEN_CHANNEL, &plain);
	rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_other_key);
	rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_GREEN_CHANNEL,
		  &tagged);
	flow(6, RC_ENFORCE_ASN, "2001:db8:201::fa", "2001:db8:100::fa");
	rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_RISAV_GREEN_CHANNEL, &plain);

	/* the peer's contact to any host of ours: no bypass */
	flow(4, RC_ENFORCE_ASN, "198.51.100.250", NULL);
	rc_expect(&fx, &plain, XDP_DROP, ESPRIT_R_RISAV_UNTAGGED, NULL);
	flow(6, RC_ENFORCE_ASN, "2001:db8:201::fa", NULL);
	rc_expect(&fx, &plain, XDP_DROP, ESPRIT_R_RISAV_UNTAGGED, NULL);
	/* any host of the peer to our contact: no bypass either */
	flow(4, RC_ENFORCE_ASN, NULL, "192.0.2.250");
	rc_expect(&fx, &plain, XDP_DROP, ESPRIT_R_RISAV_UNTAGGED, NULL);
	/* a non-peer's AS-scoped AH to our contact is stripped as any */
	flow(4, RC_OTHER_ASN, NULL, "192.0.2.250");
	rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_key);
	rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_STRIPPED_NON_PEER,
		  &plain);

	/* green-channel any-contact: the draft's wider rule */
	set_flags(ESPRIT_RISAV_GREEN_ANY_CONTACT);
	flow(4, RC_ENFORCE_ASN, "198.51.100.250", NULL);
	rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_RISAV_GREEN_CHANNEL, &plain);
	flow(6, RC_ENFORCE_ASN, NULL, "2001:db8:100::fa");
	rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_RISAV_GREEN_CHANNEL, &plain);
	flow(4, RC_OTHER_ASN, NULL, "192.0.2.250");
	rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_key);
	rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_GREEN_CHANNEL,
		  &tagged);
	set_flags(0);
}

/* RISAV off (local ASN 0), or the destination outside the local AS. */
static void test_not_for_us(void)
{
	struct rc_flow fl = *rc_flow(4, RC_ENFORCE_ASN);

	fl.dst = "198.51.100.9"; /* in transit to the peer itself */
	rc_plain(&plain, &fl, 20);
	rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &plain);
	fl.dst = "100.65.0.9"; /* covered by no prefix */
	rc_plain(&plain, &fl, 20);
	rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &plain);

	CU_ASSERT_EQUAL_FATAL(risav_fixture_config(&fx, 0, 0, 0), 0);
	for (int family = 4; family <= 6; family += 2) {
		build(family, RC_ENFORCE_ASN, rc_other_key, 1);
		rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &tagged);
		rc_expect(&fx, &plain, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &plain);
	}
	set_flags(0);
	build(4, RC_ENFORCE_ASN, rc_key, 1);
	rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_VERIFIED, &plain);
}

/*
 * Fragments from a peer cannot be verified before reassembly: dropped,
 * or passed untouched with ESPRIT_RISAV_PASS_FRAGMENTS. An IPv6 atomic
 * fragment (offset 0, M 0) is a whole packet, not a fragment: its AH sits
 * behind a header the ICV cannot cover, so it is unverifiable, and
 * dropped whatever the setting.
 */
static void test_fragments(void)
{
	static const uint8_t frag_hdr[] = {0, 1, 0, 0, 0, 7}; /* M = 1 */
	static const uint8_t atomic_hdr[] = {0, 0, 0, 0, 0, 8};
	struct pkt atomic;
	static const uint16_t v4_frag_words[] = {0x2000, 0x0010, 0x2010};
	struct pkt frags[4];
	size_t n = 0;

	for (size_t i = 0; i < 3; i++) {
		rc_plain(&plain, rc_flow(4, RC_ENFORCE_ASN), 64);
		if (i == 0) /* the first fragment of a tagged packet */
			rc_tag(&plain, &plain, RC_SPI, 1, 1, rc_key);
		pkt_ipv4_id_frag(&plain, 77, v4_frag_words[i]);
		pkt_finish(&plain);
		frags[n++] = plain;
	}
	/* IPv6: a fragment header before the AH, first fragment */
	pkt_init(&plain);
	pkt_eth(&plain, pkt_mac_b, pkt_mac_a);
	pkt_ipv6(&plain, rc_flow(6, RC_ENFORCE_ASN)->src,
		 rc_flow(6, RC_ENFORCE_ASN)->dst);
	pkt_ipv6_ext(&plain, 44, frag_hdr, sizeof(frag_hdr));
	pkt_udp(&plain, 1, 2, (const uint8_t *)"first fragment", 14);
	pkt_finish(&plain);
	frags[n] = plain;
	pkt_ah_insert(&frags[n++], RC_SPI, 1, 1, RC_ICV_LEN);

	/* the same with the atomic fragment header */
	pkt_init(&atomic);
	pkt_eth(&atomic, pkt_mac_b, pkt_mac_a);
	pkt_ipv6(&atomic, rc_flow(6, RC_ENFORCE_ASN)->src,
		 rc_flow(6, RC_ENFORCE_ASN)->dst);
	pkt_ipv6_ext(&atomic, 44, atomic_hdr, sizeof(atomic_hdr));
	pkt_udp(&atomic, 1, 2, (const uint8_t *)"atomic", 6);
	pkt_finish(&atomic);
	pkt_ah_insert(&atomic, RC_SPI, 1, 1, RC_ICV_LEN);

	for (size_t i = 0; i < n; i++)
		rc_expect(&fx, &frags[i], XDP_DROP, ESPRIT_R_RISAV_FRAGMENT,
			  NULL);
	rc_expect(&fx, &atomic, XDP_DROP, ESPRIT_R_RISAV_UNVERIFIABLE, NULL);
	set_flags(ESPRIT_RISAV_PASS_FRAGMENTS);
	for (size_t i = 0; i < n; i++)
		rc_expect(&fx, &frags[i], XDP_PASS,
			  ESPRIT_R_RISAV_FRAGMENT_PASSED, &frags[i]);
	rc_expect(&fx, &atomic, XDP_DROP, ESPRIT_R_RISAV_UNVERIFIABLE, NULL);
	set_flags(0);

	/* from a testing peer: counted as would-be drops, passed */
	rc_plain(&plain, rc_flow(4, RC_TESTING_ASN), 64);
	pkt_ipv4_id_frag(&plain, 78, 0x2000);
	pkt_finish(&plain);
	rc_expect2(&fx, &plain, XDP_PASS, ESPRIT_R_RISAV_FRAGMENT,
		   ESPRIT_R_RISAV_TESTING_PASSED, &plain);
	/* from a non-peer: not RISAV's business, AS-scoped AH or not */
	rc_plain(&plain, rc_flow(4, RC_OTHER_ASN), 64);
	rc_tag(&in, &plain, RC_SPI, 1, 1, rc_key);
	pkt_ipv4_id_frag(&in, 79, 0x2000);
	pkt_finish(&in);
	rc_expect(&fx, &in, XDP_PASS, ESPRIT_R_NOT_ESPRIT, &in);
}

/* Shortens the IP packet (and the frame) to end `keep` bytes into the AH. */
static void cut_inside_ah(struct pkt *p, const struct pkt *from, size_t keep)
{
	uint8_t *ip;

	*p = *from;
	p->len = from->ah_off + keep;
	ip = p->data + p->l3_off;
	if (p->family == 4) {
		size_t len = p->len - p->l3_off;

		ip[2] = len >> 8;
		ip[3] = len & 0xff;
		pkt_ipv4_set_checksum(ip);
	} else {
		size_t len = p->len - p->l3_off - 40;

		ip[4] = len >> 8;
		ip[5] = len & 0xff;
	}
}

/* The IP packet ending at every byte inside the AH. */
static void test_truncated_at_every_offset(void)
{
	for (int family = 4; family <= 6; family += 2) {
		size_t ah_len = family == 4 ? 28 : 32;

		build(family, RC_ENFORCE_ASN, rc_key, 1);
		for (size_t keep = 0; keep < ah_len; keep++) {
			bool ok;

			cut_inside_ah(&in, &tagged, keep);
			ok = rc_expect(&fx, &in, XDP_DROP,
				       keep < 12 ? ESPRIT_R_AH_TRUNCATED
						 : ESPRIT_R_AH_BAD_LENGTH,
				       NULL);
			if (!ok)
				fprintf(stderr, "  IPv%d, %zu AH bytes\n",
					family, keep);
		}
		build(family, RC_TESTING_ASN, rc_key, 1);
		for (size_t keep = 0; keep < ah_len; keep++) {
			cut_inside_ah(&in, &tagged, keep);
			rc_expect2(&fx, &in, XDP_PASS,
				   keep < 12 ? ESPRIT_R_AH_TRUNCATED
					     : ESPRIT_R_AH_BAD_LENGTH,
				   ESPRIT_R_RISAV_TESTING_PASSED, &in);
		}
	}
}

/* Payload Len says something the packet or the SA contradicts. */
static void test_ah_length_inconsistent(void)
{
	for (int family = 4; family <= 6; family += 2) {
		uint8_t right;

		build(family, RC_ENFORCE_ASN, rc_key, 1);
		right = tagged.data[tagged.ah_off + 1];
		in = tagged;
		in.data[in.ah_off + 1] = 200; /* past the packet's end */
		rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_LENGTH, NULL);
		in.data[in.ah_off + 1] = right - 2; /* no room for the ICV */
		rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_LENGTH, NULL);
		in.data[in.ah_off + 1] = 0; /* 8 bytes: not even the SPI+seq */
		rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_LENGTH, NULL);
		if (family == 6) { /* 36 bytes: not a multiple of 8 */
			in.data[in.ah_off + 1] = right + 1;
			rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_LENGTH,
				  NULL);
		}
		in.data[in.ah_off + 1] = right + 2; /* longer, ICV covers it */
		rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_ICV, NULL);
	}
}

/* A deleted SA is no SA; added again, it verifies again. */
static void test_sa_deleted(void)
{
	build(4, RC_ENFORCE_ASN, rc_key, 1);
	CU_ASSERT_EQUAL_FATAL(risav_fixture_sa_del(&fx, RC_SPI, RC_ENFORCE_ASN),
			      0);
	rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_AH_UNKNOWN_SPI, NULL);
	CU_ASSERT_EQUAL_FATAL(
		risav_fixture_sa(&fx, RC_SPI, RC_ENFORCE_ASN, rc_key, 0), 0);
	rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_VERIFIED, &plain);
}

/* RISAV runs before the responder: an ESP Echo Request from a peer in
 * enforce mode without a tag is spoofed; from elsewhere it is answered. */
static void test_echo_request_order(void)
{
	struct rc_flow fl = *rc_flow(4, RC_ENFORCE_ASN);

	pkt_init(&in);
	pkt_eth(&in, pkt_mac_b, pkt_mac_a);
	pkt_ipv4(&in, fl.src, fl.dst);
	pkt_esp_seed(&in, 7, 1, 0x4242, 1, (const uint8_t *)"ping", 4);
	pkt_finish(&in);
	rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_RISAV_UNTAGGED, NULL);
	fl = *rc_flow(4, RC_OTHER_ASN);
	pkt_init(&in);
	pkt_eth(&in, pkt_mac_b, pkt_mac_a);
	pkt_ipv4(&in, fl.src, fl.dst);
	pkt_esp_seed(&in, 7, 1, 0x4242, 1, (const uint8_t *)"ping", 4);
	pkt_finish(&in);
	rc_expect(&fx, &in, XDP_TX, ESPRIT_R_ECHO_REFLECTED, NULL);
}

TEST_SUITE(risav_policy) = {
	.name = "bpf_risav_policy",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"enforce", test_enforce},
			{"testing", test_testing},
			{"off", test_off},
			{"not_a_peer", test_not_a_peer},
			{"other_scopes", test_other_scopes},
			{"green_channel", test_green_channel},
			{"not_for_us", test_not_for_us},
			{"fragments", test_fragments},
			{"truncated_at_every_offset",
			 test_truncated_at_every_offset},
			{"ah_length_inconsistent", test_ah_length_inconsistent},
			{"sa_deleted", test_sa_deleted},
			{"echo_request_order", test_echo_request_order},
			{NULL, NULL},
		},
};
