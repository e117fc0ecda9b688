// SPDX-License-Identifier: GPL-2.0
/*
 * Table "prefix-import": `esprit prefix import` of 800k synthetic VRPs
 * (bench/vrp_gen.h) in rpki-client JSON, beside the kernel's own cost of
 * filling a trie with the same entries (batched, and one update per
 * syscall) and beside jansson parsing the whole file as one document.
 *
 * Method: each run imports the file through the CLI's path
 * (rpki_parse_file, then prefixes_replace into a private esprit_prefixes
 * and esprit_pfx4), then fills fresh tries with the import's own sorted,
 * merged entries; the jansson baseline runs twice (~5 s each). Samples are
 * wall-clock seconds: what an operator waits for.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "cpu.h"
#include "bench.h"
#include "risav/prefix_maps.h"
#include "risav/rpki.h"
#include "table.h"
#include "vrp_gen.h"

#include "prefix_skel.h"

#define TARGET_SECONDS 5.0 /* issue 3: ~800k entries in under 5 s */
#define WHOLE_RUNS     2

/* A plain trie of the same sizes, one update per entry. */
static double raw_one_by_one(const struct prefix_table *t)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "bench_raw",
				sizeof(struct esprit_prefix_key),
				sizeof(struct esprit_prefix_origin),
				t->n ? t->n : 1, &opts);
	double t0 = clock_s(CLOCK_MONOTONIC);

	if (fd < 0)
		return NAN;
	for (size_t i = 0; i < t->n; i++) {
		struct esprit_prefix_origin o = {.asn = t->v[i].asn};

		if (bpf_map_update_elem(fd, &t->v[i].key, &o, BPF_ANY)) {
			close(fd);
			return NAN;
		}
	}
	t0 = clock_s(CLOCK_MONOTONIC) - t0;
	close(fd);
	return t0;
}

/* The same entries through the batched fill the import uses. */
static double raw_batched(const struct prefix_table *t)
{
	char err[256];
	int fd = prefix_trie_create(err, sizeof(err));
	double t0 = clock_s(CLOCK_MONOTONIC);

	if (fd < 0 || prefix_trie_fill(fd, t, err, sizeof(err))) {
		if (fd >= 0)
			close(fd);
		return NAN;
	}
	t0 = clock_s(CLOCK_MONOTONIC) - t0;
	close(fd);
	return t0;
}

static double jansson_whole(const char *path)
{
	json_error_t e;
	double t0 = clock_s(CLOCK_MONOTONIC);
	json_t *j = json_load_file(path, 0, &e);

	t0 = clock_s(CLOCK_MONOTONIC) - t0;
	if (!j)
		return NAN;
	json_decref(j);
	return t0;
}

/* CPU seconds of the whole process so far (every thread, user and
 * kernel): what the import costs, whatever else the machine runs. */
static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return NAN;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

struct import_series {
	struct series *total, *cpu, *parse, *merge, *fill, *index, *swap,
		*batch, *single, *whole;
};

static void measure(struct table *t, const char *file, int outer, int pfx4,
		    struct import_series *s, struct rpki_summary *sum)
{
	struct prefix_maps m = {outer, pfx4};

	for (int r = 0; r < bench_env()->runs; r++) {
		struct prefix_load_report lr;
		struct rpki_errors errs;
		struct prefix_table tab;
		char err[256] = "";
		double t0 = clock_s(CLOCK_MONOTONIC), c0 = cpu_seconds();

		if (rpki_parse_file(file, &tab, sum, &errs) ||
		    prefixes_replace(&m, &tab, NULL, &lr, err, sizeof(err))) {
			table_error(t, "import failed: %s",
				    errs.count ? errs.msg[0] : err);
			prefix_table_free(&tab);
			return;
		}
		series_add(s->total, clock_s(CLOCK_MONOTONIC) - t0);
		series_add(s->cpu, cpu_seconds() - c0);
		if (!lr.index_id)
			table_error(t, "no IPv4 index: %s", lr.index_note);
		series_add(s->parse, sum->parse_seconds);
		series_add(s->merge, sum->build_seconds);
		series_add(s->fill, lr.fill);
		series_add(s->index, lr.index);
		series_add(s->swap, lr.swap);
		series_add(s->batch, raw_batched(&tab));
		series_add(s->single, raw_one_by_one(&tab));
		if (r < WHOLE_RUNS)
			series_add(s->whole, jansson_whole(file));
		prefix_table_free(&tab);
	}
}

