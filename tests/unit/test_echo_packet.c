// SPDX-License-Identifier: GPL-2.0
/*
 * The requests esprit ping and the daemon send, in every form, and reading
 * replies back. Expected bytes are written out from docs/protocols.md, not
 * from the builder.
 */
#include <string.h>
#include <CUnit/CUnit.h>

#include "echo/packet.h"
#include "testlib.h"

static size_t build(uint8_t *buf, size_t cap, enum esprit_echo_format f,
		    uint32_t spi, uint32_t esp_seq, uint16_t ident,
		    uint16_t seq, const uint8_t *data, size_t n)
{
	struct echo_request_spec r = {
		.format = f,
		.spi = spi,
		.esp_seq = esp_seq,
		.ident = ident,
		.seq = seq,
		.data = data,
		.data_len = n,
	};

	return echo_request_build(buf, cap, &r);
}

static void test_seed_bytes(void)
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

	CU_ASSERT_EQUAL(echo_request_len(ESPRIT_ECHO_FMT_SEED, sizeof(data),
					 false),
			sizeof(want));
	CU_ASSERT_EQUAL_FATAL(build(buf, sizeof(buf), ESPRIT_ECHO_FMT_SEED, 7,
				    0x102, 0xabcd, 9, data, sizeof(data)),
			      sizeof(want));
	CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
}

/* §1.4: no trailer, Data Length, and the return SPI only with R. */
static void test_subtyped_bytes(void)
{
	const uint8_t data[3] = {0xd0, 0xd1, 0xd2};
	const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x07, /* SPI 7 */
		0x00, 0x00, 0x00, 0x05, /* ESP sequence number */
		0x02, /* Sub-Type: Echo Request */
		0x00, /* Flags */
		0x00, 0x03, /* Data Length */
		0x12, 0x34, /* Identifier */
		0x00, 0x0a, /* Sequence */
		0xd0, 0xd1, 0xd2, /* Data */
	};
	const uint8_t want_r[] = {
		0x00, 0x00, 0x00, 0x07, 0x00,
		0x00, 0x00, 0x05, 0x02, 0x80, /* R */
		0x00, 0x03, 0x12, 0x34, 0x00,
		0x0a, 0xde, 0xad, 0xbe, 0xef, /* Return SPI */
		0xd0, 0xd1, 0xd2,
	};
	struct echo_request_spec r = {
		.format = ESPRIT_ECHO_FMT_SUBTYPED,
		.spi = 7,
		.esp_seq = 5,
		.ident = 0x1234,
		.seq = 10,
		.data = data,
		.data_len = sizeof(data),
	};
	uint8_t buf[64];

	CU_ASSERT_EQUAL_FATAL(echo_request_build(buf, sizeof(buf), &r),
			      sizeof(want));
	CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
	r.has_return_spi = true;
	r.return_spi = 0xdeadbeef;
	CU_ASSERT_EQUAL(echo_request_len(r.format, r.data_len, true),
			sizeof(want_r));
	CU_ASSERT_EQUAL_FATAL(echo_request_build(buf, sizeof(buf), &r),
			      sizeof(want_r));
	CU_ASSERT_EQUAL(memcmp(buf, want_r, sizeof(want_r)), 0);
}

/* §1.3: the -00 form, 12 bytes; it carries no Data and no return SPI. */
static void test_empty_bytes(void)
{
	const uint8_t want[] = {0, 0, 0, 7, 0, 0, 0, 9, 1, 2, 2, 59};
	struct echo_request_spec r = {
		.format = ESPRIT_ECHO_FMT_EMPTY, .spi = 7, .esp_seq = 9};
	uint8_t buf[64], data[1] = {0};

	CU_ASSERT_EQUAL_FATAL(echo_request_build(buf, sizeof(buf), &r),
			      sizeof(want));
	CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
	r.data = data;
	r.data_len = 1;
	CU_ASSERT_EQUAL(echo_request_build(buf, sizeof(buf), &r), 0);
	r.data_len = 0;
	r.has_return_spi = true;
	CU_ASSERT_EQUAL(echo_request_build(buf, sizeof(buf), &r), 0);
}

