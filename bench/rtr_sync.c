// SPDX-License-Identifier: GPL-2.0
/*
 * Table "rtr-sync": the prefix table fed over RPKI-to-Router from stayrtr
 * (Debian's RTR cache) serving 800k synthetic VRPs (bench/vrp_gen.h), beside
 * `esprit prefix import` of the same file in the same run.
 *
 * Method: the daemon's own pieces, in this process: the RTR feed
 * (daemon/rtr_feed.h: rtrlib, our checking transport, the VRP set), the
 * table built from it and swapped in whole (prefixes_replace), then each
 * End of Data batch made in a standby trie and swapped in
 * (prefixes_swap_batch), into private maps of bench_prefix_lookup.
 * Full sync: from stayrtr's start (it reads and checks the file first) and
 * from the session's start (stayrtr listening) to the table installed.
 * Updates: N VRPs added to the file, then taken out again; stayrtr reads
 * it, bumps its serial and sends a Serial Notify; timed from that PDU's
 * arrival to the map answering for the last VRP of the batch.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "cpu.h"
#include "daemon/rtr_feed.h"
#include "risav/prefix_maps.h"
#include "risav/rpki.h"
#include "table.h"
#include "vrp_gen.h"

#include "prefix_skel.h"

#define PORT_BASE	  33230
#define FULL_TARGET_RATIO 2.0 /* the issue: within 2x the JSON import */
#define ONE_TARGET_MS	  100.0 /* a single VRP visible within 100 ms */
#define UPDATE_RUNS_MAX	  5
#define WAIT_S		  120.0

extern char **environ;

static const size_t update_sizes[] = {1, 100, 10000};
#define NSIZES (sizeof(update_sizes) / sizeof(update_sizes[0]))

struct cache {
	pid_t pid;
	int port;
};

static int cache_start(struct cache *c, const char *file, int port)
{
	char bind[32];
	char *argv[] = {"stayrtr",
			"-bind",
			bind,
			"-cache",
			(char *)file,
			"-refresh",
			"1",
			"-checktime=false",
			"-protocol",
			"1",
			"-metrics.addr",
			"",
			"-rtr.refresh",
			"3600",
			"-loglevel",
			"error",
			"-log.verbose=false",
			NULL};
	posix_spawn_file_actions_t fa;
	int rc;

	snprintf(bind, sizeof(bind), "127.0.0.1:%d", port);
	c->port = port;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
	rc = posix_spawnp(&c->pid, "stayrtr", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc ? -1 : 0;
}

static void cache_stop(struct cache *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGTERM);
		waitpid(c->pid, NULL, 0);
	}
	c->pid = 0;
}

/* Waits until the cache accepts connections; 0, or -1 after WAIT_S. */
static int cache_wait_listening(const struct cache *c)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(c->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	double end = clock_s(CLOCK_MONOTONIC) + WAIT_S;

	while (clock_s(CLOCK_MONOTONIC) < end) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok = fd >= 0 &&
			 !connect(fd, (struct sockaddr *)&a, sizeof(a));

		if (fd >= 0)
			close(fd);
		if (ok)
			return 0;
		usleep(2000);
	}
	return -1;
}

/*
 * The floor of a full sync: a plain socket sends a Reset Query and reads
 * the cache's answer to its End of Data, in 64 KiB pieces, parsing only
 * the PDU headers. Seconds, or NAN.
 */
