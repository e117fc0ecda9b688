// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarding tagger (bpf/risav/tag_forward.h) in esprit_xdp under
 * BPF_PROG_TEST_RUN: packets from AS 64500's hosts arriving on the inside
 * device, routed by the test's namespace to a peer AS out of a device
 * prepared for tagging, leave tagged with the SA their DSCP selects; the
 * UDP checksum is signed as the wire will carry it, whether the sender
 * filled it in or left it to the device; packets not forwarded, or
 * forwarded out of an unprepared device, are left alone; too-big ones go
 * on untagged with metadata of their own (GRO merges none), for the TC
 * tagger to answer; the green channel, spoofed contacts, fragments and
 * missing SAs follow the same rules as at TC egress.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <net/if.h>

#include "esprit_maps.h"
#include "esprit_risav.h"
#include "tag_fixture.h"
#include "testlib.h"
#include "xdp_fixture.h"

#define SRC4  "192.0.2.10"
#define SRC6  "2001:db8:100::10"
#define PEER4 "198.51.100.7"
#define PEER6 "2001:db8:201::7"
/* routes with a locked MTU, which forwarding honours */
#define NARROW4	   "198.51.100.200" /* MTU 1000 */
#define NARROW6	   "2001:db8:201:8000::7" /* MTU 1280 */
#define LOCAL_PEER "198.51.100.99" /* an address of this host */

static struct tag_fixture fx;
static struct pkt in, tagged;
static struct tag_result res;
static unsigned int outside;

/*
 * The namespace as a border: fwdin towards AS 64500's hosts, fwdout
 * towards the peers, forwarding on, routes to the peers' prefixes by
 * fwdout (narrower MTUs for two of them), fwdout prepared for tagging.
 */
static int suite_init(void)
{
	struct esprit_tag_dev prepared = {.gso_max_segs = 1};
	unsigned int inside;

	if (fixture_private_netns() || system("sysctl -qw "
					      "net.ipv4.ip_forward=1 "
					      "net.ipv6.conf.all.forwarding=1"))
		return -1;
	inside = fixture_veth("fwdin", 1500);
	outside = fixture_veth("fwdout", 1500);
	if (!inside || !outside ||
	    system("ip addr add 192.0.2.1/24 dev fwdin && "
		   "ip addr add 2001:db8:100::1/48 dev fwdin nodad && "
		   "ip addr add 10.200.0.1/24 dev fwdout && "
		   "ip addr add fd00:200::1/64 dev fwdout nodad && "
		   "ip addr add " LOCAL_PEER "/32 dev lo && "
		   "ip route add 198.51.100.0/24 via 10.200.0.2 && "
		   "ip route add " NARROW4 "/32 via 10.200.0.2 mtu lock 1000 "
		   "&& "
		   "ip route add 203.0.113.0/24 via 10.200.0.2 && "
		   "ip -6 route add 2001:db8:201::/48 via fd00:200::2 && "
		   "ip -6 route add 2001:db8:201:8000::/49 via fd00:200::2 "
		   "mtu lock 1280 && "
		   "ip -6 route add 2001:db8:202::/48 via fd00:200::2"))
		return -1;
	if (tag_fixture_open_xdp(&fx, inside))
		return -1;
	return bpf_map_update_elem(tag_fixture_map_fd(&fx, ESPRIT_MAP_TAG_DEVS),
				   &outside, &prepared, BPF_ANY);
}

static int suite_cleanup(void)
{
	tag_fixture_close(&fx);
	return 0;
}

/* Runs p and checks it left tagged by spi with the SA's next number. */
static void expect_forwarded_at(const struct pkt *p, uint32_t spi, uint32_t asn,
				const char *file, int line)
{
	uint64_t seq = tag_fixture_seq(&fx, spi, asn);

	if (!tf_expect_at(&fx, p, XDP_PASS, ESPRIT_R_RISAV_TAGGED_FORWARDED,
			  TF_NO_REASON, false, &res, file, line))
		return;
	CU_ASSERT_EQUAL(res.meta_len, 0);
	tf_tagged_at(p, res.out, res.out_len, spi, (uint32_t)(seq + 1), file,
		     line);
}
#define expect_forwarded(p, spi, asn) \
	expect_forwarded_at(p, spi, asn, __FILE__, __LINE__)

