// SPDX-License-Identifier: GPL-2.0
/* esprit ping's command line: defaults, every option, every bad value. */
#include <string.h>
#include <sys/socket.h>
#include <CUnit/CUnit.h>

#include "cmd/ping_options.h"
#include "testlib.h"

static struct ping_options opt;
static char err[256];

/* Parses a NULL-terminated list; argv[0] is "ping" as in esprit. */
#define PARSE(...)                                                       \
	({                                                               \
		char *argv_[] = {"ping", __VA_ARGS__, NULL};             \
		err[0] = '\0';                                           \
		ping_options_parse(sizeof(argv_) / sizeof(argv_[0]) - 1, \
				   argv_, &opt, err, sizeof(err));       \
	})

static void test_defaults(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE("192.0.2.1"), PING_PARSE_OK);
	CU_ASSERT_STRING_EQUAL(opt.host, "192.0.2.1");
	CU_ASSERT_EQUAL(opt.count, 0);
	CU_ASSERT_EQUAL(opt.interval_ns, 1000000000ULL);
	CU_ASSERT_EQUAL(opt.wait_ns, 10000000000ULL);
	CU_ASSERT_EQUAL(opt.data_len, 56);
	CU_ASSERT_EQUAL(opt.dscp, 0);
	CU_ASSERT_EQUAL(opt.family, AF_UNSPEC);
	CU_ASSERT_STRING_EQUAL(opt.dev, "");
	CU_ASSERT_FALSE(opt.quiet);
}

static void test_every_option(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE("-c", "5", "-i", "0.25", "-s", "100", "-Q",
				    "46", "-W", "1.5", "-I", "eth0", "-6", "-q",
				    "host.example"),
			      PING_PARSE_OK);
	CU_ASSERT_EQUAL(opt.count, 5);
	CU_ASSERT_EQUAL(opt.interval_ns, 250000000ULL);
	CU_ASSERT_EQUAL(opt.data_len, 100);
	CU_ASSERT_EQUAL(opt.dscp, 46);
	CU_ASSERT_EQUAL(opt.wait_ns, 1500000000ULL);
	CU_ASSERT_STRING_EQUAL(opt.dev, "eth0");
	CU_ASSERT_EQUAL(opt.family, AF_INET6);
	CU_ASSERT_TRUE(opt.quiet);
	CU_ASSERT_STRING_EQUAL(opt.host, "host.example");
}

static void test_joined_and_host_first(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE("10.0.0.1", "-c3", "-4"), PING_PARSE_OK);
	CU_ASSERT_EQUAL(opt.count, 3);
	CU_ASSERT_EQUAL(opt.family, AF_INET);
	CU_ASSERT_STRING_EQUAL(opt.host, "10.0.0.1");
}

static void test_limits_accepted(void)
{
	CU_ASSERT_EQUAL(PARSE("-s", "16", "-i", "0.001", "-W", "0", "h"),
			PING_PARSE_OK);
	CU_ASSERT_EQUAL(opt.data_len, 16);
	CU_ASSERT_EQUAL(opt.interval_ns, 1000000ULL);
	CU_ASSERT_EQUAL(opt.wait_ns, 0);
	CU_ASSERT_EQUAL(PARSE("-s", "65000", "-c", "2147483647", "h"),
			PING_PARSE_OK);
	CU_ASSERT_EQUAL(opt.count, 2147483647ULL);
}

static void expect_error(enum ping_parse_result rc, const char *needle)
{
	CU_ASSERT_EQUAL(rc, PING_PARSE_ERROR);
	if (!strstr(err, needle)) {
		fprintf(stderr, "\nerror '%s' lacks '%s'\n", err, needle);
		CU_FAIL("error message");
	}
}

static void test_bad_values(void)
{
	expect_error(PARSE("-c", "0", "h"), "-c '0'");
	expect_error(PARSE("-c", "-1", "h"), "-c '-1'");
	expect_error(PARSE("-c", "3x", "h"), "-c '3x'");
	expect_error(PARSE("-c", "2147483648", "h"), "-c");
	expect_error(PARSE("-i", "0.0005", "h"), "-i '0.0005'");
	expect_error(PARSE("-i", "nan", "h"), "-i 'nan'");
	expect_error(PARSE("-i", "inf", "h"), "-i 'inf'");
	expect_error(PARSE("-i", "3601", "h"), "-i '3601'");
	expect_error(PARSE("-W", "-1", "h"), "-W '-1'");
	expect_error(PARSE("-s", "15", "h"), "-s '15'");
	expect_error(PARSE("-s", "65001", "h"), "-s '65001'");
	expect_error(PARSE("-s", "", "h"), "-s ''");
	expect_error(PARSE("-Q", "64", "h"), "-Q '64'");
	expect_error(PARSE("-Q", "af44", "h"), "-Q 'af44'");
	expect_error(PARSE("-I", "an-interface-name-too-long", "h"), "-I");
}

static void test_bad_usage(void)
{
	expect_error(PARSE("-x", "h"), "unknown option '-x'");
	expect_error(PARSE("--bogus", "h"), "unknown option '--bogus'");
	expect_error(PARSE("h", "-c"), "-c needs a value");
	expect_error(PARSE("-c", "1"), "no HOST");
	expect_error(PARSE("a", "b"), "one HOST only ('b' is extra)");
	expect_error(PARSE("-4", "-6", "h"), "-4 and -6");
}

static void test_help(void)
{
	CU_ASSERT_EQUAL(PARSE("--help"), PING_PARSE_HELP);
	CU_ASSERT_EQUAL(PARSE("-h", "x"), PING_PARSE_HELP);
}

static void test_long_names(void)
{
	CU_ASSERT_EQUAL_FATAL(PARSE("--count=2", "--interval", "10ms", "--dscp",
				    "af41", "--ipv4", "--quiet", "h"),
			      PING_PARSE_OK);
	CU_ASSERT_EQUAL(opt.count, 2);
	CU_ASSERT_EQUAL(opt.interval_ns, 10000000ULL);
	CU_ASSERT_EQUAL(opt.dscp, 34);
	CU_ASSERT_EQUAL(opt.family, AF_INET);
	CU_ASSERT_TRUE(opt.quiet);
	expect_error(PARSE("--count", "0", "h"), "--count '0'");
}

TEST_SUITE(ping_options) = {
	.name = "unit_ping_options",
	.cases =
		(const struct test_case[]){
			{"defaults", test_defaults},
			{"every_option", test_every_option},
			{"joined_and_host_first", test_joined_and_host_first},
			{"limits_accepted", test_limits_accepted},
			{"bad_values", test_bad_values},
			{"bad_usage", test_bad_usage},
			{"help", test_help},
			{"long_names", test_long_names},
			{NULL, NULL},
		},
};
