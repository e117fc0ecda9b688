/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One benchmark table: a title and the workload, then the comparisons
 * (ratios and differences against a baseline measured in the same run, each
 * with its target and whether it was met), then the absolute numbers of
 * every series, then notes on method. Targets are reported, never enforced.
 *
 *	struct table *t = table_new("What is measured");
 *	struct series *base = table_series(t, "baseline", "ns/packet");
 *	struct series *subj = table_series(t, "subject", "ns/packet");
 *	... series_add(base, ...); series_add(subj, ...); ...
 *	table_delta(t, subj, base, TARGET_AT_MOST, 15);
 *	table_note(t, "how it was measured");
 *	return table_finish(t);
 */
#ifndef ESPRIT_BENCH_TABLE_H
#define ESPRIT_BENCH_TABLE_H

#include <stdio.h>

#include "series.h"

enum target_op {
	TARGET_NONE, /* informational */
	TARGET_AT_MOST,
	TARGET_AT_LEAST,
	TARGET_WITHIN, /* |value| <= target */
};

struct table;

struct table *table_new(const char *title);

/* A line under the title saying what the workload is. */
void table_context(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A series owned by the table; its absolute numbers are printed. */
struct series *table_series(struct table *t, const char *name,
			    const char *unit);

/* median(subject) / median(baseline), against an optional target. */
void table_ratio(struct table *t, const struct series *subject,
		 const struct series *baseline, enum target_op op,
		 double target);

/* median(subject) - median(baseline), in the series' unit. */
void table_delta(struct table *t, const struct series *subject,
		 const struct series *baseline, enum target_op op,
		 double target);

/* median(subject) itself against a target, in the series' unit. */
void table_target(struct table *t, const struct series *subject,
		  enum target_op op, double target);

void table_note(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Something could not be measured: printed with the table, and the table
 * reports failure (not a missed target: a broken benchmark). */
void table_error(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints the table to stdout and frees it. Returns 0, or 1 after errors. */
int table_finish(struct table *t);

#endif
