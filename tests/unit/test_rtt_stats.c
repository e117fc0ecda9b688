// SPDX-License-Identifier: GPL-2.0
/* min/avg/max/mdev as ping prints them, checked against a two-pass sum. */
#include <math.h>
#include <stdlib.h>
#include <CUnit/CUnit.h>

#include "echo/rtt_stats.h"
#include "testlib.h"

static void test_empty(void)
{
	struct rtt_stats s;

	rtt_stats_init(&s);
	CU_ASSERT_EQUAL(s.count, 0);
	CU_ASSERT_EQUAL(rtt_stats_mdev_ns(&s), 0);
}

static void test_single(void)
{
	struct rtt_stats s;

	rtt_stats_init(&s);
	rtt_stats_add(&s, 1234);
	CU_ASSERT_EQUAL(s.min_ns, 1234);
	CU_ASSERT_EQUAL(s.max_ns, 1234);
	CU_ASSERT_DOUBLE_EQUAL(s.mean_ns, 1234, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rtt_stats_mdev_ns(&s), 0, 1e-9);
}

static void test_known_set(void)
{
	struct rtt_stats s;

	/* 1, 2, 3, 4 ms: mean 2.5, population variance 1.25 ms^2 */
	rtt_stats_init(&s);
	rtt_stats_add(&s, 3000000);
	rtt_stats_add(&s, 1000000);
	rtt_stats_add(&s, 4000000);
	rtt_stats_add(&s, 2000000);
	CU_ASSERT_EQUAL(s.count, 4);
	CU_ASSERT_EQUAL(s.min_ns, 1000000);
	CU_ASSERT_EQUAL(s.max_ns, 4000000);
	CU_ASSERT_DOUBLE_EQUAL(s.mean_ns, 2500000, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(rtt_stats_mdev_ns(&s), sqrt(1.25) * 1e6, 1e-3);
}

static void test_matches_two_pass(void)
{
	enum { N = 10000 };
	const uint64_t base = 1000000000000ULL; /* 1000 s */
	static uint64_t spread[N];
	struct rtt_stats s;
	double mean = 0, var = 0;

	srand(7);
	rtt_stats_init(&s);
	/* A large offset with a small spread, where a plain sum of squares
	 * loses every digit; the reference works on the exact spread. */
	for (int i = 0; i < N; i++) {
		spread[i] = (uint64_t)(rand() % 100000);
		rtt_stats_add(&s, base + spread[i]);
		mean += (double)spread[i];
	}
	mean /= N;
	for (int i = 0; i < N; i++)
		var += ((double)spread[i] - mean) * ((double)spread[i] - mean);
	var /= N;
	CU_ASSERT_DOUBLE_EQUAL(s.mean_ns - (double)base, mean, 0.5);
	CU_ASSERT_DOUBLE_EQUAL(rtt_stats_mdev_ns(&s), sqrt(var),
			       sqrt(var) * 1e-6);
}

TEST_SUITE(rtt_stats) = {
	.name = "unit_rtt_stats",
	.cases =
		(const struct test_case[]){
			{"empty", test_empty},
			{"single", test_single},
			{"known_set", test_known_set},
			{"matches_two_pass", test_matches_two_pass},
			{NULL, NULL},
		},
};
