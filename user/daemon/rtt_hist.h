/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Round-trip times as a log-linear histogram (HdrHistogram's layout): exact
 * below 16 ns, then 16 buckets per power of two up to 2^40 ns (18 min), so
 * a bucket is at most 1/16 of its values wide and a percentile, reported as
 * the middle of its bucket, is within 3.2% of the true sample. Fixed size
 * (608 counters), whatever the number of samples. Beside it, the counts of
 * the Prometheus buckets (exact, since their bounds are not ours).
 */
#ifndef ESPRIT_RTT_HIST_H
#define ESPRIT_RTT_HIST_H

#include <stddef.h>
#include <stdint.h>

#define RTT_HIST_SUB_BITS 4
#define RTT_HIST_SUB	  (1U << RTT_HIST_SUB_BITS)
#define RTT_HIST_MAX_EXP  40 /* values from 2^40 ns on share the last bucket */
#define RTT_HIST_BUCKETS \
	(RTT_HIST_SUB * (RTT_HIST_MAX_EXP - RTT_HIST_SUB_BITS + 2))

/* Upper bounds (seconds) of the exported histogram; +Inf follows. */
#define RTT_PROM_BUCKETS 17
extern const double rtt_prom_bounds[RTT_PROM_BUCKETS];

struct rtt_hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t min_ns, max_ns;
	uint64_t buckets[RTT_HIST_BUCKETS];
	uint64_t prom[RTT_PROM_BUCKETS + 1]; /* not cumulative; last: +Inf */
};

void rtt_hist_init(struct rtt_hist *h);
void rtt_hist_add(struct rtt_hist *h, uint64_t ns);

/* Bucket of a value, and the values [lo, hi] a bucket holds. */
size_t rtt_hist_bucket(uint64_t ns);
void rtt_hist_bucket_range(size_t bucket, uint64_t *lo, uint64_t *hi);

/*
 * The q-quantile (0 < q <= 1) by nearest rank: the middle of the bucket
 * holding the ceil(q * count)-th smallest sample, clamped to [min, max];
 * the smallest and largest samples are exact. 0 when empty.
 */
uint64_t rtt_hist_quantile(const struct rtt_hist *h, double q);

#endif
