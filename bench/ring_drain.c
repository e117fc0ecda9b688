// SPDX-License-Identifier: GPL-2.0
/*
 * Table "ring-drain": replies per second the daemon drains from XDP's ring
 * buffer with none dropped. A producer thread runs esprit_xdp under
 * BPF_PROG_TEST_RUN on an ESP Echo Reply to one of the daemon's probe
 * streams, batch after batch, on one CPU; the consumer on the other CPU is
 * the daemon's own path: the ring buffer (epoll, libbpf) -> echo_reader ->
 * prober_deliver -> the stream's ping_session (SipHash check of the stamp,
 * window lookup, counters). The producer waits while the ring is half
 * full, so nothing is ever dropped (checked) and the consumer sets the
 * pace. Beside it, the same ring drained by a callback that only counts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "anchor.h"
#include "bench.h"
#include "cpu.h"
#include "echo/reader.h"
#include "echo/socket.h"
#include "esprit_prog.h"
#include "lib/event_loop.h"
#include "pkt.h"
#include "daemon/prober.h"
#include "table.h"

#include "esprit_xdp.skel.h"

#define TARGET_RATE 2e6 /* issue 4: samples/s, none dropped */
#define BATCH	    2048 /* replies per test run */
#define PEER	    "2001:db8::1"
#define EVENT_BYTES 112 /* event + ring record header, rounded */

struct drain {
	struct table *t;
	int prog_fd;
	struct pkt frame;
	struct prober prober;
	struct ev_loop loop;
	struct echo_maps maps;
	struct echo_reader *reader;
	bool daemon_path; /* else: count only */
	atomic_ullong produced, consumed;
	atomic_bool stop;
	unsigned long long limit; /* events in the ring at most */
	int err;
	int gen_cpu;
};

static void on_event(void *ctx, const struct esprit_echo_reply_event *ev)
{
	struct drain *d = ctx;

	if (d->daemon_path)
		prober_deliver(&d->prober, ev);
	atomic_fetch_add_explicit(&d->consumed, 1, memory_order_relaxed);
}

static void *produce(void *arg)
{
	struct drain *d = arg;
	static struct pkt out;

	cpu_pin(0, d->gen_cpu);
	while (!atomic_load(&d->stop)) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = d->frame.data,
			    .data_size_in = d->frame.len, .data_out = out.data,
			    .data_size_out = sizeof(out.data), .repeat = BATCH);

		if (atomic_load(&d->produced) - atomic_load(&d->consumed) >
		    d->limit) {
			sched_yield();
			continue;
		}
		if (bpf_prog_test_run_opts(d->prog_fd, &opts)) {
			d->err = -errno;
			break;
		}
		atomic_fetch_add(&d->produced, BATCH);
	}
	return NULL;
}

/* One run: events drained per second of the consumer's CPU and of wall. */
static int sample(struct drain *d, bool daemon_path, double seconds,
		  struct series *cpu_rate, struct series *wall_rate)
{
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN};
	unsigned long long c0;
	double w0, t0, w1, t1;
	pthread_t gen;

	if (epfd < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, echo_reader_fd(d->reader), &ev))
		return -errno;
	d->daemon_path = daemon_path;
	atomic_store(&d->stop, false);
	atomic_store(&d->produced, atomic_load(&d->consumed));
	c0 = atomic_load(&d->consumed);
	w0 = clock_s(CLOCK_MONOTONIC);
	t0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	if (pthread_create(&gen, NULL, produce, d))
		return -EAGAIN;
	while (clock_s(CLOCK_MONOTONIC) - w0 < seconds) {
		struct epoll_event got;

		if (epoll_wait(epfd, &got, 1, 10) > 0)
			echo_reader_consume(d->reader);
	}
	atomic_store(&d->stop, true);
	pthread_join(gen, NULL);
	t1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	w1 = clock_s(CLOCK_MONOTONIC);
	close(epfd);
	/* what is left in the ring (not timed) */
	while (echo_reader_consume(d->reader) > 0)
		;
	if (d->err)
		return d->err;
	if (cpu_rate)
		series_add(cpu_rate,
			   (atomic_load(&d->consumed) - c0) / (t1 - t0));
	if (wall_rate)
		series_add(wall_rate,
			   (atomic_load(&d->consumed) - c0) / (w1 - w0));
	return 0;
}

