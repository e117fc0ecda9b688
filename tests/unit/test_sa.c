// SPDX-License-Identifier: GPL-2.0
/*
 * user/risav/sa_in.c: what an operator may write for an SA, and adding, deleting
 * and listing SAs on small maps of the test's own (so a full table is
 * three SAs away), where a refused change must leave everything as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <CUnit/CUnit.h>

#include "lib/hmac_key.h"
#include "risav/sa_in.h"
#include "testlib.h"

#define SMALL 2
#define HEX32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static char err[256];

/* One SA change on a journal of its own, as the CLI makes it. */
#define SA_ALONE(fn, m, x)                                       \
	({                                                       \
		struct map_journal j_;                           \
		mj_init(&j_);                                    \
		mj_finish(&j_, fn(m, x, &j_, err, sizeof(err))); \
	})
#define sa_in_add_alone(m, x)	  SA_ALONE(sa_in_add, m, x)
#define sa_in_del_alone(m, x)	  SA_ALONE(sa_in_del, m, x)
#define sa_in_replace_alone(m, x) SA_ALONE(sa_in_replace, m, x)

static void test_spi(void)
{
	static const struct {
		const char *s;
		int ok;
		__u32 v;
	} cases[] = {
		{"256", 1, 256},
		{"0x100", 1, 256},
		{"0X1000", 1, 4096},
		{"4294967295", 1, 0xffffffff},
		{"0xffffffff", 1, 0xffffffff},
		{"0400", 1, 400},
		{"255", 0, 0},
		{"0", 0, 0},
		{"0x0", 0, 0},
		{"4294967296", 0, 0},
		{"0x100000000", 0, 0},
		{"-256", 0, 0},
		{"+256", 0, 0},
		{" 256", 0, 0},
		{"256 ", 0, 0},
		{"0x", 0, 0},
		{"", 0, 0},
		{"1e3", 0, 0},
		{"0xg", 0, 0},
		{"spi", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u32 v = 12345;
		int rc = sa_parse_spi(cases[i].s, &v, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, cases[i].ok ? 0 : -1);
		CU_ASSERT_EQUAL(v, cases[i].ok ? cases[i].v : 12345);
	}
	sa_parse_spi("200", &(__u32){0}, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "SPI 200 is reserved"));
}

