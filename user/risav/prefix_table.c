// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "esprit_limits.h"
#include "risav/prefix_table.h"

static const __u8 v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void prefix_table_init(struct prefix_table *t)
{
	memset(t, 0, sizeof(*t));
}

void prefix_table_free(struct prefix_table *t)
{
	free(t->v);
	prefix_table_init(t);
}

int prefix_table_reserve(struct prefix_table *t, size_t n)
{
	struct prefix_entry *v;
	size_t cap = t->cap ? t->cap : 64;

	if (n <= t->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	v = realloc(t->v, cap * sizeof(*v));
	if (!v)
		return -1;
	t->v = v;
	t->cap = cap;
	return 0;
}

int prefix_table_append(struct prefix_table *t,
			const struct esprit_prefix_key *key, __u32 asn)
{
	if (prefix_table_reserve(t, t->n + 1))
		return -1;
	t->v[t->n].key = *key;
	t->v[t->n].asn = asn;
	t->v[t->n].source = ESPRIT_PREFIX_FROM_CLI;
	t->n++;
	return 0;
}

const char *prefix_source_name(__u32 source)
{
	static const char *const names[] = {
		[ESPRIT_PREFIX_FROM_CLI] = "cli",
		[ESPRIT_PREFIX_FROM_IMPORT] = "import",
		[ESPRIT_PREFIX_FROM_STATIC] = "static",
		[ESPRIT_PREFIX_FROM_RTR] = "rtr",
	};

	return source < sizeof(names) / sizeof(names[0]) ? names[source]
							 : "unknown";
}

void prefix_table_mark(struct prefix_table *t, __u32 source)
{
	for (size_t i = 0; i < t->n; i++)
		t->v[i].source = source;
}

static int entry_cmp(const void *a, const void *b);

int prefix_key_cmp(const struct esprit_prefix_key *a,
		   const struct esprit_prefix_key *b)
{
	int c = memcmp(a->addr, b->addr, sizeof(a->addr));

	if (c)
		return c;
	return a->prefixlen < b->prefixlen ? -1 : a->prefixlen > b->prefixlen;
}

void prefix_rec_from(struct prefix_rec *r, const struct esprit_prefix_key *key,
		     __u32 asn)
{
	r->hi = r->lo = 0;
	for (int i = 0; i < 8; i++) {
		r->hi = r->hi << 8 | key->addr[i];
		r->lo = r->lo << 8 | key->addr[8 + i];
	}
	r->prefixlen = key->prefixlen;
	r->asn = asn;
}

void prefix_rec_key(const struct prefix_rec *r, struct esprit_prefix_key *key)
{
	key->prefixlen = r->prefixlen;
	for (int i = 0; i < 8; i++) {
		key->addr[i] = r->hi >> (56 - 8 * i);
		key->addr[8 + i] = r->lo >> (56 - 8 * i);
	}
}

static inline bool rec_lt(const struct prefix_rec *a,
			  const struct prefix_rec *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi;
	if (a->lo != b->lo)
		return a->lo < b->lo;
	if (a->prefixlen != b->prefixlen)
		return a->prefixlen < b->prefixlen;
	return a->asn < b->asn;
}

static int rec_cmp(const void *a, const void *b)
{
	return rec_lt(a, b) ? -1 : rec_lt(b, a);
}

static void insertion_sort(struct prefix_rec *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct prefix_rec t = r[i];
		size_t j = i;

		for (; j > 0 && rec_lt(&t, &r[j - 1]); j--)
			r[j] = r[j - 1];
		r[j] = t;
	}
}

/* Quicksort with the comparison inlined; qsort() takes over below a depth
 * no honest input reaches, so crafted input cannot make it quadratic. */