static uint16_t ones(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The pseudo-header's sum of p's UDP datagram (not complemented). */
static uint16_t pseudo_sum(const struct pkt *p)
{
	const uint8_t *ip = p->data + p->l3_off;
	size_t len = p->len - p->l4_off;
	uint8_t ph[40] = {0};

	if (p->family == 4) {
		memcpy(ph, ip + 12, 8);
		ph[9] = 17;
		ph[10] = len >> 8;
		ph[11] = len & 0xff;
		return ones(ph, 12, 0);
	}
	memcpy(ph, ip + 8, 32);
	ph[34] = len >> 8;
	ph[35] = len & 0xff;
	ph[39] = 17;
	return ones(ph, 40, 0);
}

static void set_udp_csum(struct pkt *p, size_t l4_off, uint16_t v)
{
	p->data[l4_off + 6] = v >> 8;
	p->data[l4_off + 7] = v & 0xff;
}

/* The UDP checksum in full, as the kernel completes it (0 as 0xffff). */
static uint16_t udp_csum(const struct pkt *p)
{
	struct pkt q = *p;
	uint16_t c;

	set_udp_csum(&q, q.l4_off, 0);
	c = (uint16_t)~ones(q.data + q.l4_off, q.len - q.l4_off,
			    pseudo_sum(&q));
	return c ? c : 0xffff;
}

static void test_forwarded_tagged_by_class(void)
{
	for (int family = 4; family <= 6; family += 2) {
		const char *src = family == 4 ? SRC4 : SRC6;
		const char *dst = family == 4 ? PEER4 : PEER6;

		tf_udp(&in, family, src, dst, 46, 200, NULL);
		set_udp_csum(&in, in.l4_off, udp_csum(&in));
		expect_forwarded(&in, TF_SPI_EF, TF_ENFORCE_ASN);
		tf_udp(&in, family, src, dst, 0, 1000, NULL);
		set_udp_csum(&in, in.l4_off, udp_csum(&in));
		expect_forwarded(&in, TF_SPI_ANY, TF_ENFORCE_ASN);
		tf_udp(&in, family, src, dst, 34, 10, NULL);
		set_udp_csum(&in, in.l4_off, udp_csum(&in));
		expect_forwarded(&in, TF_SPI_AF4, TF_ENFORCE_ASN);
	}
	/* UDP without a checksum is signed as it is */
	tf_udp(&in, 4, SRC4, PEER4, 0, 100, NULL);
	expect_forwarded(&in, TF_SPI_ANY, TF_ENFORCE_ASN);
}

/*
 * A sender that left the checksum to the device holds the pseudo-header's
 * sum there: the packet keeps it (the kernel completes it on the way
 * out), and the tag covers the value the kernel will write.
 */
static void test_checksum_left_to_device(void)
{
	for (int family = 4; family <= 6; family += 2) {
		const char *src = family == 4 ? SRC4 : SRC6;
		const char *dst = family == 4 ? PEER4 : PEER6;
		size_t ah = family == 4 ? 28 : 32;
		uint16_t final, seed;
		uint64_t seq;

		tf_udp(&in, family, src, dst, 0, 300 + family, NULL);
		final = udp_csum(&in);
		seed = pseudo_sum(&in);
		set_udp_csum(&in, in.l4_off, seed);
		seq = tag_fixture_seq(&fx, TF_SPI_ANY, TF_ENFORCE_ASN);
		if (!tf_expect(&fx, &in, XDP_PASS,
			       ESPRIT_R_RISAV_TAGGED_FORWARDED, TF_NO_REASON,
			       false, &res))
			continue;
		CU_ASSERT_EQUAL(res.out[in.l4_off + ah + 6] << 8 |
					res.out[in.l4_off + ah + 7],
				seed);
		/* as it leaves: completed by the kernel */
		set_udp_csum(&in, in.l4_off, final);
		memcpy(tagged.data, res.out, res.out_len);
		set_udp_csum(&tagged, in.l4_off + ah, final);
		tf_tagged(&in, tagged.data, res.out_len, TF_SPI_ANY,
			  (uint32_t)(seq + 1));
	}
}

static void test_not_forwarded_untouched(void)
{
	/* to this host */
	tf_udp(&in, 4, SRC4, LOCAL_PEER, 0, 100, NULL);
	tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_NOT_ESPRIT, TF_NO_REASON, true,
		  &res);
	/* out of a device not prepared for tagging: left to its TC */
	CU_ASSERT_EQUAL_FATAL(
		bpf_map_delete_elem(
			tag_fixture_map_fd(&fx, ESPRIT_MAP_TAG_DEVS), &outside),
		0);
	tf_udp(&in, 4, SRC4, PEER4, 0, 100, NULL);
	tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_NOT_ESPRIT, TF_NO_REASON, true,
		  &res);
	tf_udp(&in, 6, SRC6, PEER6, 0, 100, NULL);
	tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_NOT_ESPRIT, TF_NO_REASON, true,
		  &res);
	{
		struct esprit_tag_dev prepared = {.gso_max_segs = 1};

		CU_ASSERT_EQUAL(
			bpf_map_update_elem(
				tag_fixture_map_fd(&fx, ESPRIT_MAP_TAG_DEVS),
				&outside, &prepared, BPF_ANY),
			0);
	}
	/* already tagged (by a border before this one): not again */
	tf_udp(&in, 4, SRC4, PEER4, 0, 100, NULL);
	if (tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_RISAV_TAGGED_FORWARDED,
		      TF_NO_REASON, false, &res)) {
		tagged = in;
		memcpy(tagged.data, res.out, res.out_len);
		tagged.len = res.out_len;
		tf_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_NOT_ESPRIT,
			  TF_NO_REASON, true, &res);
	}
	/* from outside the local AS */
	tf_udp(&in, 4, "100.64.4.9", PEER4, 0, 100, NULL);
	tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_NOT_ESPRIT, TF_NO_REASON, true,
		  &res);
}

