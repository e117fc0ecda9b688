/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The prefix → origin-ASN table in the kernel: the LPM trie in slot 0 of
 * the array of maps esprit_prefixes, and its IPv4 index beside it. A whole
 * table is replaced by building a new trie aside and swapping it into the
 * slot with one update; single prefixes are edited in the trie that is
 * there.
 */
#ifndef ESPRIT_RISAV_PREFIX_MAPS_H
#define ESPRIT_RISAV_PREFIX_MAPS_H

#include "lib/map_journal.h"
#include "risav/prefix_table.h"
#include "risav/vrp_set.h"

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

/* A new trie holding t, not installed: its fd, or -1 with err. */
int prefix_trie_mirror(const struct prefix_table *t, char *err, size_t errlen);

/*
 * One batch of changes (an RTR End of Data), seen whole or not at all: made
 * in *standby, a trie holding what the installed one holds, which is then
 * swapped in (the IPv4 index, out of its slot meanwhile, patched and put
 * back); the trie it replaced takes the same changes and becomes *standby.
 * Prefixes in statics are left alone. -1 with err if the batch did not go
 * in (*standby is then -1 if it no longer mirrors the table).
 */
int prefixes_swap_batch(const struct prefix_maps *m, int *standby,
			const struct prefix_change *c, size_t n,
			const struct prefix_table *statics, char *err,
			size_t errlen);

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
