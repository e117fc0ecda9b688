// SPDX-License-Identifier: GPL-2.0
/*
 * Which replies a probe stream believes: its own, once (then duplicates),
 * and never forged, foreign or stale ones; and how long they took: from
 * when the request left to when the reply arrived.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "lib/addr.h"
#include "echo/session.h"
#include "testlib.h"

#define IDENT 0x5a5a

static struct ping_session *s;
static struct echo_key key = {.bytes = "0123456789abcdef"};
static struct esprit_addr target;

static int suite_init(void)
{
	char err[64];

	s = calloc(1, sizeof(*s));
	return !s || addr_parse("2001:db8::7", &target, err, sizeof(err));
}

static int suite_cleanup(void)
{
	ping_session_free(s);
	free(s);
	return 0;
}

static void fresh_with(const struct echo_key *k, uint32_t window,
		       uint64_t timeout_ns)
{
	ping_session_free(s);
	CU_ASSERT_EQUAL_FATAL(ping_session_init(s, k, ESPRIT_ECHO_FMT_SUBTYPED,
						IDENT, &target, window,
						timeout_ns),
			      0);
}

static void fresh(void)
{
	fresh_with(&key, PING_WINDOW, 0);
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
	fresh_with(&other, PING_WINDOW, 0);
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

/*
 * By the clocks, a reply before its request left: counted as received,
 * but no sample; a bug of the clocks, not a round trip.
 */
static void test_reply_before_send_untimed(void)
{
	struct esprit_echo_reply_event ev;
	uint64_t rtt = 1;

	fresh();
	ev = send_and_echo(5000, 4000);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_UNTIMED);
	CU_ASSERT_EQUAL(rtt, 0);
	CU_ASSERT_EQUAL(s->received, 1);
	CU_ASSERT_EQUAL(s->untimed, 1);
	CU_ASSERT_EQUAL(s->rtt.count, 0);
	ev = send_and_echo(6000, 6000); /* a zero round trip: no sample */
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_UNTIMED);
	CU_ASSERT_EQUAL(s->rtt.count, 0);
}

/*
 * The kernel's transmit stamp replaces the time read before the send, for
 * the request it names and while no reply has come; the stamp in Data
 * stays what identifies the request.
 */
static void test_transmit_time(void)
{
	struct esprit_echo_reply_event a, b;
	uint64_t rtt = 0;

	fresh_with(&key, 64, 0);
	a = send_and_echo(1000, 9000);
	b = send_and_echo(2000, 9500);
	ping_session_sent(s, 1, 1500);
	ping_session_sent(s, 2, 2600);
	ping_session_sent(s, 3, 100); /* not sent yet: ignored */
	ping_session_sent(s, 0, 100); /* no such request */
	CU_ASSERT_EQUAL(ping_session_reply(s, &a, &rtt), REPLY_OK);
	CU_ASSERT_EQUAL(rtt, 9000 - 1500);
	ping_session_sent(s, 1, 8999); /* answered already: ignored */
	a.rx_ns = 9100;
	CU_ASSERT_EQUAL(ping_session_reply(s, &a, &rtt), REPLY_DUPLICATE);
	CU_ASSERT_EQUAL(rtt, 9100 - 1500);
	CU_ASSERT_EQUAL(ping_session_reply(s, &b, &rtt), REPLY_OK);
	CU_ASSERT_EQUAL(rtt, 9500 - 2600);
	for (int i = 0; i < 64; i++)
		send_and_echo(3000 + (uint64_t)i, 0);
	ping_session_sent(s, 2, 1); /* out of the window: ignored */
	CU_ASSERT_EQUAL(s->rtt.min_ns, 6900);
}

/* An empty-form reply (docs/protocols.md §1.3) by its ESP sequence number. */
static struct esprit_echo_reply_event empty_reply(uint32_t esp_seq,
						  uint64_t rx_ns)
{
	struct esprit_echo_reply_event ev = {
		.type = ESPRIT_EV_ECHO_REPLY,
		.format = ESPRIT_ECHO_FMT_EMPTY,
		.esp_seq = esp_seq,
		.rx_ns = rx_ns,
		.src = target,
	};

	return ev;
}

static void test_empty_form(void)
{
	struct esprit_echo_reply_event ev;
	uint64_t rtt = 0;

	ping_session_free(s);
	CU_ASSERT_EQUAL_FATAL(ping_session_init(s, &key, ESPRIT_ECHO_FMT_EMPTY,
						0, &target, 16, 0),
			      0);
	for (int i = 0; i < 3; i++)
		ping_session_next(s, 1000 * (uint64_t)(i + 1), NULL);
	ev = empty_reply(2, 2700);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_OK);
	CU_ASSERT_EQUAL(rtt, 700);
	CU_ASSERT_EQUAL(s->reply_index, 2);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_DUPLICATE);
	ev = empty_reply(4, 5000); /* not sent */
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_STALE);
	/* a reply with an Identifier is no answer to an empty request */
	ev = empty_reply(3, 5000);
	ev.format = ESPRIT_ECHO_FMT_SUBTYPED;
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_FOREIGN);
	/* nor is an empty reply one to a sub-typed request */
	fresh();
	send_and_echo(1000, 0);
	ev = empty_reply(1, 2000);
	CU_ASSERT_EQUAL(ping_session_reply(s, &ev, &rtt), REPLY_FOREIGN);
	CU_ASSERT_EQUAL(s->received, 0);
}

