// SPDX-License-Identifier: GPL-2.0
/*
 * The prefix table as the dataplane sees it: tables made by the real import
 * path (user/rpki, user/prefix_table), looked up by bpf/risav/prefix.h under
 * BPF_PROG_TEST_RUN. Longest match, MOAS and AS0 semantics, whole-table
 * replacement, in-place edits, and that a run never sees half a table
 * while another is swapped in.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "esprit_maps.h"
#include "lib/addr.h"
#include "esprit_limits.h"
#include "prefix_lookup.h"
#include "prefix_lookup.skel.h"
#include "risav/pfx4_index.h"
#include "risav/prefix_maps.h"
#include "risav/rpki.h"
#include "testlib.h"

static struct prefix_lookup *skel;
static struct prefix_maps maps;
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
	maps.trie = outer_fd;
	maps.pfx4 = bpf_map__fd(skel->maps.esprit_pfx4);
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

/* Empties both slots so each test starts without a table. */
static void no_table(void)
{
	__u32 zero = 0;

	bpf_map_delete_elem(outer_fd, &zero);
	pfx4_index_drop(maps.pfx4);
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
		prefixes_replace(&maps, &t, NULL, NULL, err, sizeof(err)), 0);
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
	CU_ASSERT_EQUAL(prefixes_set(&maps, &k, 64520, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(origin("203.0.113.5"), 64520);
	CU_ASSERT_EQUAL(prefixes_set(&maps, &k, 64521, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(origin("203.0.113.5"), 64521);
	CU_ASSERT_EQUAL(prefixes_del(&maps, &k, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(origin("203.0.113.5"), -1);
	CU_ASSERT_EQUAL(prefixes_del(&maps, &k, err, sizeof(err)), -1);
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
		prefixes_replace(&maps, &in, NULL, NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(prefixes_read(&maps, &out, err, sizeof(err)), 0);
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
	CU_ASSERT_STRING_EQUAL(info.name, ESPRIT_MAP_PFX_TRIE);
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

static unsigned long long rnd_state = 0x5eed;

static unsigned long long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void v4_key(struct esprit_prefix_key *k, __u32 addr, unsigned int len)
{
	memset(k, 0, sizeof(*k));
	if (len < 32)
		addr &= ~(0xffffffffU >> len);
	k->prefixlen = 96 + len;
	k->addr[10] = k->addr[11] = 0xff;
	k->addr[12] = addr >> 24;
	k->addr[13] = addr >> 16;
	k->addr[14] = addr >> 8;
	k->addr[15] = addr;
}

/* The trie's own answer, asked from user space: -1 if nothing covers. */
static long long trie_origin(const __u8 addr[16])
{
	struct esprit_prefix_key k = {.prefixlen = 128};
	struct esprit_prefix_origin o;
	int fd = prefix_trie_current(outer_fd);
	long long r = -1;

	memcpy(k.addr, addr, 16);
	if (fd >= 0 && !bpf_map_lookup_elem(fd, &k, &o))
		r = o.asn;
	if (fd >= 0)
		close(fd);
	return r;
}

/* Random addresses, most under 10.0.0.0/8 where the tables nest. */
static void random_v4(__u8 out[16])
{
	__u32 a = (__u32)rnd();

	if (rnd() % 8)
		a = 0x0a000000 | (a & 0x00ffffff);
	memset(out, 0, 16);
	out[10] = out[11] = 0xff;
	out[12] = a >> 24;
	out[13] = a >> 16;
	out[14] = a >> 8;
	out[15] = a;
}

/* BPF (through the index) and the trie agree on n random addresses. */
static int disagreements(int n)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		struct prefix_lookup_io io;
		__u8 a[16], b[16];

		random_v4(a);
		random_v4(b);
		if (lookup2(a, b, &io))
			return -1;
		bad += (io.found[0] ? (long long)io.asn[0] : -1) !=
		       trie_origin(a);
		bad += (io.found[1] ? (long long)io.asn[1] : -1) !=
		       trie_origin(b);
	}
	return bad;
}

/* Nested prefixes of every length, mostly under 10/8; longer than /24
 * one time in long_one_in. */
static void random_table(struct prefix_table *t, int n, int long_one_in)
{
	prefix_table_init(t);
	for (int i = 0; i < n; i++) {
		struct esprit_prefix_key k;
		__u32 a = (__u32)rnd();
		unsigned int len = rnd() % long_one_in ? 8 + rnd() % 17
						       : 25 + rnd() % 8;

		if (rnd() % 4)
			a = 0x0a000000 | (a & 0x00ffffff);
		v4_key(&k, a, len);
		prefix_table_append(
			t, &k, rnd() % 50 ? 1 + rnd() % 5000 : ESPRIT_ASN_NONE);
	}
	prefix_table_sort(t);
	/* the same prefix drawn twice: keep one */
	for (size_t i = 1; i < t->n; i++)
		if (!prefix_key_cmp(&t->v[i].key, &t->v[i - 1].key)) {
			memmove(&t->v[i], &t->v[i + 1],
				(t->n - i - 1) * sizeof(t->v[0]));
			t->n--;
			i--;
		}
}

static void test_index_agrees_with_trie(void)
{
	struct prefix_load_report r;
	struct prefix_table t;
	char err[256];

	no_table();
	random_table(&t, 30000, 20);
	CU_ASSERT_EQUAL_FATAL(
		prefixes_replace(&maps, &t, NULL, &r, err, sizeof(err)), 0);
	CU_ASSERT_NOT_EQUAL(r.index_id, 0);
	CU_ASSERT_STRING_EQUAL(r.index_note, "");
	CU_ASSERT_EQUAL(disagreements(20000), 0);
	/* without the index, the trie gives the same answers */
	pfx4_index_drop(maps.pfx4);
	CU_ASSERT_EQUAL(pfx4_index_current_id(maps.pfx4), 0);
	CU_ASSERT_EQUAL(disagreements(2000), 0);
	prefix_table_free(&t);
}

static void test_index_overflow_leaves_the_trie(void)
{
	struct prefix_load_report r;
	struct prefix_table t;
	char err[256];

	no_table();
	/* a third longer than /24, over more /24s than the index has
	 * groups for */
	random_table(&t, 40000, 3);
	CU_ASSERT_EQUAL_FATAL(
		prefixes_replace(&maps, &t, NULL, &r, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(r.index_id, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.index_note, "too many /24s"));
	CU_ASSERT_NOT_EQUAL(r.trie_id, 0);
	CU_ASSERT_EQUAL(disagreements(5000), 0);
	prefix_table_free(&t);
}

static void test_index_follows_in_place_edits(void)
{
	static const struct {
		bool add;
		const char *prefix;
		__u32 asn;
	} steps[] = {
		{true, "10.1.0.0/16", 5},      {false, "10.1.2.0/24", 0},
		{false, "10.1.0.0/16", 0},     {true, "10.200.0.0/16", 0},
		{true, "192.0.2.0/24", 64999}, {true, "10.7.7.7/32", 77},
		{false, "10.7.7.7/32", 0},     {false, "10.0.0.0/8", 0},
		{true, "10.0.0.0/9", 9},
	};
	struct prefix_load_report r;
	char err[256];
	__u32 index_id;

	no_table();
	load_json("{\"roas\": ["
		  "{\"asn\": 1, \"prefix\": \"10.0.0.0/8\"},"
		  "{\"asn\": 2, \"prefix\": \"10.1.0.0/16\"},"
		  "{\"asn\": 3, \"prefix\": \"10.1.2.0/24\"},"
		  "{\"asn\": 4, \"prefix\": \"10.1.2.128/25\"}]}");
	index_id = pfx4_index_current_id(maps.pfx4);
	CU_ASSERT_NOT_EQUAL_FATAL(index_id, 0);
	CU_ASSERT_EQUAL(origin("10.1.2.3"), 3);
	CU_ASSERT_EQUAL(origin("10.1.2.200"), 4);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct esprit_prefix_key k;

		CU_ASSERT_EQUAL_FATAL(table_prefix_parse(steps[i].prefix, &k,
							 err, sizeof(err)),
				      0);
		if (steps[i].add)
			CU_ASSERT_EQUAL(prefixes_set(&maps, &k, steps[i].asn,
						     err, sizeof(err)),
					0)
		else
			CU_ASSERT_EQUAL(
				prefixes_del(&maps, &k, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(disagreements(3000), 0);
	}
	/* patched in place, never dropped */
	CU_ASSERT_EQUAL(pfx4_index_current_id(maps.pfx4), index_id);
	CU_ASSERT_EQUAL(origin("10.1.9.9"), 9);
	CU_ASSERT_EQUAL(origin("10.1.2.200"), 4);
	CU_ASSERT_EQUAL(origin("10.200.1.1"), ESPRIT_ASN_NONE);
	CU_ASSERT_EQUAL(origin("10.201.1.1"), -1); /* not under /9 */
	CU_ASSERT_EQUAL(origin("192.0.2.1"), 64999);
	(void)r;
}

/* IPv4 answers come from the index cells: change cells behind the trie's
 * back and BPF follows them. */
static void test_index_is_what_bpf_reads(void)
{
	size_t bytes = (size_t)ESPRIT_PFX4_CELLS * 4;
	__u32 *cells, slot = 192 << 16 | 0 << 8 | 2, g;
	int fd;

	no_table();
	load_json("{\"roas\": [{\"asn\": 64500, \"prefix\": "
		  "\"192.0.2.0/24\"}, {\"asn\": 64501, \"prefix\": "
		  "\"198.51.100.128/25\"}, {\"asn\": 64502, \"prefix\": "
		  "\"2001:db8::/32\"}]}");
	CU_ASSERT_EQUAL(origin("192.0.2.1"), 64500);
	fd = bpf_map_get_fd_by_id(pfx4_index_current_id(maps.pfx4));
	CU_ASSERT_FATAL(fd >= 0);
	cells = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	CU_ASSERT_FATAL(cells != MAP_FAILED);
	CU_ASSERT_EQUAL(cells[slot], ESPRIT_PFX4_ORIGIN0);
	CU_ASSERT_EQUAL(cells[ESPRIT_PFX4_ORIGINS], 64500);
	CU_ASSERT_EQUAL(cells[ESPRIT_PFX4_NORIGINS], 2);
	CU_ASSERT_EQUAL(cells[ESPRIT_PFX4_NGROUPS], 1);
	/* the /25 made a group for 198.51.100.0/24 */
	g = cells[198 << 16 | 51 << 8 | 100];
	CU_ASSERT_EQUAL_FATAL(g, ESPRIT_PFX4_GROUP | 0);
	CU_ASSERT_EQUAL(cells[ESPRIT_PFX4_GROUPS + 127], ESPRIT_PFX4_NONE);
	CU_ASSERT_EQUAL(cells[ESPRIT_PFX4_GROUPS + 128],
			ESPRIT_PFX4_ORIGIN0 + 1);
	CU_ASSERT_EQUAL(origin("198.51.100.127"), -1);
	CU_ASSERT_EQUAL(origin("198.51.100.128"), 64501);
	/* now tamper */
	cells[ESPRIT_PFX4_ORIGINS] = 65535;
	CU_ASSERT_EQUAL(origin("192.0.2.1"), 65535);
	cells[slot] = ESPRIT_PFX4_NONE;
	CU_ASSERT_EQUAL(origin("192.0.2.1"), -1);
	cells[ESPRIT_PFX4_GROUPS + 7] = ESPRIT_PFX4_ORIGIN0;
	CU_ASSERT_EQUAL(origin("198.51.100.7"), 65535);
	/* IPv6 never reads the index */
	CU_ASSERT_EQUAL(origin("2001:db8::1"), 64502);
	munmap(cells, bytes);
}

/* Tables A and B of many /24s; A has 198.18.0.0/24 and 2001:db8:a::/48,
 * B has 198.19.0.0/24 and 2001:db8:b::/48. */
static void swap_table(struct prefix_table *t, int which)
{
	static const char *probes[2][2] = {
		{"198.18.0.0/24", "2001:db8:a::/48"},
		{"198.19.0.0/24", "2001:db8:b::/48"},
	};
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
	for (int f = 0; f < 2; f++) {
		CU_ASSERT_EQUAL_FATAL(table_prefix_parse(probes[which][f], &k,
							 err, sizeof(err)),
				      0);
		prefix_table_append(t, &k, 100 + which);
	}
	prefix_table_sort(t);
}

struct prober {
	atomic_bool stop;
	long runs, only_a, only_b, torn, errors;
};

/* Each run asks for an address only A has and one only B has, IPv4 and
 * IPv6 in turn: exactly one may be found, from its own table. */
static void *probe(void *arg)
{
	static const char *text[2][2] = {{"198.18.0.1", "198.19.0.1"},
					 {"2001:db8:a::1", "2001:db8:b::1"}};
	struct prober *p = arg;
	__u8 addr[2][2][16];
	struct esprit_addr x;
	char err[64];

	for (int f = 0; f < 2; f++)
		for (int w = 0; w < 2; w++) {
			addr_parse(text[f][w], &x, err, sizeof(err));
			memcpy(addr[f][w], x.addr, 16);
		}
	while (!atomic_load(&p->stop)) {
		struct prefix_lookup_io io;
		int f = p->runs++ % 2;

		if (lookup2(addr[f][0], addr[f][1], &io))
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
		prefixes_replace(&maps, &ta, NULL, NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, probe, &p), 0);
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(prefixes_replace(&maps, i % 2 ? &ta : &tb, NULL,
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
	{"index_agrees_with_trie", test_index_agrees_with_trie},
	{"index_overflow_leaves_the_trie", test_index_overflow_leaves_the_trie},
	{"index_follows_in_place_edits", test_index_follows_in_place_edits},
	{"index_is_what_bpf_reads", test_index_is_what_bpf_reads},
	{NULL, NULL},
};

TEST_SUITE(suite) = {
	.name = "bpf_prefix",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases = cases,
};
