// SPDX-License-Identifier: GPL-2.0
/*
 * The RISAV egress tagger (bpf/risav/tag.h, esprit_tc) under BPF_PROG_TEST_RUN
 * in the world of tests/lib/tag_fixture.h. Every tag it makes is checked
 * byte by byte, and its ICV against the test library's own (OpenSSL over
 * an ICV input the library builds): the SA the DSCP selects, the
 * sequence number the SA's counter gives, the AH after IPv4 options or
 * the IPv6 hop-by-hop header; and which packets it must leave alone,
 * drop, or send untagged.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <CUnit/CUnit.h>

#include "esprit_risav.h"
#include "lib/counters.h"
#include "mutation.h"
#include "tag_fixture.h"
#include "testlib.h"
#include "xdp_fixture.h"

#define SRC4  "192.0.2.10"
#define SRC6  "2001:db8:100::10"
#define PEER4 "198.51.100.7"
#define PEER6 "2001:db8:201::7"

static struct tag_fixture fx;
static struct pkt in;
static struct tag_result res;
static unsigned int if1500, if100;
static const uint8_t host_mac[6] = {0x02, 0, 0, 0, 0xaa, 0x10};
static const uint8_t inside_mac[6] = {0x02, 0, 0, 0, 0xbb, 0x01};

/*
 * The test's network namespace as a border: tag1500 and tag100 the
 * outside (MTU 1500 and 100, forwarding on), taginside towards AS 64500's hosts, so ICMP
 * errors find their way back.
 */
static int suite_init(void)
{
	if (tag_fixture_open(&fx))
		return -1;
	if1500 = fixture_veth("tag1500", 1500);
	if100 = fixture_veth("tag100", 100);
	if (!if1500 || !if100 || !fixture_veth("taginside", 1500))
		return -1;
	return system("ip link set taginside address 02:00:00:00:bb:01 && "
		      "ip addr add 192.0.2.1/24 dev taginside && "
		      "ip addr add 2001:db8:100::1/48 dev taginside nodad && "
		      "ip neigh replace " SRC4 " lladdr 02:00:00:00:aa:10 "
		      "dev taginside nud permanent && "
		      "ip neigh replace " SRC6 " lladdr 02:00:00:00:aa:10 "
		      "dev taginside nud permanent && "
		      /* other suites route these prefixes in this netns */
		      "ip route replace " SRC4 "/32 dev taginside && "
		      "ip -6 route replace " SRC6 "/128 dev taginside && "
		      "sysctl -qw net.ipv4.conf.tag1500.forwarding=1 "
		      "net.ipv6.conf.tag1500.forwarding=1 "
		      "net.ipv4.conf.tag100.forwarding=1")
		       ? -1
		       : 0;
}

static int suite_cleanup(void)
{
	tag_fixture_close(&fx);
	return 0;
}

static const char *src_of(int family)
{
	return family == 4 ? SRC4 : SRC6;
}

static const char *peer_of(int family)
{
	return family == 4 ? PEER4 : PEER6;
}

/* Runs in and checks it left tagged by spi with the SA's next number. */
static void expect_tagged_at(const struct pkt *p, uint32_t spi, uint32_t asn,
			     int reason2, const char *file, int line)
{
	uint64_t seq = tag_fixture_seq(&fx, spi, asn);
	struct esprit_sa_out_stats before, after;

	tag_fixture_sa_stats(&fx, spi, asn, &before);
	if (!tf_expect_at(&fx, p, TC_ACT_OK, ESPRIT_R_RISAV_TAGGED, reason2,
			  false, &res, file, line))
		return;
	tf_tagged_at(p, res.out, res.out_len, spi, (uint32_t)(seq + 1), file,
		     line);
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, spi, asn), seq + 1);
	tag_fixture_sa_stats(&fx, spi, asn, &after);
	CU_ASSERT_EQUAL(after.packets, before.packets + 1);
	CU_ASSERT_EQUAL(after.bytes, before.bytes + p->len - p->l3_off);
}
#define expect_tagged(p, spi, asn) \
	expect_tagged_at(p, spi, asn, TF_NO_REASON, __FILE__, __LINE__)

