// SPDX-License-Identifier: GPL-2.0
/*
 * The RPKI import parser: both formats, the merge rules (duplicates, MOAS,
 * AS0), every kind of malformed file, and that errors name the entry and
 * its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "lib/addr.h"
#include "risav/rpki.h"
#include "testlib.h"

static struct prefix_table t;
static struct rpki_summary sum;
static struct rpki_errors errs;

static int parse(const char *json)
{
	prefix_table_free(&t);
	return rpki_parse("f.json", json, strlen(json), &t, &sum, &errs);
}

/* The origin loaded for prefix text, -1 if it is not in the table. */
static long long loaded(const char *text)
{
	struct esprit_prefix_key k;
	const struct prefix_entry *e;
	char err[128];

	if (table_prefix_parse(text, &k, err, sizeof(err)))
		return -2;
	e = prefix_table_find(&t, &k);
	return e ? (long long)e->asn : -1;
}

/* Expects a failure whose first message contains want. */
static void expect_error(const char *json, const char *want)
{
	int rc = parse(json);

	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT(errs.count >= 1);
	CU_ASSERT_EQUAL(t.n, 0);
	if (!errs.count || !strstr(errs.msg[0], want)) {
		fprintf(stderr, "\n  want '%s'\n  got  '%s'\n", want,
			errs.count ? errs.msg[0] : "(no error)");
		CU_FAIL("error message");
	}
}

static void test_rpki_client_format(void)
{
	const char *json =
		"{\n"
		"\t\"metadata\": {\"buildmachine\": \"rpki.example\", "
		"\"buildtime\": \"2025-01-01T00:00:00Z\", \"roas\": 3},\n"
		"\t\"roas\": [\n"
		"\t\t{ \"asn\": 13335, \"prefix\": \"1.0.0.0/24\", "
		"\"maxLength\": 24, \"ta\": \"apnic\", \"expires\": 1753280249 "
		"},\n"
		"\t\t{ \"asn\": 64500, \"prefix\": \"2001:db8::/32\", "
		"\"maxLength\": 48, \"ta\": \"ripe\", \"expires\": 1 },\n"
		"\t\t{ \"asn\": 4294967295, \"prefix\": \"0.0.0.0/0\", "
		"\"maxLength\": 0, \"ta\": \"x\", \"expires\": 1 }\n"
		"\t],\n"
		"\t\"bgpsec_keys\": [{\"asn\": 1, \"ski\": \"ab\"}],\n"
		"\t\"aspas\": []\n"
		"}\n";

	CU_ASSERT_EQUAL_FATAL(parse(json), 0);
	CU_ASSERT_EQUAL(sum.format, RPKI_FORMAT_RPKI_CLIENT);
	CU_ASSERT_EQUAL(sum.entries, 3);
	CU_ASSERT_EQUAL(sum.loaded, 3);
	CU_ASSERT_EQUAL(sum.v4, 2);
	CU_ASSERT_EQUAL(sum.v6, 1);
	CU_ASSERT_EQUAL(sum.duplicates + sum.conflicts + sum.as0, 0);
	CU_ASSERT_EQUAL(loaded("1.0.0.0/24"), 13335);
	CU_ASSERT_EQUAL(loaded("2001:db8::/32"), 64500);
	CU_ASSERT_EQUAL(loaded("0.0.0.0/0"), 4294967295LL);
}

static void test_routinator_format(void)
{
	const char *json =
		"{\n  \"metadata\": {\n    \"generated\": 1626853335,\n"
		"    \"generatedTime\": \"2021-07-21T07:42:15Z\"\n  },\n"
		"  \"roas\": [\n"
		"    { \"asn\": \"AS13335\", \"prefix\": \"1.0.0.0/24\", "
		"\"maxLength\": 24, \"ta\": \"apnic\" },\n"
		"    { \"asn\": \"AS64500\", \"prefix\": \"2001:db8::/32\", "
		"\"maxLength\": 32, \"ta\": \"ripe\",\n"
		"      \"source\": [{\"type\": \"roa\", \"uri\": "
		"\"rsync://x/[a]{b}\\\"c\"}] }\n"
		"  ]\n}\n";

	CU_ASSERT_EQUAL_FATAL(parse(json), 0);
	CU_ASSERT_EQUAL(sum.format, RPKI_FORMAT_ROUTINATOR);
	CU_ASSERT_EQUAL(sum.loaded, 2);
	CU_ASSERT_EQUAL(loaded("1.0.0.0/24"), 13335);
	CU_ASSERT_EQUAL(loaded("2001:db8::/32"), 64500);
}

