// SPDX-License-Identifier: GPL-2.0
/* The shared word parsers (lib/parse.h) and the option parser (lib/options.h). */
#include <string.h>
#include <CUnit/CUnit.h>

#include "lib/options.h"
#include "lib/parse.h"
#include "testlib.h"

static void test_uint(void)
{
	unsigned long long v = 7;
	__u32 u;

	CU_ASSERT_EQUAL(parse_uint("0", 0, 10, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(parse_uint("010", 0, 100, &v), 0);
	CU_ASSERT_EQUAL(v, 10); /* never octal */
	CU_ASSERT_EQUAL(parse_uint("0x1F", 0, 100, &v), 0);
	CU_ASSERT_EQUAL(v, 31);
	v = 7;
	CU_ASSERT_EQUAL(parse_uint("", 0, 10, &v), -1);
	CU_ASSERT_EQUAL(parse_uint("-1", 0, 10, &v), -1);
	CU_ASSERT_EQUAL(parse_uint("+1", 0, 10, &v), -1);
	CU_ASSERT_EQUAL(parse_uint(" 1", 0, 10, &v), -1);
	CU_ASSERT_EQUAL(parse_uint("1 ", 0, 10, &v), -1);
	CU_ASSERT_EQUAL(parse_uint("0x", 0, 10, &v), -1);
	CU_ASSERT_EQUAL(parse_uint("11", 0, 10, &v), -1);
	CU_ASSERT_EQUAL(parse_uint("4", 5, 10, &v), -1);
	CU_ASSERT_EQUAL(parse_uint("99999999999999999999", 0, ~0ULL, &v), -1);
	CU_ASSERT_EQUAL(parse_uint(NULL, 0, 10, &v), -1);
	CU_ASSERT_EQUAL(v, 7); /* untouched on error */
	CU_ASSERT_EQUAL(parse_u32("4294967295", 0, 0xffffffffU, &u), 0);
	CU_ASSERT_EQUAL(u, 0xffffffffU);
	CU_ASSERT_EQUAL(parse_u32("4294967296", 0, 0xffffffffU, &u), -1);
}

static void test_bool(void)
{
	bool b = false;

	CU_ASSERT_EQUAL(parse_bool("on", &b), 0);
	CU_ASSERT_TRUE(b);
	CU_ASSERT_EQUAL(parse_bool("no", &b), 0);
	CU_ASSERT_FALSE(b);
	CU_ASSERT_EQUAL(parse_bool("true", &b), 0);
	CU_ASSERT_TRUE(b);
	CU_ASSERT_EQUAL(parse_bool("On", &b), -1);
	CU_ASSERT_EQUAL(parse_bool("1", &b), -1);
	CU_ASSERT_EQUAL(parse_bool(NULL, &b), -1);
}

static void test_duration(void)
{
	uint64_t ns = 0;

	CU_ASSERT_EQUAL(parse_duration("100ms", 0, 0, ~0ULL, &ns), 0);
	CU_ASSERT_EQUAL(ns, 100000000ULL);
	CU_ASSERT_EQUAL(parse_duration("1.5s", 0, 0, ~0ULL, &ns), 0);
	CU_ASSERT_EQUAL(ns, 1500000000ULL);
	CU_ASSERT_EQUAL(parse_duration("250us", 0, 0, ~0ULL, &ns), 0);
	CU_ASSERT_EQUAL(ns, 250000ULL);
	CU_ASSERT_EQUAL(parse_duration("7ns", 0, 0, ~0ULL, &ns), 0);
	CU_ASSERT_EQUAL(ns, 7);
	CU_ASSERT_EQUAL(parse_duration("0.25", 1000000000ULL, 0, ~0ULL, &ns),
			0);
	CU_ASSERT_EQUAL(ns, 250000000ULL);
	CU_ASSERT_EQUAL(parse_duration("5", 0, 0, ~0ULL, &ns), -1);
	CU_ASSERT_EQUAL(parse_duration("5m", 0, 0, ~0ULL, &ns), -1);
	CU_ASSERT_EQUAL(parse_duration("-1s", 0, 0, ~0ULL, &ns), -1);
	CU_ASSERT_EQUAL(parse_duration("nan", 1, 0, ~0ULL, &ns), -1);
	CU_ASSERT_EQUAL(parse_duration("inf", 1, 0, ~0ULL, &ns), -1);
	CU_ASSERT_EQUAL(parse_duration("1ms", 0, 2000000, ~0ULL, &ns), -1);
	CU_ASSERT_EQUAL(parse_duration("3s", 0, 0, 2000000000ULL, &ns), -1);
}

static void test_dscp(void)
{
	__u8 d = 0;
	__u64 m = 0;
	char buf[128];

	CU_ASSERT_EQUAL(parse_dscp("ef", &d), 0);
	CU_ASSERT_EQUAL(d, 46);
	CU_ASSERT_EQUAL(parse_dscp("EF", &d), 0);
	CU_ASSERT_EQUAL(d, 46);
	CU_ASSERT_EQUAL(parse_dscp("af11", &d), 0);
	CU_ASSERT_EQUAL(d, 10);
	CU_ASSERT_EQUAL(parse_dscp("af43", &d), 0);
	CU_ASSERT_EQUAL(d, 38);
	CU_ASSERT_EQUAL(parse_dscp("cs7", &d), 0);
	CU_ASSERT_EQUAL(d, 56);
	CU_ASSERT_EQUAL(parse_dscp("le", &d), 0);
	CU_ASSERT_EQUAL(d, 1);
	CU_ASSERT_EQUAL(parse_dscp("0x2e", &d), 0);
	CU_ASSERT_EQUAL(d, 46);
	CU_ASSERT_EQUAL(parse_dscp("63", &d), 0);
	CU_ASSERT_EQUAL(d, 63);
	CU_ASSERT_EQUAL(parse_dscp("64", &d), -1);
	CU_ASSERT_EQUAL(parse_dscp("cs8", &d), -1);
	CU_ASSERT_EQUAL(parse_dscp("af44", &d), -1);
	CU_ASSERT_EQUAL(parse_dscp("", &d), -1);

	CU_ASSERT_EQUAL(parse_dscp_set("any", &m, NULL, NULL), 0);
	CU_ASSERT_EQUAL(m, DSCP_SET_ANY);
	CU_ASSERT_EQUAL(parse_dscp_set("0,10-14,ef", &m, NULL, NULL), 0);
	CU_ASSERT_EQUAL(m, 1ULL | 0x7c00ULL | 1ULL << 46);
	CU_ASSERT_STRING_EQUAL(dscp_set_format(m, buf, sizeof(buf)), "0,10-14,"
								     "46");
	CU_ASSERT_EQUAL(parse_dscp_set("cs1-cs2", &m, NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(dscp_set_format(m, buf, sizeof(buf)), "8-16");
	CU_ASSERT_EQUAL(parse_dscp_set("14-10", &m, NULL, NULL), -1);
	CU_ASSERT_EQUAL(parse_dscp_set("1,,2", &m, NULL, NULL), -1);
	CU_ASSERT_EQUAL(parse_dscp_set("", &m, NULL, NULL), -1);
	{
		size_t bad = 0, len = 0;

		CU_ASSERT_EQUAL(parse_dscp_set("ef,64,1", &m, &bad, &len), -1);
		CU_ASSERT_EQUAL(bad, 3);
		CU_ASSERT_EQUAL(len, 2);
	}
}

#define ARGV(...) ((char *[]){"cmd", __VA_ARGS__, NULL})
#define ARGC(v)	  ((int)(sizeof(v) / sizeof(char *)) - 1)

static void test_options(void)
{
	bool force = false;
	const char *mode = NULL;
	const struct cli_option opts[] = {
		{"force", 'f', NULL, .flag = &force},
		{"mode", 'm', "MODE", .value = &mode},
		{},
	};
	struct cli_common c;
	char err[256],
		*v1[] = {"cmd",	       "dev0", "--pin-dir", "/x",     "-f",
			 "--mode=skb", "-",    "--",	    "--json", NULL};
	int n = 9;

	CU_ASSERT_EQUAL(cli_parse(&n, v1, opts, 0, &c, err, sizeof(err)),
			CLI_OK);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_STRING_EQUAL(v1[0], "dev0");
	CU_ASSERT_STRING_EQUAL(v1[1], "-");
	CU_ASSERT_STRING_EQUAL(v1[2], "--json");
	CU_ASSERT_STRING_EQUAL(c.pin_dir, "/x");
	CU_ASSERT_TRUE(force);
	CU_ASSERT_STRING_EQUAL(mode, "skb");
	CU_ASSERT_FALSE(c.json);

	{
		char **v = ARGV("--json", "w");

		n = ARGC(ARGV("--json", "w"));
		CU_ASSERT_EQUAL(cli_parse(&n, v, opts, 0, &c, err, sizeof(err)),
				CLI_ERROR); /* --json is not offered here */
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "'--json'"));
		n = ARGC(ARGV("--json", "w"));
		v = ARGV("--json", "w");
		CU_ASSERT_EQUAL(cli_parse(&n, v, opts, CLI_JSON, &c, err,
					  sizeof(err)),
				CLI_OK);
		CU_ASSERT_TRUE(c.json);
	}
	{
		char **v = ARGV("--mode");

		n = 2;
		CU_ASSERT_EQUAL(cli_parse(&n, v, opts, 0, &c, err, sizeof(err)),
				CLI_ERROR);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "--mode needs a value"));
	}
	{
		char **v = ARGV("--force=1");

		n = 2;
		CU_ASSERT_EQUAL(cli_parse(&n, v, opts, 0, &c, err, sizeof(err)),
				CLI_ERROR);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "takes no value"));
	}
	{
		char **v = ARGV("x", "-h", "--bogus");

		n = 4;
		CU_ASSERT_EQUAL(cli_parse(&n, v, opts, 0, &c, err, sizeof(err)),
				CLI_HELP);
	}
}

TEST_SUITE(parse) = {
	.name = "unit_parse",
	.cases =
		(const struct test_case[]){
			{"uint", test_uint},
			{"bool", test_bool},
			{"duration", test_duration},
			{"dscp", test_dscp},
			{"options", test_options},
			{NULL, NULL},
		},
};
