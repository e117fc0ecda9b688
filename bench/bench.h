/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esprit_bench: one subcommand per table. A table registers itself
 * (BENCH_TABLE below), so adding one is adding a file; bench/run.sh says
 * which tables `make bench` runs and prepares what they need.
 */
#ifndef ESPRIT_BENCH_H
#define ESPRIT_BENCH_H

struct bench_table {
	const char *name; /* subcommand */
	const char *summary;
	/* Prints its table; 0 if it measured, 1 if it could not, 2 on
	 * usage errors. Never fails because of a missed target. */
	int (*run)(int argc, char **argv);
};

void bench_table_register(const struct bench_table *table);

#define BENCH_TABLE(var)                                              \
	static const struct bench_table var;                          \
	__attribute__((constructor)) static void register_##var(void) \
	{                                                             \
		bench_table_register(&var);                           \
	}                                                             \
	static const struct bench_table var

/* Settings every table honours, from the environment (see bench/run.sh). */
struct bench_env {
	int runs; /* measured runs per series (BENCH_RUNS, default 7) */
	double seconds; /* length of one timed run (BENCH_SECONDS, 1.0) */
};

const struct bench_env *bench_env(void);

#endif