static void test_each_dscp_class_its_sa(void)
{
	static const struct {
		uint8_t dscp;
		uint32_t spi;
	} classes[] = {
		{46, TF_SPI_EF},  {34, TF_SPI_AF4}, {36, TF_SPI_AF4},
		{0, TF_SPI_ANY},  {10, TF_SPI_ANY}, {38, TF_SPI_ANY},
		{63, TF_SPI_ANY},
	};

	for (int family = 4; family <= 6; family += 2) {
		for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]);
		     i++) {
			tf_udp(&in, family, src_of(family), peer_of(family),
			       classes[i].dscp, 100, NULL);
			expect_tagged(&in, classes[i].spi, TF_ENFORCE_ASN);
		}
	}
}

static void test_sequence_numbers_count_up(void)
{
	uint64_t start = tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN);

	for (int i = 0; i < 5; i++) {
		tf_udp(&in, 4, SRC4, PEER4, 46, 20 + i, NULL);
		expect_tagged(&in, TF_SPI_EF, TF_ENFORCE_ASN);
	}
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN),
			start + 5);
}

static void test_sizes(void)
{
	static const size_t sizes[] = {0,  1,  3,  18,	19,   55,
				       56, 63, 64, 200, 1000, 1400};

	for (int family = 4; family <= 6; family += 2)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			tf_udp(&in, family, src_of(family), peer_of(family), 0,
			       sizes[i], NULL);
			expect_tagged(&in, TF_SPI_ANY, TF_ENFORCE_ASN);
		}
}

static void test_ipv4_options(void)
{
	/* Router Alert (kept), Record Route (zeroed), EOL */
	static const uint8_t ra_rr[] = {148, 4, 0, 0, 7, 7, 4, 10, 0, 0, 1, 0};
	/* 40 bytes: Timestamp (zeroed), Security (kept), NOPs */
	uint8_t full[40] = {68, 12, 5, 0};
	struct tf_shape s = {.opts = ra_rr, .opts_len = sizeof(ra_rr)};

	tf_udp(&in, 4, SRC4, PEER4, 46, 64, &s);
	expect_tagged(&in, TF_SPI_EF, TF_ENFORCE_ASN);
	full[12] = 130;
	full[13] = 11;
	for (int i = 14; i < 23; i++)
		full[i] = (uint8_t)i;
	memset(full + 23, 1, sizeof(full) - 23);
	s.opts = full;
	s.opts_len = sizeof(full);
	tf_udp(&in, 4, SRC4, PEER4, 34, 300, &s);
	expect_tagged(&in, TF_SPI_AF4, TF_ENFORCE_ASN);
}

static void test_ipv6_hop_by_hop(void)
{
	/* Router Alert (kept) and PadN */
	static const uint8_t ra[] = {5, 2, 0, 0, 1, 0};
	/* an option that may change en route (data zeroed in the ICV) */
	static const uint8_t change[] = {0x3e, 4, 0xde, 0xad, 0xbe, 0xef};
	static const uint8_t dest[] = {1, 4, 0, 0, 0, 0};
	struct tf_shape s = {.hbh = ra, .hbh_len = sizeof(ra)};

	tf_udp(&in, 6, SRC6, PEER6, 46, 64, &s);
	expect_tagged(&in, TF_SPI_EF, TF_ENFORCE_ASN);
	s.hbh = change;
	s.hbh_len = sizeof(change);
	tf_udp(&in, 6, SRC6, PEER6, 0, 500, &s);
	expect_tagged(&in, TF_SPI_ANY, TF_ENFORCE_ASN);
	/* the AH goes between hop-by-hop and destination options */
	s.dest = dest;
	s.dest_len = sizeof(dest);
	tf_udp(&in, 6, SRC6, PEER6, 36, 77, &s);
	expect_tagged(&in, TF_SPI_AF4, TF_ENFORCE_ASN);
	CU_ASSERT_EQUAL(res.out[14 + 40 + 8], 60); /* AH Next Header */
	/* destination options alone: the AH right after the base header */
	s.hbh = NULL;
	s.hbh_len = 0;
	tf_udp(&in, 6, SRC6, PEER6, 36, 77, &s);
	expect_tagged(&in, TF_SPI_AF4, TF_ENFORCE_ASN);
	CU_ASSERT_EQUAL(res.out[14 + 6], 51);
}

static void test_not_ours_untouched(void)
{
	static const char *const pairs[][2] = {
		{PEER4, SRC4}, /* inbound direction */
		{"100.64.4.7", PEER4}, /* source outside the local AS */
		{SRC4, "100.64.4.7"}, /* destination not a peer */
		{SRC4, "100.64.3.7"}, /* peer in mode off */
		{SRC4, "192.0.2.99"}, /* inside the local AS */
		{SRC4, "10.9.9.9"}, /* no prefix at all */
		{PEER6, SRC6},
		{SRC6, "2001:db8:204::7"},
		{SRC6, "2001:db8:203::7"},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int family = strchr(pairs[i][0], ':') ? 6 : 4;

		tf_udp(&in, family, pairs[i][0], pairs[i][1], 46, 40, NULL);
		tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_NOT_ESPRIT_EGRESS,
			  TF_NO_REASON, true, &res);
	}
}

