/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the per-CPU reason counters, summed over CPUs. */
#ifndef ESPRIT_USER_COUNTERS_H
#define ESPRIT_USER_COUNTERS_H

#include "esprit_counters.h"

struct reason_info {
	const char *name;
	const char *action; /* pass, drop or tx */
	const char *description;
};

extern const struct reason_info reason_info[ESPRIT_R_COUNT];

/* Sums every reason over all CPUs into out. Returns 0 or -errno. */
int counters_read(int map_fd, struct esprit_counter out[ESPRIT_R_COUNT]);

/* Sums a per-CPU __u64 array slot (e.g. ring-buffer drops). */
int percpu_u64_sum(int map_fd, __u32 key, __u64 *sum);

#endif
