// SPDX-License-Identifier: GPL-2.0
/* Loss over the last minute: what enters, what ages out. */
#include <CUnit/CUnit.h>

#include "daemon/loss_window.h"
#include "testlib.h"

#define S 1000000000ULL

static struct loss_window w;

static void test_empty_has_no_ratio(void)
{
	double r = -1;

	loss_window_init(&w);
	CU_ASSERT_FALSE(loss_window_ratio(&w, 100 * S, &r, NULL, NULL));
	loss_window_add(&w, 100 * S, 0, 0);
	CU_ASSERT_FALSE(loss_window_ratio(&w, 100 * S, &r, NULL, NULL));
}

static void test_ratio_in_window(void)
{
	uint64_t rcv, lost;
	double r;

	loss_window_init(&w);
	/* 10 s of 90 received + 10 lost each */
	for (uint64_t s = 1000; s < 1010; s++)
		loss_window_add(&w, s * S + S / 2, 90, 10);
	CU_ASSERT_TRUE(loss_window_ratio(&w, 1009 * S, &r, &rcv, &lost));
	CU_ASSERT_EQUAL(rcv, 900);
	CU_ASSERT_EQUAL(lost, 100);
	CU_ASSERT_DOUBLE_EQUAL(r, 0.1, 1e-12);
}

static void test_old_seconds_age_out(void)
{
	uint64_t rcv, lost;
	double r;

	loss_window_init(&w);
	loss_window_add(&w, 1000 * S, 0, 50); /* all lost, at second 1000 */
	loss_window_add(&w, 1030 * S, 50, 0);
	CU_ASSERT_TRUE(
		loss_window_ratio(&w, 1059 * S + S - 1, &r, &rcv, &lost));
	CU_ASSERT_EQUAL(lost, 50); /* second 1000 is 59 s back: still in */
	CU_ASSERT_TRUE(loss_window_ratio(&w, 1060 * S, &r, &rcv, &lost));
	CU_ASSERT_EQUAL(lost, 0); /* 60 s back: out */
	CU_ASSERT_EQUAL(rcv, 50);
	CU_ASSERT_DOUBLE_EQUAL(r, 0.0, 1e-12);
	/* a slot reused 60 s later forgets the old second */
	loss_window_add(&w, 1060 * S, 1, 1);
	CU_ASSERT_TRUE(loss_window_ratio(&w, 1060 * S, &r, &rcv, &lost));
	CU_ASSERT_EQUAL(rcv, 51);
	CU_ASSERT_EQUAL(lost, 1);
	CU_ASSERT_FALSE(loss_window_ratio(&w, 2000 * S, &r, &rcv, &lost));
}

TEST_SUITE(loss_window) = {
	.name = "unit_loss_window",
	.cases =
		(const struct test_case[]){
			{"empty_has_no_ratio", test_empty_has_no_ratio},
			{"ratio_in_window", test_ratio_in_window},
			{"old_seconds_age_out", test_old_seconds_age_out},
			{NULL, NULL},
		},
};
