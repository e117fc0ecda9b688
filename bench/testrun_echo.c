// SPDX-License-Identifier: GPL-2.0
/*
 * Table "testrun-echo": ns/packet of esprit_xdp answering an IPv6 ESP Echo
 * Request, seed and sub-typed, under BPF_PROG_TEST_RUN, beside an empty
 * XDP_TX program and the minimal reflector, all built in this tree.
 *
 * Method: one test run with a large repeat count per sample. A test run
 * hands every repetition the previous one's output, and the responder
 * rewrites its input into the reply; so each subject runs behind a copy of
 * bench_restore, which writes the request back and tail-calls the subject:
 * every repetition is the same request, from a requester that is not this
 * host, to an address of the ingress device, to its MAC, as on the wire.
 * The copy and the tail call cost every subject alike, the baselines too,
 * so they cancel out of the differences. Each answering subject is checked
 * (one repetition gives the reply the drafts call for in its headers, and
 * the reflected counter grows by every repetition). Looping repeat = 1
 * instead would measure the syscall (about a microsecond), not the program.
 *
 * esprit_xdp runs in three settings: rate limits off; rate limits on, as in
 * the default configuration, at rates no run reaches, so both buckets are
 * asked and updated for every request and none is refused (seed and
 * sub-typed requests); and the defaults as shipped, where all but the
 * first burst of requests from the benchmark's one /64 are refused: what a
 * refused request costs.
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "anchor.h"
#include "bench.h"
#include "cpu.h"
#include "esprit_counters.h"
#include "esprit_prog.h"
#include "frames.h"
#include "table.h"

#include "esprit_xdp.skel.h"
#include "bench_reflector.skel.h"
#include "bench_restore.skel.h"
#include "bench_tx_empty.skel.h"

#define REPEAT_DEFAULT	1000000
#define TARGET_DELTA_NS 15.0 /* issue 2: <= empty XDP_TX + 15 ns */
#define SUBJECTS	7
#define ESPRIT_SETTINGS 4
#define ECHO_DEV	"bxecho0" /* the ingress device: our MAC, our address */
/* The refusing setting: at least this share of repetitions refused. */
#define REFUSED_SHARE 0.99

/* What every repetition of a subject must have been. */
enum subject_check {
	CHECK_NONE, /* baselines */
	CHECK_REFLECTED, /* esprit_xdp answered it */
	CHECK_REFUSED, /* esprit_xdp refused it (prefix rate limit) */
	CHECK_NOT_ESPRIT, /* esprit_xdp passed it untouched as not its own */
};

struct subject {
	struct bench_restore *restore; /* what the test run runs */
	int prog_fd; /* bench_restore, which tail-calls the subject */
	const struct pkt *frame; /* the request it answers */
	struct series *ns; /* ns/packet per run */
	struct esprit_xdp *esprit; /* for the counter check */
	enum subject_check check;
	__u64 counted; /* the checked counter at the start */
	__u64 iterations; /* repetitions measured */
};

struct testrun {
	struct table *t;
	struct bench_tx_empty *empty;
	struct bench_reflector *refl;
	struct esprit_xdp *esp[ESPRIT_SETTINGS];
	struct subject subj[SUBJECTS];
	int nsubj;
	struct anchor anchor;
	unsigned int ifindex; /* ECHO_DEV, once made */
	struct frame_ends ends;
	struct pkt seed, subtyped, icmp6;
};

/* Rate limits off. */
static const char *const esprit_unlimited[] = {
	"rate", "unlimited", "prefix-rate", "unlimited", NULL,
};

/* Rate limiters engaged at a rate no run reaches (about 4.29 G/s): every
 * request takes the per-prefix and global bucket updates, none is refused. */
static const char *const esprit_limited[] = {
	"rate", "4294967294", "prefix-rate", "4294967294", NULL,
};

/* The shipped rate limits (10000/s, 1000/s per /64, bursts of a tenth). */
static const char *const esprit_defaults[] = {
	NULL,
};

/*
 * CPU time of this thread: a test run executes in it, and time the thread
 * did not run (other tasks, or the hypervisor running other guests on this
 * CPU: "steal") is not counted, unlike with a wall clock.
 */
