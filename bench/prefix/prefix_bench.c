// SPDX-License-Identifier: GPL-2.0
/*
 * esprit_prefix_bench: the RISAV prefix-table benchmarks of issue 3.
 *
 *   gen N FILE [--routinator]  write N synthetic VRPs (vrp_gen.h)
 *   import [FILE]              import time beside raw map updates
 *   lookup [FILE]              BPF lookup latency at full size beside a
 *                              1-entry trie and an exact-match hash
 *
 * Without FILE, BENCH_VRPS (800000) VRPs are generated into a temporary
 * file. BENCH_RUNS (5) runs per series, interleaved so that noise from
 * other work on the machine falls on every series alike. Each table prints
 * ratios against its baselines first, then absolute numbers; targets are
 * reported, never enforced. Standalone until bench/run.sh (the bench
 * framework) hooks it in; bench/prefix/run.sh runs both tables.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "bench_prefix.h"
#include "bench_prefix_lookup.skel.h"
#include "output.h"
#include "pfx4_index.h"
#include "prefix_table.h"
#include "rpki.h"
#include "vrp_gen.h"

#define RUNS_MAX       32
#define TARGET_NONE    0
#define TARGET_AT_MOST 1

struct series {
	const char *name, *unit;
	double v[RUNS_MAX];
	int n;
};

static int runs = 5;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const struct series *s)
{
	double v[RUNS_MAX];

	if (!s->n)
		return NAN;
	memcpy(v, s->v, s->n * sizeof(v[0]));
	qsort(v, s->n, sizeof(v[0]), dbl_cmp);
	return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

static double min_of(const struct series *s)
{
	double m = INFINITY;

	for (int i = 0; i < s->n; i++)
		m = s->v[i] < m ? s->v[i] : m;
	return m;
}

static double max_of(const struct series *s)
{
	double m = -INFINITY;

	for (int i = 0; i < s->n; i++)
		m = s->v[i] > m ? s->v[i] : m;
	return m;
}

static void add(struct series *s, double v)
{
	if (s->n < RUNS_MAX)
		s->v[s->n++] = v;
}

static void title(const char *fmt, ...)
{
	va_list ap;

	printf("\n== ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" ==\n");
}

static void ratio(const char *what, const struct series *a,
		  const struct series *b, int op, double target)
{
	double r = median(a) / median(b);

	printf("  %-46s %8.2fx", what, r);
	if (op == TARGET_AT_MOST)
		printf("   target <= %.2fx  %s", target,
		       r <= target ? "met" : "MISSED");
	printf("\n");
}

static void absolute(const char *what, const struct series *s, int op,
		     double target)
{
	double m = median(s);

	printf("  %-46s %8.3f %s", what, m, s->unit);
	if (op == TARGET_AT_MOST)
		printf("   target <= %g %s  %s", target, s->unit,
		       m <= target ? "met" : "MISSED");
	printf("\n");
}

static void header(void)
{
	printf("  %-34s %-10s %10s %10s %10s %5s\n", "series", "unit", "median",
	       "min", "max", "runs");
}

static void row(const struct series *s)
{
	printf("  %-34s %-10s %10.3f %10.3f %10.3f %5d\n", s->name, s->unit,
	       median(s), min_of(s), max_of(s), s->n);
}

/* ---- input -------------------------------------------------------------- */

static int env_int(const char *name, int def, int lo, int hi)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi) {
		fprintf(stderr, "%s=%s: expected %d-%d\n", name, s, lo, hi);
		exit(2);
	}
	return v;
}

/* FILE from the command line, or a generated one (removed at exit). */
static char generated[64];

static void remove_generated(void)
{
	if (generated[0])
		unlink(generated);
}

static const char *input_file(int argc, char **argv, size_t *vrps)
{
	int fd;
	FILE *f;

	*vrps = 0;
	if (argc > 2)
		return argv[2];
	*vrps = env_int("BENCH_VRPS", 800000, 1, 2000000);
	snprintf(generated, sizeof(generated), "/tmp/esprit-vrps.XXXXXX");
	fd = mkstemp(generated);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || vrp_gen_write(f, *vrps, VRP_GEN_SEED, false)) {
		perror("generating VRPs");
		exit(1);
	}
	fclose(f);
	atexit(remove_generated);
	return generated;
}

