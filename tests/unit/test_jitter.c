// SPDX-License-Identifier: GPL-2.0
/* BFD jitter (RFC 5880 §6.8.7): bounds, spread, and the heap that runs the
 * probe timers. */
#include <stdlib.h>
#include <CUnit/CUnit.h>

#include "daemon/jitter.h"
#include "testlib.h"
#include "lib/timer_heap.h"

#define MS 1000000ULL

static void test_bounds(void)
{
	/* the extremes of the random input */
	CU_ASSERT_EQUAL(jitter_interval(100 * MS, 3, 0), 75 * MS);
	CU_ASSERT_TRUE(jitter_interval(100 * MS, 3, UINT64_MAX) < 100 * MS);
	CU_ASSERT_TRUE(jitter_interval(100 * MS, 3, UINT64_MAX) >= 99 * MS);
	/* detect multiplier 1: at most 90% */
	CU_ASSERT_EQUAL(jitter_interval(100 * MS, 1, 0), 75 * MS);
	CU_ASSERT_TRUE(jitter_interval(100 * MS, 1, UINT64_MAX) < 90 * MS);
	CU_ASSERT_TRUE(jitter_interval(100 * MS, 1, UINT64_MAX) >= 89 * MS);
	/* the configured limits */
	CU_ASSERT_EQUAL(jitter_interval(MS, 3, 0), 750000);
	CU_ASSERT_TRUE(jitter_interval(60000 * MS, 3, UINT64_MAX) < 60000 * MS);
}

static void test_spread(void)
{
	struct jitter_rng r;
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int quarters[4] = {0};
	double sum = 0;
	const int n = 100000;

	jitter_rng_seed(&r, 42);
	for (int i = 0; i < n; i++) {
		uint64_t v = jitter_interval(10 * MS, 3, jitter_rng_next(&r));

		CU_ASSERT_TRUE(v >= 7500000 && v < 10 * MS);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		sum += (double)v;
		quarters[(v - 7500000) * 4 / 2500000]++;
	}
	/* uniform over [7.5, 10) ms: mean 8.75, each quarter ~25% */
	CU_ASSERT_DOUBLE_EQUAL(sum / n / 1e6, 8.75, 0.02);
	CU_ASSERT_TRUE(lo < 7510000 && hi > 9990000);
	for (int q = 0; q < 4; q++)
		CU_ASSERT_TRUE(quarters[q] > n / 4 - n / 50 &&
			       quarters[q] < n / 4 + n / 50);
}

/* Two streams started in step drift apart. */
static void test_streams_desynchronise(void)
{
	struct jitter_rng r;
	uint64_t a = 0, b = 0;
	int same = 0;

	jitter_rng_seed(&r, 7);
	for (int i = 0; i < 1000; i++) {
		a += jitter_interval(10 * MS, 3, jitter_rng_next(&r));
		b += jitter_interval(10 * MS, 3, jitter_rng_next(&r));
		same += (a > b ? a - b : b - a) < 100000;
	}
	CU_ASSERT_TRUE(same < 50);
}

static void test_heap_order_and_moves(void)
{
	struct timer_heap h;
	struct timer_node n[200];
	struct jitter_rng r;
	uint64_t last = 0;

	timer_heap_init(&h);
	jitter_rng_seed(&r, 1);
	for (int i = 0; i < 200; i++) {
		timer_node_init(&n[i]);
		CU_ASSERT_EQUAL(timer_heap_set(&h, &n[i],
					       jitter_rng_next(&r) % 100000),
				0);
	}
	/* move some earlier, some later, remove some */
	for (int i = 0; i < 200; i += 7)
		timer_heap_set(&h, &n[i], jitter_rng_next(&r) % 100000);
	for (int i = 3; i < 200; i += 11)
		timer_heap_remove(&h, &n[i]);
	CU_ASSERT_EQUAL(n[3].pos, TIMER_HEAP_NONE);
	while (timer_heap_peek(&h)) {
		struct timer_node *t = timer_heap_peek(&h);

		CU_ASSERT_TRUE(t->when_ns >= last);
		last = t->when_ns;
		timer_heap_remove(&h, t);
	}
	CU_ASSERT_EQUAL(h.len, 0);
	timer_heap_free(&h);
}

TEST_SUITE(jitter) = {
	.name = "unit_jitter",
	.cases =
		(const struct test_case[]){
			{"bounds", test_bounds},
			{"spread", test_spread},
			{"streams_desynchronise", test_streams_desynchronise},
			{"heap_order_and_moves", test_heap_order_and_moves},
			{NULL, NULL},
		},
};
