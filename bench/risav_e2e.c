// SPDX-License-Identifier: GPL-2.0
/*
 * Table "risav-e2e": TCP throughput from a host in AS 64500 to a host in
 * AS 64501 across two esprit borders (bench/lib.sh, setup_risav_e2e) as
 * Linux routers run by default (offloads as they come, GRO on, esprit
 * attached to the inside and outside interfaces), tagged by the first (in
 * XDP as packets arrive from the host) and verified and stripped by the
 * second (XDP), beside the same path with RISAV off on both borders
 * (local ASN 0: the programs stay attached and look at every packet, and
 * GRO merges the untagged segments). The way back (ACKs) is tagged by the
 * second border and verified by the first. IPv4 and IPv6.
 *
 * One TCP connection per sample, BENCH_SECONDS long; the receiver counts
 * the bytes. Tagged samples are checked: the first border's
 * risav-tagged-forwarded and the second's risav-verified counters grew by
 * at least one per 1500 bytes received; untagged samples: they did not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "esprit_maps.h"
#include "bench.h"
#include "esprit_counters.h"
#include "esprit_risav.h"
#include "netns.h"
#include "table.h"

#define PORT	  5001
#define CHUNK	  65536
#define LOCAL_AS1 64500
#define LOCAL_AS2 64501

struct e2e {
	const char *h1_ns, *h2_ns, *h2_addr, *h2_addr6, *b1_pins, *b2_pins;
	int h1_fd, h2_fd;
	int listen_fd, listen6_fd;
	double seconds;
};

struct receiver {
	int listen_fd;
	uint64_t bytes;
	double secs;
	int err;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int pinned(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return bpf_obj_get(path);
}

static int set_local_asn(const char *pins, __u32 asn)
{
	struct esprit_risav_config cfg;
	__u32 zero = 0;
	int fd = pinned(pins, ESPRIT_MAP_RISAV), rc;

	if (fd < 0)
		return -1;
	rc = bpf_map_lookup_elem(fd, &zero, &cfg);
	cfg.local_asn = asn;
	rc = rc || bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY);
	close(fd);
	return rc ? -1 : 0;
}

static uint64_t counter(const char *pins, enum esprit_reason reason)
{
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_counter vals[ncpus > 0 ? ncpus : 1];
	int fd = pinned(pins, ESPRIT_MAP_COUNTERS);
	__u32 k = reason;
	uint64_t sum = 0;

	if (fd < 0)
		return 0;
	if (ncpus > 0 && !bpf_map_lookup_elem(fd, &k, vals))
		for (int i = 0; i < ncpus; i++)
			sum += vals[i].packets;
	close(fd);
	return sum;
}

static void *receive(void *arg)
{
	struct receiver *r = arg;
	static char buf[CHUNK];
	double t0;
	ssize_t n;
	int c;

	c = accept(r->listen_fd, NULL, NULL);
	if (c < 0) {
		r->err = errno;
		return NULL;
	}
	t0 = now();
	while ((n = read(c, buf, sizeof(buf))) > 0)
		r->bytes += n;
	r->secs = now() - t0;
	close(c);
	return NULL;
}

/* h2's address of the family as a socket address. */
static socklen_t h2_sockaddr(const struct e2e *e, int family,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(PORT);
		inet_pton(AF_INET6, e->h2_addr6, &a->sin6_addr);
		return sizeof(*a);
	}
	{
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(PORT);
		inet_pton(AF_INET, e->h2_addr, &a->sin_addr);
		return sizeof(*a);
	}
}

