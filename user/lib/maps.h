/* SPDX-License-Identifier: GPL-2.0 */
/* Maps whole: their size, every entry they hold, and making them a set. */
#ifndef ESPRIT_LIB_MAPS_H
#define ESPRIT_LIB_MAPS_H

#include <stddef.h>
#include <linux/types.h>

/* max_entries of a map, 0 if it cannot be read. */
__u32 map_max_entries(int fd);

/*
 * Every entry of a hash map as records of key_size bytes of key followed
 * by value_size bytes of value, in *out (free() it; wipe it first if the
 * values are secret). Entries deleted while it reads are skipped. 0 or
 * -errno.
 */
int map_entries(int fd, size_t key_size, size_t value_size, void **out,
		size_t *n);

/* Every key of a map, key_size bytes each, in *out (free() it). */
int map_keys(int fd, size_t key_size, void **out, size_t *n);

/*
 * Makes a hash map or trie hold exactly the n keys (key_size bytes each)
 * with their values (value_size bytes each; values NULL: every value is
 * value_size zero bytes): keys not wanted are deleted, the wanted ones
 * written. Keys that could not be written are left out. 0 or the first
 * -errno.
 */
int map_sync(int fd, const void *keys, const void *values, size_t n,
	     size_t key_size, size_t value_size);

#endif