static void test_risav_off_untouched(void)
{
	tag_fixture_local_asn(&fx, 0);
	tf_udp(&in, 4, SRC4, PEER4, 46, 40, NULL);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_NOT_ESPRIT_EGRESS, TF_NO_REASON,
		  true, &res);
	tag_fixture_local_asn(&fx, TF_LOCAL_ASN);
	expect_tagged(&in, TF_SPI_EF, TF_ENFORCE_ASN);
}

/*
 * Our contact to the peer's: the green channel, never tagged. Any other
 * host to the peer's contact: dropped (only contacts talk to contacts
 * across the border). Our contact to any host of the peer: tagged as any
 * packet. With any-contact, the draft's wider rule: to or from any.
 */
static void test_green_channel(void)
{
	static const char *const green[][2] = {
		{"192.0.2.250", "198.51.100.250"},
		{"2001:db8:100::fa", "2001:db8:201::fa"},
	};
	static const char *const spoofs[][2] = {
		{SRC4, "198.51.100.250"},
		{SRC6, "2001:db8:201::fa"},
	};

	for (size_t i = 0; i < 2; i++) {
		int family = strchr(green[i][0], ':') ? 6 : 4;

		tf_udp(&in, family, green[i][0], green[i][1], 46, 40, NULL);
		tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_TAG_GREEN_CHANNEL,
			  TF_NO_REASON, true, &res);
		tf_udp(&in, family, spoofs[i][0], spoofs[i][1], 46, 40, NULL);
		tf_expect(&fx, &in, TC_ACT_SHOT,
			  ESPRIT_R_RISAV_TO_CONTACT_DROPPED, TF_NO_REASON, true,
			  &res);
	}
	tf_udp(&in, 4, "192.0.2.250", PEER4, 46, 40, NULL);
	expect_tagged(&in, TF_SPI_EF, TF_ENFORCE_ASN);

	CU_ASSERT_EQUAL_FATAL(tag_fixture_risav(&fx, TF_LOCAL_ASN,
						ESPRIT_RISAV_GREEN_ANY_CONTACT),
			      0);
	tf_udp(&in, 4, SRC4, "198.51.100.250", 46, 40, NULL);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_TAG_GREEN_CHANNEL,
		  TF_NO_REASON, true, &res);
	tf_udp(&in, 4, "192.0.2.250", PEER4, 46, 40, NULL);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_TAG_GREEN_CHANNEL,
		  TF_NO_REASON, true, &res);
	CU_ASSERT_EQUAL_FATAL(tag_fixture_local_asn(&fx, TF_LOCAL_ASN), 0);
}

static void test_no_sa_policies(void)
{
	/* testing peer, policy drop: only DSCP 10 has an SA */
	for (int family = 4; family <= 6; family += 2) {
		const char *dst = family == 4 ? "203.0.113.7"
					      : "2001:db8:202::7";

		tf_udp(&in, family, src_of(family), dst, 10, 40, NULL);
		expect_tagged(&in, TF_SPI_TESTING, TF_TESTING_ASN);
		tf_udp(&in, family, src_of(family), dst, 0, 40, NULL);
		tf_expect(&fx, &in, TC_ACT_SHOT, ESPRIT_R_RISAV_NO_SA_DROPPED,
			  TF_NO_REASON, false, &res);
	}
	/* enforce peer, policy untagged, once its `any` SA is gone */
	CU_ASSERT_EQUAL(tag_fixture_sa_del(&fx, TF_SPI_ANY, TF_ENFORCE_ASN), 0);
	tf_udp(&in, 4, SRC4, PEER4, 0, 40, NULL);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_NO_SA_UNTAGGED,
		  TF_NO_REASON, true, &res);
	tf_udp(&in, 4, SRC4, PEER4, 46, 40, NULL); /* EF keeps its SA */
	expect_tagged(&in, TF_SPI_EF, TF_ENFORCE_ASN);
	/* and the same peer with policy drop */
	tag_fixture_peer(&fx, TF_ENFORCE_ASN, ESPRIT_PEER_ENFORCE,
			 ESPRIT_NO_SA_DROP);
	tf_udp(&in, 6, SRC6, PEER6, 0, 40, NULL);
	tf_expect(&fx, &in, TC_ACT_SHOT, ESPRIT_R_RISAV_NO_SA_DROPPED,
		  TF_NO_REASON, false, &res);
	tag_fixture_peer(&fx, TF_ENFORCE_ASN, ESPRIT_PEER_ENFORCE,
			 ESPRIT_NO_SA_UNTAGGED);
	CU_ASSERT_EQUAL(tag_fixture_sa(&fx, TF_SPI_ANY, TF_ENFORCE_ASN, "any"),
			0);
	tf_udp(&in, 4, SRC4, PEER4, 0, 40, NULL);
	expect_tagged(&in, TF_SPI_ANY, TF_ENFORCE_ASN);
}