/* One connection of e->seconds; bytes/s received, NAN after an error. */
static double one_run(struct e2e *e, int family, struct table *t)
{
	static char buf[CHUNK];
	struct receiver r = {.listen_fd = family == AF_INET6 ? e->listen6_fd
							     : e->listen_fd};
	struct sockaddr_storage a;
	socklen_t alen = h2_sockaddr(e, family, &a);
	pthread_t th;
	double end;
	int s;

	if (pthread_create(&th, NULL, receive, &r))
		return NAN;
	s = socket(family, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, alen)) {
		table_error(t, "connect to %s: %s",
			    family == AF_INET6 ? e->h2_addr6 : e->h2_addr,
			    strerror(errno));
		if (s >= 0)
			close(s);
		pthread_cancel(th);
		pthread_join(th, NULL);
		return NAN;
	}
	end = now() + e->seconds;
	while (now() < end)
		if (write(s, buf, sizeof(buf)) < 0)
			break;
	close(s);
	pthread_join(th, NULL);
	if (r.err || !r.secs) {
		table_error(t, "receiver: %s", strerror(r.err));
		return NAN;
	}
	return r.bytes / r.secs;
}

static int listener(const struct e2e *e, int family)
{
	struct sockaddr_storage a;
	socklen_t alen = h2_sockaddr(e, family, &a);
	int one = 1, fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, alen) || listen(fd, 4)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int open_sides(struct e2e *e, struct table *t)
{
	e->h1_fd = netns_open(e->h1_ns);
	e->h2_fd = netns_open(e->h2_ns);
	if (e->h1_fd < 0 || e->h2_fd < 0) {
		table_error(t, "namespaces %s / %s missing", e->h1_ns,
			    e->h2_ns);
		return -1;
	}
	/* the listener lives in h2, this thread then sends from h1 */
	if (netns_enter(e->h2_fd)) {
		table_error(t, "cannot enter %s", e->h2_ns);
		return -1;
	}
	e->listen_fd = listener(e, AF_INET);
	e->listen6_fd = listener(e, AF_INET6);
	if (e->listen_fd < 0 || e->listen6_fd < 0 || netns_enter(e->h1_fd)) {
		table_error(t, "listener in %s: %s", e->h2_ns, strerror(errno));
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct e2e *e)
{
	static const struct option opts[] = {
		{"h1-ns", required_argument, NULL, '1'},
		{"h2-ns", required_argument, NULL, '2'},
		{"h2-addr", required_argument, NULL, 'a'},
		{"h2-addr6", required_argument, NULL, '6'},
		{"b1-pins", required_argument, NULL, 'b'},
		{"b2-pins", required_argument, NULL, 'c'},
		{},
	};
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case '1':
			e->h1_ns = optarg;
			break;
		case '2':
			e->h2_ns = optarg;
			break;
		case 'a':
			e->h2_addr = optarg;
			break;
		case '6':
			e->h2_addr6 = optarg;
			break;
		case 'b':
			e->b1_pins = optarg;
			break;
		case 'c':
			e->b2_pins = optarg;
			break;
		default:
			return -1;
		}
	}
	return e->h1_ns && e->h2_ns && e->h2_addr && e->h2_addr6 &&
			       e->b1_pins && e->b2_pins
		       ? 0
		       : -1;
}

static int set_risav(struct e2e *e, bool on)
{
	return set_local_asn(e->b1_pins, on ? LOCAL_AS1 : 0) ||
	       set_local_asn(e->b2_pins, on ? LOCAL_AS2 : 0);
}

/* Tagged packets on a run's path: what the first border tagged (XDP or
 * TC) and what the second verified. */
static void tag_counts(const struct e2e *e, uint64_t *tagged,
		       uint64_t *verified)
{
	*tagged = counter(e->b1_pins, ESPRIT_R_RISAV_TAGGED_FORWARDED) +
		  counter(e->b1_pins, ESPRIT_R_RISAV_TAGGED);
	*verified = counter(e->b2_pins, ESPRIT_R_RISAV_VERIFIED);
}

/* One round of a family: tagged, then untagged, checked. */
static void round_of(struct e2e *e, int family, struct series *tagged,
		     struct series *plain, struct table *t)
{
	uint64_t tag0, ver0, tag1, ver1;
	double bps;

