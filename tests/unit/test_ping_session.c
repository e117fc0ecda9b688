// SPDX-License-Identifier: GPL-2.0
/*
 * Which replies a probe stream believes: its own, once (then duplicates),
 * and never forged, foreign or stale ones.
 */
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "addr.h"
#include "ping_session.h"
#include "testlib.h"

#define IDENT 0x5a5a

static struct ping_session *s;
static struct echo_key key = {.bytes = "0123456789abcdef"};
static struct esprit_addr target;

static int suite_init(void)
{
	char err[64];

	s = malloc(sizeof(*s));
	return !s || addr_parse("2001:db8::7", &target, err, sizeof(err));
}

static int suite_cleanup(void)
{
	free(s);
	return 0;
}

static void fresh(void)
{
	ping_session_init(s, &key, IDENT, &target);
}

/* Sends one request and returns the reply a faithful responder makes. */
static struct esprit_echo_reply_event send_and_echo(uint64_t send_ns,
						    uint64_t rx_ns)
{
	struct esprit_echo_reply_event ev = {0};
	uint8_t data[56];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	ev.type = ESPRIT_EV_ECHO_REPLY;
	ev.seq = ping_session_next(s, send_ns, data);
	ev.ident = IDENT;
	ev.src = target;
	ev.rx_ns = rx_ns;
	ev.data_len = sizeof(data);
	memcpy(ev.data, data, sizeof(ev.data));
	return ev;
}

static void test_first_reply_counts(void)
{
	struct esprit_echo_reply_event ev;
	uint64_t rtt = 0;

	fresh();
	ev = send_and_echo(1000000, 1250000);
	CU_ASSERT_EQUAL(ev.seq, 1);
	CU_ASSERT_EQUAL(s->transmitted, 1);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_OK);
	CU_ASSERT_EQUAL(rtt, 250000);
	CU_ASSERT_EQUAL(s->received, 1);
	CU_ASSERT_EQUAL(s->rtt.count, 1);
	CU_ASSERT_EQUAL(s->rtt.min_ns, 250000);
}

static void test_duplicate(void)
{
	struct esprit_echo_reply_event ev;
	uint64_t rtt = 0;

	fresh();
	ev = send_and_echo(1000, 2000);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_OK);
	ev.rx_ns = 5000;
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_DUPLICATE);
	CU_ASSERT_EQUAL(rtt, 4000);
	CU_ASSERT_EQUAL(s->received, 1);
	CU_ASSERT_EQUAL(s->duplicates, 1);
	CU_ASSERT_EQUAL(s->rtt.count, 1); /* duplicates stay out of rtt */
}

static void test_foreign_ident(void)
{
	struct esprit_echo_reply_event ev;
	uint64_t rtt;

	fresh();
	ev = send_and_echo(1000, 2000);
	ev.ident = IDENT + 1;
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_FOREIGN);
	CU_ASSERT_EQUAL(s->foreign, 1);
	CU_ASSERT_EQUAL(s->received, 0);
}

static void test_foreign_source(void)
{
	struct esprit_echo_reply_event ev;
	char err[64];
	uint64_t rtt;

	fresh();
	ev = send_and_echo(1000, 2000);
	CU_ASSERT_EQUAL_FATAL(
		addr_parse("2001:db8::8", &ev.src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_FOREIGN);
	/* the same address bytes as IPv4-mapped, but another family */
	ev.src = target;
	ev.src.family = ESPRIT_AF_INET;
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_FOREIGN);
	CU_ASSERT_EQUAL(s->received, 0);
}

static void test_forged_tag(void)
{
	struct esprit_echo_reply_event ev, forged;
	uint64_t rtt;

	fresh();
	ev = send_and_echo(1000, 2000);
	forged = ev;
	forged.data[12] ^= 0x80; /* in the tag */
	CU_ASSERT_EQUAL(ping_session_reply(s, &forged, &rtt), REPLY_BAD_TAG);
	forged = ev;
	forged.data[7] ^= 1; /* send time moved: tag no longer matches */
	CU_ASSERT_EQUAL(ping_session_reply(s, &forged, &rtt), REPLY_BAD_TAG);
	forged = ev;
	forged.seq = 2; /* right stamp, other sequence */
	CU_ASSERT_EQUAL(ping_session_reply(s, &forged, &rtt), REPLY_BAD_TAG);
	forged = ev;
	forged.data_len = 15; /* no room for a stamp */
	CU_ASSERT_EQUAL(ping_session_reply(s, &forged, &rtt), REPLY_BAD_TAG);
	CU_ASSERT_EQUAL(s->bad_tag, 4);
	CU_ASSERT_EQUAL(s->received, 0);
	/* the genuine reply still counts afterwards */
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_OK);
}

static void test_other_run(void)
{
	struct esprit_echo_reply_event ev;
	struct echo_key other = key;
	uint64_t rtt;

	/* A reply to an earlier run with the same Identifier: other key. */
	other.bytes[3] ^= 0xff;
	ping_session_init(s, &other, IDENT, &target);
	ev = send_and_echo(1000, 2000);
	fresh();
	send_and_echo(1000, 2000);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_BAD_TAG);
}

static void test_stale_seq(void)
{
	struct esprit_echo_reply_event old, ev;
	uint64_t rtt;

	fresh();
	old = send_and_echo(1000, 0);
	for (int i = 0; i < PING_WINDOW; i++)
		ev = send_and_echo(2000 + (uint64_t)i, 0);
	/* request 1's slot now holds request 1 + PING_WINDOW */
	old.rx_ns = 9000000;
	CU_ASSERT_EQUAL(ping_session_reply(s, &old, &rtt), REPLY_STALE);
	CU_ASSERT_EQUAL(s->stale, 1);
	ev.rx_ns = 9000000;
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_OK);
}

static void test_unsent_seq_is_stale(void)
{
	struct esprit_echo_reply_event ev;
	uint64_t rtt;

	fresh();
	ev = send_and_echo(1000, 2000);
	/* a stamp our key made, for a request not sent (yet) */
	ev.seq = 9;
	echo_stamp_write(ev.data, &key, IDENT, 9, 1000);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_STALE);
}

static void test_sequence_wraps(void)
{
	struct esprit_echo_reply_event ev;
	uint64_t rtt;

	fresh();
	for (int i = 0; i < 70000; i++)
		ev = send_and_echo(1000 + (uint64_t)i, 0);
	CU_ASSERT_EQUAL(ev.seq, 70000 - 65536);
	ev.rx_ns = 100000;
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_OK);
	CU_ASSERT_EQUAL(rtt, 100000 - (1000 + 69999));
}

static void test_reply_before_send_clamps(void)
{
	struct esprit_echo_reply_event ev;
	uint64_t rtt = 1;

	fresh();
	ev = send_and_echo(5000, 4000);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_OK);
	CU_ASSERT_EQUAL(rtt, 0);
}

TEST_SUITE(ping_session) = {
	.name = "unit_ping_session",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"first_reply_counts", test_first_reply_counts},
			{"duplicate", test_duplicate},
			{"foreign_ident", test_foreign_ident},
			{"foreign_source", test_foreign_source},
			{"forged_tag", test_forged_tag},
			{"other_run", test_other_run},
			{"stale_seq", test_stale_seq},
			{"unsent_seq_is_stale", test_unsent_seq_is_stale},
			{"sequence_wraps", test_sequence_wraps},
			{"reply_before_send_clamps",
			 test_reply_before_send_clamps},
			{NULL, NULL},
		},
};
