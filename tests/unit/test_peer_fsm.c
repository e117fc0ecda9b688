// SPDX-License-Identifier: GPL-2.0
/* The per-stream state machine: init -> up -> down -> up, and when. */
#include <CUnit/CUnit.h>

#include "daemon/peer_fsm.h"
#include "testlib.h"

#define MS 1000000ULL
#define T0 (1000 * MS)

static struct peer_fsm f;
static enum peer_state old;

static void test_init_to_up_on_first_reply(void)
{
	peer_fsm_init(&f, 100 * MS, 3, 1, T0);
	CU_ASSERT_EQUAL(f.state, PEER_INIT);
	CU_ASSERT_EQUAL(peer_fsm_detect_ns(&f), 300 * MS);
	CU_ASSERT_TRUE(peer_fsm_reply(&f, 1, T0 + MS, T0 + MS, &old));
	CU_ASSERT_EQUAL(old, PEER_INIT);
	CU_ASSERT_EQUAL(f.state, PEER_UP);
	CU_ASSERT_EQUAL(f.changed_ns, T0 + MS);
	/* further replies change nothing */
	CU_ASSERT_FALSE(
		peer_fsm_reply(&f, 2, T0 + 101 * MS, T0 + 101 * MS, &old));
}

static void test_init_to_down_without_replies(void)
{
	peer_fsm_init(&f, 100 * MS, 3, 1, T0);
	CU_ASSERT_EQUAL(peer_fsm_deadline(&f), T0 + 300 * MS);
	CU_ASSERT_FALSE(peer_fsm_tick(&f, T0 + 299 * MS, 3, &old));
	CU_ASSERT_TRUE(peer_fsm_tick(&f, T0 + 300 * MS, 3, &old));
	CU_ASSERT_EQUAL(old, PEER_INIT);
	CU_ASSERT_EQUAL(f.state, PEER_DOWN);
	CU_ASSERT_EQUAL(peer_fsm_deadline(&f), UINT64_MAX);
	CU_ASSERT_FALSE(peer_fsm_tick(&f, T0 + 900 * MS, 9, &old));
}

/* Down exactly detect_multiplier x interval after the last reply. */
static void test_up_to_down_at_detection_time(void)
{
	peer_fsm_init(&f, 10 * MS, 3, 1, T0);
	for (uint64_t i = 1; i <= 5; i++)
		peer_fsm_reply(&f, i, T0 + i * 10 * MS, T0 + i * 10 * MS, &old);
	CU_ASSERT_EQUAL(f.state, PEER_UP);
	CU_ASSERT_EQUAL(peer_fsm_deadline(&f), T0 + 80 * MS);
	CU_ASSERT_FALSE(peer_fsm_tick(&f, T0 + 80 * MS - 1, 8, &old));
	CU_ASSERT_TRUE(peer_fsm_tick(&f, T0 + 80 * MS, 8, &old));
	CU_ASSERT_EQUAL(old, PEER_UP);
	CU_ASSERT_EQUAL(f.changed_ns, T0 + 80 * MS);
}

/* A prober that sent too few probes since the last reply blames nobody. */
static void test_no_verdict_without_probes(void)
{
	peer_fsm_init(&f, 10 * MS, 3, 1, T0);
	peer_fsm_reply(&f, 4, T0, T0, &old);
	/* stalled: long past the deadline but only 2 probes after #4 */
	CU_ASSERT_FALSE(peer_fsm_tick(&f, T0 + 500 * MS, 6, &old));
	CU_ASSERT_EQUAL(peer_fsm_wake(&f, 6), UINT64_MAX);
	CU_ASSERT_EQUAL(peer_fsm_wake(&f, 7), T0 + 30 * MS);
	CU_ASSERT_EQUAL(f.state, PEER_UP);
	CU_ASSERT_TRUE(peer_fsm_tick(&f, T0 + 510 * MS, 7, &old));
	/* in init: probes counted from the start */
	peer_fsm_init(&f, 10 * MS, 3, 1, T0);
	CU_ASSERT_FALSE(peer_fsm_tick(&f, T0 + 500 * MS, 2, &old));
	CU_ASSERT_TRUE(peer_fsm_tick(&f, T0 + 500 * MS, 3, &old));
}

