// SPDX-License-Identifier: GPL-2.0
/* The words ping prints for ICMP errors about its requests. */
#include <errno.h>
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

TEST_SUITE(icmp_error) = {
	.name = "unit_icmp_error",
	.cases =
		(const struct test_case[]){
			{"icmp4", test_icmp4},
			{"icmp6", test_icmp6},
			{"local", test_local},
			{NULL, NULL},
		},
};