static double raw_transfer(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static const unsigned char reset[8] = {1, 2, 0, 0, 0, 0, 0, 8};
	static unsigned char buf[65536 + 64];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	double t0 = clock_s(CLOCK_MONOTONIC), rc = NAN;
	size_t have = 0;

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    write(fd, reset, sizeof(reset)) != sizeof(reset))
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf + have, 65536 - have);
		size_t off = 0;

		if (n <= 0)
			goto out;
		have += (size_t)n;
		while (have - off >= 8) {
			__u32 len = (__u32)buf[off + 4] << 24 |
				    (__u32)buf[off + 5] << 16 |
				    (__u32)buf[off + 6] << 8 | buf[off + 7];

			if (len < 8 || len > 65536)
				goto out;
			if (have - off < len)
				break;
			if (buf[off + 1] == 7) { /* End of Data */
				rc = clock_s(CLOCK_MONOTONIC) - t0;
				goto out;
			}
			off += len;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The table the daemon builds from the feed, with no statics. */
static int feed_table(const struct rtr_feed *f, struct prefix_table *t)
{
	prefix_table_init(t);
	return vrp_set_table(rtr_feed_vrps(f), t);
}

/*
 * Drains until the feed holds want prefixes (stayrtr answers with no data
 * until it has read its file, then announces all of it); the changes are
 * not needed: the table is built whole.
 */
static int wait_loaded(struct rtr_feed *f, size_t want, char *err,
		       size_t errlen)
{
	double end = clock_s(CLOCK_MONOTONIC) + WAIT_S;
	struct pollfd p = {.fd = rtr_feed_fd(f), .events = POLLIN};

	while (clock_s(CLOCK_MONOTONIC) < end) {
		struct prefix_change *c = NULL;

		if (poll(&p, 1, 100) < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		if (rtr_feed_drain(f, &c) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		free(c);
		if (vrp_set_prefixes(rtr_feed_vrps(f)) >= want &&
		    !rtr_feed_pending(f))
			return 0;
	}
	snprintf(err, errlen, "%zu of %zu prefixes after %.0f s",
		 vrp_set_prefixes(rtr_feed_vrps(f)), want, WAIT_S);
	return -1;
}

/* The file as text, without its closing "]}", to append VRPs to. */
static char *read_open(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *end;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc(n + 1)) &&
	    fread(buf, 1, n, f) == (size_t)n) {
		buf[n] = '\0';
		end = strrchr(buf, ']');
		if (end) {
			*len = end - buf;
			fclose(f);
			return buf;
		}
	}
	free(buf);
	fclose(f);
	return NULL;
}

/* VRP i of the updates: fc00:be00::/24 cut into /48s, nobody's prefix in
 * the generated set. */
static void update_prefix(size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "fc00:be%02zx:%zx::", (i >> 16) & 0xff, i & 0xffff);
}

