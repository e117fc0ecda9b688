// SPDX-License-Identifier: GPL-2.0
/*
 * The RTR feed's map update logic, driven through rtrlib's own pfx_table
 * and its callbacks, as rtrlib's threads drive it: batches taken whole and
 * only once ended, announcements, withdrawals, the same VRP from two
 * caches, several origins (MOAS), static precedence, data past its expire
 * interval kept until the cache gives new data, a cache given up removed.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "daemon/rtr_feed.h"
#include "lib/addr.h"
#include "testlib.h"

static struct rtr_feed *feed;
static struct pfx_table table;
static char err[256];

static void setup(void)
{
	struct config_rtr cfg = {.n = 2};

	snprintf(cfg.caches[0].host, sizeof(cfg.caches[0].host), "127.0.0.1");
	snprintf(cfg.caches[0].port, sizeof(cfg.caches[0].port), "3323");
	cfg.caches[0].preference = 1;
	snprintf(cfg.caches[1].host, sizeof(cfg.caches[1].host), "::1");
	snprintf(cfg.caches[1].port, sizeof(cfg.caches[1].port), "3324");
	cfg.caches[1].preference = 2;
	feed = rtr_feed_new(&cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(feed);
	pfx_table_init(&table, rtr_feed_record_callback());
}

static void teardown(void)
{
	pfx_table_free(&table);
	rtr_feed_free(feed);
	feed = NULL;
}

static struct pfx_record rec(size_t cache, const char *prefix, unsigned int len,
			     unsigned int max_len, __u32 asn)
{
	struct pfx_record r = {.asn = asn,
			       .min_len = (uint8_t)len,
			       .max_len = (uint8_t)max_len,
			       .socket = rtr_feed_socket(feed, cache)};

	CU_ASSERT_EQUAL(lrtr_ip_str_to_addr(prefix, &r.prefix), 0);
	return r;
}

static void announce(size_t cache, const char *prefix, unsigned int len,
		     __u32 asn)
{
	struct pfx_record r = rec(cache, prefix, len, len, asn);

	CU_ASSERT_EQUAL(pfx_table_add(&table, &r), PFX_SUCCESS);
}

static void withdraw(size_t cache, const char *prefix, unsigned int len,
		     __u32 asn)
{
	struct pfx_record r = rec(cache, prefix, len, len, asn);

	CU_ASSERT_EQUAL(pfx_table_remove(&table, &r), PFX_SUCCESS);
}

/* Drains; the changes as "PREFIX ASN|none|gone ..." in key order. */
static const char *drain(void)
{
	static char out[1024];
	struct prefix_change *c = NULL;
	long n = rtr_feed_drain(feed, &c);
	struct prefix_table t;
	size_t used = 0;

	out[0] = '\0';
	CU_ASSERT_FATAL(n >= 0);
	prefix_table_init(&t);
	/* sorted the way the table sorts */
	CU_ASSERT_EQUAL(prefix_table_apply_changes(&t, c, (size_t)n, NULL), 0);
	prefix_table_free(&t);
	for (long i = 0; i < n; i++) {
		char buf[PREFIX_STRLEN];

		prefix_format(&c[i].key, buf, sizeof(buf));
		if (!c[i].present)
			used += snprintf(out + used, sizeof(out) - used,
					 "%s%s gone", used ? " " : "", buf);
		else if (c[i].asn == ESPRIT_ASN_NONE)
			used += snprintf(out + used, sizeof(out) - used,
					 "%s%s none", used ? " " : "", buf);
		else
			used += snprintf(out + used, sizeof(out) - used,
					 "%s%s %u", used ? " " : "", buf,
					 c[i].asn);
	}
	free(c);
	return out;
}