static void test_fallback_to_any(void)
{
	/* EF gone: DSCP 46 falls to `any`; back: to EF again */
	CU_ASSERT_EQUAL(tag_fixture_sa_del(&fx, TF_SPI_EF, TF_ENFORCE_ASN), 0);
	tf_udp(&in, 6, SRC6, PEER6, 46, 40, NULL);
	expect_tagged(&in, TF_SPI_ANY, TF_ENFORCE_ASN);
	CU_ASSERT_EQUAL(tag_fixture_sa(&fx, TF_SPI_EF, TF_ENFORCE_ASN, "ef"),
			0);
	tf_udp(&in, 6, SRC6, PEER6, 46, 40, NULL);
	expect_tagged(&in, TF_SPI_EF, TF_ENFORCE_ASN);
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN), 1);
}

static void test_sequence_numbers_run_out(void)
{
	struct esprit_sa_out_stats st;

	/* the last number is used; after it the SA is spent */
	CU_ASSERT_EQUAL(tag_fixture_set_seq(&fx, TF_SPI_TESTING, TF_TESTING_ASN,
					    0xfffffffeULL),
			0);
	tf_udp(&in, 4, SRC4, "203.0.113.7", 10, 40, NULL);
	expect_tagged(&in, TF_SPI_TESTING, TF_TESTING_ASN);
	for (int i = 0; i < 3; i++)
		tf_expect(&fx, &in, TC_ACT_SHOT, ESPRIT_R_RISAV_SA_EXHAUSTED,
			  ESPRIT_R_RISAV_NO_SA_DROPPED, false, &res);
	tag_fixture_sa_stats(&fx, TF_SPI_TESTING, TF_TESTING_ASN, &st);
	CU_ASSERT_EQUAL(st.exhausted, 3);
	/* policy untagged: the packet goes out as it is */
	CU_ASSERT_EQUAL(tag_fixture_set_seq(&fx, TF_SPI_AF4, TF_ENFORCE_ASN,
					    0xffffffffULL),
			0);
	tf_udp(&in, 6, SRC6, PEER6, 34, 40, NULL);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_SA_EXHAUSTED,
		  ESPRIT_R_RISAV_NO_SA_UNTAGGED, true, &res);
	CU_ASSERT_EQUAL(tag_fixture_set_seq(&fx, TF_SPI_AF4, TF_ENFORCE_ASN, 0),
			0);
}

