// SPDX-License-Identifier: GPL-2.0
/* The words ping prints for ICMP errors about its requests. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <linux/errqueue.h>
#include <CUnit/CUnit.h>

#include "echo/icmp_error.h"
#include "testlib.h"

static const char *say(uint8_t origin, uint8_t type, uint8_t code,
		       uint32_t info, int err)
{
	static char buf[128];
	struct icmp_error e = {.origin = origin,
			       .type = type,
			       .code = code,
			       .info = info,
			       .err = err};

	return icmp_error_describe(&e, buf, sizeof(buf));
}

static void test_icmp4(void)
{
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP, 3, 2, 0, ENOPROTOOPT),
			       "Destination Protocol Unreachable");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP, 3, 1, 0, EHOSTUNREACH),
			       "Destination Host Unreachable");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP, 3, 4, 1400, EMSGSIZE),
			       "Frag needed: mtu=1400");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP, 3, 13, 0, EHOSTUNREACH),
			       "Communication prohibited by filter");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP, 3, 15, 0, EHOSTUNREACH),
			       "Destination Unreachable");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP, 11, 0, 0, EHOSTUNREACH),
			       "Time to live exceeded");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP, 40, 1, 0, EPROTO), "ICMP "
									 "type "
									 "40 "
									 "code "
									 "1");
}

static void test_icmp6(void)
{
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP6, 4, 1, 0, EPROTO),
			       "Parameter problem: unrecognized Next Header");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP6, 2, 0, 1280, EMSGSIZE),
			       "Packet too big: mtu=1280");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP6, 1, 1, 0, EACCES),
			       "Destination unreachable: Administratively "
			       "prohibited");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP6, 3, 0, 0, EHOSTUNREACH),
			       "Time exceeded: Hop limit");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_ICMP6, 200, 0, 0, EPROTO),
			       "ICMPv6 type 200 code 0");
}

static void test_local(void)
{
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_LOCAL, 0, 0, 1400, EMSGSIZE),
			       "local error: Message too long: mtu=1400");
	CU_ASSERT_STRING_EQUAL(say(SO_EE_ORIGIN_LOCAL, 0, 0, 0, ENOBUFS),
			       "local error: No buffer space available");
}

/* A quote as the kernel hands it over: the request's first bytes. */
static struct icmp_error quoting(const uint8_t *bytes, size_t n)
{
	struct icmp_error e = {
		.origin = SO_EE_ORIGIN_ICMP, .type = 3, .code = 2};

	memcpy(e.quote, bytes, n);
	e.quote_len = n;
	return e;
}

static void test_quote_per_form(void)
{
	static const uint8_t subtyped[16] = {0, 0, 0, 7, 0,    0,    1, 2,
					     2, 0, 0, 8, 0x43, 0x21, 0, 9};
	static const uint8_t seed[16] = {0, 0,	  0,	7, 0,  0,   1,
					 3, 0x43, 0x21, 0, 10, 0xaa};
	static const uint8_t empty[12] = {0, 0, 0, 7, 0, 0, 1, 4, 1, 2, 2, 59};
	struct icmp_error e;
	struct icmp_quote q;

	e = quoting(subtyped, sizeof(subtyped));
	icmp_error_quote(&e, ESPRIT_ECHO_FMT_SUBTYPED, &q);
	CU_ASSERT(q.has_ident && q.has_esp_seq);
	CU_ASSERT_EQUAL(q.ident, 0x4321);
	CU_ASSERT_EQUAL(q.seq, 9);
	CU_ASSERT_EQUAL(q.esp_seq, 0x102);
	/* cut to 8 bytes, as an old router quotes: the ESP seq only */
	e.quote_len = 8;
	icmp_error_quote(&e, ESPRIT_ECHO_FMT_SUBTYPED, &q);
	CU_ASSERT(!q.has_ident && q.has_esp_seq);
	/* no Sub-Type 2: not a sub-typed request of ours */
	e = quoting(seed, sizeof(seed));
	icmp_error_quote(&e, ESPRIT_ECHO_FMT_SUBTYPED, &q);
	CU_ASSERT(!q.has_ident);
	icmp_error_quote(&e, ESPRIT_ECHO_FMT_SEED, &q);
	CU_ASSERT(q.has_ident);
	CU_ASSERT_EQUAL(q.ident, 0x4321);
	CU_ASSERT_EQUAL(q.seq, 10);
	CU_ASSERT_EQUAL(q.esp_seq, 0x103);
	e = quoting(empty, sizeof(empty));
	icmp_error_quote(&e, ESPRIT_ECHO_FMT_EMPTY, &q);
	CU_ASSERT(!q.has_ident && q.has_esp_seq);
	CU_ASSERT_EQUAL(q.esp_seq, 0x104);
	e.quote_len = 4;
	icmp_error_quote(&e, ESPRIT_ECHO_FMT_EMPTY, &q);
	CU_ASSERT(!q.has_ident && !q.has_esp_seq);
}

static void test_diagnosis(void)
{
	struct icmp_error e = {.origin = SO_EE_ORIGIN_ICMP, .type = 3};

	e.code = 2;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_NO_ESP);
	e.code = 4;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_TOO_BIG);
	e.code = 1;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_UNREACHABLE);
	e.type = 11;
	e.code = 0;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_UNREACHABLE);
	e.origin = SO_EE_ORIGIN_ICMP6;
	e.type = 4;
	e.code = 1;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_NO_ESP);
	e.code = 0;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_UNREACHABLE);
	e.type = 2;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_TOO_BIG);
	e.type = 1;
	e.code = 1;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_UNREACHABLE);
	e.origin = SO_EE_ORIGIN_LOCAL;
	e.err = EMSGSIZE;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_TOO_BIG);
	e.err = ENOBUFS;
	CU_ASSERT_EQUAL(icmp_error_diagnose(&e), ICMP_LOCAL);
}

TEST_SUITE(icmp_error) = {
	.name = "unit_icmp_error",
	.cases =
		(const struct test_case[]){
			{"icmp4", test_icmp4},
			{"icmp6", test_icmp6},
			{"local", test_local},
			{"quote_per_form", test_quote_per_form},
			{"diagnosis", test_diagnosis},
			{NULL, NULL},
		},
};
