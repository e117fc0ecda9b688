// SPDX-License-Identifier: GPL-2.0
/*
 * RISAV verify and strip (bpf/risav/verify.h, bpf/risav/icv.h) under
 * BPF_PROG_TEST_RUN: tags from a peer in enforce mode, built and signed by
 * the test library (OpenSSL HMAC over an RFC 4302 ICV input it makes
 * itself). A valid tag must come out stripped, byte for byte the packet
 * before tagging; every field RFC 4302 calls mutable may change on the
 * way without breaking the tag, every immutable one must break it.
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "esprit_counters.h"
#include "risav_check.h"
#include "testlib.h"

static struct risav_fixture fx;
static struct pkt plain, tagged, in, want;

static int suite_init(void)
{
	return rc_world_open(&fx, 1000000);
}

static int suite_cleanup(void)
{
	risav_fixture_close(&fx);
	return 0;
}

static struct rc_flow enforce_flow(int family)
{
	return *rc_flow(family, RC_ENFORCE_ASN);
}

static void ipv4_fix_checksum(struct pkt *p)
{
	pkt_ipv4_set_checksum(p->data + p->l3_off);
}

static uint64_t sa_count(size_t field)
{
	struct esprit_sa_stats st;

	if (risav_fixture_sa_stats(&fx, RC_SPI, RC_ENFORCE_ASN, &st))
		return UINT64_MAX;
	return ((uint64_t *)&st)[field];
}

#define SA_PACKETS 0
#define SA_BAD_ICV 2

static void test_valid_tag_stripped(void)
{
	for (int family = 4; family <= 6; family += 2) {
		struct rc_flow fl = enforce_flow(family);
		uint64_t before = sa_count(SA_PACKETS);

		rc_plain(&plain, &fl, 32);
		rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_key);
		CU_ASSERT(tagged.len == plain.len + (family == 4 ? 28 : 32));
		rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_VERIFIED,
			  &plain);
		CU_ASSERT_EQUAL(sa_count(SA_PACKETS), before + 1);
	}
}

static void test_bad_icv_dropped(void)
{
	for (int family = 4; family <= 6; family += 2) {
		struct rc_flow fl = enforce_flow(family);
		uint64_t before = sa_count(SA_BAD_ICV);

		rc_plain(&plain, &fl, 32);
		rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_other_key);
		rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_AH_BAD_ICV, NULL);
		CU_ASSERT_EQUAL(sa_count(SA_BAD_ICV), before + 1);

		/* one flipped ICV bit */
		rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_key);
		tagged.data[tagged.ah_off + 12 + 15] ^= 0x01;
		rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_AH_BAD_ICV, NULL);
	}
}

/* Every payload length from 0 to 200 (the hash's block boundaries fall at
 * different places for IPv4 and IPv6), and a full-size packet. */
static void test_lengths(void)
{
	static const size_t big[] = {1000, 1400, 1444};
	int fails = 0;

	for (int family = 4; family <= 6; family += 2) {
		struct rc_flow fl = enforce_flow(family);

		for (size_t n = 0; n <= 200 + sizeof(big) / sizeof(big[0]);
		     n++) {
			size_t len = n <= 200 ? n : big[n - 201];

			rc_plain(&plain, &fl, len);
			rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_key);
			if (!rc_expect(&fx, &tagged, XDP_PASS,
				       ESPRIT_R_RISAV_VERIFIED, &plain) &&
			    fails++ < 3)
				fprintf(stderr,
					"  IPv%d, %zu bytes of payload\n",
					family, len);
			tagged.data[tagged.len - 1] ^= 0x80;
			rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_AH_BAD_ICV,
				  NULL);
		}
	}
}

static void test_vlans(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (int vlans = 1; vlans <= 2; vlans++) {
			struct rc_flow fl = enforce_flow(family);

			fl.vlans = vlans;
			rc_plain(&plain, &fl, 40);
			rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_key);
			rc_expect(&fx, &tagged, XDP_PASS,
				  ESPRIT_R_RISAV_VERIFIED, &plain);
			rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_other_key);
			rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_AH_BAD_ICV,
				  NULL);
		}
	}
}

/*
 * Changes one field in the tagged packet and the same field in the
 * packet before tagging (where it exists there too): what the stack must
 * get after the strip.
 */
typedef void (*mutate_fn)(struct pkt *p, size_t at);

static void set_byte(struct pkt *p, size_t at, uint8_t v)
{
	p->data[at] = v;
}

