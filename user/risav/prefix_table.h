/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The prefix → origin-ASN table in memory (struct prefix_table, sorted,
 * one entry per prefix). In the kernel it lives as risav/prefix_maps.h
 * says.
 */
#ifndef ESPRIT_USER_PREFIX_TABLE_H
#define ESPRIT_USER_PREFIX_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "esprit_risav.h"

struct prefix_entry {
	struct esprit_prefix_key key;
	__u32 asn; /* ESPRIT_ASN_NONE: the prefix is attributed to no AS */
	__u32 source; /* enum esprit_prefix_source */
};

struct prefix_table {
	struct prefix_entry *v;
	size_t n, cap;
};

void prefix_table_init(struct prefix_table *t);
void prefix_table_free(struct prefix_table *t);

/* Room for n entries in all. 0 or -1 (out of memory). */
int prefix_table_reserve(struct prefix_table *t, size_t n);

/* Appends without keeping order; prefix_table_sort() restores it. The
 * entry's source is ESPRIT_PREFIX_FROM_CLI until prefix_table_mark(). */
int prefix_table_append(struct prefix_table *t,
			const struct esprit_prefix_key *key, __u32 asn);

/* "cli", "import", "static", "rtr" (or "unknown"). */
const char *prefix_source_name(__u32 source);

/* Says every entry of t came from source. */
void prefix_table_mark(struct prefix_table *t, __u32 source);

/* Sorts by address, then prefix length (the order the trie fills fastest
 * in, since consecutive inserts walk the same path). */
void prefix_table_sort(struct prefix_table *t);

/*
 * A prefix and its ASN as integers, for sorting: the comparisons qsort()
 * makes through memcmp() cost half a second on 800k entries; these take
 * a fifth of that.
 */
struct prefix_rec {
	__u64 hi, lo; /* the address, big-endian halves as numbers */
	__u32 prefixlen;
	__u32 asn;
};

void prefix_rec_from(struct prefix_rec *r, const struct esprit_prefix_key *key,
		     __u32 asn);
void prefix_rec_key(const struct prefix_rec *r, struct esprit_prefix_key *key);

/* Sorts by address, prefix length, then ASN. */
void prefix_recs_sort(struct prefix_rec *r, size_t n);

/* Sets one prefix in a sorted table (replacing its ASN and source if
 * present). */
int prefix_table_put(struct prefix_table *t,
		     const struct esprit_prefix_key *key, __u32 asn,
		     __u32 source);

/* Same prefixes with the same origins (sources aside). */
bool prefix_table_equal(const struct prefix_table *a,
			const struct prefix_table *b);

/* Entries of a sorted table that are IPv4 (the rest are IPv6). */
size_t prefix_table_count_v4(const struct prefix_table *t);

/* Binary search in a sorted table; NULL if the exact prefix is absent. */
const struct prefix_entry *
prefix_table_find(const struct prefix_table *t,
		  const struct esprit_prefix_key *key);

int prefix_key_cmp(const struct esprit_prefix_key *a,
		   const struct esprit_prefix_key *b);

/*
 * A prefix for the table: prefix_parse() (host bits must be zero, a length
 * is required) plus one rule of the key format: IPv4 lives under
 * ::ffff:0:0/96, so an IPv6 prefix may neither lie inside that range (it
 * would alias an IPv4 prefix) nor cover it (::/0 would claim every IPv4
 * address).
 */
int table_prefix_parse(const char *s, struct esprit_prefix_key *key, char *err,
		       size_t errlen);

#endif
