// SPDX-License-Identifier: GPL-2.0
/* `esprit responder set` parsing: every key, and no change on bad input. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "echo/responder.h"
#include "testlib.h"

static int set(struct esprit_config *cfg, const char *k, const char *v)
{
	char err[256];

	return responder_config_set(cfg, k, v, err, sizeof(err));
}

static void test_flags(void)
{
	struct esprit_config cfg = {};

	CU_ASSERT_EQUAL(set(&cfg, "enabled", "off"), 0);
	CU_ASSERT_TRUE(cfg.echo_flags & ESPRIT_ECHO_OFF);
	CU_ASSERT_EQUAL(set(&cfg, "enabled", "on"), 0);
	CU_ASSERT_FALSE(cfg.echo_flags & ESPRIT_ECHO_OFF);
	CU_ASSERT_EQUAL(set(&cfg, "seq", "zero"), 0);
	CU_ASSERT_TRUE(cfg.echo_flags & ESPRIT_ECHO_SEQ_ZERO);
	CU_ASSERT_EQUAL(set(&cfg, "allowlist", "on"), 0);
	CU_ASSERT_TRUE(cfg.echo_flags & ESPRIT_ECHO_ALLOWLIST);
	CU_ASSERT_EQUAL(set(&cfg, "local-only", "on"), 0);
	CU_ASSERT_TRUE(cfg.echo_flags & ESPRIT_ECHO_LOCAL_LIST);
	CU_ASSERT_EQUAL(set(&cfg, "capture", "off"), 0);
	CU_ASSERT_TRUE(cfg.echo_flags & ESPRIT_ECHO_NO_CAPTURE);
}

static void test_formats(void)
{
	struct esprit_config cfg = {};
	const __u32 all = ESPRIT_ECHO_NO_SEED | ESPRIT_ECHO_NO_EMPTY |
			  ESPRIT_ECHO_NO_SUBTYPED;

	CU_ASSERT_EQUAL(set(&cfg, "formats", "seed"), 0);
	CU_ASSERT_EQUAL(cfg.echo_flags & all,
			ESPRIT_ECHO_NO_EMPTY | ESPRIT_ECHO_NO_SUBTYPED);
	CU_ASSERT_EQUAL(set(&cfg, "formats", "empty,subtyped"), 0);
	CU_ASSERT_EQUAL(cfg.echo_flags & all, ESPRIT_ECHO_NO_SEED);
	CU_ASSERT_EQUAL(set(&cfg, "formats", "seed,bogus"), -1);
	CU_ASSERT_EQUAL(cfg.echo_flags & all, ESPRIT_ECHO_NO_SEED);
}

static void test_numbers(void)
{
	struct esprit_config cfg = {};

	CU_ASSERT_EQUAL(set(&cfg, "rate", "500"), 0);
	CU_ASSERT_EQUAL(cfg.rate_global, 500);
	CU_ASSERT_EQUAL(set(&cfg, "rate", "unlimited"), 0);
	CU_ASSERT_EQUAL(cfg.rate_global, ESPRIT_RATE_UNLIMITED);
	CU_ASSERT_EQUAL(set(&cfg, "prefix-rate", "20"), 0);
	CU_ASSERT_EQUAL(cfg.rate_prefix, 20);
	CU_ASSERT_EQUAL(set(&cfg, "burst", "7"), 0);
	CU_ASSERT_EQUAL(cfg.rate_global_burst, 7);
	CU_ASSERT_EQUAL(set(&cfg, "prefix-burst", "3"), 0);
	CU_ASSERT_EQUAL(cfg.rate_prefix_burst, 3);
	CU_ASSERT_EQUAL(set(&cfg, "prefix-len4", "32"), 0);
	CU_ASSERT_EQUAL(cfg.prefix_len_v4, 32);
	CU_ASSERT_EQUAL(set(&cfg, "prefix-len6", "48"), 0);
	CU_ASSERT_EQUAL(cfg.prefix_len_v6, 48);
	CU_ASSERT_EQUAL(set(&cfg, "ttl", "255"), 0);
	CU_ASSERT_EQUAL(cfg.reply_ttl, 255);
	CU_ASSERT_EQUAL(set(&cfg, "spi-request", "0x17"), 0);
	CU_ASSERT_EQUAL(cfg.spi_request, 0x17);
	CU_ASSERT_EQUAL(set(&cfg, "spi-reply", "255"), 0);
	CU_ASSERT_EQUAL(cfg.spi_reply, 255);
}

/*
 * SPIs outside 1-255 could be a negotiated SA's; a request SPI equal to
 * the reply SPI would make two responders answer each other forever.
 */
static void test_spi_pair(void)
{
	static const struct {
		__u32 request, reply;
		const char *why; /* NULL: accepted */
	} cases[] = {
		{0, 0, NULL}, /* 7 and 8 */
		{9, 10, NULL},
		{0, 7, "both 7"},
		{8, 0, "both 8"},
		{42, 42, "both 42"},
		{256, 0, "must be 1-255"},
		{0, 0x1000, "must be 1-255"},
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct esprit_config cfg = {.spi_request = cases[i].request,
					    .spi_reply = cases[i].reply};
		int rc;

		err[0] = '\0';
		rc = responder_config_check(&cfg, err, sizeof(err));
		if (!cases[i].why) {
			CU_ASSERT_EQUAL(rc, 0);
			continue;
		}
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].why));
	}
}

static void test_rejects_leave_config(void)
{
	static const char *bad[][2] = {
		{"rate", "0"},
		{"rate", "-5"},
		{"rate", "fast"},
		{"prefix-len4", "33"},
		{"prefix-len6", "0"},
		{"ttl", "256"},
		{"ttl", "0"},
		{"spi-request", "0"},
		{"enabled", "maybe"},
		{"seq", "random"},
		{"burst", ""},
		{"nonsense", "1"},
		{"spi-reply", "4294967296"},
		{"spi-reply", "256"},
		{"spi-request", "0x1000"},
		{NULL, NULL},
	};
	struct esprit_config cfg = {.rate_global = 42, .reply_ttl = 9};
	struct esprit_config before = cfg;
	char err[256];

	for (int i = 0; bad[i][0]; i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(responder_config_set(&cfg, bad[i][0], bad[i][1],
						     err, sizeof(err)),
				-1);
		/* the message names the key */
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i][0]));
	}
	CU_ASSERT_EQUAL(memcmp(&cfg, &before, sizeof(cfg)), 0);
}

TEST_SUITE(responder_config_suite) = {
	.name = "unit_responder_config",
	.cases =
		(const struct test_case[]){
			{"flags", test_flags},
			{"formats", test_formats},
			{"numbers", test_numbers},
			{"spi_pair", test_spi_pair},
			{"rejects_leave_config", test_rejects_leave_config},
			{NULL, NULL},
		},
};
