/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VRPs an RPKI-to-Router feed has announced, as the prefix table sees
 * them: each prefix's origin is what an RPKI import makes of the same VRPs
 * (risav/rpki.h): the one AS of its VRPs, ESPRIT_ASN_NONE when they name
 * several (MOAS), none when only AS0 VRPs are left, maxLength aside. A
 * VRP is announced by a source (a cache, 0 to VRP_SOURCES_MAX - 1); the
 * same VRP from two sources counts until both withdraw it.
 *
 * Announcements and withdrawals mark their prefix changed;
 * vrp_set_take_changes() hands the changed prefixes over with their
 * origin now, which is what one End of Data batch does to the table.
 */
#ifndef ESPRIT_RISAV_VRP_SET_H
#define ESPRIT_RISAV_VRP_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "esprit_risav.h"
#include "risav/prefix_table.h"

#define VRP_SOURCES_MAX 16

struct vrp_set;

struct vrp_set *vrp_set_new(void);
void vrp_set_free(struct vrp_set *s);

enum vrp_apply_result {
	VRP_APPLIED = 0,
	VRP_UNKNOWN = 1, /* a withdrawal of a VRP the set does not hold */
	VRP_DUPLICATE = 2, /* an announcement the source already made */
	VRP_NOMEM = -1,
};

enum vrp_apply_result vrp_set_apply(struct vrp_set *s,
				    const struct esprit_prefix_key *key,
				    __u8 max_len, __u32 asn,
				    unsigned int source, bool announced);

/* Withdraws every VRP of source. */
int vrp_set_drop_source(struct vrp_set *s, unsigned int source);

/* The prefix's origin: true with *asn set, false if it has none. */
bool vrp_set_origin(const struct vrp_set *s,
		    const struct esprit_prefix_key *key, __u32 *asn);

/* A prefix whose origin may have changed: present with asn, or gone. */
struct prefix_change {
	struct esprit_prefix_key key;
	__u32 asn;
	bool present;
};

/*
 * The prefixes changed since the last call, with their origin now (a
 * prefix announced and withdrawn again comes back unchanged: present as
 * before, or gone); free(*out) after use. Their number, or -1.
 */
long vrp_set_take_changes(struct vrp_set *s, struct prefix_change **out);

/*
 * Makes the sorted table t what it becomes with the n changes c (sorted
 * here), entries of statics left as they are: O(t + n log n). 0 or -1
 * (out of memory, t unchanged).
 */
int prefix_table_apply_changes(struct prefix_table *t, struct prefix_change *c,
			       size_t n, const struct prefix_table *statics);

/* Every prefix with an origin, sorted, into t (emptied first). 0 or -1. */
int vrp_set_table(const struct vrp_set *s, struct prefix_table *t);

/* VRPs source holds, by family. */
void vrp_set_counts(const struct vrp_set *s, unsigned int source, size_t *v4,
		    size_t *v6);

/* Prefixes with an origin. */
size_t vrp_set_prefixes(const struct vrp_set *s);

#endif
