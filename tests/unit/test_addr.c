// SPDX-License-Identifier: GPL-2.0
/* Address and prefix parsing into the LPM key format shared with BPF. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "lib/addr.h"
#include "testlib.h"

static void test_addr_v4_is_mapped(void)
{
	static const __u8 want[16] = {0, 0, 0,	  0,	0,   0, 0, 0,
				      0, 0, 0xff, 0xff, 192, 0, 2, 1};
	struct esprit_addr a;
	char err[128], buf[ADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(addr_parse("192.0.2.1", &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(a.family, ESPRIT_AF_INET);
	CU_ASSERT_EQUAL(memcmp(a.addr, want, 16), 0);
	CU_ASSERT_STRING_EQUAL(addr_format(&a, buf, sizeof(buf)), "192.0.2.1");
}

static void test_addr_v6(void)
{
	struct esprit_addr a;
	char err[128], buf[ADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(addr_parse("2001:db8::2", &a, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(a.family, ESPRIT_AF_INET6);
	CU_ASSERT_EQUAL(a.addr[0], 0x20);
	CU_ASSERT_EQUAL(a.addr[15], 2);
	CU_ASSERT_STRING_EQUAL(addr_format(&a, buf, sizeof(buf)), "2001:db8::"
								  "2");
}

static void test_addr_rejects_garbage(void)
{
	static const char *bad[] = {"",	    "192.0.2",	    "192.0.2.256",
				    "host", "2001:db8:::1", "192.0.2.1/24",
				    NULL};
	struct esprit_addr a;
	char err[128];

	for (int i = 0; bad[i]; i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(addr_parse(bad[i], &a, err, sizeof(err)), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an IPv4 or IPv6"));
	}
}

static void test_prefix_v4(void)
{
	struct esprit_prefix_key k;
	char err[128], buf[PREFIX_STRLEN];

	CU_ASSERT_EQUAL_FATAL(prefix_parse("198.51.100.0/24", false, &k, err,
					   sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(k.prefixlen, 96 + 24);
	CU_ASSERT_TRUE(prefix_is_v4(&k));
	CU_ASSERT_EQUAL(prefix_family_len(&k), 24);
	CU_ASSERT_STRING_EQUAL(prefix_format(&k, buf, sizeof(buf)), "198.51."
								    "100.0/24");
}

static void test_prefix_v6_and_default_route(void)
{
	struct esprit_prefix_key k;
	char err[128], buf[PREFIX_STRLEN];

	CU_ASSERT_EQUAL_FATAL(
		prefix_parse("2001:db8::/32", false, &k, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(k.prefixlen, 32);
	CU_ASSERT_FALSE(prefix_is_v4(&k));
	CU_ASSERT_EQUAL_FATAL(prefix_parse("::/0", false, &k, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(k.prefixlen, 0);
	CU_ASSERT_STRING_EQUAL(prefix_format(&k, buf, sizeof(buf)), "::/0");
	CU_ASSERT_EQUAL_FATAL(
		prefix_parse("0.0.0.0/0", false, &k, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(k.prefixlen, 96);
	CU_ASSERT_STRING_EQUAL(prefix_format(&k, buf, sizeof(buf)), "0.0.0.0/"
								    "0");
}

static void test_prefix_bare_address(void)
{
	struct esprit_prefix_key k;
	char err[128];

	CU_ASSERT_EQUAL(prefix_parse("192.0.2.7", false, &k, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no prefix length"));
	CU_ASSERT_EQUAL(prefix_parse("192.0.2.7", true, &k, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(k.prefixlen, 128);
}

static void test_prefix_rejects(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"192.0.2.1/24", "host bits"},
		{"2001:db8::1/64", "host bits"},
		{"192.0.2.0/33", "prefix length must be 0-32"},
		{"2001:db8::/129", "prefix length must be 0-128"},
		{"192.0.2.0/", "prefix length"},
		{"192.0.2.0/2x", "prefix length"},
		{"192.0.2.0/-1", "prefix length"},
		{"nonsense/8", "not an IPv4 or IPv6 prefix"},
		{NULL, NULL},
	};
	struct esprit_prefix_key k;
	char err[128];

	for (int i = 0; bad[i].text; i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(prefix_parse(bad[i].text, false, &k, err,
					     sizeof(err)),
				-1);
		if (!strstr(err, bad[i].why))
			CU_FAIL(bad[i].text);
	}
}

TEST_SUITE(addr_suite) = {
	.name = "unit_addr",
	.cases =
		(const struct test_case[]){
			{"addr_v4_is_mapped", test_addr_v4_is_mapped},
			{"addr_v6", test_addr_v6},
			{"addr_rejects_garbage", test_addr_rejects_garbage},
			{"prefix_v4", test_prefix_v4},
			{"prefix_v6_and_default_route",
			 test_prefix_v6_and_default_route},
			{"prefix_bare_address", test_prefix_bare_address},
			{"prefix_rejects", test_prefix_rejects},
			{NULL, NULL},
		},
};