static void test_window_must_be_power_of_two(void)
{
	struct ping_session t;

	CU_ASSERT_EQUAL(ping_session_init(&t, &key, ESPRIT_ECHO_FMT_SEED, IDENT,
					  &target, 48, 0),
			-EINVAL);
	CU_ASSERT_EQUAL(ping_session_init(&t, &key, ESPRIT_ECHO_FMT_SEED, IDENT,
					  &target, 2 * PING_WINDOW_MAX, 0),
			-EINVAL);
	CU_ASSERT_EQUAL(ping_session_init(&t, &key, ESPRIT_ECHO_FMT_SEED, IDENT,
					  &target, 64, 0),
			0);
	CU_ASSERT_EQUAL(t.window, 64);
	ping_session_free(&t);
}

/* With a timeout: received by the deadline, lost after it, late replies. */
static void test_settled_at_deadline(void)
{
	struct esprit_echo_reply_event a, b, c;
	uint64_t rtt, ok = 0, lost = 0;

	fresh_with(&key, 64, 1000);
	a = send_and_echo(10000, 10400); /* in time */
	b = send_and_echo(11000, 0); /* never answered */
	c = send_and_echo(12000, 13500); /* answered after its deadline */
	CU_ASSERT_EQUAL(ping_session_next_deadline(s), 11000);
	CU_ASSERT_EQUAL(ping_session_reply(s, &a, &rtt), REPLY_OK);
	CU_ASSERT_EQUAL(s->reply_index, 1);
	ping_session_expire(s, 10999, &ok, &lost);
	CU_ASSERT_EQUAL(ok + lost, 0);
	ping_session_expire(s, 11000, &ok, &lost);
	CU_ASSERT_EQUAL(ok, 1);
	CU_ASSERT_EQUAL(lost, 0);
	CU_ASSERT_EQUAL(ping_session_next_deadline(s), 12000);
	/* rx - send = 1500 > timeout: late even before it is settled */
	CU_ASSERT_EQUAL(ping_session_reply(s, &c, &rtt), REPLY_LATE);
	CU_ASSERT_EQUAL(rtt, 1500);
	CU_ASSERT_EQUAL(s->reply_index, 3);
	ping_session_expire(s, 20000, &ok, &lost);
	CU_ASSERT_EQUAL(ok, 1);
	CU_ASSERT_EQUAL(lost, 2);
	CU_ASSERT_EQUAL(ping_session_next_deadline(s), UINT64_MAX);
	/* b's reply after b was settled lost: late, b stays lost */
	b.rx_ns = 11500;
	CU_ASSERT_EQUAL(ping_session_reply(s, &b, &rtt), REPLY_LATE);
	CU_ASSERT_EQUAL(ping_session_reply(s, &b, &rtt), REPLY_DUPLICATE);
	CU_ASSERT_EQUAL(s->transmitted, 3);
	CU_ASSERT_EQUAL(s->received, 1);
	CU_ASSERT_EQUAL(s->lost, 2);
	CU_ASSERT_EQUAL(s->late, 2);
	CU_ASSERT_EQUAL(s->duplicates, 1);
	CU_ASSERT_EQUAL(s->rtt.count, 1);
}

/* A request pushed out of the window before its deadline is settled. */
static void test_window_overflow_settles(void)
{
	struct esprit_echo_reply_event first;
	uint64_t rtt;

	fresh_with(&key, 4, 1000000);
	first = send_and_echo(1000, 1100);
	CU_ASSERT_EQUAL(ping_session_reply(s, &first, &rtt), REPLY_OK);
	for (int i = 0; i < 5; i++)
		send_and_echo(2000 + (uint64_t)i, 0);
	CU_ASSERT_EQUAL(s->transmitted, 6);
	CU_ASSERT_EQUAL(s->settled, 2);
	CU_ASSERT_EQUAL(s->received, 1);
	CU_ASSERT_EQUAL(s->lost, 1);
	CU_ASSERT_EQUAL(s->transmitted - s->settled, 4);
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
			{"reply_before_send_untimed",
			 test_reply_before_send_untimed},
			{"transmit_time", test_transmit_time},
			{"empty_form", test_empty_form},
			{"window_must_be_power_of_two",
			 test_window_must_be_power_of_two},
			{"settled_at_deadline", test_settled_at_deadline},
			{"window_overflow_settles",
			 test_window_overflow_settles},
			{NULL, NULL},
		},
};
