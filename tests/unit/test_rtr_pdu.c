// SPDX-License-Identifier: GPL-2.0
/*
 * The checks on a cache's PDUs (risav/rtr_pdu.h): each PDU type at its
 * RFC 8210 length passes, prefixes beyond their family and max lengths
 * below the prefix length are Corrupt Data, unknown types are reported as
 * such, and an Error Report carries the PDU and the text.
 */
#include <string.h>
#include <CUnit/CUnit.h>

#include "risav/rtr_pdu.h"
#include "testlib.h"

static char why[160];

static size_t pdu(__u8 *p, __u8 ver, __u8 type, __u32 len)
{
	memset(p, 0, len < 64 ? 64 : len);
	p[0] = ver;
	p[1] = type;
	p[4] = len >> 24;
	p[5] = len >> 16;
	p[6] = len >> 8;
	p[7] = len;
	return len;
}

static int prefix(__u8 type, __u8 flags, __u8 len, __u8 max_len)
{
	__u8 p[64];
	size_t n = pdu(p, 1, type, type == RTR_PDU_IPV4_PREFIX ? 20 : 32);

	p[8] = flags;
	p[9] = len;
	p[10] = max_len;
	return rtr_pdu_check(p, n, why, sizeof(why));
}

static void test_lengths(void)
{
	__u8 p[64];

	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 1, 3, 8), why, sizeof(why)),
			-1);
	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 1, 0, 12), why, sizeof(why)),
			-1);
	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 1, 7, 24), why, sizeof(why)),
			-1);
	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 0, 7, 12), why, sizeof(why)),
			-1);
	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 1, 7, 12), why, sizeof(why)),
			RTR_ERR_CORRUPT_DATA);
	CU_ASSERT_STRING_EQUAL(why, "PDU type 7 of 12 bytes (version 1 has "
				    "24)");
	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 1, 10, 12), why, sizeof(why)),
			RTR_ERR_CORRUPT_DATA);
	CU_ASSERT_EQUAL(rtr_pdu_check(p, 4, why, sizeof(why)),
			RTR_ERR_CORRUPT_DATA);
	/* a later version is rtrlib's to negotiate */
	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 2, 99, 8), why, sizeof(why)),
			-1);
}

static void test_types(void)
{
	__u8 p[64];

	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 1, 99, 8), why, sizeof(why)),
			RTR_ERR_UNSUPPORTED_PDU_TYPE);
	CU_ASSERT_STRING_EQUAL(why, "unknown PDU type 99 (version 1)");
	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 1, 5, 8), why, sizeof(why)),
			RTR_ERR_UNSUPPORTED_PDU_TYPE);
	/* Router Keys exist from version 1 */
	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 0, 9, 40), why, sizeof(why)),
			RTR_ERR_UNSUPPORTED_PDU_TYPE);
	CU_ASSERT_EQUAL(rtr_pdu_check(p, pdu(p, 1, 9, 40), why, sizeof(why)),
			-1);
}

static void test_prefixes(void)
{
	CU_ASSERT_EQUAL(prefix(RTR_PDU_IPV4_PREFIX, 1, 24, 24), -1);
	CU_ASSERT_EQUAL(prefix(RTR_PDU_IPV4_PREFIX, 0, 0, 32), -1);
	CU_ASSERT_EQUAL(prefix(RTR_PDU_IPV6_PREFIX, 1, 48, 128), -1);
	CU_ASSERT_EQUAL(prefix(RTR_PDU_IPV4_PREFIX, 1, 33, 33),
			RTR_ERR_CORRUPT_DATA);
	CU_ASSERT_STRING_EQUAL(why, "IPv4 Prefix PDU with prefix length 33 (at "
				    "most 32)");
	CU_ASSERT_EQUAL(prefix(RTR_PDU_IPV4_PREFIX, 1, 24, 23),
			RTR_ERR_CORRUPT_DATA);
	CU_ASSERT_STRING_EQUAL(why, "IPv4 Prefix PDU with max length 23 for a "
				    "/24 (must be 24-32)");
	CU_ASSERT_EQUAL(prefix(RTR_PDU_IPV4_PREFIX, 1, 24, 33),
			RTR_ERR_CORRUPT_DATA);
	CU_ASSERT_EQUAL(prefix(RTR_PDU_IPV6_PREFIX, 1, 129, 129),
			RTR_ERR_CORRUPT_DATA);
	CU_ASSERT_EQUAL(prefix(RTR_PDU_IPV6_PREFIX, 2, 48, 48),
			RTR_ERR_CORRUPT_DATA);
	CU_ASSERT_STRING_EQUAL(why, "IPv6 Prefix PDU with flags 2");
}

static void test_error_report(void)
{
	__u8 bad[64], out[128];
	size_t n;

	pdu(bad, 1, RTR_PDU_IPV4_PREFIX, 20);
	n = rtr_pdu_error_report(1, RTR_ERR_CORRUPT_DATA, bad, 20, "bad", out,
				 sizeof(out));
	CU_ASSERT_EQUAL(n, 16 + 20 + 3);
	CU_ASSERT_EQUAL(out[0], 1);
	CU_ASSERT_EQUAL(out[1], RTR_PDU_ERROR_REPORT);
	CU_ASSERT_EQUAL(rtr_pdu_length(out), n);
	CU_ASSERT_EQUAL(out[11], 20);
	CU_ASSERT_EQUAL(memcmp(out + 12, bad, 20), 0);
	CU_ASSERT_EQUAL(out[35], 3);
	CU_ASSERT_EQUAL(memcmp(out + 36, "bad", 3), 0);
	CU_ASSERT_EQUAL(rtr_pdu_check(out, n, why, sizeof(why)), -1);
	/* room is short: the quoted PDU is cut, the report still whole */
	n = rtr_pdu_error_report(1, 0, bad, 20, "bad", out, 24);
	CU_ASSERT_EQUAL(n, 24);
	CU_ASSERT_EQUAL(rtr_pdu_length(out), 24);
	CU_ASSERT_EQUAL(rtr_pdu_error_report(1, 0, bad, 20, "x", out, 8), 0);
}

TEST_SUITE(rtr_pdu) = {
	.name = "unit_rtr_pdu",
	.cases =
		(const struct test_case[]){
			{"lengths", test_lengths},
			{"types", test_types},
			{"prefixes", test_prefixes},
			{"error_report", test_error_report},
			{NULL, NULL},
		},
};
