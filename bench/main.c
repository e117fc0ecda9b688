// SPDX-License-Identifier: GPL-2.0
/* esprit_bench TABLE [ARGS...]: prints one benchmark table (bench/run.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "lib/output.h"

#define BENCH_TABLES_MAX 32

static const struct bench_table *tables[BENCH_TABLES_MAX];
static int ntables;

void bench_table_register(const struct bench_table *table)
{
	if (ntables < BENCH_TABLES_MAX)
		tables[ntables++] = table;
}

static int env_int(const char *name, int def, int min, int max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max) {
		fprintf(stderr, "esprit_bench: %s=%s: expected %d-%d\n", name,
			s, min, max);
		exit(2);
	}
	return v;
}

static double env_double(const char *name, double def, double min, double max)
{
	const char *s = getenv(name);
	char *end;
	double v;

	if (!s || !*s)
		return def;
	v = strtod(s, &end);
	if (*end || v < min || v > max) {
		fprintf(stderr, "esprit_bench: %s=%s: expected %g-%g\n", name,
			s, min, max);
		exit(2);
	}
	return v;
}

const struct bench_env *bench_env(void)
{
	static struct bench_env env;

	if (!env.runs) {
		env.runs = env_int("BENCH_RUNS", 7, 1, 63);
		env.seconds = env_double("BENCH_SECONDS", 1.0, 0.05, 60);
	}
	return &env;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct bench_table *const *)a)->name,
		      (*(const struct bench_table *const *)b)->name);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: esprit_bench TABLE [ARGS...]\n"
		     "       esprit_bench --list\n\ntables:\n");
	for (int i = 0; i < ntables; i++)
		fprintf(out, "  %-14s %s\n", tables[i]->name,
			tables[i]->summary);
}

int main(int argc, char **argv)
{
	qsort(tables, ntables, sizeof(tables[0]), by_name);
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (int i = 0; i < ntables; i++)
			printf("%s\n", tables[i]->name);
		return 0;
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	libbpf_quiet_unless_verbose();
	bench_env();
	for (int i = 0; i < ntables; i++) {
		if (strcmp(argv[1], tables[i]->name))
			continue;
		esprit_command = tables[i]->name;
		return tables[i]->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "esprit_bench: unknown table '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
