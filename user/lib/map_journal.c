// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/map_journal.h"

struct mj_entry {
	int fd; /* -1: a step of its own */
	__u64 flags; /* BPF_F_LOCK if the value has a spin lock */
	bool existed;
	mj_restore_fn restore;
	mj_undo_fn undo;
	void *ctx;
	void (*free_ctx)(void *ctx);
	size_t key_size, value_size;
	__u8 *key, *old; /* one allocation: key, then the old value */
};

void mj_init(struct map_journal *j)
{
	memset(j, 0, sizeof(*j));
}

static bool per_cpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

int mj_map_info(struct map_journal *j, int fd, struct mj_map_info *out)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct mj_map_info *grown, m;

	for (size_t i = 0; i < j->nmaps; i++) {
		if (j->maps[i].fd == fd) {
			*out = j->maps[i];
			return 0;
		}
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	m.fd = fd;
	m.key_size = info.key_size;
	m.value_size = info.value_size;
	if (per_cpu(info.type)) {
		int ncpus = libbpf_num_possible_cpus();

		if (ncpus <= 0)
			return errno = EINVAL, -EINVAL;
		m.value_size = ((info.value_size + 7) & ~7U) * ncpus;
	}
	grown = realloc(j->maps, (j->nmaps + 1) * sizeof(*grown));
	if (!grown)
		return errno = ENOMEM, -ENOMEM;
	j->maps = grown;
	j->maps[j->nmaps++] = m;
	*out = m;
	return 0;
}

static struct mj_entry *push(struct map_journal *j)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 32;
		struct mj_entry *v = realloc(j->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		j->v = v;
		j->cap = cap;
	}
	memset(&j->v[j->n], 0, sizeof(j->v[0]));
	return &j->v[j->n];
}

static void entry_free(struct mj_entry *e)
{
	if (e->key) {
		explicit_bzero(e->key, e->key_size + e->value_size);
		free(e->key);
	}
	if (e->free_ctx)
		e->free_ctx(e->ctx);
}

/* Records what fd holds at key now; the entry is j->v[j->n] (not yet
 * counted). Sets *same when it holds value already. */
static int record(struct map_journal *j, int fd, const void *key,
		  const void *value, __u64 flags, struct mj_entry **out,
		  bool *same)
{
	struct mj_map_info mi;
	struct mj_entry *e;
	int err = mj_map_info(j, fd, &mi);

	if (err)
		return err;
	e = push(j);
	if (!e)
		return errno = ENOMEM, -ENOMEM;
	e->key = malloc(mi.key_size + mi.value_size);
	if (!e->key)
		return errno = ENOMEM, -ENOMEM;
	e->fd = fd;
	e->flags = flags & BPF_F_LOCK;
	e->key_size = mi.key_size;
	e->value_size = mi.value_size;
	e->old = e->key + mi.key_size;
	memcpy(e->key, key, mi.key_size);
	e->existed = !bpf_map_lookup_elem_flags(fd, key, e->old, e->flags);
	if (!e->existed && errno != ENOENT) {
		err = -errno;
		entry_free(e);
		return errno = -err, err;
	}
	*same = value ? e->existed && !memcmp(e->old, value, mi.value_size)
		      : !e->existed;
	*out = e;
	return 0;
}

int mj_update_with(struct map_journal *j, int fd, const void *key,
		   const void *value, __u64 flags, mj_restore_fn restore,
		   void *ctx)
{
	struct mj_entry *e;
	bool same;
	int err = record(j, fd, key, value, flags, &e, &same);

	if (err)
		return err;
	if (same && !restore) {
		entry_free(e);
		return 0;
	}
	if (bpf_map_update_elem(fd, key, value, flags)) {
		err = -errno;
		entry_free(e);
		return errno = -err, err;
	}
	e->restore = restore;
	e->ctx = ctx;
	j->n++;
	return 0;
}

int mj_update(struct map_journal *j, int fd, const void *key, const void *value,
	      __u64 flags)
{
	return mj_update_with(j, fd, key, value, flags, NULL, NULL);
}

int mj_delete_with(struct map_journal *j, int fd, const void *key,
		   mj_restore_fn restore, void *ctx)
{
	struct mj_entry *e;
	bool same;
	int err = record(j, fd, key, NULL, 0, &e, &same);

	if (err)
		return err;
	if (same) {
		entry_free(e);
		return 0;
	}
	e->restore = restore;
	e->ctx = ctx;
	if (bpf_map_delete_elem(fd, key) && errno != ENOENT) {
		err = -errno;
		entry_free(e);
		return errno = -err, err;
	}
	j->n++;
	return 0;
}

int mj_delete(struct map_journal *j, int fd, const void *key)
{
	return mj_delete_with(j, fd, key, NULL, NULL);
}

int mj_step(struct map_journal *j, mj_undo_fn undo, void *ctx,
	    void (*free_ctx)(void *ctx))
{
	struct mj_entry *e = push(j);

	if (!e) {
		if (free_ctx)
			free_ctx(ctx);
		return errno = ENOMEM, -ENOMEM;
	}
	e->fd = -1;
	e->undo = undo;
	e->ctx = ctx;
	e->free_ctx = free_ctx;
	j->n++;
	return 0;
}

void mj_undo(struct map_journal *j)
{
	while (j->n) {
		struct mj_entry *e = &j->v[--j->n];

		if (e->undo)
			e->undo(e->ctx);
		else if (e->restore)
			e->restore(e->fd, e->key, e->old, e->existed, e->ctx);
		else if (e->existed)
			bpf_map_update_elem(e->fd, e->key, e->old,
					    BPF_ANY | e->flags);
		else
			bpf_map_delete_elem(e->fd, e->key);
		entry_free(e);
	}
}

void mj_free(struct map_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		entry_free(&j->v[i]);
	free(j->v);
	free(j->maps);
	mj_init(j);
}

int mj_finish(struct map_journal *j, int rc)
{
	if (rc)
		mj_undo(j);
	mj_free(j);
	return rc;
}
