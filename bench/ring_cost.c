// SPDX-License-Identifier: GPL-2.0
/*
 * Table "ring-cost": what the reply telemetry costs in XDP. esprit_xdp
 * takes an ESP Echo Reply to a registered Identifier: as built, it reads
 * bpf_ktime_get_ns, reserves an event in the reader's ring buffer, fills
 * it and submits it; built with -DESPRIT_NO_TELEMETRY (the baseline) it
 * matches and consumes the same reply the same way but does neither. Both
 * run the same frame under BPF_PROG_TEST_RUN, interleaved; the difference
 * is the cost per reply of the timestamp and the ring buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "esprit_maps.h"
#include "anchor.h"
#include "bench.h"
#include "lib/counters.h"
#include "cpu.h"
#include "echo/reader.h"
#include "esprit_counters.h"
#include "esprit_limits.h"
#include "pkt.h"
#include "table.h"

#include "esprit_xdp.skel.h"
#include "esprit_xdp_notelemetry.skel.h"

#define TARGET_DELTA_NS 40.0 /* issue 4 */
#define REPEAT		30000 /* events of a run fit the daemon's 4 MiB ring */
#define RING_BYTES	0 /* ESPRIT_RING_BYTES, as the daemon */
#define IDENT		0x4343
#define DATA_LEN	64

struct subject {
	const char *name;
	int prog_fd;
	struct echo_maps maps;
	struct echo_reader *reader;
	struct series *ns;
	__u64 events;
};

static void count_event(void *ctx, const struct esprit_echo_reply_event *ev)
{
	struct subject *s = ctx;

	s->events += ev->ident == IDENT;
}

/* An IPv6 seed-format Echo Reply (SPI 8) to Identifier IDENT. */
static void reply_frame(struct pkt *p)
{
	uint8_t data[DATA_LEN];

	for (int i = 0; i < DATA_LEN; i++)
		data[i] = (uint8_t)i;
	pkt_init(p);
	pkt_eth(p, pkt_mac_a, pkt_mac_b);
	pkt_ipv6(p, "2001:db8::1", "2001:db8::2");
	pkt_esp_seed(p, 8, 1, IDENT, 1, data, DATA_LEN);
	pkt_finish(p);
}

/* Maps unpinned: a private copy nothing else sees. */
static void unpin(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) bpf_map__set_pin_path(map, NULL);
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? fcntl(bpf_map__fd(m), F_DUPFD_CLOEXEC, 3) : -1;
}

/*
 * The maps from the object, not from the program: the baseline does not
 * use esprit_rb_drops, so the kernel does not list it as the program's.
 */
static int setup_capture(struct table *t, struct subject *s,
			 struct bpf_object *obj, size_t ring)
{
	char err[160];
	int e;

	echo_maps_init(&s->maps);
	s->maps.config_fd = map_fd(obj, ESPRIT_MAP_CONFIG);
	s->maps.ids_fd = map_fd(obj, ESPRIT_MAP_ECHO_IDS);
	s->maps.rings_fd = map_fd(obj, ESPRIT_MAP_RINGS);
	s->maps.drops_fd = map_fd(obj, ESPRIT_MAP_RB_DROPS);
	s->maps.counters_fd = map_fd(obj, ESPRIT_MAP_COUNTERS);
	s->maps.ring_slots = ESPRIT_RING_SLOTS;
	if (s->maps.config_fd < 0 || s->maps.ids_fd < 0 ||
	    s->maps.rings_fd < 0 || s->maps.drops_fd < 0 ||
	    s->maps.counters_fd < 0) {
		table_error(t, "%s: maps missing", s->name);
		return -1;
	}
	s->reader = echo_reader_new(&s->maps, ring, count_event, s, err,
				    sizeof(err));
	if (!s->reader) {
		table_error(t, "%s: %s", s->name, err);
		return -1;
	}
	e = echo_reader_add(s->reader, IDENT, NULL);
	if (e) {
		table_error(t, "%s: cannot register the Identifier: %s",
			    s->name, strerror(-e));
		return -1;
	}
	return 0;
}

static int run_once(struct subject *s, const struct pkt *in, double *ns)
{
	static struct pkt out;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data,
		    .data_size_in = in->len, .data_out = out.data,
		    .data_size_out = sizeof(out.data), .repeat = REPEAT);
	double t0 = cpu_ns();

	if (bpf_prog_test_run_opts(s->prog_fd, &opts))
		return -errno;
	*ns = (cpu_ns() - t0) / REPEAT;
	if (opts.retval != XDP_DROP)
		return -EPROTO;
	return 0;
}

static __u64 captured(const struct subject *s)
{
	struct esprit_counter c[ESPRIT_R_COUNT];

	if (counters_read(s->maps.counters_fd, c))
		return 0;
	return c[ESPRIT_R_ECHO_REPLY_CAPTURED].packets;
}

