// SPDX-License-Identifier: GPL-2.0
/*
 * The prefix table as the dataplane sees it: tables made by the real import
 * path (user/rpki, user/prefix_table), looked up by bpf/prefix.h under
 * BPF_PROG_TEST_RUN. Longest match, MOAS and AS0 semantics, whole-table
 * replacement, in-place edits, and that a run never sees half a table
 * while another is swapped in.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "addr.h"
#include "prefix_lookup.h"
#include "prefix_lookup.skel.h"
#include "prefix_table.h"
#include "rpki.h"
#include "testlib.h"

static struct prefix_lookup *skel;
static int outer_fd, prog_fd;

static int suite_init(void)
{
	struct bpf_map *map;

	skel = prefix_lookup__open();
	if (!skel)
		return -1;
	bpf_object__for_each_map(map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (prefix_lookup__load(skel)) {
		prefix_lookup__destroy(skel);
		skel = NULL;
		return -1;
	}
	outer_fd = bpf_map__fd(skel->maps.esprit_prefixes);
	prog_fd = bpf_program__fd(skel->progs.prefix_lookup);
	return 0;
}

static int suite_cleanup(void)
{
	if (skel)
		prefix_lookup__destroy(skel);
	skel = NULL;
	return 0;
}

/* Empties slot 0 so each test starts without a table. */
static void no_table(void)
{
	__u32 zero = 0;

	bpf_map_delete_elem(outer_fd, &zero);
}

static void set_addr(__u8 out[16], const char *text)
{
	struct esprit_addr a;
	char err[128];

	CU_ASSERT_EQUAL_FATAL(addr_parse(text, &a, err, sizeof(err)), 0);
	memcpy(out, a.addr, 16);
}

/* Runs the program on two addresses; found[i] and asn[i] come back. */
static int lookup2(const __u8 a[16], const __u8 b[16],
		   struct prefix_lookup_io *io)
{
	struct prefix_lookup_io in = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &in,
		    .data_size_in = sizeof(in), .data_out = io,
		    .data_size_out = sizeof(*io), .repeat = 1);

	memcpy(in.addr[0], a, 16);
	memcpy(in.addr[1], b, 16);
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -1;
	return opts.retval == XDP_PASS ? 0 : -1;
}

/* ASN of text's origin, -1 if no prefix covers it. */
static long long origin(const char *text)
{
	struct prefix_lookup_io io;
	__u8 a[16];

	set_addr(a, text);
	if (lookup2(a, a, &io))
		return -2;
	return io.found[0] ? (long long)io.asn[0] : -1;
}

static void load_json(const char *json)
{
	struct prefix_table t;
	struct rpki_summary sum;
	struct rpki_errors errs;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(rpki_parse("test.json", json, strlen(json), &t,
					 &sum, &errs),
			      0);
	CU_ASSERT_EQUAL(
		prefix_trie_replace(outer_fd, &t, NULL, err, sizeof(err)), 0);
	prefix_table_free(&t);
}

static void test_no_table_matches_nothing(void)
{
	no_table();
	CU_ASSERT_EQUAL(origin("192.0.2.1"), -1);
	CU_ASSERT_EQUAL(origin("2001:db8::1"), -1);
}

static void test_longest_match_moas_as0(void)
{
	no_table();
	load_json("{\"roas\": ["
		  "{\"asn\": 64500, \"prefix\": \"10.0.0.0/8\", "
		  "\"maxLength\": 24},"
		  "{\"asn\": 64501, \"prefix\": \"10.1.0.0/16\", "
		  "\"maxLength\": 16},"
		  /* MOAS inside 10/8: nobody's */
		  "{\"asn\": 64502, \"prefix\": \"10.2.0.0/16\", "
		  "\"maxLength\": 16},"
		  "{\"asn\": 64503, \"prefix\": \"10.2.0.0/16\", "
		  "\"maxLength\": 24},"
		  /* AS0 alone inside 10/8: left out, 10/8 applies */
		  "{\"asn\": 0, \"prefix\": \"10.3.0.0/16\", "
		  "\"maxLength\": 16},"
		  /* AS0 beside one origin: that origin */
		  "{\"asn\": 0, \"prefix\": \"10.4.0.0/16\", "
		  "\"maxLength\": 16},"
		  "{\"asn\": 64504, \"prefix\": \"10.4.0.0/16\", "
		  "\"maxLength\": 16},"
		  "{\"asn\": \"AS64505\", \"prefix\": \"2001:db8::/32\", "
		  "\"maxLength\": 48},"
		  "{\"asn\": 64506, \"prefix\": \"2001:db8:1::/48\", "
		  "\"maxLength\": 48}"
		  "]}");
	CU_ASSERT_EQUAL(origin("10.9.9.9"), 64500);
	CU_ASSERT_EQUAL(origin("10.1.2.3"), 64501);
	CU_ASSERT_EQUAL(origin("10.2.2.3"), ESPRIT_ASN_NONE);
	CU_ASSERT_EQUAL(origin("10.3.2.3"), 64500);
	CU_ASSERT_EQUAL(origin("10.4.2.3"), 64504);
	CU_ASSERT_EQUAL(origin("11.0.0.1"), -1);
	CU_ASSERT_EQUAL(origin("2001:db8:2::1"), 64505);
	CU_ASSERT_EQUAL(origin("2001:db8:1::1"), 64506);
	CU_ASSERT_EQUAL(origin("2001:db9::1"), -1);
	/* IPv4 under ::ffff:0:0/96 is not IPv6 space: ::a00:1 is not
	 * 10.0.0.1 */
	CU_ASSERT_EQUAL(origin("::a00:1"), -1);
}

