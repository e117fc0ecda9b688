// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <string.h>

#include "daemon/rtt_hist.h"

const double rtt_prom_bounds[RTT_PROM_BUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05,	 0.1,	 0.25,	  0.5,	  1,	 2.5,	 5,	10,
};

void rtt_hist_init(struct rtt_hist *h)
{
	memset(h, 0, sizeof(*h));
}

size_t rtt_hist_bucket(uint64_t ns)
{
	unsigned int e;

	if (ns < RTT_HIST_SUB)
		return (size_t)ns;
	e = 63U - (unsigned int)__builtin_clzll(ns);
	if (e > RTT_HIST_MAX_EXP)
		return RTT_HIST_BUCKETS - 1;
	/* e >= SUB_BITS: the SUB_BITS bits below the leading one. */
	return RTT_HIST_SUB * (e - RTT_HIST_SUB_BITS + 1) +
	       ((ns >> (e - RTT_HIST_SUB_BITS)) & (RTT_HIST_SUB - 1));
}

void rtt_hist_bucket_range(size_t bucket, uint64_t *lo, uint64_t *hi)
{
	unsigned int e, sub;

	if (bucket < RTT_HIST_SUB) {
		*lo = *hi = bucket;
		return;
	}
	e = (unsigned int)(bucket / RTT_HIST_SUB) + RTT_HIST_SUB_BITS - 1;
	sub = (unsigned int)(bucket % RTT_HIST_SUB);
	*lo = (1ULL << e) + ((uint64_t)sub << (e - RTT_HIST_SUB_BITS));
	*hi = *lo + (1ULL << (e - RTT_HIST_SUB_BITS)) - 1;
	if (bucket == RTT_HIST_BUCKETS - 1)
		*hi = UINT64_MAX;
}

void rtt_hist_add(struct rtt_hist *h, uint64_t ns)
{
	double s = (double)ns / 1e9;
	size_t i = 0;

	if (!h->count || ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->count++;
	h->sum_ns += ns;
	h->buckets[rtt_hist_bucket(ns)]++;
	while (i < RTT_PROM_BUCKETS && s > rtt_prom_bounds[i])
		i++;
	h->prom[i]++;
}

uint64_t rtt_hist_quantile(const struct rtt_hist *h, double q)
{
	uint64_t rank, seen = 0, lo, hi, mid;

	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min_ns;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	/* The extremes are known exactly. */
	if (rank >= h->count)
		return h->max_ns;
	if (rank == 1)
		return h->min_ns;
	for (size_t b = 0; b < RTT_HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen < rank)
			continue;
		rtt_hist_bucket_range(b, &lo, &hi);
		mid = lo + (hi - lo) / 2;
		if (mid < h->min_ns)
			mid = h->min_ns;
		if (mid > h->max_ns)
			mid = h->max_ns;
		return mid;
	}
	return h->max_ns;
}