static void test_mixed_and_empty(void)
{
	CU_ASSERT_EQUAL(parse("{\"roas\": [{\"asn\": 1, \"prefix\": "
			      "\"192.0.2.0/24\"}, {\"asn\": \"AS2\", "
			      "\"prefix\": \"198.51.100.0/24\"}]}"),
			0);
	CU_ASSERT_EQUAL(sum.format, RPKI_FORMAT_MIXED);
	CU_ASSERT_EQUAL(sum.loaded, 2);
	CU_ASSERT_EQUAL(parse("{\"metadata\": {}, \"roas\": []}"), 0);
	CU_ASSERT_EQUAL(sum.format, RPKI_FORMAT_EMPTY);
	CU_ASSERT_EQUAL(sum.entries, 0);
	CU_ASSERT_EQUAL(sum.loaded, 0);
	CU_ASSERT_EQUAL(t.n, 0);
	CU_ASSERT_EQUAL(errs.count, 0);
}

static void test_moas_duplicates_as0(void)
{
	const char *json =
		"{\"roas\": [\n"
		/* MOAS: three origins, one of them twice */
		"{\"asn\": 64501, \"prefix\": \"192.0.2.0/24\", "
		"\"maxLength\": 24},\n"
		"{\"asn\": 64500, \"prefix\": \"192.0.2.0/24\", "
		"\"maxLength\": 24},\n"
		"{\"asn\": 64502, \"prefix\": \"192.0.2.0/24\", "
		"\"maxLength\": 24},\n"
		"{\"asn\": 64500, \"prefix\": \"192.0.2.0/24\", "
		"\"maxLength\": 24},\n"
		/* duplicate with another maxLength and trust anchor */
		"{\"asn\": 64510, \"prefix\": \"198.51.100.0/22\", "
		"\"maxLength\": 22, \"ta\": \"a\"},\n"
		"{\"asn\": 64510, \"prefix\": \"198.51.100.0/22\", "
		"\"maxLength\": 24, \"ta\": \"b\"},\n"
		/* AS0 alone, and AS0 beside one origin */
		"{\"asn\": 0, \"prefix\": \"203.0.113.0/24\", "
		"\"maxLength\": 24},\n"
		"{\"asn\": \"AS0\", \"prefix\": \"2001:db8::/32\", "
		"\"maxLength\": 32},\n"
		"{\"asn\": 64520, \"prefix\": \"2001:db8::/32\", "
		"\"maxLength\": 32}\n"
		"]}";

	CU_ASSERT_EQUAL_FATAL(parse(json), 0);
	CU_ASSERT_EQUAL(sum.entries, 9);
	CU_ASSERT_EQUAL(sum.as0, 2);
	CU_ASSERT_EQUAL(sum.duplicates, 2);
	CU_ASSERT_EQUAL(sum.conflicts, 1);
	CU_ASSERT_EQUAL(sum.loaded, 3);
	CU_ASSERT_EQUAL(loaded("192.0.2.0/24"), ESPRIT_ASN_NONE);
	CU_ASSERT_EQUAL(loaded("198.51.100.0/22"), 64510);
	CU_ASSERT_EQUAL(loaded("203.0.113.0/24"), -1);
	CU_ASSERT_EQUAL(loaded("2001:db8::/32"), 64520);
	CU_ASSERT_STRING_EQUAL(sum.conflict_example, "192.0.2.0/24: AS64500, "
						     "AS64501, AS64502");
}

