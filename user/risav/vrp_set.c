// SPDX-License-Identifier: GPL-2.0
/*
 * An open-addressing hash of prefixes (linear probing, tombstones never
 * needed: a prefix's slot stays once made, empty of VRPs when all are
 * withdrawn, and is reused if it comes back), each with its few VRPs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/addr.h"
#include "lib/siphash.h"
#include "risav/vrp_set.h"

struct vrp {
	__u32 asn;
	__u8 max_len;
	__u8 source;
};

struct slot {
	struct esprit_prefix_key key;
	bool used;
	bool changed;
	bool had; /* the origin it had when last taken */
	__u32 had_asn;
	struct vrp *vrps;
	__u32 n, cap;
};

struct vrp_set {
	struct slot *slots;
	size_t cap, used; /* cap: a power of two */
	size_t *changed; /* indexes of changed slots */
	size_t nchanged, changed_cap;
	size_t v4[VRP_SOURCES_MAX], v6[VRP_SOURCES_MAX];
	size_t with_origin; /* prefixes that have one, as last taken */
	__u8 key[SIPHASH_KEY_LEN];
};

struct vrp_set *vrp_set_new(void)
{
	struct vrp_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cap = 1024;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (!s->slots) {
		free(s);
		return NULL;
	}
	/* a cache chooses the prefixes: keep it from choosing collisions */
	if (getrandom(s->key, sizeof(s->key), 0) != sizeof(s->key))
		for (size_t i = 0; i < sizeof(s->key); i++)
			s->key[i] = (__u8)(i * 37 + 11);
	return s;
}

void vrp_set_free(struct vrp_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i].vrps);
	free(s->slots);
	free(s->changed);
	free(s);
}

static size_t find(const struct vrp_set *s, const struct esprit_prefix_key *k)
{
	size_t i = siphash24(s->key, k, sizeof(*k)) & (s->cap - 1);

	while (s->slots[i].used && memcmp(&s->slots[i].key, k, sizeof(*k)))
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int grow(struct vrp_set *s)
{
	struct vrp_set bigger = *s;

	bigger.cap = s->cap * 2;
	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slots[i].used)
			continue;
		bigger.slots[find(&bigger, &s->slots[i].key)] = s->slots[i];
	}
	/* the changed list names slots by index: name them again */
	for (size_t c = 0; c < s->nchanged; c++)
		s->changed[c] = find(&bigger, &s->slots[s->changed[c]].key);
	free(s->slots);
	s->slots = bigger.slots;
	s->cap = bigger.cap;
	return 0;
}

static bool origin_of(const struct slot *sl, __u32 *asn)
{
	__u32 one = 0;

	for (__u32 i = 0; i < sl->n; i++) {
		if (!sl->vrps[i].asn)
			continue; /* AS0 attributes the prefix to no one */
		if (one && one != sl->vrps[i].asn) {
			*asn = ESPRIT_ASN_NONE;
			return true;
		}
		one = sl->vrps[i].asn;
	}
	*asn = one;
	return one != 0;
}

static int mark_changed(struct vrp_set *s, size_t i)
{
	if (s->slots[i].changed)
		return 0;
	if (s->nchanged == s->changed_cap) {
		size_t c = s->changed_cap ? 2 * s->changed_cap : 256;
		size_t *v = realloc(s->changed, c * sizeof(*v));

		if (!v)
			return -1;
		s->changed = v;
		s->changed_cap = c;
	}
	s->changed[s->nchanged++] = i;
	s->slots[i].changed = true;
	return 0;
}

static void count_vrp(struct vrp_set *s, const struct esprit_prefix_key *k,
		      unsigned int source, long d)
{
	if (prefix_is_v4(k))
		s->v4[source] += d;
	else
		s->v6[source] += d;
}

enum vrp_apply_result vrp_set_apply(struct vrp_set *s,
				    const struct esprit_prefix_key *key,
				    __u8 max_len, __u32 asn,
				    unsigned int source, bool announced)
{
	struct slot *sl;
	size_t i;

	if (source >= VRP_SOURCES_MAX)
		return VRP_UNKNOWN;
	if (announced && (s->used + 1) * 2 > s->cap && grow(s))
		return VRP_NOMEM;
	i = find(s, key);
	sl = &s->slots[i];
	if (!sl->used) {
		if (!announced)
			return VRP_UNKNOWN;
		sl->used = true;
		sl->key = *key;
		s->used++;
	}
	for (__u32 v = 0; v < sl->n; v++) {
		struct vrp *r = &sl->vrps[v];

		if (r->asn != asn || r->max_len != max_len ||
		    r->source != source)
			continue;
		if (announced)
			return VRP_DUPLICATE;
		sl->vrps[v] = sl->vrps[--sl->n];
		count_vrp(s, key, source, -1);
		return mark_changed(s, i) ? VRP_NOMEM : VRP_APPLIED;
	}
	if (!announced)
		return VRP_UNKNOWN;
	if (sl->n == sl->cap) {
		__u32 c = sl->cap ? 2 * sl->cap : 2;
		struct vrp *v = realloc(sl->vrps, c * sizeof(*v));

		if (!v)
			return VRP_NOMEM;
		sl->vrps = v;
		sl->cap = c;
	}
	sl->vrps[sl->n++] = (struct vrp){
		.asn = asn, .max_len = max_len, .source = (__u8)source};
	count_vrp(s, key, source, 1);
	return mark_changed(s, i) ? VRP_NOMEM : VRP_APPLIED;
}