/* IPv4: the bytes of the header RFC 4302 zeroes; each rewritten. */
static void test_ipv4_mutable_fields_still_valid(void)
{
	static const struct {
		size_t off;
		uint8_t value;
		const char *what;
	} fields[] = {
		{1, 0xb9, "TOS (DSCP 46, ECN 1)"},
		{1, 0x03, "ECN CE"},
		{6, 0x00, "DF cleared"},
		{6, 0xc0, "reserved flag set"},
		{8, 1, "TTL 1"},
		{8, 255, "TTL 255"},
	};
	struct rc_flow fl = enforce_flow(4);

	rc_plain(&plain, &fl, 48);
	rc_tag(&tagged, &plain, RC_SPI, 7, 1, rc_key);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		in = tagged;
		want = plain;
		set_byte(&in, in.l3_off + fields[i].off, fields[i].value);
		set_byte(&want, want.l3_off + fields[i].off, fields[i].value);
		ipv4_fix_checksum(&in);
		ipv4_fix_checksum(&want);
		if (!rc_expect(&fx, &in, XDP_PASS, ESPRIT_R_RISAV_VERIFIED,
			       &want))
			fprintf(stderr, "  field: %s\n", fields[i].what);
	}
}

static void test_ipv6_mutable_fields_still_valid(void)
{
	struct rc_flow fl = enforce_flow(6);

	rc_plain(&plain, &fl, 48);
	rc_tag(&tagged, &plain, RC_SPI, 7, 1, rc_key);
	for (int field = 0; field < 3; field++) {
		in = tagged;
		want = plain;
		for (struct pkt *p = &in; p; p = p == &in ? &want : NULL) {
			if (field == 0)
				pkt_ip_tos(p, 0xb9);
			else if (field == 1)
				pkt_ipv6_flow_label(p, 0xabcde);
			else
				pkt_ip_ttl(p, 3);
		}
		if (!rc_expect(&fx, &in, XDP_PASS, ESPRIT_R_RISAV_VERIFIED,
			       &want))
			fprintf(stderr, "  field %d\n", field);
	}
}

/*
 * Every byte RFC 4302 includes in the ICV as it is, changed: the tag must
 * fail (the IPv4 checksum is fixed, so the packet is otherwise sound).
 */
static void test_immutable_fields_break_the_tag(void)
{
	for (int family = 4; family <= 6; family += 2) {
		struct rc_flow fl = enforce_flow(family);
		size_t l3, ah;
		/* packet offsets relative to the IP header or the AH */
		static const size_t v4[] = {4, 5, 15, 19};
		static const size_t v6[] = {23, 39};
		static const size_t ah_bytes[] = {0, 2, 8, 11};
		const size_t *ip_bytes = family == 4 ? v4 : v6;
		size_t nip = family == 4 ? 4 : 2;

		rc_plain(&plain, &fl, 48);
		rc_tag(&tagged, &plain, RC_SPI, 7, 1, rc_key);
		l3 = tagged.l3_off;
		ah = tagged.ah_off;
		/* ID, source and destination within their prefixes */
		for (size_t i = 0; i < nip; i++) {
			in = tagged;
			in.data[l3 + ip_bytes[i]] ^= 0x01;
			if (family == 4)
				ipv4_fix_checksum(&in);
			if (!rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_ICV,
				       NULL))
				fprintf(stderr, "  IPv%d byte %zu\n", family,
					ip_bytes[i]);
		}
		/* AH: Next Header, reserved byte, sequence number */
		for (size_t i = 0; i < 4; i++) {
			in = tagged;
			in.data[ah + ah_bytes[i]] ^= 0x01;
			if (!rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_ICV,
				       NULL))
				fprintf(stderr, "  IPv%d AH byte %zu\n", family,
					ah_bytes[i]);
		}
		/* every byte after the AH */
		for (size_t at = ah + 12 + RC_ICV_LEN + (family == 6 ? 4 : 0);
		     at < tagged.len; at++) {
			in = tagged;
			in.data[at] ^= 0x40;
			rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_ICV,
				  NULL);
		}
		if (family == 6) { /* the ICV padding is covered */
			in = tagged;
			in.data[ah + 12 + RC_ICV_LEN] = 0x5a;
			rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_ICV,
				  NULL);
		}
		/* the SPI names the SA: another SPI is no SA */
		in = tagged;
		in.data[ah + 7] ^= 0x01;
		rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_UNKNOWN_SPI, NULL);
	}
}

/*
 * IPv4 options: Router Alert (148) and Security (130) are in the ICV as
 * they are; Record Route (7) and Timestamp (68) are zeroed whole, and
 * so is an option the RFC does not know (25).
 */