/*
 * Too big once tagged, with DF or IPv6: on untagged, marked so GRO keeps
 * it apart, for TC to answer; IPv4 without DF: tagged, the kernel
 * fragments it.
 */
static void test_too_big_left_to_egress(void)
{
	struct tf_shape df = {.frag_word = 0x4000};
	uint8_t first[8];
	uint64_t seq;

	tf_udp(&in, 4, SRC4, NARROW4, 0, 1000 - 28, &df);
	CU_ASSERT_EQUAL(in.len - in.l3_off, 1000);
	tf_expect(&fx, &in, XDP_PASS, TF_NO_REASON, TF_NO_REASON, true, &res);
	CU_ASSERT_EQUAL(res.meta_len, 4);
	memcpy(first, res.meta, sizeof(first));
	tf_expect(&fx, &in, XDP_PASS, TF_NO_REASON, TF_NO_REASON, true, &res);
	CU_ASSERT_EQUAL(res.meta_len, 4);
	CU_ASSERT_NOT_EQUAL(memcmp(first, res.meta, 4), 0);
	tf_udp(&in, 6, SRC6, NARROW6, 0, 1280 - 48, NULL);
	tf_expect(&fx, &in, XDP_PASS, TF_NO_REASON, TF_NO_REASON, true, &res);
	CU_ASSERT_EQUAL(res.meta_len, 4);
	/* fits once tagged */
	tf_udp(&in, 4, SRC4, NARROW4, 0, 1000 - 28 - 28, &df);
	expect_forwarded(&in, TF_SPI_ANY, TF_ENFORCE_ASN);
	/* no DF */
	tf_udp(&in, 4, SRC4, NARROW4, 0, 1000 - 28, NULL);
	seq = tag_fixture_seq(&fx, TF_SPI_ANY, TF_ENFORCE_ASN);
	if (tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_RISAV_TOO_BIG_TAGGED,
		      ESPRIT_R_RISAV_TAGGED_FORWARDED, false, &res))
		tf_tagged(&in, res.out, res.out_len, TF_SPI_ANY,
			  (uint32_t)(seq + 1));
}

static void test_policies_and_green_channel(void)
{
	struct tf_shape mf = {.frag_word = 0x2000};

	/* testing peer, policy drop: no SA for DSCP 0 */
	tf_udp(&in, 4, SRC4, "203.0.113.5", 0, 100, NULL);
	tf_expect(&fx, &in, XDP_DROP, ESPRIT_R_RISAV_NO_SA_DROPPED,
		  TF_NO_REASON, false, &res);
	/* a fragment cannot be tagged: the peer's policy */
	tf_udp(&in, 4, SRC4, "203.0.113.5", 10, 100, &mf);
	tf_expect(&fx, &in, XDP_DROP, ESPRIT_R_RISAV_UNTAGGABLE_DROPPED,
		  TF_NO_REASON, false, &res);
	tf_udp(&in, 4, SRC4, PEER4, 0, 100, &mf);
	tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_RISAV_UNTAGGABLE, TF_NO_REASON,
		  true, &res);
	/* contact to contact: the green channel */
	tf_udp(&in, 4, "192.0.2.250", "198.51.100.250", 0, 100, NULL);
	tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_RISAV_TAG_GREEN_CHANNEL,
		  TF_NO_REASON, true, &res);
	tf_udp(&in, 6, "2001:db8:100::fa", "2001:db8:201::fa", 0, 100, NULL);
	tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_RISAV_TAG_GREEN_CHANNEL,
		  TF_NO_REASON, true, &res);
	/* any other host to the peer's contact: spoofing it */
	tf_udp(&in, 4, SRC4, "198.51.100.250", 0, 100, NULL);
	tf_expect(&fx, &in, XDP_DROP, ESPRIT_R_RISAV_TO_CONTACT_DROPPED,
		  TF_NO_REASON, false, &res);
	/* enforce peer with policy untagged, its SA for the class gone */
	CU_ASSERT_EQUAL_FATAL(
		tag_fixture_sa_del(&fx, TF_SPI_ANY, TF_ENFORCE_ASN), 0);
	tf_udp(&in, 6, SRC6, PEER6, 0, 100, NULL);
	tf_expect(&fx, &in, XDP_PASS, ESPRIT_R_RISAV_NO_SA_UNTAGGED,
		  TF_NO_REASON, true, &res);
	CU_ASSERT_EQUAL(tag_fixture_sa(&fx, TF_SPI_ANY, TF_ENFORCE_ASN, "any"),
			0);
}

TEST_SUITE(risav_tag_forward) = {
	.name = "bpf_risav_tag_forward",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"forwarded_tagged_by_class",
			 test_forwarded_tagged_by_class},
			{"checksum_left_to_device",
			 test_checksum_left_to_device},
			{"not_forwarded_untouched",
			 test_not_forwarded_untouched},
			{"too_big_left_to_egress", test_too_big_left_to_egress},
			{"policies_and_green_channel",
			 test_policies_and_green_channel},
			{NULL, NULL},
		},
};