static int prefix_import_table(int argc, char **argv)
{
	struct table *t = table_new("prefix-import: esprit prefix import of "
				    "synthetic RPKI VRPs (s, lower is "
				    "better)");
	struct bench_prefix_lookup *skel = NULL;
	struct rpki_summary sum = {};
	struct import_series s;
	char file[64];
	size_t n;

	(void)argc;
	(void)argv;
	s.total = table_series(t, "import", "s");
	s.cpu = table_series(t, "import, CPU time", "s");
	s.parse = table_series(t, "  parse+check", "s");
	s.merge = table_series(t, "  merge", "s");
	s.fill = table_series(t, "  trie fill", "s");
	s.index = table_series(t, "  IPv4 index", "s");
	s.swap = table_series(t, "  swap", "s");
	s.batch = table_series(t, "raw batched fill", "s");
	s.single = table_series(t, "raw fill, 1 syscall/entry", "s");
	s.whole = table_series(t, "jansson, whole document", "s");
	n = prefix_bench_setup(t, file, sizeof(file), &skel);
	if (!n)
		return table_finish(t);
	if (skel) {
		measure(t, file, bpf_map__fd(skel->maps.esprit_prefixes),
			bpf_map__fd(skel->maps.esprit_pfx4), &s, &sum);
		bench_prefix_lookup__destroy(skel);
	}
	table_context(t,
		      "%zu VRPs (bench/vrp_gen.c, seed %#llx): %zu prefixes, "
		      "%zu IPv4 / %zu IPv6, %zu duplicates, %zu MOAS, %zu AS0",
		      n, VRP_GEN_SEED, sum.loaded, sum.v4, sum.v6,
		      sum.duplicates, sum.conflicts, sum.as0);
	table_context(t,
		      "%d runs, interleaved; %ld CPUs; %d jansson "
		      "parsing threads at most",
		      bench_env()->runs, sysconf(_SC_NPROCESSORS_ONLN),
		      (int)sysconf(_SC_NPROCESSORS_ONLN));
	table_target(t, s.total, TARGET_AT_MOST, TARGET_SECONDS);
	table_ratio(t, s.total, s.batch, TARGET_NONE, 0);
	table_ratio(t, s.total, s.single, TARGET_NONE, 0);
	table_ratio(t, s.parse, s.whole, TARGET_NONE, 0);
	table_ratio(t, s.cpu, s.total, TARGET_NONE, 0);
	table_note(t, "import = the CLI's path: read, parse and check every "
		      "entry (jansson, per entry, on worker threads), merge "
		      "(sort, duplicates, MOAS), fill a new trie, build the "
		      "IPv4 index, swap both in; wall-clock seconds, and the "
		      "CPU seconds they took in all threads (user and kernel: "
		      "what the import costs whatever else the machine runs; "
		      "CPU / wall above 1 is the parallel parse)");
	table_note(t, "raw = the import's merged entries into a fresh trie, "
		      "no parsing, no index: the kernel's floor");
	table_note(t,
		   "jansson, whole document = json_load_file() of the "
		   "same file, %d runs: the parser alone, single-threaded",
		   WHOLE_RUNS);
	unlink(file);
	return table_finish(t);
}

BENCH_TABLE(prefix_import) = {
	.name = "prefix-import",
	.summary = "RPKI import of 800k VRPs vs raw trie updates",
	.run = prefix_import_table,
};