static double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * One sample: the CPU time of a test run with `repeat` repetitions,
 * divided by them (the kernel's own figure is whole nanoseconds of wall
 * time). The programs sit in the XDP dispatcher throughout (anchor.h), so
 * the call adds only the syscall: under 0.01 ns per repetition at a
 * million.
 */
static int run_once(const struct testrun *tr, const struct subject *s,
		    __u32 repeat, double *ns_per_packet, __u32 *action,
		    struct pkt *out)
{
	static struct pkt scratch;
	struct pkt *o = out ? out : &scratch;
	struct xdp_md ctx = {.data_end = s->frame->len,
			     .ingress_ifindex = tr->ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = s->frame->data,
		    .data_size_in = s->frame->len, .data_out = o->data,
		    .data_size_out = sizeof(o->data), .repeat = repeat,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	double t0;

	t0 = thread_ns();
	if (bpf_prog_test_run_opts(s->prog_fd, &opts))
		return -errno;
	*ns_per_packet = (thread_ns() - t0) / repeat;
	*action = opts.retval;
	o->len = opts.data_size_out;
	return 0;
}

/*
 * Checks that one repetition of a subject gives XDP_TX and, for esprit,
 * the reply's headers: MACs and addresses swapped, SPI 8; sub-typed,
 * Sub-Type 3 and ESP sequence number 0.
 */
static bool check_reply(const struct testrun *tr, const struct subject *s)
{
	static struct pkt out;
	const struct pkt *in = s->frame;
	__u32 action, l4 = (__u32)in->l4_off;
	double ns;
	int err = run_once(tr, s, 1, &ns, &action, &out);
	bool subtyped = in == &tr->subtyped;

	if (err) {
		table_error(tr->t, "%s: test run failed: %s", s->ns->name,
			    strerror(-err));
		return false;
	}
	if (s->check == CHECK_NOT_ESPRIT) {
		if (action == XDP_PASS && out.len == in->len &&
		    !memcmp(out.data, in->data, in->len))
			return true;
		table_error(tr->t, "%s: not passed untouched", s->ns->name);
		return false;
	}
	if (action != XDP_TX) {
		table_error(tr->t, "%s: returned action %u, not XDP_TX",
			    s->ns->name, action);
		return false;
	}
	if (!s->esprit)
		return true;
	if (out.len != in->len || memcmp(out.data, in->data + 6, 6) ||
	    memcmp(out.data + 6, in->data, 6) ||
	    memcmp(out.data + in->l3_off + 8, in->data + in->l3_off + 24, 16) ||
	    memcmp(out.data + in->l3_off + 24, in->data + in->l3_off + 8, 16) ||
	    out.data[l4 + 3] != 8 ||
	    (subtyped &&
	     (out.data[l4 + 8] != 3 || out.data[l4 + 4] || out.data[l4 + 5] ||
	      out.data[l4 + 6] || out.data[l4 + 7]))) {
		table_error(tr->t,
			    "%s: the output is not the reply to the request; "
			    "the runs would not measure answers",
			    s->ns->name);
		return false;
	}
	return true;
}

static __u64 counted(const struct subject *s)
{
	switch (s->check) {
	case CHECK_REFLECTED:
		return esprit_prog_count(s->esprit, ESPRIT_R_ECHO_REFLECTED);
	case CHECK_REFUSED:
		return esprit_prog_count(s->esprit, ESPRIT_R_ECHO_RATE_PREFIX);
	case CHECK_NOT_ESPRIT:
		return esprit_prog_count(s->esprit, ESPRIT_R_NOT_ESPRIT);
	default:
		return 0;
	}
}

/* Every repetition answered or passed as it should be, or (nearly)
 * every one refused. */
static void check_counted(struct table *t, const struct subject *s)
{
	__u64 n = counted(s) - s->counted;

	if ((s->check == CHECK_REFLECTED || s->check == CHECK_NOT_ESPRIT) &&
	    n != s->iterations)
		table_error(t,
			    "%s: only %llu of %llu repetitions were counted %s",
			    s->ns->name, (unsigned long long)n,
			    (unsigned long long)s->iterations,
			    s->check == CHECK_REFLECTED ? "echo-reflected"
							: "not-esprit");
	if (s->check == CHECK_REFUSED && n < REFUSED_SHARE * s->iterations)
		table_error(t,
			    "%s: only %llu of %llu repetitions were refused "
			    "by the prefix rate limit",
			    s->ns->name, (unsigned long long)n,
			    (unsigned long long)s->iterations);
}

static void measure(struct testrun *tr, __u32 repeat, int runs)
{
	__u32 action;
	double ns;

	for (int i = 0; i < tr->nsubj; i++) /* warm-up: caches, TLB, JIT */
		run_once(tr, &tr->subj[i], repeat, &ns, &action, NULL);
	for (int i = 0; i < tr->nsubj; i++)
		tr->subj[i].counted = counted(&tr->subj[i]);

	/* Round-robin, starting one further each round, so slow phases of
	 * the machine hit every subject alike. */
	for (int r = 0; r < runs; r++) {
		for (int k = 0; k < tr->nsubj; k++) {
			struct subject *s = &tr->subj[(r + k) % tr->nsubj];
			int err = run_once(tr, s, repeat, &ns, &action, NULL);

			if (err) {
				table_error(tr->t, "%s: test run failed: %s",
					    s->ns->name, strerror(-err));
				return;
			}
			series_add(s->ns, ns);
			s->iterations += repeat;
		}
	}

	for (int i = 0; i < tr->nsubj; i++)
		check_counted(tr->t, &tr->subj[i]);
}

/* A subject behind its own bench_restore. 0, or -1 with the table told. */
static int add_subject(struct testrun *tr, const char *name, int prog_fd,
		       const struct pkt *frame, struct esprit_xdp *esprit,
		       enum subject_check check)
{
	struct subject *s = &tr->subj[tr->nsubj++];
	__u32 zero = 0;

