// SPDX-License-Identifier: GPL-2.0
/* RTT histogram: bucket layout, percentiles within the bucket error, the
 * Prometheus buckets. */
#include <stdlib.h>
#include <CUnit/CUnit.h>

#include "daemon/rtt_hist.h"
#include "testlib.h"

static struct rtt_hist h;

static void test_bucket_ranges_tile(void)
{
	uint64_t prev_hi = 0, lo, hi;

	/* Every bucket starts where the previous ended and is at most
	 * 1/16 of its lowest value wide. */
	for (size_t b = 0; b < RTT_HIST_BUCKETS; b++) {
		rtt_hist_bucket_range(b, &lo, &hi);
		if (b)
			CU_ASSERT_EQUAL(lo, prev_hi + 1);
		CU_ASSERT_TRUE(hi >= lo);
		if (b >= RTT_HIST_SUB && b < RTT_HIST_BUCKETS - 1)
			CU_ASSERT_TRUE((hi - lo + 1) * RTT_HIST_SUB <= lo);
		CU_ASSERT_EQUAL(rtt_hist_bucket(lo), b);
		if (b < RTT_HIST_BUCKETS - 1)
			CU_ASSERT_EQUAL(rtt_hist_bucket(hi), b);
		prev_hi = hi;
	}
	CU_ASSERT_EQUAL(prev_hi, UINT64_MAX);
	CU_ASSERT_EQUAL(rtt_hist_bucket(UINT64_MAX), RTT_HIST_BUCKETS - 1);
	CU_ASSERT_EQUAL(rtt_hist_bucket(0), 0);
	CU_ASSERT_EQUAL(rtt_hist_bucket(15), 15);
	CU_ASSERT_EQUAL(rtt_hist_bucket(16), 16);
}

static void test_empty(void)
{
	rtt_hist_init(&h);
	CU_ASSERT_EQUAL(rtt_hist_quantile(&h, 0.5), 0);
	CU_ASSERT_EQUAL(h.count, 0);
}

static void test_single_value_is_exact(void)
{
	rtt_hist_init(&h);
	rtt_hist_add(&h, 123456);
	/* clamped to [min, max]: one sample is reported exactly */
	CU_ASSERT_EQUAL(rtt_hist_quantile(&h, 0.5), 123456);
	CU_ASSERT_EQUAL(rtt_hist_quantile(&h, 0.99), 123456);
	CU_ASSERT_EQUAL(h.min_ns, 123456);
	CU_ASSERT_EQUAL(h.max_ns, 123456);
	CU_ASSERT_EQUAL(h.sum_ns, 123456);
}

static double rel_err(uint64_t got, uint64_t want)
{
	double d = (double)got - (double)want;

	return (d < 0 ? -d : d) / (double)want;
}

/* 1..100000 µs: the nearest-rank quantiles are known exactly. */
static void test_uniform_quantiles(void)
{
	rtt_hist_init(&h);
	for (uint64_t us = 1; us <= 100000; us++)
		rtt_hist_add(&h, us * 1000);
	CU_ASSERT_EQUAL(h.count, 100000);
	CU_ASSERT_TRUE(rel_err(rtt_hist_quantile(&h, 0.50), 50000000) <= 0.032);
	CU_ASSERT_TRUE(rel_err(rtt_hist_quantile(&h, 0.90), 90000000) <= 0.032);
	CU_ASSERT_TRUE(rel_err(rtt_hist_quantile(&h, 0.99), 99000000) <= 0.032);
	CU_ASSERT_EQUAL(rtt_hist_quantile(&h, 1.0), 100000000);
	CU_ASSERT_EQUAL(rtt_hist_quantile(&h, 0.0), 1000);
}

/* 99 fast replies and one slow one: p99 is fast, the max is not. */
static void test_tail(void)
{
	rtt_hist_init(&h);
	for (int i = 0; i < 99; i++)
		rtt_hist_add(&h, 50000);
	rtt_hist_add(&h, 9000000);
	CU_ASSERT_TRUE(rel_err(rtt_hist_quantile(&h, 0.99), 50000) <= 0.032);
	CU_ASSERT_EQUAL(rtt_hist_quantile(&h, 1.0), 9000000);
	rtt_hist_add(&h, 9000000);
	/* 101 samples: rank ceil(0.99 * 101) = 100 is a slow one */
	CU_ASSERT_TRUE(rel_err(rtt_hist_quantile(&h, 0.99), 9000000) <= 0.032);
}

static void test_prometheus_buckets(void)
{
	uint64_t total = 0;

	rtt_hist_init(&h);
	rtt_hist_add(&h, 50000); /* = 50 µs: le 5e-05 */
	rtt_hist_add(&h, 50001); /* le 1e-04 */
	rtt_hist_add(&h, 3000000); /* le 0.005 */
	rtt_hist_add(&h, 11000000000ULL); /* +Inf */
	CU_ASSERT_EQUAL(h.prom[0], 1);
	CU_ASSERT_EQUAL(h.prom[1], 1);
	CU_ASSERT_EQUAL(h.prom[6], 1);
	CU_ASSERT_EQUAL(h.prom[RTT_PROM_BUCKETS], 1);
	for (int i = 0; i <= RTT_PROM_BUCKETS; i++)
		total += h.prom[i];
	CU_ASSERT_EQUAL(total, h.count);
	for (int i = 1; i < RTT_PROM_BUCKETS; i++)
		CU_ASSERT_TRUE(rtt_prom_bounds[i] > rtt_prom_bounds[i - 1]);
}

TEST_SUITE(rtt_hist) = {
	.name = "unit_rtt_hist",
	.cases =
		(const struct test_case[]){
			{"bucket_ranges_tile", test_bucket_ranges_tile},
			{"empty", test_empty},
			{"single_value_is_exact", test_single_value_is_exact},
			{"uniform_quantiles", test_uniform_quantiles},
			{"tail", test_tail},
			{"prometheus_buckets", test_prometheus_buckets},
			{NULL, NULL},
		},
};