static void quicksort(struct prefix_rec *r, size_t n, int depth)
{
	while (n > 16) {
		struct prefix_rec pivot = r[n / 2];
		size_t i = 0, j = n - 1;

		if (depth-- == 0) {
			qsort(r, n, sizeof(*r), rec_cmp);
			return;
		}
		for (;;) {
			struct prefix_rec t;

			while (rec_lt(&r[i], &pivot))
				i++;
			while (rec_lt(&pivot, &r[j]))
				j--;
			if (i >= j)
				break;
			t = r[i];
			r[i++] = r[j];
			r[j--] = t;
		}
		/* recurse into the smaller side, loop on the larger */
		if (j + 1 < n - j - 1) {
			quicksort(r, j + 1, depth);
			r += j + 1;
			n -= j + 1;
		} else {
			quicksort(r + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	insertion_sort(r, n);
}

void prefix_recs_sort(struct prefix_rec *r, size_t n)
{
	int depth = 0;

	for (size_t m = n; m; m >>= 1)
		depth += 2;
	quicksort(r, n, depth);
}

void prefix_table_sort(struct prefix_table *t)
{
	struct prefix_rec *r;

	if (t->n < 2)
		return;
	r = malloc(t->n * sizeof(*r));
	if (!r) {
		/* slower, but needs no memory */
		qsort(t->v, t->n, sizeof(t->v[0]), entry_cmp);
		return;
	}
	for (size_t i = 0; i < t->n; i++)
		prefix_rec_from(&r[i], &t->v[i].key, t->v[i].asn);
	prefix_recs_sort(r, t->n);
	for (size_t i = 0; i < t->n; i++) {
		prefix_rec_key(&r[i], &t->v[i].key);
		t->v[i].asn = r[i].asn;
	}
	free(r);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct prefix_entry *x = a, *y = b;
	int c = prefix_key_cmp(&x->key, &y->key);

	return c ? c : (x->asn < y->asn ? -1 : x->asn > y->asn);
}

/* Index of key in the sorted table, or of where it would go. */
static size_t lower_bound(const struct prefix_table *t,
			  const struct esprit_prefix_key *key)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prefix_key_cmp(&t->v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct prefix_entry *
prefix_table_find(const struct prefix_table *t,
		  const struct esprit_prefix_key *key)
{
	size_t i = lower_bound(t, key);

	if (i < t->n && !prefix_key_cmp(&t->v[i].key, key))
		return &t->v[i];
	return NULL;
}

int prefix_table_put(struct prefix_table *t,
		     const struct esprit_prefix_key *key, __u32 asn,
		     __u32 source)
{
	size_t i = lower_bound(t, key);

	if (i < t->n && !prefix_key_cmp(&t->v[i].key, key)) {
		t->v[i].asn = asn;
		t->v[i].source = source;
		return 0;
	}
	if (prefix_table_reserve(t, t->n + 1))
		return -1;
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(t->v[0]));
	t->v[i].key = *key;
	t->v[i].asn = asn;
	t->v[i].source = source;
	t->n++;
	return 0;
}

bool prefix_table_equal(const struct prefix_table *a,
			const struct prefix_table *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (prefix_key_cmp(&a->v[i].key, &b->v[i].key) ||
		    a->v[i].asn != b->v[i].asn)
			return false;
	return true;
}

size_t prefix_table_count_v4(const struct prefix_table *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += prefix_is_v4(&t->v[i].key);
	return n;
}

int table_prefix_parse(const char *s, struct esprit_prefix_key *key, char *err,
		       size_t errlen)
{
	bool v6_text = strchr(s, ':') != NULL;
	unsigned int len, whole;

	if (prefix_parse(s, false, key, err, errlen))
		return -1;
	if (!v6_text)
		return 0;
	len = key->prefixlen;
	/* Does the prefix and ::ffff:0:0/96 overlap? Compare the bits both
	 * fix: the shorter of the two lengths. */
	whole = len < ESPRIT_V4_MAPPED_PREFIXLEN ? len
						 : ESPRIT_V4_MAPPED_PREFIXLEN;
	for (unsigned int bit = 0; bit < whole; bit++) {
		__u8 m = 0x80 >> (bit % 8);

		if ((key->addr[bit / 8] & m) != (v4_mapped[bit / 8] & m))
			return 0;
	}
	snprintf(err, errlen,
		 len >= ESPRIT_V4_MAPPED_PREFIXLEN ? "'%s' is IPv4-mapped IPv6 "
						     "(::ffff:0:0/96): write "
						     "it as an IPv4 prefix"
						   : "'%s' covers "
						     "::ffff:0:0/96, where "
						     "IPv4 prefixes "
						     "are kept",
		 s);
	return -1;
}
