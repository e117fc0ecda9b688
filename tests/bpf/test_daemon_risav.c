// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's RISAV apply on the maps of a loaded esprit_xdp (BTF and
 * all): found through the program id as the daemon finds them, SAs diffed
 * (unchanged ones keep window and counters, changed ones replaced, stale
 * ones deleted), the prefix table installed only when it changed or was
 * replaced behind the daemon's back, and a write refused half-way undone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "risav/prefix_maps.h"
#include "esprit_maps.h"
#include "daemon/risav_apply.h"
#include "testlib.h"
#include "xdp_fixture.h"

#define KEY_A "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_B "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static char dir[] = "/tmp/esprit-drisav-XXXXXX";
static char err[1024];

static int suite_init(void)
{
	if (fixture_private_netns() || !mkdtemp(dir))
		return -1;
	return 0;
}

static int suite_clean(void)
{
	char cmd[sizeof(dir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static int load(const char *text, struct daemon_config *cfg)
{
	char path[sizeof(dir) + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/esprit.yaml", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return config_load(path, cfg, err, sizeof(err));
}

/* A dataplane with the fixture's program on one interface. */
static void fake_dataplane(struct xdp_fixture *f, struct dataplane *dp)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	dataplane_init(dp);
	CU_ASSERT_EQUAL_FATAL(bpf_obj_get_info_by_fd(f->prog_fd, &info, &len),
			      0);
	dp->ifs = calloc(1, sizeof(*dp->ifs));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp->ifs);
	snprintf(dp->ifs[0].name, sizeof(dp->ifs[0].name), "fx0");
	dp->ifs[0].prog_id = info.id;
	dp->nifs = 1;
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s/pins", dir);
}

static int apply(struct daemon_risav *dr, const struct daemon_config *cfg,
		 const struct dataplane *dp, bool *unchanged)
{
	struct risav_plan plan;
	int rc;

	err[0] = '\0';
	rc = daemon_risav_prepare(dr, cfg, &plan, err, sizeof(err));
	if (unchanged)
		*unchanged = plan.prefixes_unchanged;
	if (!rc)
		rc = daemon_risav_apply(dr, &plan, dp, err, sizeof(err));
	risav_plan_free(&plan);
	if (rc)
		fprintf(stderr, "\n%s\n", err);
	return rc;
}

static struct esprit_sa_in_key sa_key(__u32 spi, __u32 asn)
{
	return (struct esprit_sa_in_key){.spi = spi, .asn = asn};
}

/* The SAs, peers, settings and windows as one comparable text. */
static void snapshot(struct xdp_fixture *f, char *buf, size_t len)
{
	int in = xdp_fixture_map_fd(f, ESPRIT_MAP_SA_IN);
	int rw = xdp_fixture_map_fd(f, ESPRIT_MAP_SA_IN_RW);
	int peers = xdp_fixture_map_fd(f, ESPRIT_MAP_PEERS);
	int risav = xdp_fixture_map_fd(f, ESPRIT_MAP_RISAV);
	struct esprit_sa_in_key k, next, *prev = NULL;
	struct esprit_risav_config c = {};
	__u32 a, an, *pa = NULL, zero = 0;
	size_t n = 0;

	bpf_map_lookup_elem(risav, &zero, &c);
	n += snprintf(buf + n, len - n, "local %u flags %u;", c.local_asn,
		      c.risav_flags);
	while (!bpf_map_get_next_key(peers, pa, &an) && n < len) {
		struct esprit_peer p;

		a = an;
		pa = &a;
		bpf_map_lookup_elem(peers, &a, &p);
		n += snprintf(buf + n, len - n, "peer %u %u %u;", a, p.mode,
			      p.contact_count);
	}
	while (!bpf_map_get_next_key(in, prev, &next) && n < len) {
		struct esprit_replay w = {};
		struct esprit_sa_in v;
		__u32 sum = 0;

		k = next;
		prev = &k;
		bpf_map_lookup_elem(in, &k, &v);
		for (size_t i = 0; i < sizeof(v); i++)
			sum = sum * 31 + ((__u8 *)&v)[i];
		if (bpf_map_lookup_elem_flags(rw, &k, &w, BPF_F_LOCK))
			w.top = (__u32)-1;
		n += snprintf(buf + n, len - n, "sa %x/%u %08x top %d;", k.spi,
			      k.asn, sum, (int)w.top);
	}
}

static __u32 window_top(struct xdp_fixture *f, __u32 spi, __u32 asn)
{
	struct esprit_sa_in_key k = sa_key(spi, asn);
	struct esprit_replay w = {};

	if (bpf_map_lookup_elem_flags(xdp_fixture_map_fd(f,
							 ESPRIT_MAP_SA_IN_RW),
				      &k, &w, BPF_F_LOCK))
		return (__u32)-1;
	return w.top;
}

static void set_window_top(struct xdp_fixture *f, __u32 spi, __u32 asn,
			   __u32 top)
{
	struct esprit_sa_in_key k = sa_key(spi, asn);
	struct esprit_replay w = {.top = top};

	CU_ASSERT_EQUAL(bpf_map_update_elem(xdp_fixture_map_fd(f, "esprit_sa_"
								  "in_rw"),
					    &k, &w, BPF_F_LOCK),
			0);
}

static bool sa_present(struct xdp_fixture *f, __u32 spi, __u32 asn)
{
	struct esprit_sa_in_key k = sa_key(spi, asn);
	struct esprit_sa_in v;

	return !bpf_map_lookup_elem(xdp_fixture_map_fd(f, ESPRIT_MAP_SA_IN), &k,
				    &v);
}

static __u32 trie_id(struct xdp_fixture *f)
{
	return prefix_trie_current_id(
		xdp_fixture_map_fd(f, ESPRIT_MAP_PREFIXES));
}

#define FIRST                                                                \
	"risav:\n"                                                           \
	"  local_asn: 64500\n"                                               \
	"  prefixes:\n"                                                      \
	"    static: [{prefix: 198.51.100.0/24, asn: 64501}]\n"              \
	"  peers: [{asn: 64501, mode: enforce}]\n"                           \
	"  sas:\n"                                                           \
	"    - {spi: 0x1000, asn: 64501, alg: hmac-sha256-128, replay: 64, " \
	"key: " KEY_A "}\n"                                                  \
	"    - {spi: 0x2000, asn: 64501, alg: hmac-sha256-128, key: " KEY_A  \
	"}\n"                                                                \
	"    - {spi: 0x4000, asn: 64501, alg: hmac-sha256-128, key: " KEY_A  \
	"}\n"

/* 0x1000 as it was, 0x2000 with another key, 0x3000 new, 0x4000 gone. */
#define SECOND                                                               \
	"risav:\n"                                                           \
	"  local_asn: 64500\n"                                               \
	"  prefixes:\n"                                                      \
	"    static: [{prefix: 198.51.100.0/24, asn: 64501}]\n"              \
	"  peers: [{asn: 64501, mode: enforce}, {asn: 64502, mode: off}]\n"  \
	"  sas:\n"                                                           \
	"    - {spi: 0x1000, asn: 64501, alg: hmac-sha256-128, replay: 64, " \
	"key: " KEY_A "}\n"                                                  \
	"    - {spi: 0x2000, asn: 64501, alg: hmac-sha256-128, replay: 32, " \
	"key: " KEY_B "}\n"                                                  \
	"    - {spi: 0x3000, asn: 64502, alg: hmac-sha256-128, key: " KEY_B  \
	"}\n"

static void test_diff_through_the_program(void)
{
	struct daemon_config first, second;
	struct daemon_risav dr;
	struct xdp_fixture f;
	struct dataplane dp;
	struct prefix_table empty;
	__u32 trie;
	bool unchanged;

	CU_ASSERT_EQUAL_FATAL(xdp_fixture_open(&f), 0);
	fake_dataplane(&f, &dp);
	daemon_risav_init(&dr, NULL);
	CU_ASSERT_EQUAL_FATAL(load(FIRST, &first), 0);
	CU_ASSERT_EQUAL_FATAL(load(SECOND, &second), 0);

	CU_ASSERT_EQUAL_FATAL(apply(&dr, &first, &dp, &unchanged), 0);
	CU_ASSERT_FALSE(unchanged);
	CU_ASSERT_TRUE(dr.owned);
	CU_ASSERT_TRUE(sa_present(&f, 0x1000, 64501));
	CU_ASSERT_TRUE(sa_present(&f, 0x4000, 64501));
	CU_ASSERT_EQUAL(window_top(&f, 0x1000, 64501), 0);
	trie = trie_id(&f);
	CU_ASSERT_NOT_EQUAL(trie, 0);

	/* the dataplane has accepted up to 9 on 0x1000 */
	set_window_top(&f, 0x1000, 64501, 9);
	CU_ASSERT_EQUAL_FATAL(apply(&dr, &second, &dp, &unchanged), 0);
	CU_ASSERT_TRUE(unchanged); /* same statics, no import */
	CU_ASSERT_EQUAL(trie_id(&f), trie);
	CU_ASSERT_EQUAL(window_top(&f, 0x1000, 64501), 9);
	CU_ASSERT_EQUAL(window_top(&f, 0x2000, 64501), 0); /* new window */
	CU_ASSERT_TRUE(sa_present(&f, 0x3000, 64502));
	CU_ASSERT_FALSE(sa_present(&f, 0x4000, 64501));

	/* the table replaced behind the daemon's back: installed again */
	{
		struct prefix_maps pm = {xdp_fixture_map_fd(&f, "esprit_"
								"prefixes"),
					 xdp_fixture_map_fd(&f,
							    ESPRIT_MAP_PFX4)};
		size_t v4, v6;

		prefix_table_init(&empty);
		CU_ASSERT_EQUAL(prefixes_replace(&pm, &empty, NULL, NULL, err,
						 sizeof(err)),
				0);
		CU_ASSERT_NOT_EQUAL(trie_id(&f), trie);
		trie = trie_id(&f);
		CU_ASSERT_EQUAL_FATAL(apply(&dr, &second, &dp, &unchanged), 0);
		CU_ASSERT_TRUE(unchanged);
		CU_ASSERT_NOT_EQUAL(trie_id(&f), trie);
		CU_ASSERT_EQUAL(prefixes_count(&pm, &v4, &v6, err, sizeof(err)),
				0);
		CU_ASSERT_EQUAL(v4, 1);
	}
	CU_ASSERT_EQUAL(window_top(&f, 0x1000, 64501), 9);

	daemon_risav_free(&dr);
	config_free(&first);
	config_free(&second);
	dataplane_shutdown(&dp, false);
	xdp_fixture_close(&f);
}

/* The prefix table cannot be installed after the SAs and peers were
 * written: all of it is put back, windows included. */
static void test_refused_write_is_undone(void)
{
	struct daemon_config first, second;
	struct daemon_risav dr;
	struct xdp_fixture f;
	struct dataplane dp;
	struct risav_maps rm;
	struct sa_maps sm;
	char before[2048], after[2048];

	CU_ASSERT_EQUAL_FATAL(xdp_fixture_open(&f), 0);
	fake_dataplane(&f, &dp);
	daemon_risav_init(&dr, NULL);
	CU_ASSERT_EQUAL_FATAL(load(FIRST, &first), 0);
	CU_ASSERT_EQUAL_FATAL(load(SECOND, &second), 0);
	CU_ASSERT_EQUAL_FATAL(apply(&dr, &first, &dp, NULL), 0);
	set_window_top(&f, 0x1000, 64501, 9);
	snapshot(&f, before, sizeof(before));

	rm = (struct risav_maps){
		.config = xdp_fixture_map_fd(&f, ESPRIT_MAP_RISAV),
		.prefixes = -1, /* the install fails */
		.pfx4 = -1,
		.peers = xdp_fixture_map_fd(&f, ESPRIT_MAP_PEERS),
		.contacts = xdp_fixture_map_fd(&f, ESPRIT_MAP_CONTACTS),
	};
	sm = (struct sa_maps){
		.in = xdp_fixture_map_fd(&f, ESPRIT_MAP_SA_IN),
		.in_rw = xdp_fixture_map_fd(&f, ESPRIT_MAP_SA_IN_RW),
		.in_st = xdp_fixture_map_fd(&f, ESPRIT_MAP_SA_IN_ST),
	};
	CU_ASSERT_EQUAL_FATAL(risav_maps_probe(&rm, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(risav_set_apply(&rm, &sm, 16, NULL, 0, NULL,
					second.path, &second.risav,
					&dr.prefixes.table, true, err,
					sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "prefix table"));
	snapshot(&f, after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(after, before);
	CU_ASSERT_EQUAL(window_top(&f, 0x1000, 64501), 9);

	/* the same without the table goes through */
	CU_ASSERT_EQUAL(risav_set_apply(&rm, &sm, 16, NULL, 0, NULL,
					second.path, &second.risav,
					&dr.prefixes.table, false, err,
					sizeof(err)),
			0);
	snapshot(&f, after, sizeof(after));
	CU_ASSERT_STRING_NOT_EQUAL(after, before);
	CU_ASSERT_TRUE(sa_present(&f, 0x3000, 64502));
	CU_ASSERT_EQUAL(window_top(&f, 0x1000, 64501), 9);

	daemon_risav_free(&dr);
	config_free(&first);
	config_free(&second);
	dataplane_shutdown(&dp, false);
	xdp_fixture_close(&f);
}

TEST_SUITE(daemon_risav_suite) = {
	.name = "bpf_daemon_risav",
	.init = suite_init,
	.cleanup = suite_clean,
	.cases =
		(const struct test_case[]){
			{"diff_through_the_program",
			 test_diff_through_the_program},
			{"refused_write_is_undone",
			 test_refused_write_is_undone},
			{NULL, NULL},
		},
};
