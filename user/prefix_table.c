// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "addr.h"
#include "esprit_limits.h"
#include "prefix_table.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's, not in user headers */
#endif

/* Entries per batch syscall: big enough that the syscall cost vanishes,
 * small enough that the copies stay in cache. */
#define BATCH 8192

#define TRIE_NAME "esprit_pfx_trie"

static const __u8 v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void prefix_table_init(struct prefix_table *t)
{
	memset(t, 0, sizeof(*t));
}

void prefix_table_free(struct prefix_table *t)
{
	free(t->v);
	prefix_table_init(t);
}

static int reserve(struct prefix_table *t, size_t n)
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
	if (reserve(t, t->n + 1))
		return -1;
	t->v[t->n].key = *key;
	t->v[t->n].asn = asn;
	t->n++;
	return 0;
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
		     const struct esprit_prefix_key *key, __u32 asn)
{
	size_t i = lower_bound(t, key);

	if (i < t->n && !prefix_key_cmp(&t->v[i].key, key)) {
		t->v[i].asn = asn;
		return 0;
	}
	if (reserve(t, t->n + 1))
		return -1;
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(t->v[0]));
	t->v[i].key = *key;
	t->v[i].asn = asn;
	t->n++;
	return 0;
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

/*
 * BTF for the tries this file creates, so `bpftool map dump` shows
 * {"prefixlen", "addr"} → {"asn"}. The loaded object cannot lend its own:
 * clang emits only a forward declaration for struct esprit_prefix_origin,
 * which nothing but the inner-map template mentions.
 */
static int trie_btf(__u32 *key_id, __u32 *value_id)
{
	struct btf *btf = btf__new_empty();
	int u32, u8, addr, key, value, fd = -1;

	_Static_assert(sizeof(struct esprit_prefix_key) == 20, "key layout");
	_Static_assert(offsetof(struct esprit_prefix_key, addr) == 4, "key "
								      "layout");
	_Static_assert(sizeof(struct esprit_prefix_origin) == 4, "value "
								 "layout");
	if (!btf)
		return -1;
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	u32 = btf__add_typedef(btf, "__u32", u32);
	u8 = btf__add_int(btf, "unsigned char", 1, 0);
	u8 = btf__add_typedef(btf, "__u8", u8);
	addr = btf__add_array(btf, u32, u8, 16);
	key = btf__add_struct(btf, "esprit_prefix_key",
			      sizeof(struct esprit_prefix_key));
	if (u32 < 0 || u8 < 0 || addr < 0 || key < 0 ||
	    btf__add_field(btf, "prefixlen", u32,
			   offsetof(struct esprit_prefix_key, prefixlen) * 8,
			   0) ||
	    btf__add_field(btf, "addr", addr,
			   offsetof(struct esprit_prefix_key, addr) * 8, 0))
		goto out;
	value = btf__add_struct(btf, "esprit_prefix_origin",
				sizeof(struct esprit_prefix_origin));
	if (value < 0 ||
	    btf__add_field(btf, "asn", u32,
			   offsetof(struct esprit_prefix_origin, asn) * 8, 0) ||
	    btf__load_into_kernel(btf))
		goto out;
	fd = dup(btf__fd(btf)); /* btf__free() closes its own */
	*key_id = key;
	*value_id = value;
out:
	btf__free(btf);
	return fd;
}

int prefix_trie_create(char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	__u32 key_id = 0, value_id = 0;
	int btf_fd = trie_btf(&key_id, &value_id);
	int fd;

	/* Same type, flags and sizes as the inner-map template in
	 * bpf/maps.h (struct esprit_prefix_trie): the kernel refuses a map
	 * that differs in any of them when it is swapped in. */
	if (btf_fd >= 0) {
		opts.btf_fd = btf_fd;
		opts.btf_key_type_id = key_id;
		opts.btf_value_type_id = value_id;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, TRIE_NAME,
			    sizeof(struct esprit_prefix_key),
			    sizeof(struct esprit_prefix_origin),
			    ESPRIT_PREFIXES_MAX, &opts);
	if (fd < 0 && btf_fd >= 0) {
		/* a kernel that rejects the BTF still takes the map */
		opts.btf_fd = 0;
		opts.btf_key_type_id = opts.btf_value_type_id = 0;
		fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, TRIE_NAME,
				    sizeof(struct esprit_prefix_key),
				    sizeof(struct esprit_prefix_origin),
				    ESPRIT_PREFIXES_MAX, &opts);
	}
	if (fd < 0)
		snprintf(err, errlen, "cannot create a prefix trie: %s",
			 strerror(errno));
	if (btf_fd >= 0)
		close(btf_fd); /* the map holds its own reference */
	return fd;
}