static void test_near_mtu(void)
{
	struct tf_shape df = {.frag_word = 0x4000};
	struct esprit_sa_out_stats before, after;
	uint64_t seq;

	fx.ifindex = if1500;
	/* IPv4 with DF: 1472 + 28 fits 1500, 1473 does not */
	tf_udp(&in, 4, SRC4, PEER4, 46, 1472 - 28, &df);
	expect_tagged(&in, TF_SPI_EF, TF_ENFORCE_ASN);
	CU_ASSERT_EQUAL(res.out_len, 14 + 1500);
	tag_fixture_sa_stats(&fx, TF_SPI_EF, TF_ENFORCE_ASN, &before);
	seq = tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN);
	tf_udp(&in, 4, SRC4, PEER4, 46, 1473 - 28, &df);
	tf_expect(&fx, &in, TC_ACT_REDIRECT, ESPRIT_R_RISAV_TOO_BIG,
		  ESPRIT_R_RISAV_TOO_BIG_ICMP_SENT, false, &res);
	tf_icmp_too_big(&in, res.out, res.out_len, 1500 - 28, "192.0.2.1",
			host_mac, inside_mac);
	tag_fixture_sa_stats(&fx, TF_SPI_EF, TF_ENFORCE_ASN, &after);
	CU_ASSERT_EQUAL(after.too_big, before.too_big + 1);
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN), seq);
	/* a small quote: the whole packet */
	fx.ifindex = if100;
	tf_udp(&in, 4, SRC4, PEER4, 46, 60, &df);
	tf_expect(&fx, &in, TC_ACT_REDIRECT, ESPRIT_R_RISAV_TOO_BIG,
		  ESPRIT_R_RISAV_TOO_BIG_ICMP_SENT, false, &res);
	tf_icmp_too_big(&in, res.out, res.out_len, 100 - 28, "192.0.2.1",
			host_mac, inside_mac);
	fx.ifindex = if1500;
	/* IPv4 without DF: tagged anyway */
	tf_udp(&in, 4, SRC4, PEER4, 46, 1473 - 28, NULL);
	expect_tagged_at(&in, TF_SPI_EF, TF_ENFORCE_ASN,
			 ESPRIT_R_RISAV_TOO_BIG_TAGGED, __FILE__, __LINE__);
	/* IPv6: 1468 + 32 fits, 1469 does not */
	tf_udp(&in, 6, SRC6, PEER6, 0, 1468 - 48, NULL);
	expect_tagged(&in, TF_SPI_ANY, TF_ENFORCE_ASN);
	CU_ASSERT_EQUAL(res.out_len, 14 + 1500);
	tf_udp(&in, 6, SRC6, PEER6, 0, 1469 - 48, NULL);
	tf_expect(&fx, &in, TC_ACT_REDIRECT, ESPRIT_R_RISAV_TOO_BIG,
		  ESPRIT_R_RISAV_TOO_BIG_ICMP_SENT, false, &res);
	tf_icmp_too_big(&in, res.out, res.out_len, 1500 - 32, "2001:db8:100::1",
			host_mac, inside_mac);
	/* no way back to the source: dropped, counted */
	tf_udp(&in, 6, "2001:db8:100:9::9", PEER6, 0, 1469 - 48, NULL);
	tf_expect(&fx, &in, TC_ACT_SHOT, ESPRIT_R_RISAV_TOO_BIG,
		  ESPRIT_R_RISAV_TOO_BIG_NO_ICMP, false, &res);
	fx.ifindex = 0;
}

static void test_untaggable_sent_as_is(void)
{
	struct tf_shape frag = {.frag_word = 0x2000}; /* MF */
	static uint8_t big_hbh[8 * 60 - 2];

	tf_udp(&in, 4, SRC4, PEER4, 46, 40, &frag);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_UNTAGGABLE, TF_NO_REASON,
		  true, &res);
	frag.frag_word = 0x0010; /* a later fragment */
	tf_udp(&in, 4, SRC4, PEER4, 46, 40, &frag);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_UNTAGGABLE, TF_NO_REASON,
		  true, &res);
	/* hop-by-hop options longer than the ICV code copies aside */
	big_hbh[0] = 1; /* PadN over it all, in 255-byte pieces */
	big_hbh[1] = 253;
	big_hbh[255] = 1;
	big_hbh[256] = sizeof(big_hbh) - 257 - 1;
	frag = (struct tf_shape){.hbh = big_hbh, .hbh_len = sizeof(big_hbh)};
	tf_udp(&in, 6, SRC6, PEER6, 46, 40, &frag);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_UNTAGGABLE, TF_NO_REASON,
		  true, &res);
	/* a GSO packet would be cut into segments with one AH */
	fx.gso_size = 1000;
	tf_udp(&in, 6, SRC6, PEER6, 46, 40, NULL);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_UNTAGGABLE, TF_NO_REASON,
		  true, &res);
	fx.gso_size = 0;
}

/* Never sent with a wrong tag: to a peer whose policy is drop, dropped. */
static void test_untaggable_follows_policy(void)
{
	struct tf_shape frag = {.frag_word = 0x2000}; /* MF */

	fx.gso_size = 1000;
	tf_udp(&in, 4, SRC4, "203.0.113.5", 10, 40, NULL);
	tf_expect(&fx, &in, TC_ACT_SHOT, ESPRIT_R_RISAV_UNTAGGABLE_DROPPED,
		  TF_NO_REASON, false, &res);
	fx.gso_size = 0;
	tf_udp(&in, 4, SRC4, "203.0.113.5", 10, 40, &frag);
	tf_expect(&fx, &in, TC_ACT_SHOT, ESPRIT_R_RISAV_UNTAGGABLE_DROPPED,
		  TF_NO_REASON, false, &res);
}