static double file_mb(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_size / 1e6;
}

static struct bench_prefix_lookup *open_skel(void)
{
	struct bench_prefix_lookup *skel = bench_prefix_lookup__open();
	struct bpf_map *map;

	if (!skel)
		return NULL;
	/* private maps: nothing pinned, nothing shared with a live esprit */
	bpf_object__for_each_map(map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (bench_prefix_lookup__load(skel)) {
		bench_prefix_lookup__destroy(skel);
		return NULL;
	}
	return skel;
}

static void pin_cpu(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpus > 1 ? cpus - 1 : 0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- import ------------------------------------------------------------- */

/* Plain trie, same sizes, entries by one syscall each. */
static double raw_one_by_one(const struct prefix_table *t)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "bench_raw",
				sizeof(struct esprit_prefix_key),
				sizeof(struct esprit_prefix_origin),
				t->n ? t->n : 1, &opts);
	double t0 = now();

	if (fd < 0)
		return NAN;
	for (size_t i = 0; i < t->n; i++) {
		struct esprit_prefix_origin o = {.asn = t->v[i].asn};

		if (bpf_map_update_elem(fd, &t->v[i].key, &o, BPF_ANY)) {
			close(fd);
			return NAN;
		}
	}
	t0 = now() - t0;
	close(fd);
	return t0;
}

/* The same entries through the batched fill the import uses. */
static double raw_batched(const struct prefix_table *t)
{
	char err[256];
	int fd = prefix_trie_create(err, sizeof(err));
	double t0 = now();

	if (fd < 0 || prefix_trie_fill(fd, t, err, sizeof(err))) {
		if (fd >= 0)
			close(fd);
		return NAN;
	}
	t0 = now() - t0;
	close(fd);
	return t0;
}

static double jansson_whole(const char *path)
{
	json_error_t e;
	double t0 = now();
	json_t *j = json_load_file(path, 0, &e);

	t0 = now() - t0;
	if (!j)
		return NAN;
	json_decref(j);
	return t0;
}

static int bench_import(int argc, char **argv)
{
	struct series total = {.name = "import (all of it)", .unit = "s"},
		      parse = {.name = "  parse and validate", .unit = "s"},
		      merge = {.name = "  merge (sort, MOAS, dups)",
			       .unit = "s"},
		      fill = {.name = "  trie fill (batched)", .unit = "s"},
		      index = {.name = "  IPv4 index build", .unit = "s"},
		      swap = {.name = "  swap into esprit_prefixes",
			      .unit = "s"},
		      batch = {.name = "raw batched updates", .unit = "s"},
		      single = {.name = "raw one update per syscall",
				.unit = "s"},
		      whole = {.name = "jansson, whole document", .unit = "s"};
	struct rpki_summary sum = {};
	struct bench_prefix_lookup *skel;
	size_t vrps;
	const char *file = input_file(argc, argv, &vrps);
	struct prefix_maps m;
	int rc = 0;

	skel = open_skel();
	if (!skel) {
		fprintf(stderr, "cannot load the benchmark program\n");
		return 1;
	}
	m.trie = bpf_map__fd(skel->maps.esprit_prefixes);
	m.pfx4 = bpf_map__fd(skel->maps.esprit_pfx4);
	for (int r = 0; r < runs; r++) {
		struct prefix_load_report lt;
		struct rpki_errors errs;
		struct prefix_table t;
		char err[256];
		double t0 = now();

		if (rpki_parse_file(file, &t, &sum, &errs) ||
		    prefixes_replace(&m, &t, &lt, err, sizeof(err))) {
			fprintf(stderr, "import failed: %s\n",
				errs.count ? errs.msg[0] : err);
			rc = 1;
			break;
		}
		add(&total, now() - t0);
		add(&parse, sum.parse_seconds);
		add(&merge, sum.build_seconds);
		if (!lt.index_id) {
			fprintf(stderr, "no IPv4 index: %s\n", lt.index_note);
			rc = 1;
			break;
		}
		add(&fill, lt.fill);
		add(&index, lt.index);
		add(&swap, lt.swap);
		add(&batch, raw_batched(&t));
		add(&single, raw_one_by_one(&t));
		if (r < 2) /* ~5 s each: two are enough to show the gap */
			add(&whole, jansson_whole(file));
		prefix_table_free(&t);
	}
	bench_prefix_lookup__destroy(skel);
	if (rc)
		return rc;

	title("RISAV prefix import: %zu VRPs, rpki-client JSON (%.1f MB)",
	      sum.entries, file_mb(file));
	printf("  %zu prefixes loaded (%zu IPv4, %zu IPv6); %zu duplicates, "
	       "%zu MOAS, %zu AS0 entries\n",
	       sum.loaded, sum.v4, sum.v6, sum.duplicates, sum.conflicts,
	       sum.as0);
	printf("comparisons (medians)\n");
	ratio("import / raw batched updates (kernel floor)", &total, &batch,
	      TARGET_NONE, 0);
	ratio("import / raw one update per syscall", &total, &single,
	      TARGET_NONE, 0);
	ratio("parse / jansson parsing the whole document", &parse, &whole,
	      TARGET_NONE, 0);
	absolute("import of the whole file", &total, TARGET_AT_MOST, 5.0);
	printf("absolute\n");
	header();
	row(&total);
	row(&parse);
	row(&merge);
	row(&fill);
	row(&index);
	row(&swap);
	row(&batch);
	row(&single);
	row(&whole);
	printf("notes\n"
	       "  import = esprit prefix import's path (rpki_parse_file, "
	       "prefixes_replace)\n"
	       "  into private esprit_prefixes and esprit_pfx4; raw = the "
	       "import's sorted,\n"
	       "  merged entries into a fresh trie, without parsing or index. "
	       "Synthetic VRPs "
	       "(bench/prefix/vrp_gen.c,\n"
	       "  seed %#llx); %d runs, interleaved; %ld CPUs online.\n",
	       VRP_GEN_SEED, runs, sysconf(_SC_NPROCESSORS_ONLN));
	return 0;
}