int vrp_set_drop_source(struct vrp_set *s, unsigned int source)
{
	for (size_t i = 0; i < s->cap; i++) {
		struct slot *sl = &s->slots[i];
		bool dropped = false;

		for (__u32 v = 0; v < sl->n;) {
			if (sl->vrps[v].source != source) {
				v++;
				continue;
			}
			sl->vrps[v] = sl->vrps[--sl->n];
			count_vrp(s, &sl->key, source, -1);
			dropped = true;
		}
		if (dropped && mark_changed(s, i))
			return -1;
	}
	return 0;
}

bool vrp_set_origin(const struct vrp_set *s,
		    const struct esprit_prefix_key *key, __u32 *asn)
{
	const struct slot *sl = &s->slots[find(s, key)];

	return sl->used && origin_of(sl, asn);
}

long vrp_set_take_changes(struct vrp_set *s, struct prefix_change **out)
{
	struct prefix_change *c =
		malloc((s->nchanged ? s->nchanged : 1) * sizeof(*c));
	size_t n = 0;

	if (!c)
		return -1;
	for (size_t k = 0; k < s->nchanged; k++) {
		struct slot *sl = &s->slots[s->changed[k]];
		__u32 asn = 0;
		bool has = origin_of(sl, &asn);

		sl->changed = false;
		if (has == sl->had && (!has || asn == sl->had_asn))
			continue;
		c[n].key = sl->key;
		c[n].asn = asn;
		c[n].present = has;
		n++;
		s->with_origin += (long)has - (long)sl->had;
		sl->had = has;
		sl->had_asn = asn;
	}
	s->nchanged = 0;
	*out = c;
	return (long)n;
}

int vrp_set_table(const struct vrp_set *s, struct prefix_table *t)
{
	t->n = 0;
	for (size_t i = 0; i < s->cap; i++) {
		__u32 asn;

		if (s->slots[i].used && origin_of(&s->slots[i], &asn) &&
		    prefix_table_append(t, &s->slots[i].key, asn))
			return -1;
	}
	prefix_table_mark(t, ESPRIT_PREFIX_FROM_RTR);
	prefix_table_sort(t);
	return 0;
}

void vrp_set_counts(const struct vrp_set *s, unsigned int source, size_t *v4,
		    size_t *v6)
{
	*v4 = source < VRP_SOURCES_MAX ? s->v4[source] : 0;
	*v6 = source < VRP_SOURCES_MAX ? s->v6[source] : 0;
}

size_t vrp_set_prefixes(const struct vrp_set *s)
{
	return s->with_origin;
}

static int change_cmp(const void *a, const void *b)
{
	const struct prefix_change *x = a, *y = b;

	return prefix_key_cmp(&x->key, &y->key);
}

int prefix_table_apply_changes(struct prefix_table *t, struct prefix_change *c,
			       size_t n, const struct prefix_table *statics)
{
	struct prefix_table out;
	size_t i = 0, k = 0;

	qsort(c, n, sizeof(*c), change_cmp);
	prefix_table_init(&out);
	if (prefix_table_reserve(&out, t->n + n))
		return -1;
	while (i < t->n || k < n) {
		int cmp = i == t->n ? 1
			  : k == n  ? -1
				    : prefix_key_cmp(&t->v[i].key, &c[k].key);

		if (cmp < 0) {
			out.v[out.n++] = t->v[i++];
			continue;
		}
		if (statics && prefix_table_find(statics, &c[k].key)) {
			k++; /* the static entry stays, from t */
			continue;
		}
		if (c[k].present)
			out.v[out.n++] = (struct prefix_entry){
				.key = c[k].key,
				.asn = c[k].asn,
				.source = ESPRIT_PREFIX_FROM_RTR};
		i += cmp == 0;
		k++;
	}
	prefix_table_free(t);
	*t = out;
	return 0;
}