static void test_batch_taken_whole_once_ended(void)
{
	setup();
	rtr_feed_batch_begin(feed, 0);
	announce(0, "10.0.0.0", 8, 64500);
	announce(0, "2001:db8::", 32, 64501);
	/* half a batch is never handed over */
	CU_ASSERT_STRING_EQUAL(drain(), "");
	CU_ASSERT_TRUE(rtr_feed_pending(feed));
	CU_ASSERT_FALSE(rtr_feed_synced(feed));
	rtr_feed_batch_end(feed, 0, true);
	CU_ASSERT_STRING_EQUAL(drain(), "10.0.0.0/8 64500 2001:db8::/32 64501");
	CU_ASSERT_TRUE(rtr_feed_synced(feed));
	CU_ASSERT_FALSE(rtr_feed_pending(feed));
	{
		struct rtr_cache_status st[2];
		size_t n = rtr_feed_status(feed, st, 2);

		CU_ASSERT_EQUAL(n, 2);
		CU_ASSERT_EQUAL(st[0].v4, 1);
		CU_ASSERT_EQUAL(st[0].v6, 1);
		CU_ASSERT_TRUE(st[0].synced);
		CU_ASSERT_TRUE(st[0].last_update > 0);
		CU_ASSERT_FALSE(st[1].synced);
		CU_ASSERT_STRING_EQUAL(st[0].name, "127.0.0.1 port 3323");
	}
	/* a withdrawal of the last VRP of a prefix removes it */
	rtr_feed_batch_begin(feed, 0);
	withdraw(0, "10.0.0.0", 8, 64500);
	rtr_feed_batch_end(feed, 0, true);
	CU_ASSERT_STRING_EQUAL(drain(), "10.0.0.0/8 gone");
	/* a batch that failed and was undone by rtrlib changes nothing */
	rtr_feed_batch_begin(feed, 0);
	announce(0, "10.1.0.0", 16, 64500);
	withdraw(0, "10.1.0.0", 16, 64500);
	rtr_feed_batch_end(feed, 0, false);
	CU_ASSERT_STRING_EQUAL(drain(), "");
	teardown();
}

static void test_same_vrp_two_caches_and_moas(void)
{
	setup();
	rtr_feed_batch_begin(feed, 0);
	announce(0, "192.0.2.0", 24, 64500);
	rtr_feed_batch_end(feed, 0, true);
	rtr_feed_batch_begin(feed, 1);
	announce(1, "192.0.2.0", 24, 64500);
	rtr_feed_batch_end(feed, 1, true);
	CU_ASSERT_STRING_EQUAL(drain(), "192.0.2.0/24 64500");
	/* one cache withdraws, the other still has it */
	rtr_feed_batch_begin(feed, 0);
	withdraw(0, "192.0.2.0", 24, 64500);
	rtr_feed_batch_end(feed, 0, true);
	CU_ASSERT_STRING_EQUAL(drain(), "");
	/* a second origin: no single AS; AS0 is nobody's */
	rtr_feed_batch_begin(feed, 1);
	announce(1, "192.0.2.0", 24, 64501);
	announce(1, "198.51.100.0", 24, 0);
	rtr_feed_batch_end(feed, 1, true);
	CU_ASSERT_STRING_EQUAL(drain(), "192.0.2.0/24 none");
	rtr_feed_batch_begin(feed, 1);
	withdraw(1, "192.0.2.0", 24, 64500);
	rtr_feed_batch_end(feed, 1, true);
	CU_ASSERT_STRING_EQUAL(drain(), "192.0.2.0/24 64501");
	/* another max length of the same origin changes nothing */
	rtr_feed_batch_begin(feed, 1);
	{
		struct pfx_record r = rec(1, "192.0.2.0", 24, 26, 64501);

		CU_ASSERT_EQUAL(pfx_table_add(&table, &r), PFX_SUCCESS);
	}
	rtr_feed_batch_end(feed, 1, true);
	CU_ASSERT_STRING_EQUAL(drain(), "");
	teardown();
}

