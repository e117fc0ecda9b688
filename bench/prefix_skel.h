/* SPDX-License-Identifier: GPL-2.0 */
/* bench_prefix_lookup with maps of its own: nothing pinned, nothing shared
 * with a loaded esprit (the prefix tables build into its maps). */
#ifndef ESPRIT_BENCH_PREFIX_SKEL_H
#define ESPRIT_BENCH_PREFIX_SKEL_H

#include "bench_prefix_lookup.skel.h"

/* Loaded, or NULL. */
struct bench_prefix_lookup *prefix_skel_load(void);

#endif