/* ---- lookup ------------------------------------------------------------- */

static unsigned long long rng = 0x6c6f6f6b7570ULL;

static unsigned long long next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Addresses inside random entries of t, host bits random: every lookup
 * finds a prefix, at whatever depth the trie keeps it. */
static int fill_addresses(struct bench_prefix_lookup *skel,
			  const struct prefix_table *t)
{
	int addrs = bpf_map__fd(skel->maps.bench_addrs);
	int exact = bpf_map__fd(skel->maps.bench_exact);

	for (__u32 i = 0; i < BENCH_ADDRS; i++) {
		const struct prefix_entry *e = &t->v[next_rand() % t->n];
		struct bench_addr a;
		__u32 one = 1;

		memcpy(a.addr, e->key.addr, 16);
		for (unsigned int b = e->key.prefixlen; b < 128; b++)
			if (next_rand() & 1)
				a.addr[b / 8] |= 0x80 >> (b % 8);
		if (bpf_map_update_elem(addrs, &i, &a, BPF_ANY) ||
		    bpf_map_update_elem(exact, &a, &one, BPF_ANY))
			return -1;
	}
	return 0;
}

enum { MODE_NONE, MODE_PREFIX, MODE_EXACT, MODE_FLAT }; /* as in BPF */

/* Runs prog for about 0.2 s (after a short calibration); returns the mean
 * ns per run (the kernel's duration is already per repeat). */
static double run_for_a_while(int prog_fd)
{
	static char pkt[64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = 100);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return NAN;
	opts.repeat = 0.2e9 / (opts.duration ? opts.duration : 1);
	if (opts.repeat < 10)
		opts.repeat = 10;
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return NAN;
	return opts.duration;
}

static double mean_per_lookup(struct bench_prefix_lookup *skel, __u32 mode)
{
	skel->bss->mode = mode;
	return run_for_a_while(bpf_program__fd(skel->progs.lookup_mean)) /
	       BENCH_LOOKUPS;
}

/* Percentile q of a histogram (or of two summed), in ns. */
static double percentile(const __u64 *h0, const __u64 *h1, double q)
{
	__u64 total = 0, acc = 0;

	for (int b = 0; b < BENCH_HIST_BUCKETS; b++)
		total += h0[b] + (h1 ? h1[b] : 0);
	if (!total)
		return NAN;
	for (int b = 0; b < BENCH_HIST_BUCKETS; b++) {
		acc += h0[b] + (h1 ? h1[b] : 0);
		if (acc >= q * total)
			return (b + 0.5) * BENCH_HIST_NS;
	}
	return NAN;
}

