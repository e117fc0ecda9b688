// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <string.h>

#include "echo/rtt_stats.h"

void rtt_stats_init(struct rtt_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void rtt_stats_add(struct rtt_stats *s, uint64_t rtt_ns)
{
	double delta;

	if (!s->count || rtt_ns < s->min_ns)
		s->min_ns = rtt_ns;
	if (!s->count || rtt_ns > s->max_ns)
		s->max_ns = rtt_ns;
	s->count++;
	delta = (double)rtt_ns - s->mean_ns;
	s->mean_ns += delta / (double)s->count;
	s->m2 += delta * ((double)rtt_ns - s->mean_ns);
}

double rtt_stats_mdev_ns(const struct rtt_stats *s)
{
	if (!s->count)
		return 0;
	return sqrt(s->m2 / (double)s->count);
}
