// SPDX-License-Identifier: GPL-2.0
/*
 * RISAV verification under mutation: packets tagged for an enforced and a
 * testing peer (both families, with a VLAN tag, an IPv4 option, an IPv6
 * destination options header), each signed afresh with the next sequence
 * number, are mutated (tests/lib/mutation.c) and run through esprit's XDP
 * program. Invariants, whatever the mutation:
 *
 *   - the program never aborts and the test run never fails;
 *   - verified means the bytes the ICV covers are the ones signed: every
 *     byte of the IP packet that differs from the tagged original is in a
 *     mutable field (RFC 4302 §3.3.3.1), and what leaves is the original
 *     unsigned packet with those fields as they came;
 *   - a packet that leaves changed was stripped: verified, from a testing
 *     peer, or from a non-peer AS, and shorter by the AH;
 *   - nothing is answered but a well-formed ESP Echo Request to us;
 *   - every packet lands in exactly one counter reason whose action is
 *     what became of it, with RISAV's findings besides (esprit-stats(8)),
 *     checked on every 16th packet.
 *
 * ESPRIT_MUTATIONS and ESPRIT_MUTATION_SEED as for bpf_xdp_mutation.
 */
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <CUnit/CUnit.h>

#include "lib/counters.h"
#include "mutation.h"
#include "risav_check.h"
#include "testlib.h"

#define SAMPLE	  16
#define SEEDS_MAX 16

static struct risav_fixture fx;
static struct pkt seeds[SEEDS_MAX];
static size_t nseeds;

static int suite_init(void)
{
	return rc_world_open(&fx, 1000000);
}

static int suite_cleanup(void)
{
	risav_fixture_close(&fx);
	return 0;
}

static void add_seed(const struct rc_flow *fl)
{
	if (nseeds < SEEDS_MAX)
		rc_plain(&seeds[nseeds++], fl, 40);
}

/* The unsigned originals; each run signs one afresh. */
static void make_seeds(void)
{
	static const uint8_t router_alert[4] = {0x94, 4, 0, 0};
	static const uint8_t padn[6] = {1, 4}; /* PadN of 4 */
	static const uint32_t asns[] = {RC_ENFORCE_ASN, RC_TESTING_ASN};

	nseeds = 0;
	for (size_t a = 0; a < 2; a++)
		for (int family = 4; family <= 6; family += 2) {
			struct rc_flow fl = *rc_flow(family, asns[a]);

			add_seed(&fl);
			fl.vlans = 1;
			add_seed(&fl);
			fl.vlans = 0;
			if (family == 4) {
				fl.opts = router_alert;
				fl.opts_len = sizeof(router_alert);
				add_seed(&fl);
			} else if (nseeds < SEEDS_MAX) {
				struct pkt *p = &seeds[nseeds++];
				uint8_t payload[40];

				pkt_pattern(payload, sizeof(payload), 40);
				pkt_init(p);
				pkt_eth(p, pkt_mac_b, pkt_mac_a);
				pkt_ipv6(p, fl.src, fl.dst);
				pkt_ipv6_ext(p, 60, padn, sizeof(padn));
				pkt_udp(p, 40000, 5000, payload,
					sizeof(payload));
				pkt_finish(p);
			}
		}
}

/* RFC 4302 §3.3.3.1: the IP header fields the ICV leaves out. */
static bool mutable_ip_byte(int family, size_t off, uint8_t diff)
{
	if (family == 4)
		return off == 1 || off == 6 || off == 7 || off == 8 ||
		       off == 10 || off == 11;
	return (off == 0 && !(diff & 0xf0)) || (off >= 1 && off <= 3) ||
	       off == 7;
}

static size_t ip_len(const struct pkt *p)
{
	const uint8_t *ip = p->data + p->l3_off;

	return p->family == 4 ? (size_t)(ip[2] << 8 | ip[3])
			      : 40 + (size_t)(ip[4] << 8 | ip[5]);
}

static bool ipv4_checksum_ok(const uint8_t *ip)
{
	return pkt_ipv4_checksum(ip, (ip[0] & 0x0f) * 4u) == 0;
}

/*
 * A verified packet: the covered bytes are the signed ones, and what left
 * is plain with the frame's header, the mutable fields and any bytes past
 * the IP packet as the mutated packet had them. An IPv4 header checksum
 * is a mutable field too: a wrong one is adjusted, not mended, and the
 * stack drops the packet for it.
 */
