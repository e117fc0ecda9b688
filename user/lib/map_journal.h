/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one map-change journal. Every write to a map that is part of a
 * larger change goes through it, and first records what it replaces, so
 * the whole change can be undone when a later write fails: an SA spans
 * three maps, a configuration a dozen. The CLI and the daemon write
 * through it alike.
 *
 *	struct map_journal j;
 *
 *	mj_init(&j);
 *	if (mj_update(&j, fd, &key, &value, BPF_ANY) ||
 *	    mj_delete(&j, other_fd, &key))
 *		mj_undo(&j);	// the maps hold what they held before
 *	mj_free(&j);		// forget; recorded values are wiped
 *
 * Undo restores in reverse order. A write that changes nothing (the value
 * is already there, or the key already gone) records nothing. Values that
 * must not simply go back (a sequence counter must never move backwards)
 * get a restore function instead; steps that are not one map write (a
 * table swapped whole) are recorded with mj_step(). Functions return 0 or
 * -errno, with errno set too.
 */
#ifndef ESPRIT_LIB_MAP_JOURNAL_H
#define ESPRIT_LIB_MAP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/*
 * Puts key back for undo: old is what the map held (existed), or nothing
 * was there. Called instead of rewriting old as it was.
 */
typedef void (*mj_restore_fn)(int fd, const void *key, const void *old,
			      bool existed, void *ctx);

/* A step of its own: undo calls undo(ctx); free(ctx) runs either way. */
typedef void (*mj_undo_fn)(void *ctx);

struct mj_entry;

struct mj_map_info {
	int fd;
	__u32 key_size;
	__u32 value_size; /* bytes a lookup copies (per-CPU: every CPU) */
};

struct map_journal {
	struct mj_entry *v;
	size_t n, cap;
	struct mj_map_info *maps; /* sizes of the maps written, by fd */
	size_t nmaps;
};

void mj_init(struct map_journal *j);

/* Writes value at key (flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST, and
 * BPF_F_LOCK for values holding a spin lock). */
int mj_update(struct map_journal *j, int fd, const void *key, const void *value,
	      __u64 flags);

/* The same, with restore() called on undo instead of rewriting the old
 * value. */
int mj_update_with(struct map_journal *j, int fd, const void *key,
		   const void *value, __u64 flags, mj_restore_fn restore,
		   void *ctx);

/* Deletes key; 0 if it was not there. */
int mj_delete(struct map_journal *j, int fd, const void *key);
int mj_delete_with(struct map_journal *j, int fd, const void *key,
		   mj_restore_fn restore, void *ctx);

/* Records a step done outside the journal; ctx is freed with free_ctx
 * (may be NULL) when the journal is undone or freed. */
int mj_step(struct map_journal *j, mj_undo_fn undo, void *ctx,
	    void (*free_ctx)(void *ctx));

/* Undoes every recorded change, newest first, and empties the journal. */
void mj_undo(struct map_journal *j);

/* Forgets every recorded change (the changes stay). */
void mj_free(struct map_journal *j);

/*
 * Ends a change made through j: undone if rc is not 0, then forgotten.
 * Returns rc, so one change on a journal of its own reads
 *	mj_init(&j);
 *	rc = mj_finish(&j, sa_in_add(&m, &sa, &j, err, sizeof(err)));
 */
int mj_finish(struct map_journal *j, int rc);

/* The map's key and value sizes (cached per fd). 0 or -errno. */
int mj_map_info(struct map_journal *j, int fd, struct mj_map_info *out);

#endif
