// SPDX-License-Identifier: GPL-2.0
/* The keyed stamp in Data: what verifies, and every way it must not. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "echo/stamp.h"
#include "lib/siphash.h"
#include "testlib.h"

static const struct echo_key key = {
	.bytes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

static void test_layout(void)
{
	uint8_t data[ECHO_STAMP_LEN], msg[12] = {0x12, 0x34, 0x00, 0x07};
	uint64_t send_ns = 0x0102030405060708ULL, tag;

	echo_stamp_write(data, &key, 0x1234, 7, send_ns);
	/* send time big-endian, then the tag least significant byte first */
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(data[i], i + 1);
	for (int i = 0; i < 8; i++)
		msg[4 + i] = (uint8_t)(i + 1);
	tag = siphash24(key.bytes, msg, sizeof(msg));
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(data[8 + i], (uint8_t)(tag >> (8 * i)));
}

static void test_roundtrip(void)
{
	uint8_t data[ECHO_STAMP_LEN];
	uint64_t got = 0;

	echo_stamp_write(data, &key, 0xbeef, 65535, 123456789);
	CU_ASSERT_TRUE(echo_stamp_verify(data, sizeof(data), &key, 0xbeef,
					 65535, &got));
	CU_ASSERT_EQUAL(got, 123456789);
}

static void test_rejects_other_fields(void)
{
	uint8_t data[ECHO_STAMP_LEN];
	struct echo_key other = key;
	uint64_t got = 42;

	echo_stamp_write(data, &key, 100, 5, 999);
	CU_ASSERT_FALSE(
		echo_stamp_verify(data, sizeof(data), &key, 101, 5, &got));
	CU_ASSERT_FALSE(
		echo_stamp_verify(data, sizeof(data), &key, 100, 6, &got));
	other.bytes[0] ^= 1;
	CU_ASSERT_FALSE(
		echo_stamp_verify(data, sizeof(data), &other, 100, 5, &got));
	CU_ASSERT_EQUAL(got, 42); /* untouched on failure */
}

static void test_rejects_any_flipped_bit(void)
{
	uint8_t data[ECHO_STAMP_LEN];
	uint64_t got;

	echo_stamp_write(data, &key, 7, 8, 1000000);
	for (int bit = 0; bit < ECHO_STAMP_LEN * 8; bit++) {
		data[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		CU_ASSERT_FALSE(echo_stamp_verify(data, sizeof(data), &key, 7,
						  8, &got));
		data[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	CU_ASSERT_TRUE(echo_stamp_verify(data, sizeof(data), &key, 7, 8, &got));
}

static void test_rejects_short_data(void)
{
	uint8_t data[ECHO_STAMP_LEN];
	uint64_t got;

	echo_stamp_write(data, &key, 7, 8, 1000000);
	CU_ASSERT_FALSE(
		echo_stamp_verify(data, ECHO_STAMP_LEN - 1, &key, 7, 8, &got));
	CU_ASSERT_FALSE(echo_stamp_verify(data, 0, &key, 7, 8, &got));
}

static void test_random_keys_differ(void)
{
	struct echo_key a, b;

	CU_ASSERT_EQUAL_FATAL(echo_key_random(&a), 0);
	CU_ASSERT_EQUAL_FATAL(echo_key_random(&b), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
}

TEST_SUITE(echo_stamp) = {
	.name = "unit_echo_stamp",
	.cases =
		(const struct test_case[]){
			{"layout", test_layout},
			{"roundtrip", test_roundtrip},
			{"rejects_other_fields", test_rejects_other_fields},
			{"rejects_any_flipped_bit",
			 test_rejects_any_flipped_bit},
			{"rejects_short_data", test_rejects_short_data},
			{"random_keys_differ", test_random_keys_differ},
			{NULL, NULL},
		},
};