static int ring_cost(int argc, char **argv)
{
	const struct bench_env *env = bench_env();
	struct table *t = table_new("ring-cost: reply timestamp + ring buffer "
				    "in XDP (ns/reply, lower is better)");
	struct esprit_xdp *full = esprit_xdp__open();
	struct esprit_xdp_notelemetry *bare = esprit_xdp_notelemetry__open();
	struct subject s[2] = {
		{.name = "telemetry compiled out"},
		{.name = "esprit_xdp (timestamp + ring)"},
	};
	struct anchor anchor = {};
	static struct pkt frame;
	int cpu = cpu_measured();
	__u64 c0[2];

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: esprit_bench ring-cost\n");
		return 2;
	}
	if (!full || !bare) {
		table_error(t, "cannot open the programs: %s", strerror(errno));
		goto out;
	}
	unpin(full->obj);
	unpin(bare->obj);
	if (esprit_xdp__load(full) || esprit_xdp_notelemetry__load(bare)) {
		table_error(t, "cannot load the programs: %s", strerror(errno));
		goto out;
	}
	s[0].prog_fd = bpf_program__fd(bare->progs.esprit_xdp);
	s[1].prog_fd = bpf_program__fd(full->progs.esprit_xdp);
	for (int i = 0; i < 2; i++) {
		s[i].ns = table_series(t, s[i].name, "ns/reply");
		if (setup_capture(t, &s[i], i ? full->obj : bare->obj,
				  i ? RING_BYTES : 0) ||
		    anchor_add(&anchor, s[i].prog_fd))
			goto out;
	}
	table_delta(t, s[1].ns, s[0].ns, TARGET_AT_MOST, TARGET_DELTA_NS);
	table_ratio(t, s[1].ns, s[0].ns, TARGET_NONE, 0);
	reply_frame(&frame);
	cpu_pin(0, cpu);
	table_context(t,
		      "IPv6 seed-format ESP Echo Reply to a registered "
		      "Identifier, %d B of Data, %zu B frame",
		      DATA_LEN, frame.len);
	table_context(t,
		      "%d runs x %d replies per program, round-robin, after a "
		      "warm-up run; pinned to CPU %d; the ring drained between "
		      "runs (not timed)",
		      env->runs, REPEAT, cpu);
	for (int i = 0; i < 2; i++)
		c0[i] = captured(&s[i]);
	for (int r = -1; r < env->runs; r++) {
		for (int k = 0; k < 2; k++) {
			struct subject *x = &s[(r + 2 + k) % 2];
			double ns = 0;
			int e = run_once(x, &frame, &ns);

			if (e) {
				table_error(t, "%s: test run failed: %s",
					    x->name, strerror(-e));
				goto out;
			}
			while (echo_reader_consume(x->reader) > 0)
				;
			if (r >= 0)
				series_add(x->ns, ns);
		}
	}
	for (int i = 0; i < 2; i++) {
		__u64 n = captured(&s[i]) - c0[i];

		if (n != (__u64)(env->runs + 1) * REPEAT)
			table_error(t, "%s: %llu replies captured, not %llu",
				    s[i].name, (unsigned long long)n,
				    (unsigned long long)(env->runs + 1) *
					    REPEAT);
	}
	if (s[1].events != (__u64)(env->runs + 1) * REPEAT ||
	    echo_reader_drops(s[1].reader))
		table_error(t, "%llu events read, %llu dropped",
			    (unsigned long long)s[1].events,
			    (unsigned long long)echo_reader_drops(s[1].reader));
	if (s[0].events)
		table_error(t, "the baseline queued events");
	table_note(t, "sample = CPU time of one BPF_PROG_TEST_RUN call / its "
		      "repetitions; both programs stay attached to an idle "
		      "veth meanwhile (anchor.h)");
	table_note(t,
		   "checked: every repetition was captured by both; the "
		   "full program queued one event per reply (%llu read, "
		   "none dropped), the baseline none",
		   (unsigned long long)s[1].events);
	table_note(t, "baseline: esprit_xdp built with -DESPRIT_NO_TELEMETRY "
		      "(build/bench/esprit_xdp_notelemetry.bpf.o): the same "
		      "parse, Identifier lookup and source check, no "
		      "bpf_ktime_get_ns, no event");
out:
	anchor_release(&anchor);
	for (int i = 0; i < 2; i++) {
		echo_reader_free(s[i].reader);
		echo_maps_close(&s[i].maps);
	}
	esprit_xdp__destroy(full);
	esprit_xdp_notelemetry__destroy(bare);
	return table_finish(t);
}

BENCH_TABLE(ring_cost_table) = {
	.name = "ring-cost",
	.summary = "XDP reply timestamp + ring buffer vs compiled out",
	.run = ring_cost,
};
