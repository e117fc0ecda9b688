// SPDX-License-Identifier: GPL-2.0
/*
 * The responder under mutation: valid requests of every form, both
 * families, with one or two VLAN tags and IPv4 options, are mutated (bits
 * flipped, cut short, extended, length and protocol fields rewritten,
 * bytes overwritten) and run through esprit's XDP program. No example is
 * checked; invariants are:
 *
 *   - the program never aborts and the test run never fails;
 *   - a packet it passes leaves exactly as it came;
 *   - a frame it sends is no longer than the one it got, goes back to the
 *     sender's MAC from ours, and answers only what was sent to our MAC
 *     and our address (and, for IPv4, carried ESP);
 *   - a packet dropped or sent lands in exactly one counter reason, a
 *     packet passed in one or none (traffic that is not esprit's passes
 *     uncounted, by design: esprit-stats(8)); checked exactly on every
 *     256th packet, and the reasons' total never exceeds the packets.
 *
 * ESPRIT_MUTATIONS sets the number of packets (default 20000; `make fuzz`
 * runs 10^6 and more), ESPRIT_MUTATION_SEED the generator's seed (printed
 * on failure).
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <CUnit/CUnit.h>

#include "echo_check.h"
#include "testlib.h"

#define SAMPLE	  256
#define ETH_MIN	  14
#define SEEDS_MAX 64

static struct xdp_fixture fx;
static struct pkt seeds[SEEDS_MAX];
static size_t nseeds;
static unsigned long long rng;

static unsigned long long next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int below(unsigned int n)
{
	return n ? (unsigned int)(next_rand() % n) : 0;
}

static int suite_init(void)
{
	struct esprit_config cfg;

	if (fixture_private_netns() || xdp_fixture_open(&fx))
		return -1;
	echo_config_unlimited(&cfg);
	return xdp_fixture_set_config(&fx, &cfg);
}

static int suite_cleanup(void)
{
	xdp_fixture_close(&fx);
	return 0;
}

static void add_seeds(const struct echo_flow *f)
{
	static const uint8_t data[24] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

	for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
		struct echo_body b = {.form = form,
				      .esp_seq = 9,
				      .ident = 0x1234,
				      .echo_seq = 3,
				      .data = data,
				      .n = form == ECHO_EMPTY ? 0
							      : sizeof(data),
				      .pad = ECHO_MIN_PAD,
				      .return_spi = 0x77};
		struct pkt reply;

		if (nseeds < SEEDS_MAX)
			echo_build(&seeds[nseeds++], &reply, f, &b);
	}
}

static void make_seeds(void)
{
	static const uint8_t opts[8] = {0x94, 0x04, 0, 0, 1, 1, 1, 0};
	struct echo_flow f;

	nseeds = 0;
	add_seeds(&echo_flow_v4);
	add_seeds(&echo_flow_v6);
	f = echo_flow_v4;
	f.vlans = 1;
	add_seeds(&f);
	f = echo_flow_v6;
	f.vlans = 2;
	f.outer_tpid = 0x88a8;
	add_seeds(&f);
	f = echo_flow_v4;
	f.opts = opts;
	f.opts_len = sizeof(opts);
	add_seeds(&f);
}

/* One mutation, as a fuzzer of packets would make it. */
static void mutate(struct pkt *p)
{
	unsigned int kind = below(7), n;

	switch (kind) {
	case 0: /* bits flipped */
		for (n = 1 + below(3); n--;)
			p->data[below(p->len)] ^= 1 << below(8);
		break;
	case 1: /* cut short (BPF_PROG_TEST_RUN takes no frame shorter than
		 * an Ethernet header) */
		p->len = ETH_MIN + below(p->len - ETH_MIN);
		break;
	case 2: /* extended with junk */
		for (n = 1 + below(64); n-- && p->len < PKT_MAX - 64;)
			p->data[p->len++] = (uint8_t)next_rand();
		break;
	case 3: /* a length field rewritten */
		if (p->family == 4) {
			p->data[p->l3_off + 2 + below(2)] =
				(uint8_t)next_rand();
			if (below(2))
				p->data[p->l3_off] =
					0x40 | (uint8_t)below(16); /* IHL */
		} else if (p->family == 6) {
			p->data[p->l3_off + 4 + below(2)] =
				(uint8_t)next_rand();
		}
		break;
	case 4: /* a protocol / next header rewritten */
		if (p->nexthdr_off)
			p->data[p->nexthdr_off] =
				below(3) ? (uint8_t)next_rand()
					 : (below(2) ? 50 : 59);
		break;
	case 5: /* an EtherType or a VLAN tag rewritten */
		if (p->ethertype_off)
			p->data[p->ethertype_off + below(2)] =
				(uint8_t)next_rand();
		break;
	default: /* bytes overwritten in the ESP part */
		for (n = 1 + below(4); n-- && p->l4_off < p->len;)
			p->data[p->l4_off + below(p->len - p->l4_off)] =
				(uint8_t)next_rand();
		break;
	}
}

static uint64_t total_packets(void)
{
	uint64_t sum = 0;

	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		struct esprit_counter c;

		if (!xdp_fixture_counter(&fx, r, &c))
			sum += c.packets;
	}
	return sum;
}

