// SPDX-License-Identifier: GPL-2.0
/*
 * The prefix table in the kernel: the LPM trie in slot 0 of
 * esprit_prefixes and its IPv4 index in slot 0 of esprit_pfx4, built
 * aside and swapped in whole, or edited one prefix at a time.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "esprit_limits.h"
#include "esprit_maps.h"
#include "lib/addr.h"
#include "lib/output.h"
#include "risav/pfx4_index.h"
#include "risav/prefix_btf.h"
#include "risav/prefix_maps.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's, not in user headers */
#endif

/* Entries per batch syscall: big enough that the syscall cost vanishes,
 * small enough that the copies stay in cache. */
#define BATCH 8192

#define TRIE_NAME ESPRIT_MAP_PFX_TRIE

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int prefix_trie_create(char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	struct prefix_btf b;
	int fd;

	/* Same type, flags and sizes as the inner-map template in
	 * bpf/risav/maps.h (struct esprit_prefix_trie): the kernel refuses a map
	 * that differs in any of them when it is swapped in. */
	if (!prefix_btf_load(&b)) {
		opts.btf_fd = b.fd;
		opts.btf_key_type_id = b.key_id;
		opts.btf_value_type_id = b.origin_id;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, TRIE_NAME,
			    sizeof(struct esprit_prefix_key),
			    sizeof(struct esprit_prefix_origin),
			    ESPRIT_PREFIXES_MAX, &opts);
	if (fd < 0 && b.fd >= 0) {
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
	if (b.fd >= 0)
		close(b.fd); /* the map holds its own reference */
	return fd;
}

static int fill_one_by_one(int trie_fd, const struct prefix_table *t,
			   size_t from)
{
	for (size_t i = from; i < t->n; i++) {
		struct esprit_prefix_origin o = {.asn = t->v[i].asn,
						 .source = t->v[i].source};

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
			values[i].source = t->v[done + i].source;
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

/* What a swap replaced, to put it back (a journal step). */
struct swapped {
	struct prefix_maps m; /* the fds, which outlive the journal */
	int trie, index; /* the old maps; -1: the slot was empty */
};

static void swapped_free(void *ctx)
{
	struct swapped *w = ctx;

	if (w->trie >= 0)
		close(w->trie);
	if (w->index >= 0)
		close(w->index);
	free(w);
}

static void swapped_undo(void *ctx)
{
	struct swapped *w = ctx;
	char err[160];

	if (w->trie >= 0)
		install(w->m.trie, w->trie, err, sizeof(err));
	if (w->m.pfx4 < 0)
		return;
	if (w->index < 0 ||
	    pfx4_index_install(w->m.pfx4, w->index, err, sizeof(err)))
		pfx4_index_drop(w->m.pfx4);
}

/* The maps in the slots now, held open so a swap can be undone. */
static struct swapped *swapped_hold(const struct prefix_maps *m)
{
	struct swapped *w = malloc(sizeof(*w));
	__u32 id;

	if (!w)
		return NULL;
	w->m = *m;
	w->trie = prefix_trie_current(m->trie);
	if (w->trie < 0)
		w->trie = -1;
	id = m->pfx4 >= 0 ? pfx4_index_current_id(m->pfx4) : 0;
	w->index = id ? bpf_map_get_fd_by_id(id) : -1;
	return w;
}

int prefixes_replace(const struct prefix_maps *m, const struct prefix_table *t,
		     struct map_journal *j, struct prefix_load_report *report,
		     char *err, size_t errlen)
{
	struct prefix_load_report r = {};
	double t0 = now(), t1, t2;
	struct swapped *before;
	int fd = prefix_trie_create(err, errlen), index = -1, rc;

	if (fd < 0)
		return -1;
	/* the step goes in first: undoing a swap that did not happen puts
	 * back what is there anyway */
	if (j && (!(before = swapped_hold(m)) ||
		  mj_step(j, swapped_undo, before, swapped_free))) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	rc = prefix_trie_fill(fd, t, err, errlen);
	t1 = now();
	if (!rc && m->pfx4 >= 0)
		index = pfx4_index_build(t, r.index_note, sizeof(r.index_note));
	else if (m->pfx4 < 0)
		snprintf(r.index_note, sizeof(r.index_note),
			 "the loaded program has no esprit_pfx4");
	t2 = now();
	/*
	 * Trie first, then the index. In between, the old index answers for
	 * the /24s it holds and sends the rest to the new trie: either way
	 * one complete table's answer.
	 */
	if (!rc)
		rc = install(m->trie, fd, err, errlen);
	if (!rc && m->pfx4 >= 0) {
		if (index < 0 ||
		    pfx4_index_install(m->pfx4, index, r.index_note,
				       sizeof(r.index_note))) {
			/* an old index must not outlive its table */
			pfx4_index_drop(m->pfx4);
		}
	}
	r.fill = t1 - t0;
	r.index = t2 - t1;
	r.swap = now() - t2;
	r.trie_id = prefix_trie_current_id(m->trie);
	r.index_id = pfx4_index_current_id(m->pfx4);
	if (report)
		*report = r;
	/* The arrays of maps hold the new maps; the old ones go when the
	 * last program using them is done (after an RCU grace period). */
	close(fd);
	if (index >= 0)
		close(index);
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

	if (prefix_table_reserve(t, t->n + n))
		return -1;
	for (__u32 i = 0; i < n; i++) {
		t->v[t->n].key = keys[i];
		t->v[t->n].asn = values[i].asn;
		t->v[t->n].source = values[i].source;
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

int prefixes_count(const struct prefix_maps *m, size_t *v4, size_t *v6,
		   char *err, size_t errlen)
{
	struct counts c = {};
	int fd = prefix_trie_current(m->trie), rc;

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

int prefixes_read(const struct prefix_maps *m, struct prefix_table *out,
		  char *err, size_t errlen)
{
	int fd = prefix_trie_current(m->trie), rc;

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

/* After a change in place: the index follows, or goes. */
static void follow(const struct prefix_maps *m, int trie_fd,
		   const struct esprit_prefix_key *key)
{
	char why[160];

	if (m->pfx4 >= 0 &&
	    pfx4_index_patch(m->pfx4, trie_fd, key, why, sizeof(why)))
		warnmsg("%s", why);
}

int prefixes_set(const struct prefix_maps *m,
		 const struct esprit_prefix_key *key, __u32 asn, char *err,
		 size_t errlen)
{
	struct esprit_prefix_origin o = {.asn = asn};
	int fd = prefix_trie_current(m->trie), rc = 0;

	if (fd == -ENOENT) {
		struct prefix_table one;

		/* no table yet: install one holding this prefix */
		prefix_table_init(&one);
		if (prefix_table_append(&one, key, asn)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		rc = prefixes_replace(m, &one, NULL, NULL, err, errlen);
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
	} else {
		follow(m, fd, key);
	}
	close(fd);
	return rc;
}

int prefixes_del(const struct prefix_maps *m,
		 const struct esprit_prefix_key *key, char *err, size_t errlen)
{
	char buf[PREFIX_STRLEN];
	int fd = prefix_trie_current(m->trie), rc = 0;

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
	} else {
		follow(m, fd, key);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int prefix_trie_mirror(const struct prefix_table *t, char *err, size_t errlen)
{
	int fd = prefix_trie_create(err, errlen);

	if (fd >= 0 && prefix_trie_fill(fd, t, err, errlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One batch into trie_fd; static prefixes keep their entries. */
static int batch_into(int trie_fd, const struct prefix_change *c, size_t n,
		      const struct prefix_table *statics, char *err,
		      size_t errlen)
{
	char buf[PREFIX_STRLEN];

	for (size_t i = 0; i < n; i++) {
		struct esprit_prefix_origin o = {
			.asn = c[i].asn, .source = ESPRIT_PREFIX_FROM_RTR};

		if (statics && prefix_table_find(statics, &c[i].key))
			continue;
		if (c[i].present ? bpf_map_update_elem(trie_fd, &c[i].key, &o,
						       BPF_ANY)
				 : bpf_map_delete_elem(trie_fd, &c[i].key) &&
					   errno != ENOENT) {
			snprintf(err, errlen, "cannot %s %s: %s%s",
				 c[i].present ? "set" : "delete",
				 prefix_format(&c[i].key, buf, sizeof(buf)),
				 strerror(errno),
				 errno == E2BIG || errno == ENOSPC ? " (table "
								     "full)"
								   : "");
			return -1;
		}
	}
	return 0;
}

int prefixes_swap_batch(const struct prefix_maps *m, int *standby,
			const struct prefix_change *c, size_t n,
			const struct prefix_table *statics, char *err,
			size_t errlen)
{
	__u32 index_id = m->pfx4 >= 0 ? pfx4_index_current_id(m->pfx4) : 0;
	int active = prefix_trie_current(m->trie), index = -1;
	char why[160];

	if (active < 0) {
		snprintf(err, errlen, "cannot open the prefix trie: %s",
			 strerror(-active));
		return -1;
	}
	if (batch_into(*standby, c, n, statics, err, errlen)) {
		/* the standby is no copy of anything now */
		close(*standby);
		*standby = -1;
		close(active);
		return -1;
	}
	/*
	 * The index leaves its slot first: lookups then walk the trie in
	 * use, whole. Changing an array of maps waits for the programs
	 * running (an RCU grace period), so none still reads the index
	 * when it is patched below.
	 */
	if (index_id) {
		index = bpf_map_get_fd_by_id(index_id);
		pfx4_index_drop(m->pfx4);
	}
	if (install(m->trie, *standby, err, errlen)) {
		if (index >= 0 &&
		    pfx4_index_install(m->pfx4, index, why, sizeof(why)))
			warnmsg("%s", why);
		if (index >= 0)
			close(index);
		close(active);
		return -1;
	}
	if (index >= 0) {
		bool patched = true;

		for (size_t i = 0; i < n && patched; i++)
			patched = !pfx4_index_patch_map(
				index, *standby, &c[i].key, why, sizeof(why));
		if (!patched ||
		    pfx4_index_install(m->pfx4, index, why, sizeof(why)))
			warnmsg("%s; IPv4 lookups walk the trie until the "
				"next full install",
				why);
		close(index);
	}
	/* the trie that was in use takes the batch and stands by */
	if (batch_into(active, c, n, statics, why, sizeof(why))) {
		warnmsg("%s", why);
		close(active);
		active = -1;
	}
	close(*standby);
	*standby = active;
	return 0;
}
