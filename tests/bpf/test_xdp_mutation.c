// SPDX-License-Identifier: GPL-2.0
/*
 * The responder under mutation: valid requests of every form, both
 * families, with one or two VLAN tags, IPv4 options and IPv6 extension
 * headers, are mutated (tests/lib/mutation.c) and run through esprit's
 * XDP program. No example is checked; invariants are:
 *
 *   - the program never aborts and the test run never fails;
 *   - a packet it passes leaves exactly as it came;
 *   - a frame it sends is no longer than the one it got, goes back to the
 *     sender's MAC from ours, and answers a well-formed request to us as
 *     the harness reads one (its own reading of docs/protocols.md, not
 *     esprit's parser); and every such request is answered (no rate
 *     limit, every form on);
 *   - every packet lands in exactly one counter reason, whose action is
 *     what became of it (checked on every 16th packet, every 256th past
 *     10^6), and the reasons count exactly the packets run.
 *
 * ESPRIT_MUTATIONS sets the number of packets (default 20000; `make fuzz`
 * runs 10^7, more on demand), ESPRIT_MUTATION_SEED the generator's seed
 * (printed on failure).
 */
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <CUnit/CUnit.h>

#include "echo_check.h"
#include "lib/counters.h"
#include "mutation.h"
#include "testlib.h"

#define SEEDS_MAX 96

static struct xdp_fixture fx;
static struct pkt seeds[SEEDS_MAX];
static size_t nseeds;

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

/* Every form, as the flow sends it (behind an IPv6 extension header of
 * type ext, unless ext < 0). */
static void add_seeds_ext(const struct echo_flow *f, int ext)
{
	static const uint8_t data[24] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	static const uint8_t padn[6] = {1, 4}; /* PadN of 4 */

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

		if (nseeds >= SEEDS_MAX)
			continue;
		if (ext < 0) {
			echo_build(&seeds[nseeds++], &reply, f, &b);
			continue;
		}
		echo_request_head(&seeds[nseeds], f);
		pkt_ipv6_ext(&seeds[nseeds], (uint8_t)ext, padn, sizeof(padn));
		echo_put_request(&seeds[nseeds], &b, 7);
		pkt_finish(&seeds[nseeds++]);
	}
}

static void add_seeds(const struct echo_flow *f)
{
	add_seeds_ext(f, -1);
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
	add_seeds_ext(&echo_flow_v6, 0); /* hop-by-hop options */
	add_seeds_ext(&echo_flow_v6, 60); /* destination options */
}

static void counters_now(uint64_t *out)
{
	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		struct esprit_counter c = {};

		xdp_fixture_counter(&fx, r, &c);
		out[r] = c.packets;
	}
}

/* Packets under every reason but the events. */
static uint64_t verdicts_counted(void)
{
	uint64_t now[ESPRIT_R_COUNT], sum = 0;

	counters_now(now);
	for (int r = 0; r < ESPRIT_R_COUNT; r++)
		if (strcmp(reason_info[r].action, "event"))
			sum += now[r];
	return sum;
}

/* What the run of p broke, or NULL. */
static const char *check_run(const struct pkt *p, const struct xdp_result *res)
{
	bool request = mutation_request_to_us(p->data, p->len, pkt_mac_b,
					      FIXTURE_LOCAL4, FIXTURE_LOCAL6);

	if (res->action == XDP_PASS) {
		if (res->out_len != p->len || memcmp(res->out, p->data, p->len))
			return "a passed packet was changed";
	} else if (res->action == XDP_TX) {
		if (res->out_len > p->len)
			return "a reply longer than the request";
		if (!request)
			return "an answer to what is not a well-formed "
			       "request to us";
		if (res->out_len < 12 || memcmp(res->out, p->data + 6, 6) ||
		    memcmp(res->out + 6, pkt_mac_b, 6))
			return "a reply not from our MAC to the sender";
	} else if (res->action != XDP_DROP) {
		return "an action other than pass, drop or send";
	}
	if (request && res->action != XDP_TX)
		return "a well-formed request to us not answered";
	return NULL;
}

static void test_invariants_under_mutation(void)
{
	unsigned long long n = mutation_count(20000);
	unsigned long long seed = mutation_start(), failures = 0;
	unsigned long long tx = 0, pass = 0, drop = 0;
	unsigned int sample = n > 1000000 ? 256 : 16;
	uint64_t base = verdicts_counted(), before[ESPRIT_R_COUNT],
		 after[ESPRIT_R_COUNT];
	struct timespec t0;
	static struct xdp_result res;
	static struct pkt p;

	make_seeds();
	CU_ASSERT_FATAL(nseeds > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long long i = 0; i < n && failures < 5; i++) {
		bool exact = i % sample == 0;
		const char *broke;

		p = seeds[mutation_below(nseeds)];
		mutation_apply(&p);
		if (exact)
			counters_now(before);
		if (xdp_fixture_run(&fx, &p, &res)) {
			broke = "the test run failed";
		} else {
			broke = check_run(&p, &res);
			tx += res.action == XDP_TX;
			pass += res.action == XDP_PASS;
			drop += res.action == XDP_DROP;
		}
		if (!broke && exact) {
			counters_now(after);
			broke = mutation_reasons_check(
				before, after, mutation_xdp_fate(res.action));
		}
		if (broke) {
			failures++;
			mutation_failed(i, seed, broke, res.action, &p,
					res.out_len);
		}
	}
	mutation_summary("bpf_xdp_mutation, mutated requests", n, &t0, failures,
			 "%llu sent, %llu passed, %llu dropped", tx, pass,
			 drop);
	CU_ASSERT_EQUAL(failures, 0);
	/* every packet under one reason: the reasons count the packets */
	if (!failures)
		CU_ASSERT_EQUAL(verdicts_counted() - base, n);
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