static int fill_one_by_one(int trie_fd, const struct prefix_table *t,
			   size_t from)
{
	for (size_t i = from; i < t->n; i++) {
		struct esprit_prefix_origin o = {.asn = t->v[i].asn};

		if (bpf_map_update_elem(trie_fd, &t->v[i].key, &o, BPF_ANY))
			return -1;
	}
	return 0;
}

int prefix_trie_fill(int trie_fd, const struct prefix_table *t, char *err,
		     size_t errlen)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct esprit_prefix_key *keys;
	struct esprit_prefix_origin *values;
	size_t done = 0;
	int rc = 0;

	if (t->n > ESPRIT_PREFIXES_MAX) {
		snprintf(err, errlen,
			 "%zu prefixes do not fit in the table (at most %u)",
			 t->n, (unsigned)ESPRIT_PREFIXES_MAX);
		return -1;
	}
	keys = malloc(BATCH * sizeof(*keys));
	values = malloc(BATCH * sizeof(*values));
	if (!keys || !values) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	while (done < t->n) {
		__u32 count = t->n - done < BATCH ? t->n - done : BATCH;

		for (__u32 i = 0; i < count; i++) {
			keys[i] = t->v[done + i].key;
			values[i].asn = t->v[done + i].asn;
		}
		if (bpf_map_update_batch(trie_fd, keys, values, &count,
					 &opts)) {
			if ((errno == EINVAL || errno == ENOTSUPP ||
			     errno == EOPNOTSUPP) &&
			    done == 0 && count == 0) {
				/* kernels before batch ops on LPM tries */
				rc = fill_one_by_one(trie_fd, t, 0);
				done = t->n;
				break;
			}
			rc = -1;
			break;
		}
		done += count;
	}
	if (rc)
		snprintf(err, errlen, "cannot fill the prefix trie: %s%s",
			 strerror(errno),
			 errno == E2BIG || errno == ENOMEM ? " (table full)"
							   : "");
out:
	free(keys);
	free(values);
	return rc;
}

static int install(int outer_fd, int trie_fd, char *err, size_t errlen)
{
	__u32 zero = 0;

	if (!bpf_map_update_elem(outer_fd, &zero, &trie_fd, BPF_ANY))
		return 0;
	snprintf(err, errlen, "cannot install the new prefix trie: %s%s",
		 strerror(errno),
		 errno == EINVAL ? " (the loaded program's prefix-table "
				   "template differs from this esprit's)"
				 : "");
	return -1;
}

int prefix_trie_replace(int outer_fd, const struct prefix_table *t,
			struct prefix_load_times *times, char *err,
			size_t errlen)
{
	double t0 = now(), t1;
	int fd = prefix_trie_create(err, errlen), rc;

	if (fd < 0)
		return -1;
	rc = prefix_trie_fill(fd, t, err, errlen);
	t1 = now();
	if (!rc)
		rc = install(outer_fd, fd, err, errlen);
	if (times) {
		times->fill = t1 - t0;
		times->swap = now() - t1;
	}
	/* The array of maps holds the new trie; the old one goes when the
	 * last program using it is done (the kernel waits an RCU grace
	 * period). */
	close(fd);
	return rc;
}

__u32 prefix_trie_current_id(int outer_fd)
{
	__u32 zero = 0, id = 0;

	if (bpf_map_lookup_elem(outer_fd, &zero, &id))
		return 0;
	return id;
}

int prefix_trie_current(int outer_fd)
{
	/* An import may swap the trie between reading its id and opening
	 * it; the id then names a map being freed: read again. */
	for (int attempt = 0; attempt < 5; attempt++) {
		__u32 id = prefix_trie_current_id(outer_fd);
		int fd;

		if (!id)
			return -ENOENT;
		fd = bpf_map_get_fd_by_id(id);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			return -errno;
	}
	return -ENOENT;
}

/* Called for each batch of entries read back; non-zero stops. */
typedef int (*trie_batch_fn)(void *ctx, const struct esprit_prefix_key *keys,
			     const struct esprit_prefix_origin *values,
			     __u32 n);

static int read_one_by_one(int fd, trie_batch_fn fn, void *ctx)
{
	struct esprit_prefix_key key, next;
	struct esprit_prefix_origin o;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &o))
			continue; /* deleted meanwhile */
		if (fn(ctx, &key, &o, 1))
			return -1;
	}
	return errno == ENOENT ? 0 : -1;
}

/* Reading a trie back, its own exact entries: bpf_map_lookup_elem() on an
 * LPM trie returns the longest match, which for a key taken from the trie
 * is the entry itself. */
