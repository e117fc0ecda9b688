// SPDX-License-Identifier: GPL-2.0
/* The seed-form request esprit ping sends, and reading replies back. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "echo/packet.h"
#include "testlib.h"

static void test_request_bytes(void)
{
	const uint8_t data[5] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4};
	/* 8 + 4 + 5 = 17; +2 trailer = 19; 1 byte of padding makes 20 */
	const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x07, /* SPI 7 */
		0x00, 0x00, 0x01, 0x02, /* ESP sequence number */
		0xab, 0xcd, /* Identifier */
		0x00, 0x09, /* Sequence */
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, /* Data */
		0x01, /* padding */
		0x01, /* Pad Length */
		59, /* Next Header: none */
	};
	uint8_t buf[64];

	CU_ASSERT_EQUAL(echo_seed_len(sizeof(data)), sizeof(want));
	CU_ASSERT_EQUAL_FATAL(echo_seed_build(buf, sizeof(buf), 7, 0x102,
					      0xabcd, 9, data, sizeof(data)),
			      sizeof(want));
	CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
}

static void test_padding_every_length(void)
{
	uint8_t data[64] = {0}, buf[128];

	for (size_t n = 0; n < 40; n++) {
		size_t len =
			echo_seed_build(buf, sizeof(buf), 7, 1, 1, 1, data, n);
		size_t pad = buf[len - 2];

		CU_ASSERT_EQUAL(len % 4, 0);
		CU_ASSERT(pad <= 3);
		CU_ASSERT_EQUAL(len, 8 + 4 + n + pad + 2);
		for (size_t i = 0; i < pad; i++)
			CU_ASSERT_EQUAL(buf[len - 2 - pad + i], i + 1);
		CU_ASSERT_EQUAL(buf[len - 1], 59);
	}
}

static void test_no_room(void)
{
	uint8_t data[8] = {0}, buf[24];

	CU_ASSERT_EQUAL(echo_seed_build(buf, 23, 7, 1, 1, 1, data, 8), 0);
	CU_ASSERT_EQUAL(echo_seed_build(buf, 24, 7, 1, 1, 1, data, 8), 24);
}

static void test_parse_roundtrip(void)
{
	uint8_t data[48], buf[128];
	struct esprit_echo_reply_event ev;
	size_t len;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0x40 + i);
	len = echo_seed_build(buf, sizeof(buf), 8, 77, 0x4321, 65535, data,
			      sizeof(data));
	memset(&ev, 0xee, sizeof(ev));
	CU_ASSERT_EQUAL_FATAL(echo_seed_parse(buf, len, 8, &ev), 0);
	CU_ASSERT_EQUAL(ev.format, ESPRIT_ECHO_FMT_SEED);
	CU_ASSERT_EQUAL(ev.esp_seq, 77);
	CU_ASSERT_EQUAL(ev.ident, 0x4321);
	CU_ASSERT_EQUAL(ev.seq, 65535);
	CU_ASSERT_EQUAL(ev.data_len, sizeof(data));
	/* only the first ESPRIT_ECHO_EVENT_DATA bytes, as XDP copies */
	CU_ASSERT_EQUAL(memcmp(ev.data, data, ESPRIT_ECHO_EVENT_DATA), 0);
}

static void test_parse_short_data(void)
{
	uint8_t data[3] = {9, 8, 7}, buf[64];
	struct esprit_echo_reply_event ev;
	size_t len = echo_seed_build(buf, sizeof(buf), 8, 1, 2, 3, data, 3);

	CU_ASSERT_EQUAL_FATAL(echo_seed_parse(buf, len, 8, &ev), 0);
	CU_ASSERT_EQUAL(ev.data_len, 3);
	CU_ASSERT_EQUAL(memcmp(ev.data, data, 3), 0);
	CU_ASSERT_EQUAL(ev.data[3], 0);
}

static void test_parse_rejects(void)
{
	uint8_t data[6] = {0}, buf[64];
	struct esprit_echo_reply_event ev;
	size_t len = echo_seed_build(buf, sizeof(buf), 8, 1, 2, 3, data, 6);

	CU_ASSERT_EQUAL_FATAL(len, 20); /* pad length 0 */
	CU_ASSERT_EQUAL(echo_seed_parse(buf, len, 7, &ev), -1); /* SPI */
	CU_ASSERT_EQUAL(echo_seed_parse(buf, 13, 8, &ev), -1); /* short */
	buf[len - 1] = 4; /* Next Header */
	CU_ASSERT_EQUAL(echo_seed_parse(buf, len, 8, &ev), -1);
	buf[len - 1] = 59;
	buf[len - 2] = 7; /* Pad Length beyond Data */
	CU_ASSERT_EQUAL(echo_seed_parse(buf, len, 8, &ev), -1);
	buf[len - 2] = 2; /* padding bytes would be 0, 0: not 1, 2 */
	CU_ASSERT_EQUAL(echo_seed_parse(buf, len, 8, &ev), -1);
	buf[len - 4] = 1;
	buf[len - 3] = 2; /* now valid: 4 bytes of Data, 2 of padding */
	CU_ASSERT_EQUAL(echo_seed_parse(buf, len, 8, &ev), 0);
	CU_ASSERT_EQUAL(ev.data_len, 4);
}

TEST_SUITE(echo_packet) = {
	.name = "unit_echo_packet",
	.cases =
		(const struct test_case[]){
			{"request_bytes", test_request_bytes},
			{"padding_every_length", test_padding_every_length},
			{"no_room", test_no_room},
			{"parse_roundtrip", test_parse_roundtrip},
			{"parse_short_data", test_parse_short_data},
			{"parse_rejects", test_parse_rejects},
			{NULL, NULL},
		},
};