/* Tagged in XDP on the way in: TC leaves the AH it finds alone. */
static void test_already_tagged_untouched(void)
{
	static struct pkt once;

	for (int family = 4; family <= 6; family += 2) {
		tf_udp(&in, family, src_of(family), peer_of(family), 46, 100,
		       NULL);
		expect_tagged(&in, TF_SPI_EF, TF_ENFORCE_ASN);
		once = in;
		memcpy(once.data, res.out, res.out_len);
		once.len = res.out_len;
		tf_expect(&fx, &once, TC_ACT_OK, ESPRIT_R_NOT_ESPRIT_EGRESS,
			  TF_NO_REASON, true, &res);
	}
}

#define RACE_PACKETS 4000

struct racer {
	int cpu;
	pthread_t thread;
	uint32_t seq[RACE_PACKETS];
	size_t n;
	bool pinned;
	struct tag_result res;
};

/* One sender: the same packet, tagged over and over on one CPU. */
static void *race(void *arg)
{
	struct racer *r = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	r->pinned = !pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (r->n = 0; r->n < RACE_PACKETS; r->n++) {
		const uint8_t *ah = r->res.out + 14 + 20;

		if (tag_fixture_run(&fx, &in, &r->res) ||
		    r->res.action != TC_ACT_OK || r->res.out_len != in.len + 28)
			break;
		r->seq[r->n] = (uint32_t)ah[8] << 24 | ah[9] << 16 |
			       ah[10] << 8 | ah[11];
	}
	return NULL;
}

static int seq_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Two senders on different CPUs tag on one SA at once: every sequence
 * number is handed out exactly once, and together they are the next
 * 2 * RACE_PACKETS numbers of the SA.
 */
static void test_two_cpus_one_sa(void)
{
	static struct racer r[2];
	static uint32_t all[2 * RACE_PACKETS];
	uint64_t start;
	size_t n = 0, repeats = 0;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "\n  [one CPU online: the race needs two]\n");
		CU_FAIL("needs two CPUs");
		return;
	}
	tf_udp(&in, 4, SRC4, PEER4, 34, 64, NULL);
	start = tag_fixture_seq(&fx, TF_SPI_AF4, TF_ENFORCE_ASN);
	for (int i = 0; i < 2; i++) {
		r[i].cpu = i;
		CU_ASSERT_FATAL(
			!pthread_create(&r[i].thread, NULL, race, &r[i]));
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(r[i].thread, NULL);
		CU_ASSERT(r[i].pinned);
		CU_ASSERT_EQUAL(r[i].n, RACE_PACKETS);
		memcpy(all + n, r[i].seq, r[i].n * sizeof(all[0]));
		n += r[i].n;
	}
	qsort(all, n, sizeof(all[0]), seq_cmp);
	for (size_t i = 1; i < n; i++)
		repeats += all[i] == all[i - 1];
	CU_ASSERT_EQUAL(repeats, 0);
	CU_ASSERT_EQUAL(n, 2 * RACE_PACKETS);
	CU_ASSERT_EQUAL(all[0], start + 1);
	CU_ASSERT_EQUAL(all[n - 1], start + 2 * RACE_PACKETS);
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_AF4, TF_ENFORCE_ASN),
			start + 2 * RACE_PACKETS);
	/* the last tag of each sender is a valid one */
	for (int i = 0; i < 2; i++)
		tf_tagged(&in, r[i].res.out, r[i].res.out_len, TF_SPI_AF4,
			  r[i].seq[RACE_PACKETS - 1]);
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * Whatever the packet, a tag the program makes verifies: packets of both
 * families, with IPv4 options or an IPv6 hop-by-hop header, of any DSCP
 * and length, with their payload, TTL, DSCP/ECN, flow label,
 * identification and addresses mutated. Every packet tagged is checked
 * against the test library's own HMAC (OpenSSL) with the SPI and
 * sequence number its AH carries; every packet sent untagged leaves as it
 * came. ESPRIT_MUTATIONS sets the number (default 5000).
 */