/* The reply a faithful responder makes to the stream's next request. */
static int build_reply(struct drain *d, struct probe_stream *st)
{
	uint8_t esp[1024];
	size_t len = probe_stream_build(st, monotonic_ns(), &d->prober.rng, esp,
					sizeof(esp));

	if (!len)
		return -1;
	esp[3] = 8; /* SPI 7 -> 8 */
	esp[8] = 3; /* sub-typed request -> response */
	pkt_init(&d->frame);
	pkt_eth(&d->frame, pkt_mac_a, pkt_mac_b);
	pkt_ipv6(&d->frame, PEER, "2001:db8::2");
	pkt_proto(&d->frame, 50);
	pkt_put(&d->frame, esp, len);
	pkt_finish(&d->frame);
	return 0;
}

static int setup(struct drain *d, struct esprit_xdp **skel,
		 struct anchor *anchor)
{
	static const char *const none[] = {NULL};
	struct config_peer peer = {
		.name = "drain",
		.interval_ns = 1000000000ULL,
		.detect_multiplier = 3,
		.up_after = 1,
		.size = 64,
		.format = ESPRIT_ECHO_FMT_SUBTYPED,
		.dscp_count = 1,
	};
	struct daemon_config cfg = {.peers = &peer, .peer_count = 1};
	char err[256];
	int e;

	*skel = esprit_prog_load(none, err, sizeof(err));
	if (!*skel) {
		table_error(d->t, "esprit_xdp: %s", err);
		return -1;
	}
	d->prog_fd = bpf_program__fd((*skel)->progs.esprit_xdp);
	e = anchor_add(anchor, d->prog_fd);
	if (e) {
		table_error(d->t, "cannot anchor esprit_xdp: %s", strerror(-e));
		return -1;
	}
	inet_pton(AF_INET6, PEER, peer.address.addr);
	peer.address.family = ESPRIT_AF_INET6;
	if (ev_loop_init(&d->loop) ||
	    prober_init(&d->prober, &d->loop, &(struct prober_events){}, err,
			sizeof(err)) ||
	    prober_apply(&d->prober, &cfg) || !d->prober.streams) {
		table_error(d->t, "the daemon's prober: %s", err);
		return -1;
	}
	if (echo_maps_open_prog_fd(d->prog_fd, &d->maps, err, sizeof(err))) {
		table_error(d->t, "%s", err);
		return -1;
	}
	d->reader = echo_reader_new(&d->maps, 0, on_event, d, err, sizeof(err));
	if (!d->reader) {
		table_error(d->t, "%s", err);
		return -1;
	}
	e = echo_reader_add(d->reader, d->prober.streams->session.ident, NULL);
	if (e || build_reply(d, d->prober.streams)) {
		table_error(d->t, "cannot register the stream: %s",
			    strerror(-e));
		return -1;
	}
	d->limit = ESPRIT_RING_BYTES / EVENT_BYTES / 2;
	return 0;
}

