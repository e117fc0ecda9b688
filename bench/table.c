// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define TABLE_SERIES_MAX  24
#define TABLE_COMPARE_MAX 16
#define TABLE_LINES_MAX	  24
#define TABLE_LINE_LEN	  512
#define CELL_LEN	  (2 * SERIES_NAME + 8)
#define COLUMNS_MAX	  6
#define WRAP_COLUMNS	  86

enum compare_kind { COMPARE_RATIO, COMPARE_DELTA, COMPARE_VALUE };

struct comparison {
	enum compare_kind kind;
	const struct series *subject, *baseline;
	enum target_op op;
	double target;
};

struct text_lines {
	char line[TABLE_LINES_MAX][TABLE_LINE_LEN];
	int n;
};

struct table {
	char title[TABLE_LINE_LEN];
	struct text_lines context, notes, errors;
	struct series series[TABLE_SERIES_MAX];
	int nseries;
	struct comparison cmp[TABLE_COMPARE_MAX];
	int ncmp;
};

struct table *table_new(const char *title)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t) {
		perror("table_new");
		exit(2);
	}
	snprintf(t->title, sizeof(t->title), "%s", title);
	return t;
}

static void add_line(struct text_lines *l, const char *fmt, va_list ap)
{
	if (l->n < TABLE_LINES_MAX)
		vsnprintf(l->line[l->n++], TABLE_LINE_LEN, fmt, ap);
}

void table_context(struct table *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(&t->context, fmt, ap);
	va_end(ap);
}

void table_note(struct table *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(&t->notes, fmt, ap);
	va_end(ap);
}

void table_error(struct table *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(&t->errors, fmt, ap);
	va_end(ap);
}

struct series *table_series(struct table *t, const char *name, const char *unit)
{
	struct series *s;

	if (t->nseries == TABLE_SERIES_MAX) {
		fprintf(stderr, "table: more than %d series\n",
			TABLE_SERIES_MAX);
		exit(2);
	}
	s = &t->series[t->nseries++];
	series_init(s, name, unit);
	return s;
}

static void add_comparison(struct table *t, enum compare_kind kind,
			   const struct series *subject,
			   const struct series *baseline, enum target_op op,
			   double target)
{
	if (t->ncmp < TABLE_COMPARE_MAX)
		t->cmp[t->ncmp++] = (struct comparison){
			.kind = kind,
			.subject = subject,
			.baseline = baseline,
			.op = op,
			.target = target,
		};
}

void table_ratio(struct table *t, const struct series *subject,
		 const struct series *baseline, enum target_op op,
		 double target)
{
	add_comparison(t, COMPARE_RATIO, subject, baseline, op, target);
}

void table_delta(struct table *t, const struct series *subject,
		 const struct series *baseline, enum target_op op,
		 double target)
{
	add_comparison(t, COMPARE_DELTA, subject, baseline, op, target);
}

void table_target(struct table *t, const struct series *subject,
		  enum target_op op, double target)
{
	add_comparison(t, COMPARE_VALUE, subject, NULL, op, target);
}

