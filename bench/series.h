/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A series: the samples of one quantity, one per run, and the statistics
 * the tables print (median, min, max). Medians, because other work on the
 * same machine only ever makes single runs slower.
 */
#ifndef ESPRIT_BENCH_SERIES_H
#define ESPRIT_BENCH_SERIES_H

#define SERIES_MAX  64
#define SERIES_NAME 64

struct series {
	char name[SERIES_NAME];
	const char *unit; /* "ns/packet", "replies/s", ... */
	double v[SERIES_MAX];
	int n;
};

void series_init(struct series *s, const char *name, const char *unit);
void series_add(struct series *s, double v);
/* NaN when the series has no samples. */
double series_median(const struct series *s);
double series_min(const struct series *s);
double series_max(const struct series *s);
/* Median of v (reordered in place); NaN when n is 0. */
double median_of(double *v, int n);

#endif
