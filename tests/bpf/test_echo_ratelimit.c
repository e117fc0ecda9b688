// SPDX-License-Identifier: GPL-2.0
/*
 * Rate limits (R3): a global token bucket and one per source prefix. Each
 * test loads a fresh program, so buckets start full. The clock runs while
 * a test sends, so a bucket may earn tokens back: every check allows the
 * tokens the elapsed time (plus one tick of the coarse clock) can have
 * earned, and rates are chosen so that this slack is nil on a sane
 * machine.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <CUnit/CUnit.h>

#include "echo_check.h"
#include "esprit_maps.h"
#include "lib/addr.h"
#include "testlib.h"

static struct xdp_fixture fx;
static uint8_t data[32];
static struct pkt in, want;

static int suite_init(void)
{
	pkt_pattern(data, sizeof(data), 23);
	return fixture_private_netns();
}

static int suite_cleanup(void)
{
	fprintf(stderr,
		"\n  [bpf_echo_ratelimit: %lu packets checked so far]\n",
		echo_cases_checked());
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A fresh program with this config; the clock for slack starts now. */
static double fresh(const struct esprit_config *cfg)
{
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_open(&fx), 0);
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_set_config(&fx, cfg), 0);
	return now_s();
}

static void build(const char *src, int form)
{
	struct echo_flow f = strchr(src, ':') ? echo_flow_v6 : echo_flow_v4;
	struct echo_body b = {
		.form = form,
		.esp_seq = 1,
		.ident = 0xabcd,
		.echo_seq = 1,
		.data = data,
		.n = sizeof(data),
		.pad = ECHO_MIN_PAD,
		.return_spi = 9,
	};

	f.peer = src;
	echo_build(&in, &want, &f, &b);
}

/*
 * Tokens a bucket of `rate`/s may have earned since `start`. The program
 * reads the coarse clock, which can lag by one tick at the first packet
 * and not at the last: that tick counts as elapsed time too.
 */
static unsigned long slack(double start, unsigned int rate)
{
	struct timespec res;
	double tick = 0.01;

	if (!clock_getres(CLOCK_MONOTONIC_COARSE, &res))
		tick = res.tv_sec + res.tv_nsec / 1e9;
	return (unsigned long)((now_s() - start + tick) * rate) + 1;
}

/*
 * Sends count requests from src. The first `sure` must be answered; the
 * rest may only be answered as far as the clock allows (slack), else
 * dropped with reason. Returns how many were answered.
 */
static unsigned long burst(const char *src, unsigned long count,
			   unsigned long sure, enum esprit_reason reason)
{
	unsigned long answered = 0;

	for (unsigned long i = 0; i < count; i++) {
		build(src, i % 4);
		if (i < sure) {
			answered += echo_expect_tx(&fx, &in, &want,
						   ESPRIT_R_ECHO_REFLECTED,
						   "%s request %lu of %lu (in "
						   "burst)",
						   src, i + 1, count);
		} else {
			int r = echo_expect_tx_or_drop(&fx, &in, &want, reason,
						       "%s request %lu of %lu",
						       src, i + 1, count);

			answered += r > 0;
		}
	}
	return answered;
}

static void expect_answered_at_most(unsigned long answered,
				    unsigned long allowed, const char *what)
{
	if (answered > allowed)
		fprintf(stderr, "%s: %lu answered, at most %lu allowed\n", what,
			answered, allowed);
	CU_ASSERT(answered <= allowed);
}

/* The global bucket: burst 3 at 1/s, whatever the sources. */
static void test_global_burst(void)
{
	static const char *srcs[] = {"192.0.2.2",    "2001:db8:1::2",
				     "198.51.100.2", "2001:db8:2::2",
				     "203.0.113.2",  "2001:db8:3::2",
				     "10.1.2.3",     "2001:db8:4::2"};
	struct esprit_config cfg = {
		.rate_global = 1,
		.rate_global_burst = 3,
		.rate_prefix = ESPRIT_RATE_UNLIMITED,
	};
	double start = fresh(&cfg);
	unsigned long answered = 0;

	for (size_t i = 0; i < 8; i++)
		answered += burst(srcs[i], 1, i < 3 ? 1 : 0,
				  ESPRIT_R_ECHO_RATE_GLOBAL);
	expect_answered_at_most(answered, 3 + slack(start, 1) - 1,
				"global burst 3");
	xdp_fixture_close(&fx);
}