static void test_second_import_replaces_first(void)
{
	no_table();
	load_json("{\"roas\": [{\"asn\": 64500, \"prefix\": \"192.0.2.0/24\", "
		  "\"maxLength\": 24},"
		  "{\"asn\": 64500, \"prefix\": \"2001:db8::/32\", "
		  "\"maxLength\": 32}]}");
	CU_ASSERT_EQUAL(origin("192.0.2.1"), 64500);
	load_json("{\"roas\": [{\"asn\": 64510, \"prefix\": "
		  "\"198.51.100.0/24\", \"maxLength\": 24}]}");
	CU_ASSERT_EQUAL(origin("192.0.2.1"), -1);
	CU_ASSERT_EQUAL(origin("2001:db8::1"), -1);
	CU_ASSERT_EQUAL(origin("198.51.100.7"), 64510);
	load_json("{\"roas\": []}");
	CU_ASSERT_EQUAL(origin("198.51.100.7"), -1);
}

static void test_in_place_add_and_del(void)
{
	struct esprit_prefix_key k;
	char err[256];

	no_table();
	CU_ASSERT_EQUAL_FATAL(
		table_prefix_parse("203.0.113.0/24", &k, err, sizeof(err)), 0);
	/* the first add installs a trie */
	CU_ASSERT_EQUAL(prefix_trie_set(outer_fd, &k, 64520, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(origin("203.0.113.5"), 64520);
	CU_ASSERT_EQUAL(prefix_trie_set(outer_fd, &k, 64521, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(origin("203.0.113.5"), 64521);
	CU_ASSERT_EQUAL(prefix_trie_del(outer_fd, &k, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(origin("203.0.113.5"), -1);
	CU_ASSERT_EQUAL(prefix_trie_del(outer_fd, &k, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not in the prefix table"));
}

static void test_read_back_equals_loaded(void)
{
	struct prefix_table in, out;
	char err[256];

	no_table();
	prefix_table_init(&in);
	/* more than one read batch, both families */
	for (unsigned int i = 0; i < 20000; i++) {
		struct esprit_prefix_key k = {};

		if (i % 4) {
			k.prefixlen = 96 + 24;
			k.addr[10] = k.addr[11] = 0xff;
			k.addr[12] = 100 + i / 65536;
			k.addr[13] = i >> 8;
			k.addr[14] = i;
		} else {
			k.prefixlen = 48;
			k.addr[0] = 0x20;
			k.addr[1] = 0x01;
			k.addr[4] = i >> 8;
			k.addr[5] = i;
		}
		CU_ASSERT_EQUAL_FATAL(prefix_table_append(&in, &k, i + 1), 0);
	}
	prefix_table_sort(&in);
	CU_ASSERT_EQUAL_FATAL(
		prefix_trie_replace(outer_fd, &in, NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(
		prefix_trie_read(outer_fd, &out, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(out.n, in.n);
	if (out.n == in.n)
		CU_ASSERT_EQUAL(memcmp(out.v, in.v, in.n * sizeof(in.v[0])), 0);
	prefix_table_free(&in);
	prefix_table_free(&out);
}

static void test_trie_carries_btf(void)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id;
	struct btf *btf;
	int fd;

	no_table();
	load_json("{\"roas\": [{\"asn\": 1, \"prefix\": \"192.0.2.0/24\"}]}");
	id = prefix_trie_current_id(outer_fd);
	CU_ASSERT_NOT_EQUAL_FATAL(id, 0);
	fd = bpf_map_get_fd_by_id(id);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	close(fd);
	CU_ASSERT_EQUAL(info.type, BPF_MAP_TYPE_LPM_TRIE);
	CU_ASSERT_STRING_EQUAL(info.name, "esprit_pfx_trie");
	CU_ASSERT_NOT_EQUAL_FATAL(info.btf_id, 0);
	btf = btf__load_from_kernel_by_id(info.btf_id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(btf);
	CU_ASSERT_STRING_EQUAL(
		btf__name_by_offset(
			btf,
			btf__type_by_id(btf, info.btf_key_type_id)->name_off),
		"esprit_prefix_key");
	CU_ASSERT_STRING_EQUAL(
		btf__name_by_offset(
			btf,
			btf__type_by_id(btf, info.btf_value_type_id)->name_off),
		"esprit_prefix_origin");
	btf__free(btf);
}

/* Tables A and B of many /24s; A has 198.18.0.0/24, B 198.19.0.0/24. */
static void swap_table(struct prefix_table *t, int which)
{
	struct esprit_prefix_key k;
	char err[128];

	prefix_table_init(t);
	for (unsigned int i = 0; i < 20000; i++) {
		char text[32];

		snprintf(text, sizeof(text), "%u.%u.%u.0/24", 20 + which,
			 i >> 8, i & 0xff);
		CU_ASSERT_EQUAL_FATAL(
			table_prefix_parse(text, &k, err, sizeof(err)), 0);
		prefix_table_append(t, &k, 100 + which);
	}
	CU_ASSERT_EQUAL_FATAL(table_prefix_parse(which ? "198.19.0.0/24"
						       : "198.18.0.0/24",
						 &k, err, sizeof(err)),
			      0);
	prefix_table_append(t, &k, 100 + which);
	prefix_table_sort(t);
}

struct prober {
	atomic_bool stop;
	long runs, only_a, only_b, torn, errors;
};

static void *probe(void *arg)
{
	struct prober *p = arg;
	struct prefix_lookup_io io;
	__u8 a[16], b[16];
	struct esprit_addr x;
	char err[64];

	addr_parse("198.18.0.1", &x, err, sizeof(err));
	memcpy(a, x.addr, 16);
	addr_parse("198.19.0.1", &x, err, sizeof(err));
	memcpy(b, x.addr, 16);
	while (!atomic_load(&p->stop)) {
		p->runs++;
		if (lookup2(a, b, &io))
			p->errors++;
		else if (io.found[0] && !io.found[1] && io.asn[0] == 100)
			p->only_a++;
		else if (!io.found[0] && io.found[1] && io.asn[1] == 101)
			p->only_b++;
		else
			p->torn++;
	}
	return NULL;
}

static void test_swap_never_shows_half_a_table(void)
{
	struct prefix_table ta, tb;
	struct prober p = {};
	pthread_t th;
	char err[256];

	no_table();
	swap_table(&ta, 0);
	swap_table(&tb, 1);
	CU_ASSERT_EQUAL_FATAL(
		prefix_trie_replace(outer_fd, &ta, NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, probe, &p), 0);
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(prefix_trie_replace(outer_fd, i % 2 ? &ta : &tb,
						    NULL, err, sizeof(err)),
				0);
	atomic_store(&p.stop, true);
	pthread_join(th, NULL);
	fprintf(stderr, " [%ld runs: %ld A, %ld B, %ld torn] ", p.runs,
		p.only_a, p.only_b, p.torn);
	CU_ASSERT_EQUAL(p.errors, 0);
	CU_ASSERT_EQUAL(p.torn, 0);
	CU_ASSERT(p.only_a > 0);
	CU_ASSERT(p.only_b > 0);
	prefix_table_free(&ta);
	prefix_table_free(&tb);
}

static const struct test_case cases[] = {
	{"no_table_matches_nothing", test_no_table_matches_nothing},
	{"longest_match_moas_as0", test_longest_match_moas_as0},
	{"second_import_replaces_first", test_second_import_replaces_first},
	{"in_place_add_and_del", test_in_place_add_and_del},
	{"read_back_equals_loaded", test_read_back_equals_loaded},
	{"trie_carries_btf", test_trie_carries_btf},
	{"swap_never_shows_half_a_table", test_swap_never_shows_half_a_table},
	{NULL, NULL},
};

TEST_SUITE(suite) = {
	.name = "bpf_prefix",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases = cases,
};