static void test_ipv4_options(void)
{
	static const uint8_t opts[] = {
		1, /* NOP */
		148, 4, 0,    0, /* Router Alert */
		7,   7, 4,    0, 0, 0, 0, /* Record Route, empty slot */
		68,  8, 5,    0, 0, 0, 0, 0, /* Timestamp */
		130, 3, 0x11, /* Security (short, as a test body) */
		25,  2, /* unknown */
		0, /* EOL */
		0,   0, /* padding */
	};
	struct rc_flow fl = enforce_flow(4);
	static const struct {
		size_t off; /* within the options */
		int mutable_;
	} edits[] = {
		{3, 0},	 {4, 0}, /* Router Alert value */
		{7, 1},	 {8, 1},  {11, 1}, /* Record Route pointer, route */
		{14, 1}, {15, 1}, {18, 1}, /* Timestamp pointer, flags, time */
		{22, 0}, /* Security */
		{23, 1}, /* unknown option type (25 -> 27, unknown too) */
		{26, 0}, {27, 0}, /* padding after EOL */
	};

	CU_ASSERT_EQUAL_FATAL(sizeof(opts), 28);
	fl.opts = opts;
	fl.opts_len = sizeof(opts);
	rc_plain(&plain, &fl, 20);
	rc_tag(&tagged, &plain, RC_SPI, 9, 1, rc_key);
	rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_VERIFIED, &plain);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		size_t at = tagged.l3_off + 20 + edits[i].off;
		bool ok;

		in = tagged;
		want = plain;
		in.data[at] ^= 0x02;
		want.data[at] ^= 0x02;
		ipv4_fix_checksum(&in);
		ipv4_fix_checksum(&want);
		if (edits[i].mutable_)
			ok = rc_expect(&fx, &in, XDP_PASS,
				       ESPRIT_R_RISAV_VERIFIED, &want);
		else
			ok = rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_ICV,
				       NULL);
		if (!ok)
			fprintf(stderr, "  option byte %zu\n", edits[i].off);
	}

	/* a malformed option list cannot be prepared */
	in = tagged;
	in.data[tagged.l3_off + 20 + 6] = 1; /* Record Route length 1 */
	ipv4_fix_checksum(&in);
	rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_RISAV_UNVERIFIABLE, NULL);
	in.data[tagged.l3_off + 20 + 6] = 40; /* past the header */
	ipv4_fix_checksum(&in);
	rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_RISAV_UNVERIFIABLE, NULL);
}

/*
 * IPv6 hop-by-hop and destination options before the AH: data of options
 * with the change bit (0x20) is zeroed, the rest included.
 */
static void test_ipv6_extension_options(void)
{
	/* HBH: Router Alert (5, no change bit), option 0x3e (change bit) */
	static const uint8_t hbh[] = {
		5,    2, 0, 0, /* Router Alert */
		0x3e, 4, 1, 2, 3, 4, /* may change */
		0, /* Pad1 */
		1,    1, 0, /* PadN */
	};
	/* DO: 0x1e (no change bit) with data, 0x3f (change bit) */
	static const uint8_t dst[] = {
		0x1e, 2, 0xaa, 0xbb, /* fixed */
		0x3f, 0, /* may change, no data */
	};
	struct rc_flow fl = enforce_flow(6);
	struct {
		size_t off; /* from the first extension header */
		int mutable_;
	} edits[] = {
		{4, 0}, /* Router Alert data */
		{8, 1},	     {11, 1}, /* 0x3e data */
		{12, 0}, /* Pad1 byte */
		{16 + 4, 0}, {16 + 5, 0}, /* DO 0x1e data */
		{16 + 2, 0}, /* DO option type */
	};
	size_t ext;

	pkt_init(&plain);
	pkt_eth(&plain, pkt_mac_b, pkt_mac_a);
	pkt_ipv6(&plain, fl.src, fl.dst);
	pkt_ipv6_ext(&plain, 0, hbh, sizeof(hbh));
	pkt_ipv6_ext(&plain, 60, dst, sizeof(dst));
	pkt_udp(&plain, 1, 2, (const uint8_t *)"risav over options", 18);
	pkt_finish(&plain);
	ext = plain.l3_off + 40;
	rc_tag(&tagged, &plain, RC_SPI, 11, 1, rc_key);
	CU_ASSERT_EQUAL(tagged.ah_off, ext + 16 + 8);
	rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_VERIFIED, &plain);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		bool ok;

		in = tagged;
		want = plain;
		in.data[ext + edits[i].off] ^= 0x10;
		want.data[ext + edits[i].off] ^= 0x10;
		if (edits[i].mutable_)
			ok = rc_expect(&fx, &in, XDP_PASS,
				       ESPRIT_R_RISAV_VERIFIED, &want);
		else
			ok = rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_AH_BAD_ICV,
				       NULL);
		if (!ok)
			fprintf(stderr, "  extension byte %zu\n", edits[i].off);
	}

	/* a routing header before the AH is not walked: unverifiable */
	{
		static const uint8_t rh[] = {0, 0, 0, 0, 0, 0};

		pkt_init(&plain);
		pkt_eth(&plain, pkt_mac_b, pkt_mac_a);
		pkt_ipv6(&plain, fl.src, fl.dst);
		pkt_ipv6_ext(&plain, 43, rh, sizeof(rh));
		pkt_udp(&plain, 1, 2, (const uint8_t *)"x", 1);
		pkt_finish(&plain);
		in = plain;
		pkt_ah_insert(&in, RC_SPI, 1, 1, RC_ICV_LEN);
		rc_expect(&fx, &in, XDP_DROP, ESPRIT_R_RISAV_UNVERIFIABLE,
			  NULL);
	}
}