	if (set_risav(e, true)) {
		table_error(t, "cannot switch RISAV on");
		return;
	}
	tag_counts(e, &tag0, &ver0);
	bps = one_run(e, family, t);
	tag_counts(e, &tag1, &ver1);
	if (tag1 - tag0 < bps * e->seconds / 1500 ||
	    ver1 - ver0 < bps * e->seconds / 1500)
		table_error(t, "tagged run: fewer tagged or verified packets "
			       "than sent");
	series_add(tagged, bps / 1e6);
	set_risav(e, false);
	tag_counts(e, &tag0, &ver0);
	bps = one_run(e, family, t);
	tag_counts(e, &tag1, &ver1);
	if (tag1 != tag0 || ver1 != ver0)
		table_error(t, "untagged run tagged or verified packets");
	series_add(plain, bps / 1e6);
}

static int risav_e2e_table(int argc, char **argv)
{
	const struct bench_env *env = bench_env();
	struct e2e e = {
		.listen_fd = -1, .listen6_fd = -1, .seconds = env->seconds};
	struct series *tagged4, *plain4, *tagged6, *plain6;
	struct table *t;

	if (parse(argc, argv, &e)) {
		fprintf(stderr, "risav-e2e: usage: risav-e2e --h1-ns NS "
				"--h2-ns NS --h2-addr A --h2-addr6 A "
				"--b1-pins DIR --b2-pins DIR (bench/run.sh "
				"prepares them)\n");
		return 2;
	}
	t = table_new("risav-e2e: TCP across two esprit borders, tagged and "
		      "verified beside the same path untagged (MB/s, higher "
		      "is better)");
	table_context(t,
		      "one TCP connection per sample, %.1f s, MTU 1500 (PMTU "
		      "1472 / 1468 once tagged), offloads as the kernel sets "
		      "them, GRO on every router interface: host -> border "
		      "(XDP tags on the inside) -> middle -> border (XDP "
		      "verifies, strips) -> host; ACKs the same way back",
		      e.seconds);
	table_context(t,
		      "%d rounds per family, each: tagged, then untagged "
		      "(RISAV off on both borders, programs attached)",
		      env->runs);
	tagged4 = table_series(t, "IPv4 tagged and verified", "MB/s");
	plain4 = table_series(t, "IPv4 untagged", "MB/s");
	tagged6 = table_series(t, "IPv6 tagged and verified", "MB/s");
	plain6 = table_series(t, "IPv6 untagged", "MB/s");
	if (open_sides(&e, t) == 0) {
		/* one connection each first: the path MTU settles */
		set_risav(&e, true);
		one_run(&e, AF_INET, t);
		one_run(&e, AF_INET6, t);
		for (int r = 0; r < env->runs; r++) {
			round_of(&e, AF_INET, tagged4, plain4, t);
			round_of(&e, AF_INET6, tagged6, plain6, t);
		}
	}
	table_ratio(t, tagged4, plain4, TARGET_AT_LEAST, 0.25);
	table_ratio(t, tagged6, plain6, TARGET_AT_LEAST, 0.25);
	table_note(t, "throughput: bytes the receiver read / its time from "
		      "accept to EOF");
	table_note(t, "checked: tagged runs moved the first border's "
		      "risav-tagged-forwarded and the second's "
		      "risav-verified by at least one per 1500 bytes; "
		      "untagged runs moved neither");
	table_note(t, "where the rest goes: every tagged packet is hashed "
		      "twice in BPF (HMAC-SHA-256 over ~1500 bytes, "
		      "risav-tag), once per border, one packet at a time, "
		      "while the untagged path forwards GRO aggregates of "
		      "up to 64 KiB per pass through the stack");
	table_note(t, "target (issue 10): tagged at least 0.25x untagged; "
		      "before (TC tagging, offloads off): 0.16x");
	if (e.listen_fd >= 0)
		close(e.listen_fd);
	if (e.listen6_fd >= 0)
		close(e.listen6_fd);
	return table_finish(t);
}

BENCH_TABLE(risav_e2e_table_def) = {
	.name = "risav-e2e",
	.summary = "TCP across two borders, tagged+verified vs untagged",
	.run = risav_e2e_table,
};