static const char *check_verified(const struct pkt *plain,
				  const struct pkt *tagged, const struct pkt *p,
				  const struct xdp_result *res)
{
	static struct pkt want;
	size_t l3 = tagged->l3_off, tagged_end = l3 + ip_len(tagged);
	size_t plain_end = l3 + ip_len(plain);

	if (res->action != XDP_PASS)
		return "verified, yet not passed";
	if (p->len < tagged_end)
		return "verified, though cut inside the IP packet";
	for (size_t at = l3; at < tagged_end; at++) {
		uint8_t diff = p->data[at] ^ tagged->data[at];

		if (diff && !mutable_ip_byte(tagged->family, at - l3, diff))
			return "verified with a covered byte changed";
	}
	want = *plain;
	memcpy(want.data, p->data, l3);
	for (size_t off = 0; off < (plain->family == 4 ? 20u : 40u); off++)
		if (mutable_ip_byte(plain->family, off, 0x0f))
			want.data[l3 + off] = p->data[l3 + off];
	if (plain->family == 6) /* the version nibble stays the plain's */
		want.data[l3] = (plain->data[l3] & 0xf0) | (p->data[l3] & 0x0f);
	if (plain->family == 4 && ipv4_checksum_ok(p->data + l3)) {
		pkt_ipv4_set_checksum(want.data + l3);
	} else if (plain->family == 4) {
		if (res->out_len < l3 + 20 || ipv4_checksum_ok(res->out + l3))
			return "a wrong IPv4 checksum came out right";
		memcpy(want.data + l3 + 10, res->out + l3 + 10, 2);
	}
	memcpy(want.data + plain_end, p->data + tagged_end,
	       p->len - tagged_end);
	want.len = plain_end + (p->len - tagged_end);
	if (res->out_len != want.len || memcmp(res->out, want.data, want.len))
		return "verified, but what left is not the original unsigned";
	return NULL;
}

/* Every reason, or (cheaper: a syscall each) the three every run needs. */
static void read_counters(uint64_t *out, bool every)
{
	for (int r = 0; r < ESPRIT_R_COUNT; r++)
		out[r] = every || r == ESPRIT_R_RISAV_VERIFIED ||
					 r == ESPRIT_R_RISAV_TESTING_PASSED ||
					 r == ESPRIT_R_RISAV_STRIPPED_NON_PEER
				 ? xdp_fixture_count(&fx.x, r)
				 : 0;
}

static void test_tagged_packets_under_mutation(void)
{
	unsigned long long n = mutation_count(20000);
	unsigned long long seed = mutation_start(), failures = 0;
	unsigned long long verified = 0, stripped = 0, passed = 0, dropped = 0;
	uint64_t before[ESPRIT_R_COUNT], after[ESPRIT_R_COUNT];
	static uint32_t seq;
	static struct xdp_result res;
	static struct pkt tagged, p;
	struct timespec t0;

	make_seeds();
	CU_ASSERT_FATAL(nseeds > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long long i = 0; i < n && failures < 5; i++) {
		const struct pkt *plain = &seeds[mutation_below(nseeds)];
		const char *broke = NULL;
		bool changed;

		rc_tag(&tagged, plain, RC_SPI, ++seq, 1, rc_key);
		p = tagged;
		mutation_apply(&p);
		read_counters(before, i % SAMPLE == 0);
		if (xdp_fixture_run(&fx.x, &p, &res)) {
			broke = "the test run failed";
			goto report;
		}
		read_counters(after, i % SAMPLE == 0);
		changed = res.out_len != p.len ||
			  memcmp(res.out, p.data, p.len);
		passed += res.action == XDP_PASS;
		dropped += res.action == XDP_DROP;
		if (after[ESPRIT_R_RISAV_VERIFIED] !=
		    before[ESPRIT_R_RISAV_VERIFIED]) {
			verified++;
			broke = check_verified(plain, &tagged, &p, &res);
		} else if (res.action == XDP_PASS && changed) {
			stripped++;
			if (after[ESPRIT_R_RISAV_TESTING_PASSED] ==
				    before[ESPRIT_R_RISAV_TESTING_PASSED] &&
			    after[ESPRIT_R_RISAV_STRIPPED_NON_PEER] ==
				    before[ESPRIT_R_RISAV_STRIPPED_NON_PEER])
				broke = "changed, yet neither verified nor "
					"stripped";
			else if (res.out_len >= p.len)
				broke = "stripped, yet no shorter";
		} else if (res.action == XDP_TX &&
			   !mutation_request_to_us(p.data, p.len, pkt_mac_b,
						   "192.0.2.1",
						   "2001:db8:100::1")) {
			broke = "an answer to what is not a well-formed "
				"request to us";
		} else if (res.action != XDP_PASS && res.action != XDP_DROP &&
			   res.action != XDP_TX) {
			broke = "an action other than pass, drop or send";
		}
		if (!broke && i % SAMPLE == 0)
			broke = mutation_reasons_check(
				before, after, mutation_xdp_fate(res.action));
report:
		if (broke) {
			failures++;
			mutation_failed(i, seed, broke, res.action, &p,
					res.out_len);
		}
	}
	mutation_summary("bpf_risav_mutation, mutated tagged packets", n, &t0,
			 failures,
			 "%llu verified, %llu stripped unverified, %llu "
			 "passed, %llu dropped",
			 verified, stripped, passed, dropped);
	CU_ASSERT_EQUAL(failures, 0);
	/* the mutations reach acceptance, stripping and refusal */
	CU_ASSERT(n < 1000 || (verified && stripped && dropped));
}

TEST_SUITE(risav_mutation) = {
	.name = "bpf_risav_mutation",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"tagged_packets_under_mutation",
			 test_tagged_packets_under_mutation},
			{NULL, NULL},
		},
};