struct timed {
	double p50, p50_v4, p50_v6, p99;
};

/* Per-lookup latency percentiles of one mode, clock cost included. */
static struct timed timed(struct bench_prefix_lookup *skel, __u32 mode)
{
	__u64(*h)[BENCH_HIST_BUCKETS] = skel->bss->hist;
	struct timed t;

	memset(skel->bss->hist, 0, sizeof(skel->bss->hist));
	skel->bss->mode = mode;
	run_for_a_while(bpf_program__fd(skel->progs.lookup_timed));
	t.p50 = percentile(h[0], h[1], 0.5);
	t.p50_v4 = percentile(h[0], NULL, 0.5);
	t.p50_v6 = percentile(h[1], NULL, 0.5);
	t.p99 = percentile(h[0], h[1], 0.99);
	return t;
}

static int install(int outer, int map)
{
	__u32 zero = 0;

	return bpf_map_update_elem(outer, &zero, &map, BPF_ANY);
}

static int bench_lookup(int argc, char **argv)
{
	struct series p50 = {.name = "table, median", .unit = "ns"},
		      p50_v4 = {.name = "  IPv4 addresses", .unit = "ns"},
		      p50_v6 = {.name = "  IPv6 addresses", .unit = "ns"},
		      p99 = {.name = "table, p99", .unit = "ns"},
		      mean = {.name = "table, mean of 64 in a run",
			      .unit = "ns"},
		      trie = {.name = "trie alone (no index), median",
			      .unit = "ns"},
		      trie_v4 = {.name = "  IPv4 addresses", .unit = "ns"},
		      one = {.name = "1-entry trie, median", .unit = "ns"},
		      hash = {.name = "exact-match hash, median", .unit = "ns"},
		      flat = {.name = "64 MiB array read, median",
			      .unit = "ns"},
		      clock = {.name = "clock reads (subtracted)",
			       .unit = "ns"};
	struct bench_prefix_lookup *skel;
	struct rpki_summary sum;
	struct rpki_errors errs;
	struct prefix_table t, single;
	struct esprit_prefix_key all4 = {.prefixlen = 96};
	size_t vrps;
	const char *file = input_file(argc, argv, &vrps);
	int outer, pfx4, big = -1, big_idx = -1, small = -1;
	int rc = 1;
	char err[256] = "";

	pin_cpu();
	skel = open_skel();
	if (!skel) {
		fprintf(stderr, "cannot load the benchmark program\n");
		return 1;
	}
	outer = bpf_map__fd(skel->maps.esprit_prefixes);
	pfx4 = bpf_map__fd(skel->maps.esprit_pfx4);
	prefix_table_init(&single);
	all4.addr[10] = all4.addr[11] = 0xff; /* 0.0.0.0/0 */
	if (rpki_parse_file(file, &t, &sum, &errs)) {
		fprintf(stderr, "%s\n", errs.msg[0]);
		goto out;
	}
	/* what prefixes_replace() builds, kept open to swap back and
	 * forth: the trie and IPv4 index of the file, and of one prefix */
	big = prefix_trie_create(err, sizeof(err));
	if (big < 0 || prefix_trie_fill(big, &t, err, sizeof(err)) ||
	    (big_idx = pfx4_index_build(&t, err, sizeof(err))) < 0 ||
	    prefix_table_append(&single, &all4, 1) ||
	    (small = prefix_trie_create(err, sizeof(err))) < 0 ||
	    prefix_trie_fill(small, &single, err, sizeof(err)) ||
	    fill_addresses(skel, &t)) {
		fprintf(stderr, "setup failed: %s\n", err);
		goto out;
	}
	for (int r = 0; r < runs; r++) {
		struct timed full, none, plain;
		__u64 hits_before;

		none = timed(skel, MODE_NONE);
		add(&clock, none.p50);
		if (install(outer, big) || install(pfx4, big_idx))
			goto out;
		hits_before = skel->bss->hits;
		full = timed(skel, MODE_PREFIX);
		add(&p50, full.p50 - none.p50);
		add(&p50_v4, full.p50_v4 - none.p50);
		add(&p50_v6, full.p50_v6 - none.p50);
		add(&p99, full.p99 - none.p50);
		add(&mean, mean_per_lookup(skel, MODE_PREFIX) -
				   mean_per_lookup(skel, MODE_NONE));
		if (skel->bss->hits == hits_before) {
			fprintf(stderr, "the table found nothing\n");
			goto out;
		}
		add(&hash, timed(skel, MODE_EXACT).p50 - none.p50);
		add(&flat, timed(skel, MODE_FLAT).p50 - none.p50);
		pfx4_index_drop(pfx4);
		plain = timed(skel, MODE_PREFIX);
		add(&trie, plain.p50 - none.p50);
		add(&trie_v4, plain.p50_v4 - none.p50);
		if (install(outer, small))
			goto out;
		add(&one, timed(skel, MODE_PREFIX).p50 - none.p50);
	}
	rc = 0;
	title("RISAV prefix lookup under BPF_PROG_TEST_RUN: %zu prefixes",
	      sum.loaded);
	printf("  %zu IPv4, %zu IPv6 from %zu synthetic VRPs, built by the "
	       "import path;\n  lookups of %d addresses inside random "
	       "entries with bpf/prefix.h (IPv4:\n  index cell, else trie; "
	       "IPv6: trie), each timed on its own\n",
	       sum.v4, sum.v6, sum.entries, BENCH_ADDRS);
	printf("comparisons (medians)\n");
	ratio("table / 1-entry trie", &p50, &one, TARGET_NONE, 0);
	ratio("table / exact-match hash", &p50, &hash, TARGET_NONE, 0);
	ratio("table / one read in a 64 MiB array", &p50, &flat, TARGET_NONE,
	      0);
	ratio("trie alone / table (what the IPv4 index saves)", &trie, &p50,
	      TARGET_NONE, 0);
	absolute("lookup at full size, median", &p50, TARGET_AT_MOST, 400);
	printf("absolute (per lookup)\n");
	header();
	row(&p50);
	row(&p50_v4);
	row(&p50_v6);
	row(&p99);
	row(&mean);
	row(&trie);
	row(&trie_v4);
	row(&one);
	row(&hash);
	row(&flat);
	row(&clock);
	printf("notes\n"
	       "  Medians of per-lookup times (%d-ns histogram buckets, the "
	       "clock reads'\n"
	       "  own median subtracted), one value per run; %d interleaved "
	       "runs of ~0.2 s,\n"
	       "  pinned to one CPU. The same program reads every table "
	       "(swapped into the\n"
	       "  slots); the hash holds the %d addresses themselves; the "
	       "array read is\n"
	       "  what any direct-indexed table costs at least on this "
	       "machine.\n",
	       BENCH_HIST_NS, runs, BENCH_ADDRS);
out:
	if (big >= 0)
		close(big);
	if (big_idx >= 0)
		close(big_idx);
	if (small >= 0)
		close(small);
	prefix_table_free(&t);
	prefix_table_free(&single);
	bench_prefix_lookup__destroy(skel);
	return rc;
}

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out, "usage: esprit_prefix_bench gen N FILE [--routinator]\n"
		     "       esprit_prefix_bench import [FILE]\n"
		     "       esprit_prefix_bench lookup [FILE]\n"
		     "environment: BENCH_RUNS (5), BENCH_VRPS (800000)\n");
}

int main(int argc, char **argv)
{
	libbpf_quiet_unless_verbose();
	runs = env_int("BENCH_RUNS", 5, 1, RUNS_MAX);
	if (argc >= 4 && !strcmp(argv[1], "gen")) {
		FILE *f = fopen(argv[3], "w");
		long n = atol(argv[2]);

		if (!f || n < 1 ||
		    vrp_gen_write(f, n, VRP_GEN_SEED,
				  argc > 4 && !strcmp(argv[4], "--"
							       "routinator"))) {
			perror(argv[3]);
			return 1;
		}
		return fclose(f) ? 1 : 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "import"))
		return bench_import(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "lookup"))
		return bench_lookup(argc, argv);
	usage(argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
	return 2;
}