static int write_with(const char *path, const char *head, size_t head_len,
		      size_t extra)
{
	char tmp[128], p[64];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fwrite(head, 1, head_len, f);
	for (size_t i = 0; i < extra; i++) {
		update_prefix(i, p, sizeof(p));
		fprintf(f,
			",\n{\"asn\": %zu, \"prefix\": \"%s/48\", "
			"\"maxLength\": 48, \"ta\": \"bench\"}",
			64512 + i % 1000, p);
	}
	fputs("\n]}\n", f);
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

/* Whether the map answers for the last VRP of an update of n. */
static bool map_has(int trie, size_t n)
{
	struct esprit_prefix_key k = {.prefixlen = 48};
	struct esprit_prefix_origin o;
	char p[64];

	update_prefix(n - 1, p, sizeof(p));
	inet_pton(AF_INET6, p, k.addr);
	return !bpf_map_lookup_elem(trie, &k, &o);
}

/*
 * One update: the file rewritten with extra VRPs; returns the seconds
 * from the Serial Notify to the map holding (want) or not holding the
 * last of n, or NAN.
 */
static double update_once(struct rtr_feed *f, const struct prefix_maps *m,
			  int *standby, const char *path, const char *head,
			  size_t head_len, size_t extra, size_t n, bool want)
{
	struct pollfd p = {.fd = rtr_feed_fd(f), .events = POLLIN};
	double notified = rtr_feed_notified(f, 0), end;
	char err[256];

	if (write_with(path, head, head_len, extra))
		return NAN;
	end = clock_s(CLOCK_MONOTONIC) + WAIT_S;
	while (clock_s(CLOCK_MONOTONIC) < end) {
		struct prefix_change *c = NULL;
		long k;
		int trie;

		poll(&p, 1, 50);
		k = rtr_feed_drain(f, &c);
		if (k > 0 && prefixes_swap_batch(m, standby, c, (size_t)k, NULL,
						 err, sizeof(err))) {
			free(c);
			return NAN;
		}
		free(c);
		trie = prefix_trie_current(m->trie);
		if (trie >= 0) {
			bool has = map_has(trie, n);

			close(trie);
			if (has == want && rtr_feed_notified(f, 0) != notified)
				return clock_s(CLOCK_MONOTONIC) -
				       rtr_feed_notified(f, 0);
		}
	}
	return NAN;
}

struct rtr_series {
	struct series *import, *from_start, *from_session, *cache_ready,
		*table_build, *raw;
	struct series *add[NSIZES], *del[NSIZES];
};

/* The import; the number of prefixes it gave, 0 if it failed. */
static size_t measure_import(struct table *t, const char *file,
			     const struct prefix_maps *m, struct series *s)
{
	size_t n;
	struct rpki_summary sum;
	struct rpki_errors errs;
	struct prefix_table tab;
	char err[256];
	double t0 = clock_s(CLOCK_MONOTONIC);

	if (rpki_parse_file(file, &tab, &sum, &errs) ||
	    prefixes_replace(m, &tab, NULL, NULL, err, sizeof(err))) {
		table_error(t, "import failed: %s",
			    errs.count ? errs.msg[0] : err);
		prefix_table_free(&tab);
		return 0;
	}
	series_add(s, clock_s(CLOCK_MONOTONIC) - t0);
	n = tab.n;
	prefix_table_free(&tab);
	return n;
}

/* One full sync; the feed and its cache stay up when keep is set. */
static int measure_sync(struct table *t, const char *file, size_t want,
			const struct prefix_maps *m, int port,
			struct rtr_series *s, struct rtr_feed **keep,
			struct cache *kept)
{
	struct config_rtr cfg = {.n = 1, .retry = 1};
	struct cache c = {};
	struct rtr_feed *f = NULL;
	struct prefix_table tab;
	double t0, t1, t2, t3;
	char err[256];
	int rc = -1;

	snprintf(cfg.caches[0].host, sizeof(cfg.caches[0].host), "127.0.0.1");
	snprintf(cfg.caches[0].port, sizeof(cfg.caches[0].port), "%u",
		 (unsigned int)(port & 0xffff));
	cfg.caches[0].preference = 1;
	t0 = clock_s(CLOCK_MONOTONIC);
	if (cache_start(&c, file, port) || cache_wait_listening(&c)) {
		table_error(t, "stayrtr did not start on port %d", port);
		goto out;
	}
	t1 = clock_s(CLOCK_MONOTONIC);
	f = rtr_feed_new(&cfg, err, sizeof(err));
	if (!f || rtr_feed_start(f, err, sizeof(err)) ||
	    wait_loaded(f, want, err, sizeof(err))) {
		table_error(t, "RTR sync failed: %s", f ? err : "no feed");
		goto out;
	}
	t2 = clock_s(CLOCK_MONOTONIC);
	if (feed_table(f, &tab) ||
	    prefixes_replace(m, &tab, NULL, NULL, err, sizeof(err))) {
		table_error(t, "install failed: %s", err);
		prefix_table_free(&tab);
		goto out;
	}
	prefix_table_free(&tab);
	t3 = clock_s(CLOCK_MONOTONIC);
	series_add(s->from_start, t3 - t0);
	series_add(s->from_session, t3 - t1);
	series_add(s->cache_ready, t1 - t0);
	series_add(s->table_build, t3 - t2);
	series_add(s->raw, raw_transfer(port));
	rc = 0;
	if (keep) {
		*keep = f;
		*kept = c;
		return 0;
	}
out:
	rtr_feed_free(f);
	cache_stop(&c);
	return rc;
}

static void measure_updates(struct table *t, struct rtr_feed *f,
			    const struct prefix_maps *m, const char *file,
			    struct rtr_series *s, int runs)
{
	struct prefix_table tab;
	size_t head_len = 0;
	char *head = read_open(file, &head_len), err[256];
	int standby = -1;

	if (!head || feed_table(f, &tab)) {
		table_error(t, "cannot read %s", file);
		free(head);
		return;
	}
	standby = prefix_trie_mirror(&tab, err, sizeof(err));
	prefix_table_free(&tab);
	if (standby < 0) {
		table_error(t, "no standby trie: %s", err);
		free(head);
		return;
	}
	for (int r = 0; r < runs; r++)
		for (size_t i = 0; i < NSIZES; i++) {
			size_t n = update_sizes[i];
			double a = update_once(f, m, &standby, file, head,
					       head_len, n, n, true);
			double d = update_once(f, m, &standby, file, head,
					       head_len, 0, n, false);

			if (isnan(a) || isnan(d)) {
				table_error(t, "update of %zu VRPs not seen",
					    n);
				goto out;
			}
			series_add(s->add[i], a * 1e3);
			series_add(s->del[i], d * 1e3);
		}
out:
	if (standby >= 0)
		close(standby);
	free(head);
}

static int rtr_sync_table(int argc, char **argv)
{
	struct table *t = table_new("rtr-sync: the prefix table over "
				    "RPKI-to-Router from stayrtr (s, lower "
				    "is better)");
	struct bench_prefix_lookup *skel = NULL;
	struct rtr_feed *feed = NULL;
	struct cache kept = {};
	struct rtr_series s;
	char file[64], name[64];
	int runs = bench_env()->runs;
	size_t n;

	(void)argc;
	(void)argv;
	s.import = table_series(t, "prefix import (JSON file)", "s");
	s.from_start =
		table_series(t, "RTR full sync, from stayrtr's start", "s");
	s.from_session =
		table_series(t, "RTR full sync, from the session's start", "s");
	s.cache_ready = table_series(t, "  stayrtr reading the file", "s");
	s.table_build = table_series(t, "  table built and swapped in", "s");
	s.raw = table_series(t, "raw transfer (socket, no rtrlib)", "s");
	for (size_t i = 0; i < NSIZES; i++) {
		snprintf(name, sizeof(name), "update: %zu VRP%s added",
			 update_sizes[i], update_sizes[i] == 1 ? "" : "s");
		s.add[i] = table_series(t, name, "ms");
		snprintf(name, sizeof(name), "update: %zu VRP%s withdrawn",
			 update_sizes[i], update_sizes[i] == 1 ? "" : "s");
		s.del[i] = table_series(t, name, "ms");
	}
	n = prefix_bench_setup(t, file, sizeof(file), &skel);
	if (!n)
		return table_finish(t);
	if (skel) {
		struct prefix_maps m = {bpf_map__fd(skel->maps.esprit_prefixes),
					bpf_map__fd(skel->maps.esprit_pfx4)};
		bool ok = true;

		for (int r = 0; r < runs && ok; r++) {
			size_t want = measure_import(t, file, &m, s.import);

			ok = want &&
			     !measure_sync(t, file, want, &m, PORT_BASE + r, &s,
					   r == runs - 1 ? &feed : NULL, &kept);
		}
		if (ok && feed)
			measure_updates(t, feed, &m, file, &s,
					runs < UPDATE_RUNS_MAX
						? runs
						: UPDATE_RUNS_MAX);
		rtr_feed_free(feed);
		cache_stop(&kept);
		bench_prefix_lookup__destroy(skel);
	}
	table_context(t,
		      "%zu VRPs (bench/vrp_gen.c, seed %#llx); stayrtr on "
		      "loopback, RTR version 1; %d runs (updates: %d), "
		      "interleaved with the imports; %ld CPUs",
		      n, VRP_GEN_SEED, runs,
		      runs < UPDATE_RUNS_MAX ? runs : UPDATE_RUNS_MAX,
		      sysconf(_SC_NPROCESSORS_ONLN));
	table_ratio(t, s.from_start, s.import, TARGET_AT_MOST,
		    FULL_TARGET_RATIO);
	table_ratio(t, s.from_session, s.import, TARGET_NONE, 0);
	table_ratio(t, s.from_session, s.raw, TARGET_NONE, 0);
	table_target(t, s.add[0], TARGET_AT_MOST, ONE_TARGET_MS);
	table_note(t,
		   "updates in ms; the import they spare takes %.0f ms "
		   "(median above)",
		   series_median(s.import) * 1e3);
	table_note(t, "prefix import = rpki_parse_file + prefixes_replace, "
		      "the CLI's and the daemon's path for a file");
	table_note(t, "full sync = stayrtr started on the file, rtrlib's "
		      "session through esprit's checking transport, every VRP "
		      "into the VRP set, the table built from it and swapped "
		      "in: what the daemon does at start");
	table_note(t, "raw transfer = a plain socket reading the same cache's "
		      "answer to a Reset Query up to End of Data, headers "
		      "parsed only: the cache's and the loopback's share");
	table_note(t, "update = VRPs added to the file (then withdrawn); "
		      "timed from the Serial Notify that announces them to "
		      "the map answering for the last one: Serial Query, the "
		      "batch, the standby trie updated and swapped in, the "
		      "IPv4 index patched");
	unlink(file);
	return table_finish(t);
}

BENCH_TABLE(rtr_sync) = {
	.name = "rtr-sync",
	.summary = "prefix table over RTR from stayrtr vs JSON import",
	.run = rtr_sync_table,
};
