/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IPv4 index of the prefix table (headers/esprit_risav.h): the trie's
 * IPv4 answers laid out per /24, built from a whole table, or patched after
 * one prefix changed in the trie. It is only ever a copy of what the trie
 * says; when it cannot be kept, it is dropped and IPv4 lookups walk the
 * trie, which is slower but still right.
 */
#ifndef ESPRIT_USER_PFX4_INDEX_H
#define ESPRIT_USER_PFX4_INDEX_H

#include <stddef.h>

#include "risav/prefix_table.h"

/* A new index map holding t's IPv4 answers; its fd, or -1 with err. */
int pfx4_index_build(const struct prefix_table *t, char *err, size_t errlen);

/* Installs fd into slot 0 of the array of maps outer_fd. */
int pfx4_index_install(int outer_fd, int fd, char *err, size_t errlen);

/* Empties slot 0: lookups go to the trie. */
void pfx4_index_drop(int outer_fd);

/* Map id of the installed index, 0 if none. */
__u32 pfx4_index_current_id(int outer_fd);

/*
 * After key was set or deleted in the trie trie_fd, makes the installed
 * index (if any) answer as the trie does. Drops the index if it cannot.
 */
int pfx4_index_patch(int outer_fd, int trie_fd,
		     const struct esprit_prefix_key *key, char *err,
		     size_t errlen);

/* The same for an index map not (or no longer) installed: -1 with err if
 * it cannot be made to answer as trie_fd does (the caller drops it). */
int pfx4_index_patch_map(int index_fd, int trie_fd,
			 const struct esprit_prefix_key *key, char *err,
			 size_t errlen);

#endif