static void test_padding_every_length(void)
{
	uint8_t data[64] = {0}, buf[128];

	for (size_t n = 0; n < 40; n++) {
		size_t len = build(buf, sizeof(buf), ESPRIT_ECHO_FMT_SEED, 7, 1,
				   1, 1, data, n);
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

	CU_ASSERT_EQUAL(
		build(buf, 23, ESPRIT_ECHO_FMT_SEED, 7, 1, 1, 1, data, 8), 0);
	CU_ASSERT_EQUAL(
		build(buf, 24, ESPRIT_ECHO_FMT_SEED, 7, 1, 1, 1, data, 8), 24);
	CU_ASSERT_EQUAL(build(buf, 23, ESPRIT_ECHO_FMT_SUBTYPED, 7, 1, 1, 1,
			      data, 8),
			0);
	CU_ASSERT_EQUAL(build(buf, 24, ESPRIT_ECHO_FMT_SUBTYPED, 7, 1, 1, 1,
			      data, 8),
			24);
}

/* A reply is the request with SPI 8 (and, sub-typed, Sub-Type 3). */
static size_t as_reply(uint8_t *buf, size_t len, enum esprit_echo_format f)
{
	buf[3] = 8;
	if (f == ESPRIT_ECHO_FMT_SUBTYPED)
		buf[8] = 3;
	return len;
}

static void test_parse_every_form(void)
{
	static const enum esprit_echo_format forms[] = {
		ESPRIT_ECHO_FMT_SEED, ESPRIT_ECHO_FMT_SUBTYPED,
		ESPRIT_ECHO_FMT_EMPTY};
	uint8_t data[48], buf[128];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0x40 + i);
	for (size_t k = 0; k < 3; k++) {
		enum esprit_echo_format f = forms[k];
		size_t n = f == ESPRIT_ECHO_FMT_EMPTY ? 0 : sizeof(data);
		size_t len = as_reply(buf,
				      build(buf, sizeof(buf), f, 7, 77, 0x4321,
					    65535, data, n),
				      f);
		struct esprit_echo_reply_event ev;

		memset(&ev, 0xee, sizeof(ev));
		CU_ASSERT_EQUAL_FATAL(echo_reply_parse(buf, len, 8, &ev),
				      ECHO_PARSED);
		CU_ASSERT_EQUAL(ev.format, f);
		CU_ASSERT_EQUAL(ev.esp_seq, 77);
		CU_ASSERT_EQUAL(ev.data_len, n);
		if (f == ESPRIT_ECHO_FMT_EMPTY)
			continue;
		CU_ASSERT_EQUAL(ev.ident, 0x4321);
		CU_ASSERT_EQUAL(ev.seq, 65535);
		/* only the first ESPRIT_ECHO_EVENT_DATA bytes, as XDP copies */
		CU_ASSERT_EQUAL(memcmp(ev.data, data, ESPRIT_ECHO_EVENT_DATA),
				0);
	}
}

static void test_parse_short_data(void)
{
	uint8_t data[3] = {9, 8, 7}, buf[64];
	struct esprit_echo_reply_event ev;
	size_t len = build(buf, sizeof(buf), ESPRIT_ECHO_FMT_SEED, 8, 1, 2, 3,
			   data, 3);

	CU_ASSERT_EQUAL_FATAL(echo_reply_parse(buf, len, 8, &ev), ECHO_PARSED);
	CU_ASSERT_EQUAL(ev.data_len, 3);
	CU_ASSERT_EQUAL(memcmp(ev.data, data, 3), 0);
	CU_ASSERT_EQUAL(ev.data[3], 0);
}