/* Per prefix: burst 2 at 1/s; other prefixes have their own bucket. */
static void test_prefix_burst(void)
{
	struct esprit_config cfg = {
		.rate_global = ESPRIT_RATE_UNLIMITED,
		.rate_prefix = 1,
		.rate_prefix_burst = 2,
	};
	double start = fresh(&cfg);
	unsigned long a;

	a = burst("192.0.2.2", 5, 2, ESPRIT_R_ECHO_RATE_PREFIX);
	a += burst("192.0.2.200", 2, 0, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, 2 + slack(start, 1) - 1, "192.0.2.0/24");
	a = burst("198.51.100.2", 4, 2, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, 2 + slack(start, 1) - 1, "198.51.100.0/24");
	a = burst("2001:db8:1::2", 4, 2, ESPRIT_R_ECHO_RATE_PREFIX);
	a += burst("2001:db8:1::ffff:1", 2, 0, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, 2 + slack(start, 1) - 1, "2001:db8:1::/64");
	a = burst("2001:db8:1:1::2", 3, 2, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, 2 + slack(start, 1) - 1,
				"2001:db8:1:1::/64");
	xdp_fixture_close(&fx);
}

/* prefix-len4 / prefix-len6 choose what a "prefix" is. */
static void test_prefix_lengths(void)
{
	struct esprit_config cfg = {
		.rate_global = ESPRIT_RATE_UNLIMITED,
		.rate_prefix = 1,
		.rate_prefix_burst = 1,
		.prefix_len_v4 = 32,
		.prefix_len_v6 = 48,
	};
	double start = fresh(&cfg);
	unsigned long a;

	/* /32: neighbours are independent */
	burst("192.0.2.2", 1, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	burst("192.0.2.3", 1, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	a = burst("192.0.2.2", 1, 0, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, slack(start, 1) - 1, "/32 second");
	/* /48: 2001:db8:1:1:: and 2001:db8:1:2:: share one bucket */
	burst("2001:db8:1:1::2", 1, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	a = burst("2001:db8:1:2::2", 1, 0, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, slack(start, 1) - 1, "/48 shared");
	burst("2001:db8:2:1::2", 1, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	xdp_fixture_close(&fx);

	cfg.prefix_len_v4 = 16;
	cfg.prefix_len_v6 = 128;
	start = fresh(&cfg);
	burst("192.0.2.2", 1, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	a = burst("192.0.99.2", 1, 0, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, slack(start, 1) - 1, "/16 shared");
	burst("192.1.2.2", 1, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	burst("2001:db8::2", 1, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	burst("2001:db8::3", 1, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	xdp_fixture_close(&fx);
}

/*
 * The prefix bucket is asked first: a prefix over its limit spends none of
 * the global tokens, so it cannot starve everyone else.
 */
static void test_prefix_before_global(void)
{
	struct esprit_config cfg = {
		.rate_global = 1,
		.rate_global_burst = 3,
		.rate_prefix = 1,
		.rate_prefix_burst = 1,
	};
	double start = fresh(&cfg);
	unsigned long a;

	a = burst("192.0.2.2", 10, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, slack(start, 1), "noisy prefix");
	burst("198.51.100.2", 1, 1, ESPRIT_R_ECHO_RATE_GLOBAL);
	burst("2001:db8:5::2", 1, 1, ESPRIT_R_ECHO_RATE_GLOBAL);
	a = burst("203.0.113.2", 1, 0, ESPRIT_R_ECHO_RATE_GLOBAL);
	expect_answered_at_most(a, slack(start, 1) - 1, "global spent");
	xdp_fixture_close(&fx);
}

/* Burst 0 means a tenth of the rate (at least 1). */
static void test_default_burst(void)
{
	struct esprit_config cfg = {
		.rate_global = ESPRIT_RATE_UNLIMITED,
		.rate_prefix = 30, /* burst 3, a token per 33 ms */
	};
	double start = fresh(&cfg);
	unsigned long a;

	a = burst("192.0.2.2", 10, 3, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, 3 + slack(start, 30), "rate 30, burst 0");
	xdp_fixture_close(&fx);

	cfg.rate_prefix = 5; /* a tenth is 0: burst 1 */
	start = fresh(&cfg);
	a = burst("192.0.2.2", 5, 1, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, 1 + slack(start, 5), "rate 5, burst 0");
	xdp_fixture_close(&fx);
}

/* The unconfigured object: 1000/s per prefix with a burst of 100. */
static void test_defaults(void)
{
	struct esprit_config cfg = {0};
	double start = fresh(&cfg);
	unsigned long a;

	a = burst("192.0.2.2", 160, 100, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(a, 100 + slack(start, 1000),
				"default prefix rate");
	xdp_fixture_close(&fx);
}

static void test_unlimited(void)
{
	struct esprit_config cfg = {
		.rate_global = ESPRIT_RATE_UNLIMITED,
		.rate_prefix = ESPRIT_RATE_UNLIMITED,
	};

	fresh(&cfg);
	burst("192.0.2.2", 400, 400, ESPRIT_R_ECHO_RATE_PREFIX);
	burst("2001:db8::2", 400, 400, ESPRIT_R_ECHO_RATE_PREFIX);
	xdp_fixture_close(&fx);

	/* only the global bucket */
	cfg.rate_global = 1;
	cfg.rate_global_burst = 2;
	fresh(&cfg);
	burst("192.0.2.2", 2, 2, ESPRIT_R_ECHO_RATE_GLOBAL);
	burst("192.0.2.2", 1, 0, ESPRIT_R_ECHO_RATE_GLOBAL);
	xdp_fixture_close(&fx);
}

/* Adds src (an address) to esprit_priority, as the daemon does for peers. */
static void priority_add(const char *src)
{
	struct esprit_addr a;
	char err[64];
	__u32 zero = 0;

	CU_ASSERT_EQUAL_FATAL(addr_parse(src, &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(
		bpf_map_update_elem(xdp_fixture_map_fd(&fx,
						       ESPRIT_MAP_PRIORITY),
				    &a, &zero, BPF_ANY),
		0);
}

/*
 * One request from a priority source while the global bucket is empty:
 * answered and counted as such. Should the global bucket have earned a
 * token back meanwhile (only if the test stalled for a second), an
 * ordinary answer is right too.
 */
static void expect_priority_answer(const char *src, double start)
{
	build(src, ECHO_SUBTYPED);
	if (now_s() - start < 0.9)
		echo_expect_tx(&fx, &in, &want,
			       ESPRIT_R_ECHO_REFLECTED_PRIORITY,
			       "priority source %s, global bucket empty", src);
	else
		CU_ASSERT(echo_expect_tx_or_drop(
				  &fx, &in, &want, ESPRIT_R_ECHO_RATE_GLOBAL,
				  "priority source %s (stalled)", src) > 0);
}

/*
 * A flood from many spoofed /24s empties the global bucket; the peers the
 * operator configured (esprit_priority, the allowlist) are answered all
 * the same, within their own prefix's bucket; everyone else is refused.
 */
static void test_priority_sources(void)
{
	struct esprit_config cfg = {
		.rate_global = 1,
		.rate_global_burst = 3,
		.rate_prefix = 1,
		.rate_prefix_burst = 2,
	};
	struct esprit_prefix_key allowed = {.prefixlen = 96 + 24};
	double start = fresh(&cfg);
	unsigned long answered = 0;
	char src[32];
	__u32 one = 1;

	priority_add("198.51.100.7");
	priority_add("2001:db8:7::7");
	allowed.addr[10] = allowed.addr[11] = 0xff;
	inet_pton(AF_INET, "203.0.113.0", allowed.addr + 12);
	CU_ASSERT_EQUAL_FATAL(
		bpf_map_update_elem(xdp_fixture_map_fd(&fx, ESPRIT_MAP_ALLOW),
				    &allowed, &one, BPF_ANY),
		0);

	for (int i = 0; i < 200; i++) {
		snprintf(src, sizeof(src), "10.%d.%d.2", i / 100, i % 100);
		answered += burst(src, 1, i < 3, ESPRIT_R_ECHO_RATE_GLOBAL);
	}
	expect_answered_at_most(answered, 3 + slack(start, 1) - 1,
				"flood from 200 /24s");

	expect_priority_answer("198.51.100.7", start);
	expect_priority_answer("2001:db8:7::7", start);
	expect_priority_answer("203.0.113.9", start);
	answered = burst("192.0.2.77", 1, 0, ESPRIT_R_ECHO_RATE_GLOBAL);
	expect_answered_at_most(answered, slack(start, 1) - 1,
				"not a priority source");
	/* a priority source's prefix bucket still holds: burst 2 */
	expect_priority_answer("198.51.100.7", start);
	answered = burst("198.51.100.7", 3, 0, ESPRIT_R_ECHO_RATE_PREFIX);
	expect_answered_at_most(answered, slack(start, 1) - 1,
				"priority source over its prefix's bucket");
	xdp_fixture_close(&fx);
}

TEST_SUITE(echo_ratelimit) = {
	.name = "bpf_echo_ratelimit",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"global_burst", test_global_burst},
			{"prefix_burst", test_prefix_burst},
			{"prefix_lengths", test_prefix_lengths},
			{"prefix_before_global", test_prefix_before_global},
			{"default_burst", test_default_burst},
			{"defaults", test_defaults},
			{"unlimited", test_unlimited},
			{"priority_sources", test_priority_sources},
			{NULL, NULL},
		},
};