static void test_mutated_inputs_tags_verify(void)
{
	static const uint8_t opts[8] = {0x94, 0x04, 0, 0, 1, 1, 1, 0};
	static const uint8_t hbh[6] = {0x05, 0x02, 0, 0, 1, 0};
	static const uint8_t dscps[] = {0, 46, 34, 36, 10, 63};
	unsigned long n = (unsigned long)(mutation_count(20000) / 4);
	unsigned long tagged = 0, untouched = 0, other = 0, bad = 0;

	mutation_start();

	for (unsigned long i = 0; i < n && bad < 5; i++) {
		int family = mutation_below(2) ? 4 : 6;
		struct tf_shape shape = {};
		uint64_t t0;
		size_t l3, ins;

		if (mutation_below(3) == 0) {
			if (family == 4) {
				shape.opts = opts;
				shape.opts_len = sizeof(opts);
			} else {
				shape.hbh = hbh;
				shape.hbh_len = sizeof(hbh);
			}
		}
		tf_udp(&in, family,
		       mutation_below(8) ? src_of(family) : peer_of(family),
		       mutation_below(8) ? peer_of(family) : src_of(family),
		       dscps[mutation_below(sizeof(dscps))],
		       mutation_below(300), &shape);
		l3 = in.l3_off;
		for (unsigned int m = mutation_below(4); m--;) {
			switch (mutation_below(6)) {
			case 0: /* payload */
				if (in.l4_off < in.len)
					in.data[in.l4_off +
						mutation_below(in.len -
							       in.l4_off)] ^=
						1 << mutation_below(8);
				break;
			case 1: /* TTL / hop limit */
				in.data[l3 + (family == 4 ? 8 : 7)] =
					(uint8_t)mutation_below(256);
				break;
			case 2: /* DSCP and ECN */
				pkt_ip_tos(&in, (uint8_t)mutation_below(256));
				break;
			case 3: /* flow label / identification */
				in.data[l3 + (family == 4 ? 4 : 3)] =
					(uint8_t)mutation_below(256);
				break;
			case 4: /* an address bit */
				in.data[l3 + (family == 4 ? 12 : 8) +
					mutation_below(family == 4 ? 8 : 32)] ^=
					1 << mutation_below(8);
				break;
			default: /* DF */
				if (family == 4)
					in.data[l3 + 6] ^= 0x40;
				break;
			}
			if (family == 4)
				pkt_ipv4_set_checksum(in.data + l3);
		}
		t0 = tag_fixture_count(&fx, ESPRIT_R_RISAV_TAGGED);
		CU_ASSERT_EQUAL_FATAL(tag_fixture_run(&fx, &in, &res), 0);
		if (tag_fixture_count(&fx, ESPRIT_R_RISAV_TAGGED) != t0) {
			tagged++;
			ins = family == 4 ? l3 + (in.data[l3] & 0x0f) * 4
					  : l3 + 40 + (shape.hbh ? 8 : 0);
			if (res.out_len < ins + 12 ||
			    !tf_tagged(&in, res.out, res.out_len,
				       be32_at(res.out + ins + 4),
				       be32_at(res.out + ins + 8)))
				bad++;
		} else if (res.action == TC_ACT_OK && res.out_len == in.len &&
			   !memcmp(res.out, in.data, in.len)) {
			untouched++;
		} else if (res.action == TC_ACT_OK) {
			CU_FAIL("a packet sent untagged was changed");
			bad++;
		} else {
			other++; /* dropped, or answered by ICMP */
		}
	}
	fprintf(stderr,
		"\n  [bpf_risav_tag: %lu mutated packets: %lu tagged and "
		"verified by OpenSSL, %lu sent as they came, %lu not sent; "
		"%lu failures]\n",
		tagged + untouched + other + bad, tagged, untouched, other,
		bad);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(n < 100 || (tagged && untouched));
}

/* Where the tagger puts the AH in p: after the IPv4 options, after an
 * IPv6 hop-by-hop header (as p's own bytes say, mutated or not). */
static size_t ah_place(const struct pkt *p)
{
	const uint8_t *ip = p->data + p->l3_off;

	if (p->family == 4)
		return p->l3_off + (ip[0] & 0x0f) * 4u;
	if (ip[6] == 0 && p->l3_off + 42 <= p->len)
		return p->l3_off + 40 + (ip[41] + 1u) * 8;
	return p->l3_off + 40;
}

/*
 * Whether the kernel's test run refuses p before the program sees it: an
 * skb whose EtherType is IPv4 or IPv6 must hold that IP header whole.
 */
static bool kernel_refuses(const struct pkt *p)
{
	uint16_t type = (uint16_t)(p->data[12] << 8 | p->data[13]);

	return (type == 0x0800 && p->len < 14 + 20) ||
	       (type == 0x86dd && p->len < 14 + 40);
}

