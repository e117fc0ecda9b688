/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The prefix → origin-ASN table: in memory (struct prefix_table, sorted,
 * one entry per prefix) and in the kernel, where it is the LPM trie in
 * slot 0 of the array of maps esprit_prefixes. A whole table is replaced
 * by building a new trie aside and swapping it into the slot with one
 * update; single prefixes are edited in the trie that is there.
 */
#ifndef ESPRIT_USER_PREFIX_TABLE_H
#define ESPRIT_USER_PREFIX_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "esprit_risav.h"
#include "lib/map_journal.h"

struct prefix_entry {
	struct esprit_prefix_key key;
	__u32 asn; /* ESPRIT_ASN_NONE: the prefix is attributed to no AS */
};

struct prefix_table {
	struct prefix_entry *v;
	size_t n, cap;
};

void prefix_table_init(struct prefix_table *t);
void prefix_table_free(struct prefix_table *t);

/* Appends without keeping order; prefix_table_sort() restores it. */
int prefix_table_append(struct prefix_table *t,
			const struct esprit_prefix_key *key, __u32 asn);

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

/* Sets one prefix in a sorted table (replacing its ASN if present). */
int prefix_table_put(struct prefix_table *t,
		     const struct esprit_prefix_key *key, __u32 asn);

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

/*
 * The table in the kernel: the LPM trie in slot 0 of esprit_prefixes, and
 * the IPv4 index in slot 0 of esprit_pfx4 (pfx4 -1 when the loaded program
 * has no such map: lookups then use the trie alone).
 */
struct prefix_maps {
	int trie; /* esprit_prefixes */
	int pfx4; /* esprit_pfx4 */
};

/* What prefixes_replace() did, and how long it took (seconds). */
struct prefix_load_report {
	double fill; /* creating the new trie and inserting every entry */
	double index; /* building the IPv4 index */
	double swap; /* the updates that install them */
	__u32 trie_id, index_id; /* map ids now installed (0: none) */
	char index_note[160]; /* why there is no index, or "" */
};

/*
 * Builds a new trie holding exactly t (sorted) and its IPv4 index, and
 * swaps them in: each lookup answers from the old table or the new one.
 * Nothing changes if the trie cannot be built or installed (-1, err set);
 * if only the index fails, the trie goes in without one (report says why).
 * With j, the swap is recorded there: undoing j puts the old table back.
 */
int prefixes_replace(const struct prefix_maps *m, const struct prefix_table *t,
		     struct map_journal *j, struct prefix_load_report *report,
		     char *err, size_t errlen);

/* Sets one prefix in place (installing a first table if there is none)
 * and brings the IPv4 index in step. */
int prefixes_set(const struct prefix_maps *m,
		 const struct esprit_prefix_key *key, __u32 asn, char *err,
		 size_t errlen);

/* Deletes one prefix in place; -1 with err if it is not in the table. */
int prefixes_del(const struct prefix_maps *m,
		 const struct esprit_prefix_key *key, char *err, size_t errlen);

/* Reads the whole current table, sorted (empty if there is no trie). */
int prefixes_read(const struct prefix_maps *m, struct prefix_table *out,
		  char *err, size_t errlen);

/* Counts the entries of the current table without keeping them. */
int prefixes_count(const struct prefix_maps *m, size_t *v4, size_t *v6,
		   char *err, size_t errlen);

/* A new empty trie of the inner-map template's type, flags and sizes, with
 * BTF so bpftool prints its fields. Returns its fd or -1 (err set). */
int prefix_trie_create(char *err, size_t errlen);

/* Inserts every entry of t into trie_fd (batched). */
int prefix_trie_fill(int trie_fd, const struct prefix_table *t, char *err,
		     size_t errlen);

/* The trie now in slot 0: its fd, -ENOENT if the slot is empty, or
 * another negative errno. */
int prefix_trie_current(int outer_fd);

/* Map id of the trie in slot 0, 0 if none. */
__u32 prefix_trie_current_id(int outer_fd);

#endif
