/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Round-trip time summary as ping prints it: min, avg, max and mdev (the
 * population standard deviation), kept with Welford's running update so
 * long runs lose no precision to a sum of squares.
 */
#ifndef ESPRIT_RTT_STATS_H
#define ESPRIT_RTT_STATS_H

#include <stdint.h>

struct rtt_stats {
	uint64_t count;
	uint64_t min_ns;
	uint64_t max_ns;
	double mean_ns;
	double m2; /* sum of squared distances from the running mean */
};

void rtt_stats_init(struct rtt_stats *s);
void rtt_stats_add(struct rtt_stats *s, uint64_t rtt_ns);
/* 0 when there are no samples. */
double rtt_stats_mdev_ns(const struct rtt_stats *s);

#endif