static void test_static_precedence(void)
{
	struct prefix_table t, statics;
	struct esprit_prefix_key k;
	struct prefix_change *c = NULL;
	long n;

	setup();
	prefix_table_init(&t);
	prefix_table_init(&statics);
	CU_ASSERT_EQUAL(
		table_prefix_parse("192.0.2.0/24", &k, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(prefix_table_put(&statics, &k, 64999,
					 ESPRIT_PREFIX_FROM_STATIC),
			0);
	CU_ASSERT_EQUAL(
		prefix_table_put(&t, &k, 64999, ESPRIT_PREFIX_FROM_STATIC), 0);
	rtr_feed_batch_begin(feed, 0);
	announce(0, "192.0.2.0", 24, 64500);
	announce(0, "198.51.100.0", 24, 64501);
	rtr_feed_batch_end(feed, 0, true);
	n = rtr_feed_drain(feed, &c);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(prefix_table_apply_changes(&t, c, (size_t)n, &statics),
			0);
	free(c);
	CU_ASSERT_EQUAL(t.n, 2);
	CU_ASSERT_EQUAL(t.v[0].asn, 64999);
	CU_ASSERT_EQUAL(t.v[0].source, ESPRIT_PREFIX_FROM_STATIC);
	CU_ASSERT_EQUAL(t.v[1].asn, 64501);
	CU_ASSERT_EQUAL(t.v[1].source, ESPRIT_PREFIX_FROM_RTR);
	/* withdrawn from RTR: the static entry still stands */
	rtr_feed_batch_begin(feed, 0);
	withdraw(0, "192.0.2.0", 24, 64500);
	rtr_feed_batch_end(feed, 0, true);
	n = rtr_feed_drain(feed, &c);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(prefix_table_apply_changes(&t, c, (size_t)n, &statics),
			0);
	free(c);
	CU_ASSERT_EQUAL(t.n, 2);
	CU_ASSERT_EQUAL(t.v[0].asn, 64999);
	prefix_table_free(&t);
	prefix_table_free(&statics);
	teardown();
}

static void test_expired_kept_until_new_data(void)
{
	char note[256];
	bool loud = false;

	setup();
	rtr_feed_batch_begin(feed, 0);
	announce(0, "10.0.0.0", 8, 64500);
	announce(0, "10.1.0.0", 16, 64501);
	rtr_feed_batch_end(feed, 0, true);
	CU_ASSERT_STRING_EQUAL(drain(), "10.0.0.0/8 64500 10.1.0.0/16 64501");
	/* rtrlib purges the cache's data past its expire interval */
	CU_ASSERT_EQUAL(pfx_table_src_remove(&table, rtr_feed_socket(feed, 0)),
			PFX_SUCCESS);
	CU_ASSERT_STRING_EQUAL(drain(), "");
	CU_ASSERT_TRUE(rtr_feed_take_note(feed, note, sizeof(note), &loud));
	CU_ASSERT_TRUE(loud);
	CU_ASSERT_PTR_NOT_NULL(strstr(note, "past the expire interval; kept"));
	/* the cache is back with less: what it no longer has goes */
	rtr_feed_batch_begin(feed, 0);
	announce(0, "10.0.0.0", 8, 64500);
	rtr_feed_batch_end(feed, 0, true);
	CU_ASSERT_STRING_EQUAL(drain(), "10.1.0.0/16 gone");
	/* a cache given up for a better one: its data goes at once */
	rtr_feed_socket(feed, 0)->state = RTR_SHUTDOWN;
	CU_ASSERT_EQUAL(pfx_table_src_remove(&table, rtr_feed_socket(feed, 0)),
			PFX_SUCCESS);
	CU_ASSERT_STRING_EQUAL(drain(), "10.0.0.0/8 gone");
	teardown();
}

static void test_unrepresentable_ipv6_left_out(void)
{
	char note[256];
	bool loud;

	setup();
	rtr_feed_batch_begin(feed, 0);
	announce(0, "::ffff:10.0.0.0", 104, 64500);
	announce(0, "::", 0, 64500);
	announce(0, "2001:db8::", 32, 64500);
	rtr_feed_batch_end(feed, 0, true);
	CU_ASSERT_STRING_EQUAL(drain(), "2001:db8::/32 64500");
	CU_ASSERT_TRUE(rtr_feed_take_note(feed, note, sizeof(note), &loud));
	CU_ASSERT_PTR_NOT_NULL(strstr(note, "::ffff:0:0/96"));
	teardown();
}

TEST_SUITE(rtr_feed) = {
	.name = "unit_rtr_feed",
	.cases =
		(const struct test_case[]){
			{"batch_taken_whole_once_ended",
			 test_batch_taken_whole_once_ended},
			{"same_vrp_two_caches_and_moas",
			 test_same_vrp_two_caches_and_moas},
			{"static_precedence", test_static_precedence},
			{"expired_kept_until_new_data",
			 test_expired_kept_until_new_data},
			{"unrepresentable_ipv6_left_out",
			 test_unrepresentable_ipv6_left_out},
			{NULL, NULL},
		},
};