static void test_syntax_errors_have_line_and_column(void)
{
	/* inside an entry: missing comma after "asn" on line 3 */
	expect_error("{\"roas\": [\n"
		     "{\"asn\": 1, \"prefix\": \"192.0.2.0/24\"},\n"
		     "{\"asn\": 2 \"prefix\": \"198.51.100.0/24\"}\n"
		     "]}",
		     "f.json:3:");
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[0], "roas[1]"));
	/* between entries: no comma */
	expect_error("{\"roas\": [\n"
		     "{\"asn\": 1, \"prefix\": \"192.0.2.0/24\"}\n"
		     "{\"asn\": 2, \"prefix\": \"198.51.100.0/24\"}\n"
		     "]}",
		     "f.json:3:1:");
	/* truncated */
	expect_error("{\"roas\": [\n"
		     "{\"asn\": 1, \"prefix\": \"192.0.2.0/24\"},\n"
		     "{\"asn\": 2, \"prefix\": \"198.51",
		     "f.json:3:");
	/* in the metadata, before the array */
	expect_error("{\"metadata\": {\"a\": tru},\n"
		     "\"roas\": [{\"asn\": 1, \"prefix\": \"192.0.2.0/24\"}]}",
		     "f.json:1:");
	/* after the array, lines below it */
	expect_error("{\"roas\": [\n"
		     "{\"asn\": 1, \"prefix\": \"192.0.2.0/24\"},\n"
		     "{\"asn\": 1, \"prefix\": \"192.0.3.0/24\"}\n"
		     "],\n"
		     "\"aspas\": [1, 2,,]\n"
		     "}",
		     "f.json:5:");
	/* after the array, on its closing line */
	expect_error("{\"roas\": [\n"
		     "{\"asn\": 1, \"prefix\": \"192.0.2.0/24\"}\n"
		     "], \"x\": }",
		     "f.json:3:");
	/* trailing garbage, duplicate keys, empty input, a bare array */
	expect_error("{\"roas\": []} x", "f.json:1:");
	expect_error("{\"roas\": [{\"asn\": 1, \"asn\": 2, \"prefix\": "
		     "\"192.0.2.0/24\"}]}",
		     "duplicate");
	expect_error("", "f.json:");
	expect_error("[1, 2]", "top level is not an object");
	expect_error("{\"roas\": [1,]}", "f.json:1:");
	expect_error("{\"roas\": [{\"asn\": 1, \"prefix\": \"192.0.2.0/24\n"
		     "\"}]}",
		     "f.json:1:");
}

static void test_missing_or_wrong_roas(void)
{
	expect_error("{\"metadata\": {\"roas\": []}}", "no \"roas\" array");
	expect_error("{}", "no \"roas\" array");
	expect_error("{\"roas\": {\"asn\": 1}}", "\"roas\" is not an array");
	expect_error("{\"roas\": [1]}", "roas[0]: entry is not an object");
	expect_error("{\"roas\": [], \"roas\": []}", "duplicate");
}