static void test_parse_rejects(void)
{
	uint8_t data[6] = {0}, buf[64];
	struct esprit_echo_reply_event ev;
	size_t len = build(buf, sizeof(buf), ESPRIT_ECHO_FMT_SEED, 8, 1, 2, 3,
			   data, 6);

	CU_ASSERT_EQUAL_FATAL(len, 20); /* pad length 0 */
	CU_ASSERT_EQUAL(echo_reply_parse(buf, len, 7, &ev), ECHO_OTHER_SPI);
	CU_ASSERT_EQUAL(echo_reply_parse(buf, 11, 8, &ev), ECHO_MALFORMED);
	buf[len - 1] = 4; /* Next Header */
	CU_ASSERT_EQUAL(echo_reply_parse(buf, len, 8, &ev), ECHO_MALFORMED);
	buf[len - 1] = 59;
	buf[len - 2] = 11; /* Pad Length beyond the payload */
	CU_ASSERT_EQUAL(echo_reply_parse(buf, len, 8, &ev), ECHO_MALFORMED);
	buf[len - 2] = 2; /* padding bytes would be 0, 0: not 1, 2 */
	CU_ASSERT_EQUAL(echo_reply_parse(buf, len, 8, &ev), ECHO_MALFORMED);
	buf[len - 4] = 1;
	buf[len - 3] = 2; /* now valid: 4 bytes of Data, 2 of padding */
	CU_ASSERT_EQUAL(echo_reply_parse(buf, len, 8, &ev), ECHO_PARSED);
	CU_ASSERT_EQUAL(ev.data_len, 4);
	/* 1 to 3 bytes of payload: no room for Identifier and Sequence */
	memcpy(buf, (const uint8_t[]){0, 0, 0, 8, 0, 0, 0, 1, 9, 1, 1, 59}, 12);
	CU_ASSERT_EQUAL(echo_reply_parse(buf, 12, 8, &ev), ECHO_MALFORMED);
}

/* Sub-type 3 whose Data Length does not fit, and no trailer either. */
static void test_parse_subtyped_rejects(void)
{
	uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8}, buf[64];
	struct esprit_echo_reply_event ev;
	size_t len = as_reply(buf,
			      build(buf, sizeof(buf), ESPRIT_ECHO_FMT_SUBTYPED,
				    7, 0, 0x5151, 1, data, sizeof(data)),
			      ESPRIT_ECHO_FMT_SUBTYPED);

	CU_ASSERT_EQUAL(echo_reply_parse(buf, len, 8, &ev), ECHO_PARSED);
	buf[11] = 9; /* Data Length 9 of 8 */
	CU_ASSERT_EQUAL(echo_reply_parse(buf, len, 8, &ev), ECHO_MALFORMED);
	buf[11] = 7; /* 7 of 8 */
	CU_ASSERT_EQUAL(echo_reply_parse(buf, len, 8, &ev), ECHO_MALFORMED);
	buf[11] = 8;
	buf[8] = 2; /* a request's Sub-Type: read as a trailer form */
	CU_ASSERT_EQUAL(echo_reply_parse(buf, len, 8, &ev), ECHO_MALFORMED);
}

static void test_format_names(void)
{
	enum esprit_echo_format f;

	CU_ASSERT_EQUAL(echo_format_parse("subtyped", &f), 0);
	CU_ASSERT_EQUAL(f, ESPRIT_ECHO_FMT_SUBTYPED);
	CU_ASSERT_EQUAL(echo_format_parse("seed", &f), 0);
	CU_ASSERT_EQUAL(f, ESPRIT_ECHO_FMT_SEED);
	CU_ASSERT_EQUAL(echo_format_parse("empty", &f), 0);
	CU_ASSERT_EQUAL(f, ESPRIT_ECHO_FMT_EMPTY);
	CU_ASSERT_EQUAL(echo_format_parse("sub-typed", &f), -1);
	CU_ASSERT_EQUAL(echo_format_parse("", &f), -1);
	CU_ASSERT_STRING_EQUAL(echo_format_name(ESPRIT_ECHO_FMT_SUBTYPED), "sub"
									   "typ"
									   "e"
									   "d");
}

TEST_SUITE(echo_packet) = {
	.name = "unit_echo_packet",
	.cases =
		(const struct test_case[]){
			{"seed_bytes", test_seed_bytes},
			{"subtyped_bytes", test_subtyped_bytes},
			{"empty_bytes", test_empty_bytes},
			{"padding_every_length", test_padding_every_length},
			{"no_room", test_no_room},
			{"parse_every_form", test_parse_every_form},
			{"parse_short_data", test_parse_short_data},
			{"parse_rejects", test_parse_rejects},
			{"parse_subtyped_rejects", test_parse_subtyped_rejects},
			{"format_names", test_format_names},
			{NULL, NULL},
		},
};