	s->ns = table_series(tr->t, name, "ns/packet");
	s->frame = frame;
	s->esprit = esprit;
	s->check = check;
	s->restore = bench_restore__open();
	if (!s->restore)
		goto fail;
	memcpy(s->restore->bss->frame, frame->data, frame->len);
	s->restore->bss->frame_len = (__u32)frame->len;
	if (bench_restore__load(s->restore) ||
	    bpf_map__update_elem(s->restore->maps.measured, &zero, sizeof(zero),
				 &prog_fd, sizeof(prog_fd), BPF_ANY))
		goto fail;
	s->prog_fd = bpf_program__fd(s->restore->progs.bench_restore);
	return 0;
fail:
	table_error(tr->t, "%s: cannot load bench_restore before it: %s", name,
		    strerror(errno));
	return -1;
}

/*
 * The ingress device every subject gets: the requests' destination MAC
 * and address are its own, as esprit_xdp requires. Returns its ifindex,
 * or 0.
 */
static unsigned int echo_device(void)
{
	if (system("ip link add " ECHO_DEV " address 02:00:00:00:00:01 "
		   "type veth peer name " ECHO_DEV "p 2>/dev/null && "
		   "ip addr add 2001:db8::1/64 dev " ECHO_DEV " nodad && "
		   "ip link set " ECHO_DEV " up && "
		   "ip link set " ECHO_DEV "p up"))
		return 0;
	return if_nametoindex(ECHO_DEV);
}

static int esprit_prog_fd(struct esprit_xdp *skel)
{
	return bpf_program__fd(skel->progs.esprit_xdp);
}

static int load_subjects(struct testrun *tr)
{
	static const char *const *const settings[ESPRIT_SETTINGS] = {
		esprit_unlimited, esprit_limited, esprit_limited,
		esprit_defaults};
	char err[128];

	tr->empty = bench_tx_empty__open_and_load();
	tr->refl = bench_reflector__open();
	if (tr->refl) {
		tr->refl->rodata->request_spi = 7;
		tr->refl->rodata->reply_spi = 8;
		if (bench_reflector__load(tr->refl)) {
			bench_reflector__destroy(tr->refl);
			tr->refl = NULL;
		}
	}
	if (!tr->empty || !tr->refl) {
		table_error(tr->t, "cannot load the bench programs: %s",
			    strerror(errno));
		return -1;
	}
	for (int i = 0; i < ESPRIT_SETTINGS; i++) {
		tr->esp[i] = esprit_prog_load(settings[i], err, sizeof(err));
		if (!tr->esp[i]) {
			table_error(tr->t, "esprit_xdp: %s", err);
			return -1;
		}
	}
	tr->ifindex = echo_device();
	if (!tr->ifindex) {
		table_error(tr->t, "cannot make the ingress device %s",
			    ECHO_DEV);
		return -1;
	}
	if (add_subject(tr, "empty XDP_TX",
			bpf_program__fd(tr->empty->progs.bench_tx_empty),
			&tr->seed, NULL, CHECK_NONE) ||
	    add_subject(tr, "minimal reflector",
			bpf_program__fd(tr->refl->progs.bench_reflector),
			&tr->seed, NULL, CHECK_NONE) ||
	    add_subject(tr, "esprit_xdp, limits off, seed",
			esprit_prog_fd(tr->esp[0]), &tr->seed, tr->esp[0],
			CHECK_REFLECTED) ||
	    add_subject(tr, "esprit_xdp, limits on, seed",
			esprit_prog_fd(tr->esp[1]), &tr->seed, tr->esp[1],
			CHECK_REFLECTED) ||
	    add_subject(tr, "esprit_xdp, limits on, sub-typed",
			esprit_prog_fd(tr->esp[2]), &tr->subtyped, tr->esp[2],
			CHECK_REFLECTED) ||
	    add_subject(tr, "esprit_xdp, defaults, refusing, seed",
			esprit_prog_fd(tr->esp[3]), &tr->seed, tr->esp[3],
			CHECK_REFUSED) ||
	    add_subject(tr, "esprit_xdp, defaults, ICMPv6 (not esprit's)",
			esprit_prog_fd(tr->esp[3]), &tr->icmp6, tr->esp[3],
			CHECK_NOT_ESPRIT))
		return -1;
	for (int i = 0; i < tr->nsubj; i++) {
		int e = anchor_add(&tr->anchor, tr->subj[i].prog_fd);

		if (e) {
			table_error(tr->t,
				    "cannot keep %s in the XDP dispatcher: %s",
				    tr->subj[i].ns->name, strerror(-e));
			return -1;
		}
	}
	return 0;
}

static void add_comparisons(struct testrun *tr)
{
	struct subject *s = tr->subj;

	table_delta(tr->t, s[2].ns, s[0].ns, TARGET_AT_MOST, TARGET_DELTA_NS);
	table_delta(tr->t, s[3].ns, s[0].ns, TARGET_AT_MOST, TARGET_DELTA_NS);
	table_delta(tr->t, s[4].ns, s[0].ns, TARGET_AT_MOST, TARGET_DELTA_NS);
	table_delta(tr->t, s[5].ns, s[0].ns, TARGET_NONE, 0);
	table_delta(tr->t, s[6].ns, s[0].ns, TARGET_NONE, 0);
	table_delta(tr->t, s[1].ns, s[0].ns, TARGET_NONE, 0);
	table_delta(tr->t, s[2].ns, s[1].ns, TARGET_NONE, 0);
	table_delta(tr->t, s[4].ns, s[3].ns, TARGET_NONE, 0);
	table_ratio(tr->t, s[2].ns, s[0].ns, TARGET_NONE, 0);
}

static void add_notes(struct table *t)
{
	table_note(t, "sample = CPU time of the thread making one "
		      "BPF_PROG_TEST_RUN call / its repetitions (time "
		      "taken by other tasks or by the hypervisor does not "
		      "count); each program stays attached to an idle veth "
		      "meanwhile, so the call does not add it to and remove "
		      "it from the XDP dispatcher (an RCU wait each, ms on a "
		      "busy machine)");
	table_note(t, "every row, the baselines too: bench_restore writes "
		      "the request back (the previous repetition left its "
		      "reply) and tail-calls the program; that cost is in "
		      "every row alike and cancels out of the differences");
	table_note(t,
		   "ingress device %s: the requests' destination MAC and "
		   "address are its own, the source is not, as esprit_xdp "
		   "requires before it answers (it reads them from the "
		   "kernel for every request)",
		   ECHO_DEV);
	table_note(t, "esprit_xdp, where it answers: checked that one "
		      "repetition gives the reply's headers (MACs, addresses "
		      "swapped, SPI 8; sub-typed: Sub-Type 3, ESP sequence "
		      "number 0) and that the reflected counter grew by every "
		      "repetition");
	table_note(t, "limits off: rate and prefix-rate unlimited");
	table_note(t, "limits on: rate and prefix-rate 4294967294/s, so both "
		      "token buckets are asked and updated for every request "
		      "and none is refused: the work the default "
		      "configuration does for every request it answers");
	table_note(t,
		   "defaults, refusing: the shipped limits (10000/s, "
		   "1000/s per /64, bursts of a tenth); after the first "
		   "burst every repetition is refused by the prefix bucket "
		   "and dropped untouched (checked: at least %.0f%% counted "
		   "echo-rate-limited-prefix): the cost of a refused "
		   "request in a flood",
		   100 * REFUSED_SHARE);
	table_note(t, "not esprit's: an ICMPv6 Echo Request to the same "
		      "address, passed untouched (checked) and counted "
		      "not-esprit (checked: every repetition): what esprit "
		      "costs the traffic it has no part in");
	table_note(t, "targets (issues 2, 14): the rows with the limits off "
		      "and on, each against the empty XDP_TX program; the "
		      "default configuration has the limits on, and sends "
		      "and expects the sub-typed form");
}

static int testrun_echo(int argc, char **argv)
{
	const struct bench_env *env = bench_env();
	static struct testrun tr;
	int cpu = cpu_measured();
	unsigned long repeat = REPEAT_DEFAULT;
	char *end = NULL;
	bool ok = true;

	if (argc > 1)
		repeat = strtoul(argv[1], &end, 0);
	if (argc > 2 || (end && *end) || repeat < 2 || repeat > 1U << 30) {
		fprintf(stderr,
			"usage: esprit_bench testrun-echo [REPEAT]\n"
			"  REPEAT: 2 .. 2^30 (default %d)\n",
			REPEAT_DEFAULT);
		return 2;
	}
	memset(&tr, 0, sizeof(tr));
	tr.ends = (struct frame_ends){
		.src = "2001:db8::2",
		.dst = "2001:db8::1",
		.src_mac = {0x02, 0, 0, 0, 0, 0x02},
		.dst_mac = {0x02, 0, 0, 0, 0, 0x01},
	};
	tr.t = table_new("testrun-echo: ESP Echo responder under "
			 "BPF_PROG_TEST_RUN (ns/packet, lower is better)");
	cpu_pin(0, cpu);
	frame_esp_echo_request(&tr.seed, &tr.ends, 7);
	frame_esp_echo_subtyped(&tr.subtyped, &tr.ends);
	frame_icmp6_echo_request(&tr.icmp6, &tr.ends);
	table_context(tr.t,
		      "IPv6 ESP Echo Requests, %d B of Data: seed %zu B, "
		      "sub-typed %zu B frames; in a private netns",
		      BENCH_ECHO_DATA, tr.seed.len, tr.subtyped.len);
	table_context(tr.t,
		      "%d runs x %lu repetitions per program, round-robin, "
		      "after one warm-up run each; pinned to CPU %d",
		      env->runs, repeat, cpu);

	if (load_subjects(&tr) == 0) {
		add_comparisons(&tr);
		/* A refused request is not answered: no check. */
		for (int i = 0; i < tr.nsubj; i++)
			if (tr.subj[i].check != CHECK_REFUSED)
				ok &= check_reply(&tr, &tr.subj[i]);
		if (ok)
			measure(&tr, repeat, env->runs);
		add_notes(tr.t);
	}

	anchor_release(&tr.anchor);
	if (tr.ifindex && system("ip link del " ECHO_DEV))
		fprintf(stderr, "bench: could not delete %s\n", ECHO_DEV);
	for (int i = 0; i < tr.nsubj; i++)
		bench_restore__destroy(tr.subj[i].restore);
	for (int i = 0; i < ESPRIT_SETTINGS; i++)
		esprit_xdp__destroy(tr.esp[i]);
	bench_reflector__destroy(tr.refl);
	bench_tx_empty__destroy(tr.empty);
	return table_finish(tr.t);
}

BENCH_TABLE(testrun_echo_table) = {
	.name = "testrun-echo",
	.summary = "ns/packet under BPF_PROG_TEST_RUN vs an empty XDP_TX",
	.run = testrun_echo,
};