static void test_replay_and_alg(void)
{
	static const char *const good[] = {"0", "32", "64", "1024", "4096"};
	static const char *const bad[] = {"1", "31", "4097", "-1", "x", ""};
	__u32 v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT_EQUAL(sa_parse_replay(good[i], &v, err, sizeof(err)),
				0);
		CU_ASSERT_EQUAL(v, strtoul(good[i], NULL, 10));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(sa_parse_replay(bad[i], &v, err, sizeof(err)),
				-1);
	CU_ASSERT_EQUAL(sa_parse_alg("hmac-sha256-128", &v, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(v, ESPRIT_AUTH_HMAC_SHA256_128);
	CU_ASSERT_EQUAL(sa_parse_alg("HMAC-SHA256-128", &v, err, sizeof(err)),
			-1);
	CU_ASSERT_EQUAL(sa_parse_alg("hmac-sha1-96", &v, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(sa_alg_name(ESPRIT_AUTH_HMAC_SHA256_128), "hmac-"
									 "sha25"
									 "6-"
									 "128");
}

static void test_key(void)
{
	char bad_digit[] = HEX32;
	struct esprit_auth_key k, want;
	uint8_t raw[32];

	bad_digit[0] = bad_digit[1] = 'z';

	for (int i = 0; i < 32; i++)
		raw[i] = i;
	auth_key_hmac_sha256_128(&want, raw, sizeof(raw));
	CU_ASSERT_EQUAL(sa_parse_key(HEX32, ESPRIT_AUTH_HMAC_SHA256_128, &k,
				     err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(memcmp(&k, &want, sizeof(k)), 0);
	CU_ASSERT_EQUAL(sa_parse_key("0x" HEX32, ESPRIT_AUTH_HMAC_SHA256_128,
				     &k, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(memcmp(&k, &want, sizeof(k)), 0);
	/* no raw key bytes in what goes into the map */
	CU_ASSERT_PTR_NULL(memmem(&k, sizeof(k), raw + 4, 16));

	CU_ASSERT_EQUAL(sa_parse_key(HEX32 "00", ESPRIT_AUTH_HMAC_SHA256_128,
				     &k, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "66 hex digits"));
	CU_ASSERT_EQUAL(sa_parse_key(HEX32 + 1, ESPRIT_AUTH_HMAC_SHA256_128, &k,
				     err, sizeof(err)),
			-1);
	CU_ASSERT_EQUAL(sa_parse_key("", ESPRIT_AUTH_HMAC_SHA256_128, &k, err,
				     sizeof(err)),
			-1);
	CU_ASSERT_EQUAL(sa_parse_key(bad_digit, ESPRIT_AUTH_HMAC_SHA256_128, &k,
				     err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a hex digit at position"));
	CU_ASSERT_EQUAL(sa_parse_key(HEX32, 99, &k, err, sizeof(err)), -1);
}

static int words(char *line, char **argv)
{
	int n = 0;

	for (char *t = strtok(line, " "); t; t = strtok(NULL, " "))
		argv[n++] = t;
	return n;
}

static void test_words(void)
{
	static const struct {
		const char *line;
		const char *error; /* NULL: accepted */
	} cases[] = {
		{"spi 256 asn 64500 alg hmac-sha256-128 key " HEX32, NULL},
		{"key " HEX32 " alg hmac-sha256-128 asn AS64500 spi 0x100 "
		 "replay 64",
		 NULL},
		{"spi 256 asn 64500 alg hmac-sha256-128", "missing 'key-file "
							  "PATH'"},
		{"spi 256 asn 64500 key " HEX32, "missing 'alg'"},
		{"spi 256 spi 257 asn 64500 alg hmac-sha256-128 key " HEX32,
		 "'spi' given twice"},
		{"spi 256 asn 64500 alg hmac-sha256-128 key " HEX32 " replay",
		 "'replay' needs a value"},
		{"spi 256 asn 64500 alg hmac-sha256-128 key " HEX32 " dscp 4",
		 "unexpected 'dscp'"},
		{"spi 256 asn 0 alg hmac-sha256-128 key " HEX32, "out of "
								 "range"},
		{"spi 256 asn 64500 alg md5 key " HEX32, "unknown algorithm"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[512], *argv[32];
		int argc, rc;
		struct sa_in sa;

		snprintf(line, sizeof(line), "%s", cases[i].line);
		argc = words(line, argv);
		err[0] = '\0';
		rc = sa_in_from_words(argc, argv, &sa, err, sizeof(err));
		if (!cases[i].error) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(sa.key.spi, 256);
			CU_ASSERT_EQUAL(sa.key.asn, 64500);
			CU_ASSERT_EQUAL(sa.value.state, ESPRIT_SA_ACTIVE);
			CU_ASSERT_EQUAL(sa.value.auth.icv_len, 16);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].error));
		}
	}
}

/* Maps shaped like the program's, with room for SMALL SAs. */
static int small_maps(struct sa_maps *m)
{
	m->in = bpf_map_create(BPF_MAP_TYPE_HASH, "t_sa_in",
			       sizeof(struct esprit_sa_in_key),
			       sizeof(struct esprit_sa_in), SMALL, NULL);
	m->in_rw = bpf_map_create(BPF_MAP_TYPE_HASH, "t_sa_rw",
				  sizeof(struct esprit_sa_in_key),
				  sizeof(struct esprit_replay), SMALL, NULL);
	m->in_st = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "t_sa_st",
				  sizeof(struct esprit_sa_in_key),
				  sizeof(struct esprit_sa_stats), SMALL, NULL);
	return m->in < 0 || m->in_rw < 0 || m->in_st < 0 ? -1 : 0;
}

static int entries(int fd)
{
	struct esprit_sa_in_key k, *prev = NULL, next;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

static void build(struct sa_in *sa, const char *spi, const char *replay)
{
	CU_ASSERT_EQUAL_FATAL(sa_in_build(spi, "64501", "hmac-sha256-128",
					  HEX32, replay, sa, err, sizeof(err)),
			      0);
}

static void test_add_del_full(void)
{
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_sa_stats *percpu = calloc(ncpus, sizeof(*percpu));
	struct sa_in a, b, c;
	struct sa_in_row *rows;
	struct sa_maps m;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(percpu);
	CU_ASSERT_EQUAL_FATAL(small_maps(&m), 0);
	build(&a, "0x2000", NULL);
	build(&b, "0x1000", "64");
	build(&c, "0x3000", "32");

	CU_ASSERT_EQUAL(sa_in_add_alone(&m, &a), 0);
	CU_ASSERT_EQUAL(sa_in_add_alone(&m, &b), 0);
	CU_ASSERT_EQUAL(entries(m.in), 2);
	CU_ASSERT_EQUAL(entries(m.in_rw), 1); /* only b has a window */
	CU_ASSERT_EQUAL(entries(m.in_st), 2);

	/* the dataplane counts; a second add of a's key keeps its counters */
	percpu[0].packets = 5;
	percpu[ncpus - 1].packets += 2;
	percpu[ncpus - 1].bad_icv = 3;
	CU_ASSERT_EQUAL(bpf_map_update_elem(m.in_st, &a.key, percpu, BPF_ANY),
			0);
	CU_ASSERT_EQUAL(sa_in_add_alone(&m, &a), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "exists"));

	/* full: refused, and nothing of c left behind */
	CU_ASSERT_EQUAL(sa_in_add_alone(&m, &c), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "table full (2 entries)"));
	CU_ASSERT_EQUAL(entries(m.in), 2);
	CU_ASSERT_EQUAL(entries(m.in_rw), 1);
	CU_ASSERT_EQUAL(entries(m.in_st), 2);

	CU_ASSERT_EQUAL_FATAL(sa_in_list(&m, &rows, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(rows[0].key.spi, 0x1000); /* sorted */
	CU_ASSERT_EQUAL(rows[0].replay_window, 64);
	CU_ASSERT_EQUAL(rows[1].key.spi, 0x2000);
	CU_ASSERT_EQUAL(rows[1].stats.packets, 7);
	CU_ASSERT_EQUAL(rows[1].stats.bad_icv, 3);
	CU_ASSERT_EQUAL(rows[1].replay_window, 0);
	CU_ASSERT_FALSE(rows[1].has_window_state);
	free(rows);

	CU_ASSERT_EQUAL(sa_in_del_alone(&m, &b.key), 0);
	CU_ASSERT_EQUAL(sa_in_del_alone(&m, &b.key), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no inbound SA with SPI 0x1000"));
	CU_ASSERT_EQUAL(entries(m.in_rw), 0);
	CU_ASSERT_EQUAL(sa_in_add_alone(&m, &c), 0);
	CU_ASSERT_EQUAL(entries(m.in), 2);
	CU_ASSERT_EQUAL(entries(m.in_rw), 1);

	/* not an SA the dataplane could use: refused before any write */
	c.key.spi = 0x4000;
	c.value.replay_window = 5000;
	CU_ASSERT_EQUAL(sa_in_add_alone(&m, &c), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a valid SA"));

	sa_maps_close(&m);
	free(percpu);
}

/* Replaced in place: the new value, a fresh window, the counters kept. */
static void test_replace(void)
{
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_sa_stats *percpu = calloc(ncpus, sizeof(*percpu));
	struct esprit_replay window = {.top = 5};
	struct sa_in a, b, b2, missing;
	struct esprit_sa_in got;
	struct sa_maps m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(percpu);
	CU_ASSERT_EQUAL_FATAL(small_maps(&m), 0);
	build(&a, "0x2000", NULL);
	build(&b, "0x1000", "64");
	CU_ASSERT_EQUAL_FATAL(sa_in_add_alone(&m, &a), 0);
	CU_ASSERT_EQUAL_FATAL(sa_in_add_alone(&m, &b), 0);
	percpu[0].packets = 7;
	CU_ASSERT_EQUAL(bpf_map_update_elem(m.in_st, &b.key, percpu, BPF_ANY),
			0);
	CU_ASSERT_EQUAL(bpf_map_update_elem(m.in_rw, &b.key, &window, BPF_ANY),
			0);

	/* another key, same window: value replaced, window afresh */
	CU_ASSERT_EQUAL_FATAL(sa_in_build("0x1000", "64501", "hmac-sha256-128",
					  "ff0102030405060708090a0b0c0d0e0f"
					  "101112131415161718191a1b1c1d1e1f",
					  "64", &b2, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(sa_in_replace_alone(&m, &b2), 0);
	CU_ASSERT_EQUAL(bpf_map_lookup_elem(m.in, &b.key, &got), 0);
	CU_ASSERT_EQUAL(memcmp(&got, &b2.value, sizeof(got)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(&got, &b.value, sizeof(got)), 0);
	CU_ASSERT_EQUAL(bpf_map_lookup_elem(m.in_rw, &b.key, &window), 0);
	CU_ASSERT_EQUAL(window.top, 0);
	memset(percpu, 0, ncpus * sizeof(*percpu));
	CU_ASSERT_EQUAL(bpf_map_lookup_elem(m.in_st, &b.key, percpu), 0);
	CU_ASSERT_EQUAL(percpu[0].packets, 7);

	/* the same key, a larger window: what the window saw stays seen */
	window.top = 9;
	CU_ASSERT_EQUAL(bpf_map_update_elem(m.in_rw, &b.key, &window, BPF_ANY),
			0);
	b2.value.replay_window = 128;
	CU_ASSERT_EQUAL(sa_in_replace_alone(&m, &b2), 0);
	CU_ASSERT_EQUAL(bpf_map_lookup_elem(m.in_rw, &b.key, &window), 0);
	CU_ASSERT_EQUAL(window.top, 9);
	CU_ASSERT_EQUAL(bpf_map_lookup_elem(m.in, &b.key, &got), 0);
	CU_ASSERT_EQUAL(got.replay_window, 128);

	/* a window where there was none: its state goes in too */
	a.value.replay_window = 32;
	CU_ASSERT_EQUAL(sa_in_replace_alone(&m, &a), 0);
	CU_ASSERT_EQUAL(entries(m.in_rw), 2);
	/* and away again */
	b2.value.replay_window = 0;
	CU_ASSERT_EQUAL(sa_in_replace_alone(&m, &b2), 0);
	CU_ASSERT_EQUAL(entries(m.in_rw), 1);
	CU_ASSERT_NOT_EQUAL(bpf_map_lookup_elem(m.in_rw, &b.key, &window), 0);

	build(&missing, "0x3000", NULL);
	CU_ASSERT_EQUAL(sa_in_replace_alone(&m, &missing), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no inbound SA with SPI 0x3000"));
	CU_ASSERT_EQUAL(entries(m.in), 2);
	a.value.replay_window = 5000;
	CU_ASSERT_EQUAL(sa_in_replace_alone(&m, &a), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a valid SA"));
	CU_ASSERT_EQUAL(bpf_map_lookup_elem(m.in, &a.key, &got), 0);
	CU_ASSERT_EQUAL(got.replay_window, 32);

	sa_maps_close(&m);
	free(percpu);
}

TEST_SUITE(sa_suite) = {
	.name = "unit_sa",
	.cases =
		(const struct test_case[]){
			{"spi", test_spi},
			{"replay_and_alg", test_replay_and_alg},
			{"key", test_key},
			{"words", test_words},
			{"add_del_full", test_add_del_full},
			{"replace", test_replace},
			{NULL, NULL},
		},
};