static void test_bad_entries_name_index_and_line(void)
{
	static const struct {
		const char *entry;
		const char *want;
	} bad[] = {
		{"{\"asn\": 1, \"prefix\": \"192.0.2.0/33\"}", "prefix length"},
		{"{\"asn\": 1, \"prefix\": \"192.0.2.1/24\"}", "host bits"},
		{"{\"asn\": 1, \"prefix\": \"192.0.2.0\"}", "no prefix length"},
		{"{\"asn\": 1, \"prefix\": \"example.net/24\"}", "not an IPv4 "
								 "or IPv6 "
								 "prefix"},
		{"{\"asn\": 1, \"prefix\": 17}", "prefix must be a string"},
		{"{\"asn\": 1, \"prefix\": \"::/0\"}", "covers ::ffff:0:0/96"},
		{"{\"asn\": 1, \"prefix\": \"::ffff:10.0.0.0/104\"}", "IPv4-"
								      "mapped"},
		{"{\"asn\": 4294967296, \"prefix\": \"192.0.2.0/24\"}", "out "
									"of "
									"rang"
									"e"},
		{"{\"asn\": -1, \"prefix\": \"192.0.2.0/24\"}", "out of range"},
		{"{\"asn\": \"AS4294967296\", \"prefix\": \"192.0.2.0/24\"}",
		 "out of range"},
		{"{\"asn\": \"ASxyz\", \"prefix\": \"192.0.2.0/24\"}", "not an "
								       "AS "
								       "numbe"
								       "r"},
		{"{\"asn\": \"64500\", \"prefix\": \"192.0.2.0/24\"}", "must "
								       "start "
								       "with "
								       "\"AS"
								       "\""},
		{"{\"asn\": 64500.5, \"prefix\": \"192.0.2.0/24\"}", "asn must "
								     "be a "
								     "number"},
		{"{\"asn\": null, \"prefix\": \"192.0.2.0/24\"}", "asn must be "
								  "a number"},
		{"{\"prefix\": \"192.0.2.0/24\"}", "no \"asn\""},
		{"{\"asn\": 1}", "no \"prefix\""},
		{"{\"asn\": 1, \"prefix\": \"192.0.2.0/24\", \"maxLength\": "
		 "23}",
		 "maxLength 23 is outside 24-32"},
		{"{\"asn\": 1, \"prefix\": \"192.0.2.0/24\", \"maxLength\": "
		 "33}",
		 "maxLength 33 is outside 24-32"},
		{"{\"asn\": 1, \"prefix\": \"2001:db8::/32\", \"maxLength\": "
		 "129}",
		 "maxLength 129 is outside 32-128"},
		{"{\"asn\": 1, \"prefix\": \"192.0.2.0/24\", \"maxLength\": "
		 "\"24\"}",
		 "maxLength must be an integer"},
	};
	char json[512], want[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* the bad entry is roas[1], on line 4 */
		snprintf(json, sizeof(json),
			 "{\n\"roas\": [\n"
			 "{\"asn\": 7, \"prefix\": \"10.0.0.0/8\"},\n"
			 "%s\n]}",
			 bad[i].entry);
		expect_error(json, bad[i].want);
		snprintf(want, sizeof(want), "f.json:4: roas[1]: ");
		if (!errs.count || !strstr(errs.msg[0], want)) {
			fprintf(stderr, "\n  want '%s' in '%s'\n", want,
				errs.count ? errs.msg[0] : "");
			CU_FAIL("location");
		}
	}
}

static void test_valid_maxlength_and_edges(void)
{
	CU_ASSERT_EQUAL(parse("{\"roas\": ["
			      "{\"asn\": 1, \"prefix\": \"192.0.2.0/24\", "
			      "\"maxLength\": 24},"
			      "{\"asn\": 1, \"prefix\": \"10.0.0.0/8\", "
			      "\"maxLength\": 32},"
			      "{\"asn\": 1, \"prefix\": \"2001:db8::/32\", "
			      "\"maxLength\": 128},"
			      "{\"asn\": 1, \"prefix\": \"::1/128\"}]}"),
			0);
	CU_ASSERT_EQUAL(sum.loaded, 4);
}

/* Many entries: the worker threads split them; errors come back in file
 * order whatever thread found them. */
static char *big_file(size_t n, size_t bad_every)
{
	size_t cap = n * 96 + 64, len = 0;
	char *buf = malloc(cap);

	len += snprintf(buf + len, cap - len, "{\"roas\": [\n");
	for (size_t i = 0; i < n; i++) {
		bool bad = bad_every && i % bad_every == bad_every - 1;

		if (i % 5 == 4)
			len += snprintf(buf + len, cap - len,
					"{\"asn\": %zu, \"prefix\": "
					"\"2001:db8:%zx::/48\", \"maxLength\": "
					"48}%s\n",
					i + 1, i, i + 1 < n ? "," : "");
		else
			len += snprintf(buf + len, cap - len,
					"{\"asn\": \"AS%zu\", \"prefix\": "
					"\"10.%zu.%zu.0/%d\", \"maxLength\": "
					"24}%s\n",
					i + 1, i >> 16 & 0xff, i >> 8 & 0xff,
					bad ? 33 : 24, i + 1 < n ? "," : "");
	}
	snprintf(buf + len, cap - len, "]}\n");
	return buf;
}

