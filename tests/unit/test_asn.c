// SPDX-License-Identifier: GPL-2.0
/* AS numbers as operators (64500, AS64500) and RPKI tools write them. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "lib/asn.h"
#include "testlib.h"

static void test_asplain_and_as_prefix(void)
{
	static const struct {
		const char *text;
		__u32 asn;
	} good[] = {
		{"1", 1},
		{"64500", 64500},
		{"AS64500", 64500},
		{"as64500", 64500},
		{"aS7", 7},
		{"4294967295", 4294967295U},
		{"AS4294967295", 4294967295U},
	};
	char err[128];
	__u32 asn;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		asn = 0;
		CU_ASSERT_EQUAL(asn_parse(good[i].text, false, &asn, err,
					  sizeof(err)),
				0);
		CU_ASSERT_EQUAL(asn, good[i].asn);
	}
}

static void test_out_of_range(void)
{
	static const char *big[] = {"4294967296", "AS4294967296",
				    "99999999999999999999", NULL};
	char err[128];
	__u32 asn = 7;

	for (int i = 0; big[i]; i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(
			asn_parse(big[i], false, &asn, err, sizeof(err)), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of range"));
	}
	CU_ASSERT_EQUAL(asn, 7); /* untouched on error */
	CU_ASSERT_EQUAL(asn_parse("0", false, &asn, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of range (1-4294967295)"));
	CU_ASSERT_EQUAL(asn_parse("AS0", false, &asn, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(asn_check(-1, true, &asn, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(asn_check(4294967296LL, true, &asn, err, sizeof(err)),
			-1);
}

static void test_as0_only_when_allowed(void)
{
	char err[128];
	__u32 asn = 7;

	CU_ASSERT_EQUAL(asn_parse("AS0", true, &asn, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(asn, 0);
	asn = 7;
	CU_ASSERT_EQUAL(asn_check(0, true, &asn, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(asn, 0);
}

static void test_not_numbers(void)
{
	static const char *bad[] = {"",	    "AS",  "ASN64500", "-1",  "+1",
				    " 1",   "1 ",  "0x10",     "1.5", "64500a",
				    "AS-1", "007", "A S1",     NULL};
	char err[128];
	__u32 asn;

	for (int i = 0; bad[i]; i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(asn_parse(bad[i], true, &asn, err, sizeof(err)),
				-1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "is not an AS number"));
	}
}

static const struct test_case cases[] = {
	{"asplain_and_as_prefix", test_asplain_and_as_prefix},
	{"out_of_range", test_out_of_range},
	{"as0_only_when_allowed", test_as0_only_when_allowed},
	{"not_numbers", test_not_numbers},
	{NULL, NULL},
};

TEST_SUITE(suite) = {
	.name = "unit_asn",
	.cases = cases,
};