static int ring_drain(int argc, char **argv)
{
	const struct bench_env *env = bench_env();
	struct drain *d = calloc(1, sizeof(*d));
	struct esprit_xdp *skel = NULL;
	struct anchor anchor = {};
	struct series *daemon_cpu, *bare_cpu, *daemon_wall, *bare_wall;
	const struct ping_session *s;
	int cpu = cpu_measured(), e = 0;

	(void)argv;
	if (argc > 1 || !d) {
		fprintf(stderr, "usage: esprit_bench ring-drain\n");
		free(d);
		return 2;
	}
	d->prober.timer.fd = d->prober.sock4.src.fd = -1;
	d->prober.sock6.src.fd = -1;
	d->loop.epfd = -1;
	d->t = table_new("ring-drain: replies the daemon drains from the "
			 "XDP ring buffer (higher is better)");
	daemon_cpu = table_series(d->t, "daemon path", "replies/CPU-s");
	bare_cpu = table_series(d->t, "ring, count only", "replies/CPU-s");
	daemon_wall = table_series(d->t, "daemon path", "replies/s");
	bare_wall = table_series(d->t, "ring, count only", "replies/s");
	if (setup(d, &skel, &anchor))
		goto out;
	d->gen_cpu = cpu_generator();
	cpu_pin(0, cpu);
	table_ratio(d->t, daemon_cpu, bare_cpu, TARGET_NONE, 0);
	table_target(d->t, daemon_cpu, TARGET_AT_LEAST, TARGET_RATE);
	table_ratio(d->t, daemon_wall, bare_wall, TARGET_NONE, 0);
	table_context(d->t,
		      "esprit_xdp under BPF_PROG_TEST_RUN on CPU %d produces "
		      "replies (batches of %d) into the daemon's %u MiB ring; "
		      "the consumer on CPU %d drains it",
		      d->gen_cpu, BATCH, ESPRIT_RING_BYTES >> 20, cpu);
	table_context(d->t,
		      "%d runs x %.1f s per consumer, alternating, after a "
		      "warm-up; the producer waits while the ring is half full",
		      env->runs, env->seconds);
	e = sample(d, true, 0.3, NULL, NULL);
	for (int r = 0; !e && r < env->runs; r++) {
		bool first = r % 2;

		e = sample(d, first, env->seconds,
			   first ? daemon_cpu : bare_cpu,
			   first ? daemon_wall : bare_wall);
		if (!e)
			e = sample(d, !first, env->seconds,
				   !first ? daemon_cpu : bare_cpu,
				   !first ? daemon_wall : bare_wall);
	}
	if (e) {
		table_error(d->t, "test run: %s", strerror(-e));
		goto out;
	}
	s = &d->prober.streams->session;
	if (echo_reader_drops(d->reader))
		table_error(d->t, "%llu replies dropped",
			    (unsigned long long)echo_reader_drops(d->reader));
	table_note(d->t,
		   "target (issue 4): >= %.0f M replies/s drained with none "
		   "dropped (dropped here: %llu), compared as replies per "
		   "second of the consumer's CPU time: on two CPUs shared "
		   "with other work the producer, not the consumer, bounds "
		   "the wall-clock rate (the count-only consumer shows it)",
		   TARGET_RATE / 1e6,
		   (unsigned long long)echo_reader_drops(d->reader));
	table_note(d->t,
		   "every reply went through the stream's checks: %llu "
		   "believed (the first), %llu as duplicates of it, %llu "
		   "ignored; a first reply also updates the histogram and "
		   "state (a few ns more)",
		   (unsigned long long)s->received,
		   (unsigned long long)s->duplicates,
		   (unsigned long long)(s->bad_tag + s->stale + s->foreign));
	table_note(d->t, "replies/CPU-s = replies / CPU time of the consumer "
			 "thread, which includes its epoll waits' wake-ups");
out:
	echo_reader_free(d->reader);
	echo_maps_close(&d->maps);
	prober_free(&d->prober);
	ev_loop_free(&d->loop);
	anchor_release(&anchor);
	if (skel)
		esprit_xdp__destroy(skel);
	e = table_finish(d->t);
	free(d);
	return e;
}

BENCH_TABLE(ring_drain_table) = {
	.name = "ring-drain",
	.summary = "replies/s the daemon drains from the ring, none dropped",
	.run = ring_drain,
};