/*
 * The engine's mutations (tests/lib/mutation.c: bits flipped, cut short,
 * extended, lengths, protocols and EtherTypes rewritten) on packets the
 * tagger would tag: whatever comes in, a packet counted tagged carries an
 * AH whose ICV OpenSSL computes the same over what came in, anything else
 * sent leaves as it came, and every packet lands under exactly one reason
 * whose action is its fate (checked on every 16th).
 */
static void test_random_mutations_through_tc(void)
{
	static const uint8_t dscps[] = {0, 46, 34, 10};
	static uint64_t before[ESPRIT_R_COUNT], after[ESPRIT_R_COUNT];
	unsigned long long n = mutation_count(20000) / 4;
	unsigned long long seed = mutation_start(), failures = 0;
	unsigned long long tagged = 0, untouched = 0, not_sent = 0, refused = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long long i = 0; i < n && failures < 5; i++) {
		int family = mutation_below(2) ? 4 : 6;
		bool exact = i % 16 == 0;
		const char *broke = NULL;

		tf_udp(&in, family, src_of(family), peer_of(family),
		       dscps[mutation_below(sizeof(dscps))],
		       mutation_below(300), NULL);
		mutation_apply(&in);
		for (int r = 0; r < ESPRIT_R_COUNT; r++)
			before[r] = exact || r == ESPRIT_R_RISAV_TAGGED
					    ? tag_fixture_count(&fx, r)
					    : 0;
		if (tag_fixture_run(&fx, &in, &res) && res.ret == -EINVAL &&
		    kernel_refuses(&in)) {
			refused++;
		} else if (res.ret) {
			static char why[64];

			snprintf(why, sizeof(why), "the test run failed: %s",
				 strerror(-res.ret));
			broke = why;
		} else {
			for (int r = 0; r < ESPRIT_R_COUNT; r++)
				after[r] = exact || r == ESPRIT_R_RISAV_TAGGED
						   ? tag_fixture_count(&fx, r)
						   : 0;
			if (after[ESPRIT_R_RISAV_TAGGED] !=
			    before[ESPRIT_R_RISAV_TAGGED]) {
				size_t ins = ah_place(&in);

				tagged++;
				if (res.out_len < ins + 12 ||
				    !tf_tagged(&in, res.out, res.out_len,
					       be32_at(res.out + ins + 4),
					       be32_at(res.out + ins + 8)))
					broke = "a tag OpenSSL does not verify";
			} else if (res.action == TC_ACT_OK) {
				untouched++;
				if (res.out_len != in.len ||
				    memcmp(res.out, in.data, in.len))
					broke = "sent untagged, but changed";
			} else {
				not_sent++;
			}
			if (!broke && exact)
				broke = mutation_reasons_check(
					before, after,
					mutation_tc_fate((int)res.action));
		}
		if (broke) {
			failures++;
			mutation_failed(i, seed, broke, res.action, &in,
					res.out_len);
		}
	}
	mutation_summary("bpf_risav_tag, randomly mutated packets", n, &t0,
			 failures,
			 "%llu tagged and verified by OpenSSL, %llu sent as "
			 "they came, %llu not sent, %llu too short for the "
			 "kernel's test run",
			 tagged, untouched, not_sent, refused);
	CU_ASSERT_EQUAL(failures, 0);
	CU_ASSERT(n < 1000 || (tagged && untouched && not_sent));
}

TEST_SUITE(suite) = {
	.name = "bpf_risav_tag",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"mutated_inputs_tags_verify",
			 test_mutated_inputs_tags_verify},
			{"random_mutations_through_tc",
			 test_random_mutations_through_tc},
			{"each_dscp_class_its_sa", test_each_dscp_class_its_sa},
			{"sequence_numbers_count_up",
			 test_sequence_numbers_count_up},
			{"sizes", test_sizes},
			{"ipv4_options", test_ipv4_options},
			{"ipv6_hop_by_hop", test_ipv6_hop_by_hop},
			{"not_ours_untouched", test_not_ours_untouched},
			{"risav_off_untouched", test_risav_off_untouched},
			{"green_channel", test_green_channel},
			{"no_sa_policies", test_no_sa_policies},
			{"fallback_to_any", test_fallback_to_any},
			{"sequence_numbers_run_out",
			 test_sequence_numbers_run_out},
			{"near_mtu", test_near_mtu},
			{"untaggable_sent_as_is", test_untaggable_sent_as_is},
			{"untaggable_follows_policy",
			 test_untaggable_follows_policy},
			{"already_tagged_untouched",
			 test_already_tagged_untouched},
			{"two_cpus_one_sa", test_two_cpus_one_sa},
			{NULL, NULL},
		},
};
