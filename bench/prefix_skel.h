/* SPDX-License-Identifier: GPL-2.0 */
/* bench_prefix_lookup with maps of its own: nothing pinned, nothing shared
 * with a loaded esprit (the prefix tables build into its maps). */
#ifndef ESPRIT_BENCH_PREFIX_SKEL_H
#define ESPRIT_BENCH_PREFIX_SKEL_H

#include <stddef.h>

#include "bench_prefix_lookup.skel.h"
#include "table.h"

/* Loaded, or NULL. */
struct bench_prefix_lookup *prefix_skel_load(void);

/*
 * What the prefix tables start from: the VRP file (vrp_gen_tmpfile() into
 * file) and the program (*skel, or NULL), each failure told to t. Returns
 * the VRPs written; 0 when there is no file, and the table can only finish.
 */
size_t prefix_bench_setup(struct table *t, char *file, size_t len,
			  struct bench_prefix_lookup **skel);

#endif
