/* SPDX-License-Identifier: GPL-2.0 */
/* esprit_xdp as the benchmarks load it: a private copy, nothing pinned. */
#ifndef ESPRIT_BENCH_ESPRIT_PROG_H
#define ESPRIT_BENCH_ESPRIT_PROG_H

#include <stddef.h>
#include <linux/types.h>

struct esprit_xdp;

/*
 * Loads esprit_xdp with its maps unpinned and configures it through the
 * CLI's own parser: settings are KEY, VALUE pairs as for `esprit responder
 * set`, ending with NULL. Returns NULL with a reason in err.
 */
struct esprit_xdp *esprit_prog_load(const char *const *settings, char *err,
				    size_t errlen);

/* Packets counted under one reason, summed over CPUs. */
__u64 esprit_prog_count(struct esprit_xdp *skel, int reason);

/* Packets counted under every reason but one. */
__u64 esprit_prog_count_others(struct esprit_xdp *skel, int reason);

#endif
