// SPDX-License-Identifier: GPL-2.0
/*
 * A stream's diagnosis (probe_stream.h): what the latest evidence says,
 * cleared by a reply; rate-limited ICMP errors keep theirs through the
 * silence between them; a stream going down with nothing said is no-reply.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <linux/errqueue.h>
#include <CUnit/CUnit.h>

#include "daemon/probe_stream.h"
#include "lib/addr.h"
#include "testlib.h"

#define MS 1000000ULL
#define T0 (1000 * MS)

static struct probe_stream st;
static struct jitter_rng rng;

/* 100 ms interval, multiplier 3: deadline and detection 300 ms. */
static void fresh(void)
{
	struct config_peer peer = {
		.name = "p",
		.interval_ns = 100 * MS,
		.detect_multiplier = 3,
		.up_after = 1,
		.size = 32,
		.format = ESPRIT_ECHO_FMT_SUBTYPED,
	};
	char err[32];

	probe_stream_free(&st);
	CU_ASSERT_EQUAL_FATAL(
		addr_parse("192.0.2.7", &peer.address, err, sizeof(err)), 0);
	peer.dscp_count = 1;
	CU_ASSERT_EQUAL_FATAL(
		probe_stream_init(&st, 1, &peer, 0, 0x1234, T0, T0), 0);
	CU_ASSERT_EQUAL_FATAL(jitter_rng_init(&rng), 0);
}

/* Sends the next request at t; returns the reply a peer would send. */
static struct esprit_echo_reply_event send_at(uint64_t t)
{
	struct esprit_echo_reply_event ev = {0};
	uint8_t buf[128];
	size_t len = probe_stream_build(&st, t, &rng, buf, sizeof(buf));

	CU_ASSERT_FATAL(len > 16);
	ev.type = ESPRIT_EV_ECHO_REPLY;
	ev.format = ESPRIT_ECHO_FMT_SUBTYPED;
	ev.ident = st.session.ident;
	ev.seq = (uint16_t)(buf[14] << 8 | buf[15]);
	ev.src = st.addr;
	ev.data_len = (uint16_t)(len - 16);
	memcpy(ev.data, buf + 16, sizeof(ev.data));
	return ev;
}

static void reply_at(struct esprit_echo_reply_event ev, uint64_t t)
{
	enum peer_state old;

	ev.rx_ns = t;
	probe_stream_reply(&st, &ev, t, &old);
}

static bool expire_at(uint64_t t)
{
	enum peer_state old;
	bool reason_changed;

	probe_stream_expire(&st, t, &old, &reason_changed);
	return reason_changed;
}

static const struct icmp_error proto_unreachable = {
	.origin = SO_EE_ORIGIN_ICMP,
	.type = 3,
	.code = 2,
	.offender = {.family = ESPRIT_AF_INET,
		     .addr = {[10] = 0xff, [11] = 0xff, 192, 0, 2, 7}}};

static void test_reply_clears(void)
{
	fresh();
	CU_ASSERT_EQUAL(st.reason, PROBE_REASON_NONE);
	send_at(T0);
	CU_ASSERT_TRUE(probe_stream_error(&st, &proto_unreachable, T0 + MS));
	CU_ASSERT_EQUAL(st.reason, PROBE_REASON_NO_ESP);
	CU_ASSERT_STRING_EQUAL(st.reason_detail, "Destination Protocol "
						 "Unreachable from "
						 "192.0.2.7");
	/* the same evidence again is no change */
	CU_ASSERT_FALSE(
		probe_stream_error(&st, &proto_unreachable, T0 + 2 * MS));
	reply_at(send_at(T0 + 100 * MS), T0 + 101 * MS);
	CU_ASSERT_EQUAL(st.reason, PROBE_REASON_NONE);
	CU_ASSERT_STRING_EQUAL(st.reason_detail, "");
}

/* Errors about one request in ten (the kernel's rate limit): the losses
 * between them do not turn esp-unsupported into no-reply. */
static void test_errors_outlast_silence(void)
{
	uint64_t t = T0;

	fresh();
	for (int i = 0; i < 50; i++, t += 100 * MS) {
		send_at(t);
		if (i % 10 == 0)
			probe_stream_error(&st, &proto_unreachable, t + MS);
		expire_at(t + 50 * MS);
	}
	CU_ASSERT(st.session.lost > 40);
	CU_ASSERT_EQUAL(st.reason, PROBE_REASON_NO_ESP);
	CU_ASSERT_EQUAL(st.fsm.state, PEER_DOWN);
	/* no error for longer than the evidence lasts: the path is quiet */
	for (uint64_t end = t + PROBE_EVIDENCE_NS + 500 * MS; t < end;
	     t += 100 * MS) {
		send_at(t);
		expire_at(t + 50 * MS);
	}
	CU_ASSERT_EQUAL(st.reason, PROBE_REASON_NO_REPLY);
}

/* Silence from the start: down, and the silence is the evidence. */
static void test_down_without_a_word(void)
{
	uint64_t t = T0;

	fresh();
	for (int i = 0; i < 3; i++, t += 100 * MS)
		send_at(t);
	expire_at(T0 + 299 * MS);
	CU_ASSERT_EQUAL(st.fsm.state, PEER_INIT);
	CU_ASSERT_TRUE(expire_at(T0 + 300 * MS));
	CU_ASSERT_EQUAL(st.fsm.state, PEER_DOWN);
	CU_ASSERT_EQUAL(st.reason, PROBE_REASON_NO_REPLY);
}

/* Requests lost before the latest answer are history, not a diagnosis. */
static void test_old_losses_after_a_reply(void)
{
	struct esprit_echo_reply_event third;

	fresh();
	send_at(T0);
	send_at(T0 + 100 * MS);
	third = send_at(T0 + 200 * MS);
	reply_at(third, T0 + 201 * MS);
	/* requests 1 and 2 settle lost, after request 3 was answered */
	CU_ASSERT_FALSE(expire_at(T0 + 450 * MS));
	CU_ASSERT_EQUAL(st.session.lost, 2);
	CU_ASSERT_EQUAL(st.reason, PROBE_REASON_NONE);
}

/* A send that failed, and the local error's own reason. */
static void test_send_failed(void)
{
	struct icmp_error e = {.err = ENOBUFS};

	fresh();
	CU_ASSERT_TRUE(probe_stream_error(&st, &e, T0));
	CU_ASSERT_EQUAL(st.reason, PROBE_REASON_SEND_FAILED);
	CU_ASSERT_STRING_EQUAL(st.reason_detail, "cannot send: No buffer space "
						 "available");
	CU_ASSERT_STRING_EQUAL(probe_reason_name(st.reason), "send-failed");
}

static int suite_cleanup(void)
{
	probe_stream_free(&st);
	return 0;
}

TEST_SUITE(probe_reason) = {
	.name = "unit_probe_reason",
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"reply_clears", test_reply_clears},
			{"errors_outlast_silence", test_errors_outlast_silence},
			{"down_without_a_word", test_down_without_a_word},
			{"old_losses_after_a_reply",
			 test_old_losses_after_a_reply},
			{"send_failed", test_send_failed},
			{NULL, NULL},
		},
};