/*
 * Which bits of an IP header RFC 4302 leaves out of the ICV (its mutable
 * fields): flipping one of them must keep the tag valid. The fragment
 * fields are left out of this test (a fragment is another story), and so
 * is the IPv4 checksum, which the test recomputes.
 */
static int mutable_bit(int family, size_t off, int bit)
{
	uint8_t mask = 0x80 >> bit;

	if (family == 4)
		return off == 1 || off == 8 || (off == 6 && (mask & 0xc0));
	return (off == 0 && (mask & 0x0f)) || off == 1 || off == 2 ||
	       off == 3 || off == 7;
}

/*
 * Exhaustive: every bit of tagged packets (both families, with and
 * without a VLAN tag) flipped in turn. A bit of what the ICV covers,
 * flipped, is never accepted; a mutable bit keeps the tag valid and the
 * packet is stripped to the original with the same bit flipped.
 */
static void test_every_bit_of_tagged_packets(void)
{
	unsigned long flips = 0, refused = 0, accepted = 0;

	for (int family = 4; family <= 6; family += 2)
		for (int vlans = 0; vlans <= 1; vlans++) {
			struct rc_flow fl = enforce_flow(family);
			size_t l3;

			fl.vlans = vlans;
			rc_plain(&plain, &fl, 40);
			rc_tag(&tagged, &plain, RC_SPI, 7, 1, rc_key);
			l3 = tagged.l3_off;
			for (size_t at = l3; at < tagged.len; at++)
				for (int bit = 0; bit < 8; bit++) {
					size_t off = at - l3;
					bool ip = off < (family == 4 ? 20 : 40);
					bool frag = family == 4 && ip &&
						    (off == 7 ||
						     (off == 6 && bit >= 2));
					bool csum = family == 4 &&
						    (off == 10 || off == 11);
					uint64_t v0;

					if (frag || csum)
						continue;
					in = tagged;
					in.data[at] ^= 0x80 >> bit;
					if (family == 4)
						ipv4_fix_checksum(&in);
					flips++;
					if (ip &&
					    mutable_bit(family, off, bit)) {
						want = plain;
						want.data[at] ^= 0x80 >> bit;
						if (family == 4)
							ipv4_fix_checksum(
								&want);
						accepted += rc_expect(
							&fx, &in, XDP_PASS,
							ESPRIT_R_RISAV_VERIFIED,
							&want);
						continue;
					}
					v0 = xdp_fixture_count(
						&fx.x, ESPRIT_R_RISAV_VERIFIED);
					{
						struct xdp_result r;

						CU_ASSERT_EQUAL(
							xdp_fixture_run(
								&fx.x, &in, &r),
							0);
					}
					if (xdp_fixture_count(
						    &fx.x,
						    ESPRIT_R_RISAV_VERIFIED) !=
					    v0) {
						CU_FAIL("a flipped bit the ICV "
							"covers was accepted");
						fprintf(stderr,
							"  IPv%d, %d VLAN, "
							"byte %zu of the IP "
							"packet, bit %d\n",
							family, vlans, off,
							bit);
					} else {
						refused++;
					}
				}
		}
	fprintf(stderr,
		"\n  [bpf_risav_verify: %lu single-bit flips: %lu of covered "
		"bits refused, %lu of mutable bits accepted]\n",
		flips, refused, accepted);
	CU_ASSERT_EQUAL(refused + accepted, flips);
}

TEST_SUITE(risav_verify) = {
	.name = "bpf_risav_verify",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"valid_tag_stripped", test_valid_tag_stripped},
			{"bad_icv_dropped", test_bad_icv_dropped},
			{"lengths", test_lengths},
			{"vlans", test_vlans},
			{"ipv4_mutable_fields_still_valid",
			 test_ipv4_mutable_fields_still_valid},
			{"ipv6_mutable_fields_still_valid",
			 test_ipv6_mutable_fields_still_valid},
			{"immutable_fields_break_the_tag",
			 test_immutable_fields_break_the_tag},
			{"ipv4_options", test_ipv4_options},
			{"ipv6_extension_options", test_ipv6_extension_options},
			{"every_bit_of_tagged_packets",
			 test_every_bit_of_tagged_packets},
			{NULL, NULL},
		},
};