/* "41.3", "845.2 k", "2.413 M": a value scaled for reading. */
static const char *format_value(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (a >= 1e9)
		snprintf(buf, len, "%.3f G", v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.3f M", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, "%.1f k", v / 1e3);
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

/* A grid of cells printed with each column as wide as its widest cell. */
struct grid {
	char cell[TABLE_SERIES_MAX + TABLE_COMPARE_MAX + 1][COLUMNS_MAX]
		 [CELL_LEN];
	int rows, cols;
};

static void grid_row(struct grid *g, int cols, ...)
{
	va_list ap;

	va_start(ap, cols);
	for (int c = 0; c < cols; c++)
		snprintf(g->cell[g->rows][c], CELL_LEN, "%s",
			 va_arg(ap, const char *));
	va_end(ap);
	g->cols = cols;
	g->rows++;
}

static void grid_print(const struct grid *g)
{
	int width[COLUMNS_MAX] = {0};

	for (int r = 0; r < g->rows; r++)
		for (int c = 0; c < g->cols; c++)
			if ((int)strlen(g->cell[r][c]) > width[c])
				width[c] = strlen(g->cell[r][c]);
	for (int r = 0; r < g->rows; r++) {
		printf("  ");
		for (int c = 0; c < g->cols; c++)
			if (c + 1 < g->cols)
				printf("%-*s  ", width[c], g->cell[r][c]);
			else
				printf("%s", g->cell[r][c]);
		printf("\n");
	}
}

static bool target_met(const struct comparison *c, double value)
{
	switch (c->op) {
	case TARGET_AT_MOST:
		return value <= c->target;
	case TARGET_WITHIN:
		return fabs(value) <= c->target;
	default:
		return value >= c->target;
	}
}

static const char *target_op_text(enum target_op op)
{
	return op == TARGET_AT_MOST ? "<=" : op == TARGET_WITHIN ? "+-" : ">=";
}

static void comparison_cells(const struct comparison *c, char *label,
			     char *result, char *target, char *met)
{
	double s = series_median(c->subject);
	double b = c->baseline ? series_median(c->baseline) : 0;
	bool ratio = c->kind == COMPARE_RATIO;
	double value = ratio ? s / b : s - b;
	const char *op = target_op_text(c->op);

	if (c->kind == COMPARE_VALUE) {
		snprintf(label, CELL_LEN, "%s", c->subject->name);
		if (isnan(value))
			snprintf(result, CELL_LEN, "n/a");
		else
			snprintf(result, CELL_LEN, "%.4g", value);
		snprintf(target, CELL_LEN, "%s %g", op, c->target);
		snprintf(met, CELL_LEN, "%s",
			 isnan(value)		? "n/a"
			 : target_met(c, value) ? "yes"
						: "NO");
		return;
	}
	snprintf(label, CELL_LEN, "%s %s %s", c->subject->name,
		 ratio ? "/" : "-", c->baseline->name);
	if (isnan(value))
		snprintf(result, CELL_LEN, "n/a");
	else if (ratio)
		snprintf(result, CELL_LEN, "%.2fx", value);
	else
		snprintf(result, CELL_LEN, "%+.1f", value);

	if (c->op == TARGET_NONE) {
		snprintf(target, CELL_LEN, "-");
		snprintf(met, CELL_LEN, "-");
		return;
	}
	if (ratio)
		snprintf(target, CELL_LEN, "%s %.2fx", op, c->target);
	else if (c->op == TARGET_WITHIN)
		snprintf(target, CELL_LEN, "%s %.1f", op, c->target);
	else
		snprintf(target, CELL_LEN, "%s %+.1f", op, c->target);
	if (isnan(value))
		snprintf(met, CELL_LEN, "n/a");
	else
		snprintf(met, CELL_LEN, "%s",
			 target_met(c, value) ? "yes" : "NO");
}

static void print_comparisons(const struct table *t)
{
	static struct grid g;
	char label[CELL_LEN], result[CELL_LEN], target[CELL_LEN], met[CELL_LEN];

	g.rows = 0;
	grid_row(&g, 5, "comparison", "of", "result", "target", "met");
	for (int i = 0; i < t->ncmp; i++) {
		const struct comparison *c = &t->cmp[i];

		comparison_cells(c, label, result, target, met);
		grid_row(&g, 5, label, c->subject->unit, result, target, met);
	}
	grid_print(&g);
}

static void print_series(const struct table *t)
{
	static struct grid g;
	char med[CELL_LEN], lo[CELL_LEN], hi[CELL_LEN], runs[16];

	g.rows = 0;
	grid_row(&g, 6, "measured", "median", "min", "max", "unit", "runs");
	for (int i = 0; i < t->nseries; i++) {
		const struct series *s = &t->series[i];

		format_value(series_median(s), med, sizeof(med));
		format_value(series_min(s), lo, sizeof(lo));
		format_value(series_max(s), hi, sizeof(hi));
		snprintf(runs, sizeof(runs), "%d", s->n);
		grid_row(&g, 6, s->name, med, lo, hi, s->unit, runs);
	}
	grid_print(&g);
}

/* Prints text as "  - first line" and "    more", broken at spaces. */
static void print_wrapped(const char *text)
{
	const char *p = text;
	bool first = true;

	while (*p) {
		int len = strlen(p), cut = len;

		if (len > WRAP_COLUMNS) {
			cut = WRAP_COLUMNS;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = WRAP_COLUMNS;
		}
		printf("  %s%.*s\n", first ? "- " : "  ", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		first = false;
	}
}

int table_finish(struct table *t)
{
	int rc = t->errors.n ? 1 : 0;

	printf("\n== %s ==\n", t->title);
	for (int i = 0; i < t->context.n; i++)
		printf("  %s\n", t->context.line[i]);
	printf("\n");
	if (t->ncmp) {
		print_comparisons(t);
		printf("\n");
	}
	print_series(t);
	if (t->notes.n)
		printf("\n  notes:\n");
	for (int i = 0; i < t->notes.n; i++)
		print_wrapped(t->notes.line[i]);
	for (int i = 0; i < t->errors.n; i++)
		printf("  ERROR: %s\n", t->errors.line[i]);
	fflush(stdout);
	free(t);
	return rc;
}