/* Which reasons moved between before and after, and by how much. */
static int reasons_moved(const uint64_t *before, int *which)
{
	int moved = 0;

	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		struct esprit_counter c;

		if (xdp_fixture_counter(&fx, r, &c))
			return -1;
		if (c.packets != before[r]) {
			moved += (int)(c.packets - before[r]);
			*which = r;
		}
	}
	return moved;
}

static void counters_now(uint64_t *out)
{
	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		struct esprit_counter c = {};

		xdp_fixture_counter(&fx, r, &c);
		out[r] = c.packets;
	}
}

/* The L3 header of a frame by its own EtherTypes (not the builder's). */
static size_t l3_of(const uint8_t *d, size_t len, uint16_t *type)
{
	size_t off = 12;

	while (off + 2 <= len) {
		*type = (uint16_t)(d[off] << 8 | d[off + 1]);
		if (*type != 0x8100 && *type != 0x88a8)
			return off + 2;
		off += 4;
	}
	*type = 0;
	return len;
}

static int sent_to_us(const uint8_t *d, size_t len)
{
	uint8_t local4[4], local6[16];
	uint16_t type;
	size_t l3 = l3_of(d, len, &type);

	inet_pton(AF_INET, FIXTURE_LOCAL4, local4);
	inet_pton(AF_INET6, FIXTURE_LOCAL6, local6);
	if (len < 6 || memcmp(d, pkt_mac_b, 6))
		return 0;
	if (type == 0x0800)
		return l3 + 20 <= len && d[l3 + 9] == 50 &&
		       !memcmp(d + l3 + 16, local4, 4);
	if (type == 0x86dd)
		return l3 + 40 <= len && !memcmp(d + l3 + 24, local6, 16);
	return 0;
}

static unsigned long long seed_from_env(void)
{
	const char *s = getenv("ESPRIT_MUTATION_SEED");

	return s && *s ? strtoull(s, NULL, 0) : 0x5eed5eedULL;
}

static void test_invariants_under_mutation(void)
{
	const char *env = getenv("ESPRIT_MUTATIONS");
	unsigned long long n = env && *env ? strtoull(env, NULL, 0) : 20000;
	unsigned long long seed = seed_from_env(), failures = 0;
	unsigned long long tx = 0, pass = 0, drop = 0;
	uint64_t base = total_packets(), before[ESPRIT_R_COUNT];
	struct timespec t0, t1;
	static struct xdp_result res;
	static struct pkt p;

	rng = seed ? seed : 1;
	make_seeds();
	CU_ASSERT_FATAL(nseeds > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long long i = 0; i < n && failures < 5; i++) {
		bool exact = i % SAMPLE == 0;
		const char *broke = NULL;
		int which = -1;

		p = seeds[below(nseeds)];
		for (unsigned int m = 1 + below(3); m--;)
			mutate(&p);
		if (exact)
			counters_now(before);
		if (xdp_fixture_run(&fx, &p, &res)) {
			broke = "the test run failed";
		} else if (res.action == XDP_PASS) {
			pass++;
			if (res.out_len != p.len ||
			    memcmp(res.out, p.data, p.len))
				broke = "a passed packet was changed";
		} else if (res.action == XDP_TX) {
			tx++;
			if (res.out_len > p.len)
				broke = "a reply longer than the request";
			else if (!sent_to_us(p.data, p.len))
				broke = "an answer to what was not sent to us";
			else if (res.out_len < 12 ||
				 memcmp(res.out, p.data + 6, 6) ||
				 memcmp(res.out + 6, pkt_mac_b, 6))
				broke = "a reply not from our MAC to the "
					"sender";
		} else if (res.action == XDP_DROP) {
			drop++;
		} else {
			broke = "an action other than pass, drop or send";
		}
		if (!broke && exact) {
			int moved = reasons_moved(before, &which);

			if (moved < 0 || moved > 1 ||
			    (moved == 0 && res.action != XDP_PASS))
				broke = "not exactly one counter reason";
		}
		if (!broke && (i + 1) % SAMPLE == 0 &&
		    total_packets() - base > i + 1)
			broke = "the reasons count more than the packets run";
		if (broke) {
			failures++;
			fprintf(stderr,
				"\n  mutation %llu "
				"(ESPRIT_MUTATION_SEED=%#llx): "
				"%s; action %s, %zu bytes in, %zu out\n  ",
				i, seed, broke, xdp_action_name(res.action),
				p.len, res.out_len);
			for (size_t b = 0; b < p.len; b++)
				fprintf(stderr, "%02x", p.data[b]);
			fputc('\n', stderr);
			CU_FAIL(broke);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		double s = (double)(t1.tv_sec - t0.tv_sec) +
			   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		fprintf(stderr,
			"\n  [bpf_xdp_mutation: %llu mutated packets from %zu "
			"seeds in %.1f s (%.0f/s): %llu sent, %llu passed, "
			"%llu dropped; %llu invariant failures]\n",
			n, nseeds, s, s > 0 ? (double)n / s : 0.0, tx, pass,
			drop, failures);
	}
	CU_ASSERT_EQUAL(failures, 0);
	/* the mutations reach every verdict */
	CU_ASSERT(n < 1000 || (tx && pass && drop));
}

TEST_SUITE(xdp_mutation) = {
	.name = "bpf_xdp_mutation",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"invariants_under_mutation",
			 test_invariants_under_mutation},
			{NULL, NULL},
		},
};