static int read_trie(int fd, trie_batch_fn fn, void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct esprit_prefix_key in_batch, out_batch;
	struct esprit_prefix_key *keys = malloc(BATCH * sizeof(*keys));
	struct esprit_prefix_origin *values = malloc(BATCH * sizeof(*values));
	bool first = true;
	int rc = 0;

	if (!keys || !values) {
		rc = -1;
		goto out;
	}
	for (;;) {
		__u32 count = BATCH;
		int e = bpf_map_lookup_batch(fd, first ? NULL : &in_batch,
					     &out_batch, keys, values, &count,
					     &opts);
		int saved = errno;

		if (e && saved != ENOENT) {
			if (first && (saved == EINVAL || saved == ENOTSUPP ||
				      saved == EOPNOTSUPP)) {
				rc = read_one_by_one(fd, fn, ctx);
				break;
			}
			rc = -1;
			break;
		}
		if (count && fn(ctx, keys, values, count)) {
			rc = -1;
			break;
		}
		if (e) /* ENOENT: that was the last batch */
			break;
		in_batch = out_batch;
		first = false;
	}
out:
	free(keys);
	free(values);
	return rc;
}

static int append_batch(void *ctx, const struct esprit_prefix_key *keys,
			const struct esprit_prefix_origin *values, __u32 n)
{
	struct prefix_table *t = ctx;

	if (reserve(t, t->n + n))
		return -1;
	for (__u32 i = 0; i < n; i++) {
		t->v[t->n].key = keys[i];
		t->v[t->n].asn = values[i].asn;
		t->n++;
	}
	return 0;
}

struct counts {
	size_t v4, v6;
};

static int count_batch(void *ctx, const struct esprit_prefix_key *keys,
		       const struct esprit_prefix_origin *values, __u32 n)
{
	struct counts *c = ctx;

	(void)values;
	for (__u32 i = 0; i < n; i++) {
		if (prefix_is_v4(&keys[i]))
			c->v4++;
		else
			c->v6++;
	}
	return 0;
}

int prefix_trie_count(int outer_fd, size_t *v4, size_t *v6, char *err,
		      size_t errlen)
{
	struct counts c = {};
	int fd = prefix_trie_current(outer_fd), rc;

	*v4 = *v6 = 0;
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the prefix trie: %s",
			 strerror(-fd));
		return -1;
	}
	rc = read_trie(fd, count_batch, &c);
	if (rc)
		snprintf(err, errlen, "cannot read the prefix trie: %s",
			 strerror(errno));
	close(fd);
	*v4 = c.v4;
	*v6 = c.v6;
	return rc;
}

int prefix_trie_read(int outer_fd, struct prefix_table *out, char *err,
		     size_t errlen)
{
	int fd = prefix_trie_current(outer_fd), rc;

	prefix_table_init(out);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the prefix trie: %s",
			 strerror(-fd));
		return -1;
	}
	rc = read_trie(fd, append_batch, out);
	if (rc)
		snprintf(err, errlen, "cannot read the prefix trie: %s",
			 strerror(errno));
	else
		prefix_table_sort(out);
	close(fd);
	return rc;
}

int prefix_trie_set(int outer_fd, const struct esprit_prefix_key *key,
		    __u32 asn, char *err, size_t errlen)
{
	struct esprit_prefix_origin o = {.asn = asn};
	int fd = prefix_trie_current(outer_fd), rc = 0;

	if (fd == -ENOENT) {
		struct prefix_table one;

		/* no table yet: install one holding this prefix */
		prefix_table_init(&one);
		if (prefix_table_append(&one, key, asn)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		rc = prefix_trie_replace(outer_fd, &one, NULL, err, errlen);
		prefix_table_free(&one);
		return rc;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the prefix trie: %s",
			 strerror(-fd));
		return -1;
	}
	if (bpf_map_update_elem(fd, key, &o, BPF_ANY)) {
		snprintf(err, errlen, "cannot add the prefix: %s%s",
			 strerror(errno),
			 errno == E2BIG || errno == ENOSPC ? " (table full)"
							   : "");
		rc = -1;
	}
	close(fd);
	return rc;
}

int prefix_trie_del(int outer_fd, const struct esprit_prefix_key *key,
		    char *err, size_t errlen)
{
	char buf[PREFIX_STRLEN];
	int fd = prefix_trie_current(outer_fd), rc = 0;

	if (fd < 0 && fd != -ENOENT) {
		snprintf(err, errlen, "cannot open the prefix trie: %s",
			 strerror(-fd));
		return -1;
	}
	if (fd == -ENOENT || bpf_map_delete_elem(fd, key)) {
		if (fd == -ENOENT || errno == ENOENT)
			snprintf(err, errlen, "%s is not in the prefix table",
				 prefix_format(key, buf, sizeof(buf)));
		else
			snprintf(err, errlen, "cannot delete %s: %s",
				 prefix_format(key, buf, sizeof(buf)),
				 strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}