static void test_many_entries_on_threads(void)
{
	/* i >> 8 repeats every 256 entries: /24 duplicates of 10.x.y.0
	 * with other ASNs are conflicts */
	char *json = big_file(60000, 0);

	CU_ASSERT_EQUAL_FATAL(parse(json), 0);
	CU_ASSERT_EQUAL(sum.entries, 60000);
	CU_ASSERT_EQUAL(sum.format, RPKI_FORMAT_MIXED);
	CU_ASSERT_EQUAL(sum.v6, 12000);
	/* 48000 IPv4 entries over 235 distinct /24s (10.0.0.0 .. 10.0.234.0)
	 */
	CU_ASSERT_EQUAL(sum.v4, 235);
	CU_ASSERT_EQUAL(sum.conflicts, 235);
	CU_ASSERT_EQUAL(sum.loaded, 12000 + 235);
	free(json);
}

static void test_errors_in_file_order(void)
{
	char *json = big_file(60000, 7001);

	CU_ASSERT_EQUAL(parse(json), -1);
	/* entries 7000, 14001, ... (i % 7001 == 7000) that are IPv4 */
	CU_ASSERT(errs.count >= RPKI_ERRORS_SHOWN);
	for (size_t i = 0; i < RPKI_ERRORS_SHOWN && i < errs.count; i++) {
		char want[64];
		size_t first_bad[RPKI_ERRORS_SHOWN], k = 0;

		for (size_t e = 7000; k < RPKI_ERRORS_SHOWN; e += 7001)
			if (e % 5 != 4)
				first_bad[k++] = e;
		snprintf(want, sizeof(want),
			 "f.json:%zu: roas[%zu]:", first_bad[i] + 2,
			 first_bad[i]);
		if (!strstr(errs.msg[i], want)) {
			fprintf(stderr, "\n  want '%s'\n  got  '%s'\n", want,
				errs.msg[i]);
			CU_FAIL("error order");
		}
	}
	free(json);
}

/* A "roas" key the scan does not recognise (written with an escape) makes
 * jansson parse the whole document: same table either way. */
static void test_whole_document_path_agrees(void)
{
	char *json = big_file(20000, 0), *esc;
	struct prefix_table first;
	size_t len = strlen(json);

	CU_ASSERT_EQUAL_FATAL(parse(json), 0);
	first = t;
	prefix_table_init(&t);
	esc = malloc(len + 8);
	memcpy(esc, "{\"ro\\u0061s\"", 12);
	memcpy(esc + 12, json + 7, len - 7 + 1);
	CU_ASSERT_EQUAL_FATAL(parse(esc), 0);
	CU_ASSERT_EQUAL(t.n, first.n);
	if (t.n == first.n)
		CU_ASSERT_EQUAL(memcmp(t.v, first.v, t.n * sizeof(t.v[0])), 0);
	prefix_table_free(&first);
	/* the whole-document path knows no lines, only indexes */
	expect_error("{\"ro\\u0061s\": [{\"asn\": 1, \"prefix\": "
		     "\"192.0.2.0/24\"},\n{\"asn\": 0.5, \"prefix\": "
		     "\"192.0.2.0/24\"}]}",
		     "f.json: roas[1]: asn must be a number");
	free(json);
	free(esc);
}

static int suite_cleanup(void)
{
	prefix_table_free(&t);
	return 0;
}

static const struct test_case cases[] = {
	{"rpki_client_format", test_rpki_client_format},
	{"routinator_format", test_routinator_format},
	{"mixed_and_empty", test_mixed_and_empty},
	{"moas_duplicates_as0", test_moas_duplicates_as0},
	{"syntax_errors_have_line_and_column",
	 test_syntax_errors_have_line_and_column},
	{"missing_or_wrong_roas", test_missing_or_wrong_roas},
	{"bad_entries_name_index_and_line",
	 test_bad_entries_name_index_and_line},
	{"valid_maxlength_and_edges", test_valid_maxlength_and_edges},
	{"many_entries_on_threads", test_many_entries_on_threads},
	{"errors_in_file_order", test_errors_in_file_order},
	{"whole_document_path_agrees", test_whole_document_path_agrees},
	{NULL, NULL},
};

TEST_SUITE(suite) = {
	.name = "unit_rpki",
	.cleanup = suite_cleanup,
	.cases = cases,
};