/* up_after counts consecutive probes answered, by probe number. */
static void test_up_after_consecutive(void)
{
	peer_fsm_init(&f, 10 * MS, 3, 3, T0);
	CU_ASSERT_FALSE(peer_fsm_reply(&f, 1, T0, T0, &old));
	CU_ASSERT_FALSE(peer_fsm_reply(&f, 2, T0, T0, &old));
	/* probe 3 unanswered: the run starts again at 4 */
	CU_ASSERT_FALSE(peer_fsm_reply(&f, 4, T0, T0, &old));
	CU_ASSERT_FALSE(peer_fsm_reply(&f, 5, T0, T0, &old));
	CU_ASSERT_EQUAL(f.run, 2);
	/* a reordered reply to an earlier probe neither helps nor hurts */
	CU_ASSERT_FALSE(peer_fsm_reply(&f, 3, T0, T0, &old));
	CU_ASSERT_EQUAL(f.run, 2);
	CU_ASSERT_TRUE(peer_fsm_reply(&f, 6, T0 + MS, T0 + MS, &old));
	CU_ASSERT_EQUAL(old, PEER_INIT);
	CU_ASSERT_EQUAL(f.state, PEER_UP);
}

static void test_down_to_up_again(void)
{
	peer_fsm_init(&f, 10 * MS, 3, 2, T0);
	peer_fsm_reply(&f, 1, T0, T0, &old);
	peer_fsm_reply(&f, 2, T0 + 10 * MS, T0 + 10 * MS, &old);
	CU_ASSERT_EQUAL(f.state, PEER_UP);
	CU_ASSERT_TRUE(peer_fsm_tick(&f, T0 + 40 * MS, 5, &old));
	CU_ASSERT_EQUAL(f.state, PEER_DOWN);
	CU_ASSERT_FALSE(
		peer_fsm_reply(&f, 9, T0 + 90 * MS, T0 + 90 * MS, &old));
	CU_ASSERT_TRUE(
		peer_fsm_reply(&f, 10, T0 + 100 * MS, T0 + 100 * MS, &old));
	CU_ASSERT_EQUAL(old, PEER_DOWN);
	CU_ASSERT_EQUAL(f.state, PEER_UP);
	CU_ASSERT_EQUAL(f.changed_ns, T0 + 100 * MS);
	CU_ASSERT_EQUAL(peer_fsm_deadline(&f), T0 + 130 * MS);
}

static void test_retime_keeps_state(void)
{
	peer_fsm_init(&f, 10 * MS, 3, 1, T0);
	peer_fsm_reply(&f, 1, T0, T0, &old);
	peer_fsm_set_timing(&f, 100 * MS, 5, 2);
	CU_ASSERT_EQUAL(f.state, PEER_UP);
	CU_ASSERT_EQUAL(peer_fsm_deadline(&f), T0 + 500 * MS);
	CU_ASSERT_STRING_EQUAL(peer_state_name(PEER_DOWN), "down");
}

TEST_SUITE(peer_fsm) = {
	.name = "unit_peer_fsm",
	.cases =
		(const struct test_case[]){
			{"init_to_up_on_first_reply",
			 test_init_to_up_on_first_reply},
			{"init_to_down_without_replies",
			 test_init_to_down_without_replies},
			{"up_to_down_at_detection_time",
			 test_up_to_down_at_detection_time},
			{"no_verdict_without_probes",
			 test_no_verdict_without_probes},
			{"up_after_consecutive", test_up_after_consecutive},
			{"down_to_up_again", test_down_to_up_again},
			{"retime_keeps_state", test_retime_keeps_state},
			{NULL, NULL},
		},
};
