// SPDX-License-Identifier: GPL-2.0
/*
 * Table "veth-echo": ESP Echo replies over a veth pair between two
 * namespaces (bench/run.sh builds them). A live-frames generator sends
 * requests out of the generator's veth as fast as it can; the far end
 * answers, and bench_rx_count counts and drops the replies on the
 * generator's veth. Five far ends take turns in every round:
 *   esprit_xdp          ESP Echo Requests; rate limits off, and on as in
 *                       the default configuration at rates no run reaches
 *                       (seed form, and sub-typed: the default form)
 *   minimal reflector   the same requests (bench_reflector.bpf.c)
 *   kernel ICMPv6 echo  ICMPv6 Echo Requests of the same frame size, and
 *                       no XDP program on the far end: the stack answers
 *
 * Both veths' receive work runs in threaded NAPI, pinned: the far end's on
 * one CPU, the generator and the reply counter on the other. The far end's
 * thread does everything the far end does for a request (XDP, or the whole
 * stack for ICMPv6) and nothing else, so its CPU time per reply is the far
 * end's cost. On two CPUs the generator's side (generate + count) tires
 * before a fast far end does, so wall-clock replies/s would compare the
 * generator with itself; replies per second of far-end CPU time compare the
 * far ends. Both are printed, with the far end's busy share.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "anchor.h"
#include "bench.h"
#include "bench_frames.h"
#include "cpu.h"
#include "esprit_counters.h"
#include "esprit_prog.h"
#include "frames.h"
#include "livegen.h"
#include "netns.h"
#include "table.h"

#include "esprit_xdp.skel.h"
#include "bench_reflector.skel.h"
#include "bench_rx_count.skel.h"

#define TARGET_VS_REFLECTOR 0.8 /* issue 2 */
#define TARGET_VS_KERNEL    8.0
#define WARMUP_SECONDS	    0.3
#define DRAIN_USEC	    100000 /* replies still in the rings; others' turn */
#define NAPI_THREADS_MAX    8
/*
 * Everything measured runs SCHED_FIFO, so other work on the machine cannot
 * starve it: the far end's NAPI thread owns its CPU while it has work; on
 * the other CPU the reply counter's NAPI thread preempts the generator,
 * which takes the rest, so no reply is lost for want of a reader and the
 * far end is fed steadily. Other tasks still get the pauses between runs
 * and the RT throttle's 5%.
 */
#define NAPI_FIFO_PRIO 10
#define GEN_FIFO_PRIO  5

struct veth_opts {
	const char *gen_ns, *gen_if, *far_ns, *far_if, *gen_addr, *far_addr;
};

struct far_end {
	const char *name;
	int prog_fd;
	const struct pkt *frame;
	enum bench_rx_kind reply;
	struct series *capacity; /* replies per second of far-end CPU time */
	struct series *rate; /* replies per second of wall time */
	struct series *busy; /* far-end CPU busy, % of the run */
	struct series *offered; /* requests sent per second */
	__u64 replies; /* counted, warm-up included */
	bool warm;
};

struct veth_bench {
	struct table *t;
	const struct veth_opts *o;
	int gen_ns, far_ns, far_ifindex, gen_cpu, far_cpu;
	pid_t far_napi[NAPI_THREADS_MAX];
	int nfar_napi;
	struct livegen gen;
	struct bench_rx_count *rx;
	struct anchor anchor; /* in the generator's namespace */
};

/* Rate limits off, so the limiter does not cap what is measured. */
static const char *const esprit_unlimited[] = {
	"rate", "unlimited", "prefix-rate", "unlimited", NULL,
};

/* Both buckets asked and updated for every request, none refused. */
static const char *const esprit_limited[] = {
	"rate", "4294967294", "prefix-rate", "4294967294", NULL,
};

#define FAR_ENDS 5
#define ESPRITS	 3 /* limits off, on (seed), on (sub-typed) */

static void veth_usage(void)
{
	fprintf(stderr, "usage: esprit_bench veth-echo --gen-ns NS --gen-if IF "
			"--gen-addr ADDR\n"
			"       --far-ns NS --far-if IF --far-addr ADDR\n"
			"(IPv6 addresses; the far veth needs GRO on, as "
			"bench/lib.sh sets up)\n");
}

static bool is_ipv6(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1;
}

static int parse_opts(int argc, char **argv, struct veth_opts *o)
{
	static const struct option longopts[] = {
		{"gen-ns", required_argument, NULL, 'g'},
		{"gen-if", required_argument, NULL, 'G'},
		{"gen-addr", required_argument, NULL, 'a'},
		{"far-ns", required_argument, NULL, 'f'},
		{"far-if", required_argument, NULL, 'F'},
		{"far-addr", required_argument, NULL, 'A'},
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			o->gen_ns = optarg;
			break;
		case 'G':
			o->gen_if = optarg;
			break;
		case 'a':
			o->gen_addr = optarg;
			break;
		case 'f':
			o->far_ns = optarg;
			break;
		case 'F':
			o->far_if = optarg;
			break;
		case 'A':
			o->far_addr = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || !o->gen_ns || !o->gen_if || !o->gen_addr ||
	    !o->far_ns || !o->far_if || !o->far_addr)
		return -1;
	if (!is_ipv6(o->gen_addr) || !is_ipv6(o->far_addr)) {
		fprintf(stderr, "veth-echo: '%s': not an IPv6 address\n",
			is_ipv6(o->gen_addr) ? o->far_addr : o->gen_addr);
		return -1;
	}
	return 0;
}

static __u64 rx_count(struct veth_bench *vb, enum bench_rx_kind kind)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 vals[ncpus > 0 ? ncpus : 1], sum = 0;
	__u32 key = kind;

	if (bpf_map__lookup_elem(vb->rx->maps.bench_rx_counts, &key,
				 sizeof(key), vals, sizeof(vals), 0))
		return 0;
	for (int i = 0; i < ncpus; i++)
		sum += vals[i];
	return sum;
}

/* Pins and prioritises one veth's NAPI threads; returns how many. */
static int place_napi(const char *ifname, int cpu, pid_t *pids, int max)
{
	int n = napi_threads(ifname, pids, max);

	for (int i = 0; i < n; i++) {
		cpu_pin(pids[i], cpu);
		cpu_fifo(pids[i], NAPI_FIFO_PRIO);
	}
	return n;
}

static __u64 far_cpu_ns(const struct veth_bench *vb)
{
	__u64 ns = 0;

	for (int i = 0; i < vb->nfar_napi; i++)
		ns += thread_cpu_ns(vb->far_napi[i]);
	return ns;
}

/* Attaches prog_fd to the far veth, or with -1 leaves it without XDP. */
static int attach_far(struct veth_bench *vb, int prog_fd)
{
	int err = netns_enter(vb->far_ns);

	if (!err && prog_fd >= 0)
		err = bpf_xdp_attach(vb->far_ifindex, prog_fd,
				     XDP_FLAGS_DRV_MODE, NULL);
	else if (!err)
		err = bpf_xdp_detach(vb->far_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	netns_enter(vb->gen_ns);
	return err;
}

/* One run against one far end. */
static int sample(struct veth_bench *vb, struct far_end *fe, double seconds,
		  bool record)
{
	__u64 rx0, rx1, tx0, tx1, cpu0, cpu1;
	double elapsed, far_s;
	int err;

	/* Attaching and detaching keep NAPI (GRO is on), but look again. */
	vb->nfar_napi = place_napi(vb->o->far_if, vb->far_cpu, vb->far_napi,
				   NAPI_THREADS_MAX);
	if (vb->nfar_napi <= 0)
		return -ENOENT;
	cpu0 = far_cpu_ns(vb);
	rx0 = rx_count(vb, fe->reply);
	tx0 = livegen_sent(&vb->gen);
	err = livegen_run(&vb->gen, seconds, &elapsed);
	if (err)
		return err;
	usleep(DRAIN_USEC);
	rx1 = rx_count(vb, fe->reply);
	tx1 = livegen_sent(&vb->gen);
	cpu1 = far_cpu_ns(vb);
	fe->replies += rx1 - rx0;
	if (!record)
		return 0;
	far_s = (cpu1 - cpu0) / 1e9;
	if (far_s > 0)
		series_add(fe->capacity, (rx1 - rx0) / far_s);
	series_add(fe->rate, (rx1 - rx0) / elapsed);
	series_add(fe->busy, 100 * far_s / elapsed);
	series_add(fe->offered, (tx1 - tx0) / elapsed);
	return 0;
}

/* Round-robin, starting one further each round, so slow phases of the
 * machine hit every far end alike. */
static int run_rounds(struct veth_bench *vb, struct far_end *fe, int nfe)
{
	const struct bench_env *env = bench_env();

	for (int r = 0; r < env->runs; r++) {
		for (int k = 0; k < nfe; k++) {
			struct far_end *f = &fe[(r + k) % nfe];
			int err = attach_far(vb, f->prog_fd);

			if (!err)
				err = livegen_set_frame(&vb->gen, f->frame);
			if (!err && !f->warm) {
				err = sample(vb, f, WARMUP_SECONDS, false);
				f->warm = true;
			}
			if (!err)
				err = sample(vb, f, env->seconds, true);
			if (err) {
				table_error(vb->t, "%s: %s", f->name,
					    strerror(-err));
				return -1;
			}
		}
	}
	return 0;
}

static int setup(struct veth_bench *vb, struct frame_ends *ends)
{
	const struct veth_opts *o = vb->o;
	uint8_t far_mac[6];
	int gen_ifindex, err;

	vb->gen_ns = netns_open(o->gen_ns);
	vb->far_ns = netns_open(o->far_ns);
	if (vb->gen_ns < 0 || vb->far_ns < 0) {
		table_error(vb->t, "no namespace /run/netns/%s or %s",
			    o->gen_ns, o->far_ns);
		return -1;
	}
	if (netns_enter(vb->far_ns) || netns_mac(o->far_if, far_mac) ||
	    !(vb->far_ifindex = if_nametoindex(o->far_if))) {
		table_error(vb->t, "no interface %s in namespace %s", o->far_if,
			    o->far_ns);
		return -1;
	}
	if (netns_enter(vb->gen_ns) || netns_mac(o->gen_if, ends->src_mac) ||
	    !(gen_ifindex = if_nametoindex(o->gen_if))) {
		table_error(vb->t, "no interface %s in namespace %s", o->gen_if,
			    o->gen_ns);
		return -1;
	}
	memcpy(ends->dst_mac, far_mac, 6);
	ends->src = o->gen_addr;
	ends->dst = o->far_addr;

	vb->rx = bench_rx_count__open_and_load();
	if (!vb->rx ||
	    bpf_xdp_attach(gen_ifindex,
			   bpf_program__fd(vb->rx->progs.bench_rx_count),
			   XDP_FLAGS_DRV_MODE, NULL)) {
		table_error(vb->t, "cannot attach bench_rx_count to %s: %s",
			    o->gen_if, strerror(errno));
		return -1;
	}
	err = livegen_open(&vb->gen, gen_ifindex);
	if (err) {
		table_error(vb->t, "cannot load bench_gen: %s", strerror(-err));
		return -1;
	}
	err = anchor_add(&vb->anchor, vb->gen.prog_fd);
	if (err) {
		table_error(vb->t,
			    "cannot keep bench_gen in the XDP dispatcher: %s",
			    strerror(-err));
		return -1;
	}
	return 0;
}

/*
 * Threaded NAPI, so receive work runs in kernel threads that can be pinned
 * and timed instead of in softirq on whichever CPU sent the frames. The
 * threads exist while NAPI does: on the generator's veth because XDP is
 * attached, on the far one because GRO is on (setup_veth_echo), which also
 * lets it take redirected frames with no XDP program (the kernel's turn).
 */
static int split_cpus(struct veth_bench *vb)
{
	const struct veth_opts *o = vb->o;
	pid_t gen_napi[NAPI_THREADS_MAX];

	vb->gen_cpu = cpu_generator();
	vb->far_cpu = cpu_measured();
	cpu_pin(0, vb->gen_cpu);
	cpu_fifo(0, GEN_FIFO_PRIO);
	if (netns_sysfs_write(vb->far_ns, o->far_if, "threaded", "1") ||
	    netns_sysfs_write(vb->gen_ns, o->gen_if, "threaded", "1")) {
		table_error(vb->t, "cannot switch %s and %s to threaded NAPI",
			    o->far_if, o->gen_if);
		return -1;
	}
	vb->nfar_napi = place_napi(o->far_if, vb->far_cpu, vb->far_napi,
				   NAPI_THREADS_MAX);
	if (vb->nfar_napi <= 0 || place_napi(o->gen_if, vb->gen_cpu, gen_napi,
					     NAPI_THREADS_MAX) <= 0) {
		table_error(vb->t,
			    "no NAPI threads of %s and %s found (is GRO on "
			    "for %s?)",
			    o->far_if, o->gen_if, o->far_if);
		return -1;
	}
	if (vb->gen_cpu == vb->far_cpu)
		table_note(vb->t, "one CPU only: generator and far end share "
				  "it; wall-clock rates are lower bounds");
	return 0;
}

static void add_series(struct table *t, struct far_end *fe, int nfe)
{
	char name[SERIES_NAME];

	for (int i = 0; i < nfe; i++)
		fe[i].capacity = table_series(t, fe[i].name, "replies/CPU-s");
	for (int i = 0; i < nfe; i++)
		fe[i].rate = table_series(t, fe[i].name, "replies/s");
	for (int i = 0; i < nfe; i++) {
		snprintf(name, sizeof(name), "%s, far CPU", fe[i].name);
		fe[i].busy = table_series(t, name, "% busy");
	}
	for (int i = 0; i < nfe; i++) {
		snprintf(name, sizeof(name), "%s, offered", fe[i].name);
		fe[i].offered = table_series(t, name, "requests/s");
	}
}

static void add_comparisons(struct table *t, const struct far_end *fe)
{
	table_ratio(t, fe[0].capacity, fe[2].capacity, TARGET_AT_LEAST,
		    TARGET_VS_REFLECTOR);
	table_ratio(t, fe[0].capacity, fe[3].capacity, TARGET_AT_LEAST,
		    TARGET_VS_KERNEL);
	table_ratio(t, fe[1].capacity, fe[2].capacity, TARGET_AT_LEAST,
		    TARGET_VS_REFLECTOR);
	table_ratio(t, fe[1].capacity, fe[3].capacity, TARGET_AT_LEAST,
		    TARGET_VS_KERNEL);
	table_ratio(t, fe[4].capacity, fe[2].capacity, TARGET_AT_LEAST,
		    TARGET_VS_REFLECTOR);
	table_ratio(t, fe[4].capacity, fe[3].capacity, TARGET_AT_LEAST,
		    TARGET_VS_KERNEL);
	table_ratio(t, fe[4].capacity, fe[1].capacity, TARGET_NONE, 0);
	table_ratio(t, fe[2].capacity, fe[3].capacity, TARGET_NONE, 0);
}

/* What one esprit_xdp far end did with the requests it was sent. */
static void note_esprit(struct veth_bench *vb, struct esprit_xdp *esp,
			const struct far_end *fe, const char *settings)
{
	table_note(vb->t,
		   "%s: %s; it sent %llu replies (%llu requests refused or "
		   "passed), %llu came back",
		   fe->name, settings,
		   (unsigned long long)esprit_prog_count(
			   esp, ESPRIT_R_ECHO_REFLECTED),
		   (unsigned long long)esprit_prog_count_others(
			   esp, ESPRIT_R_ECHO_REFLECTED),
		   (unsigned long long)fe->replies);
}

static void add_notes(struct veth_bench *vb, struct esprit_xdp *const *esp,
		      const struct far_end *fe, const char *ratemask)
{
	table_note(vb->t, "replies/CPU-s = replies counted / CPU time of the "
			  "far veth's NAPI thread (/proc/PID/schedstat), which "
			  "does all of the far end's work for a request; time "
			  "the hypervisor stole is not in it (paravirt steal "
			  "accounting). Targets apply to this");
	table_note(vb->t, "replies/s = replies counted / time sending. Unless "
			  "the far CPU is near 100%% busy this is the "
			  "generator's limit, not the far end's: its CPU "
			  "generates and counts, and when the hypervisor or "
			  "other work takes that CPU it sends in bursts, which "
			  "overflow the far veth's ring, then leave it idle");
	table_note(vb->t, "a far end that is idle more often wakes more often "
			  "per reply, and the wake-ups count in its CPU time: "
			  "that makes the faster far end (the minimal "
			  "reflector) look slower, so esprit_xdp / minimal "
			  "reflector errs in esprit's favour");
	note_esprit(vb, esp[0], &fe[0],
		    "rate and prefix-rate unlimited, so no limiter runs");
	note_esprit(vb, esp[1], &fe[1],
		    "rate and prefix-rate 4294967294/s, so both token "
		    "buckets are asked and updated for every request, as in "
		    "the default configuration, and none is refused");
	note_esprit(vb, esp[2], &fe[4],
		    "as limits on, answering sub-typed requests (the form "
		    "esprit sends by default) of the same Data");
	table_note(vb->t, "targets (issues 2, 14) for every esprit_xdp row; "
			  "the default configuration has the limits on");
	table_note(vb->t,
		   "frames other than replies that came back to %s: "
		   "%llu (passed to the stack, not counted)",
		   vb->o->gen_if,
		   (unsigned long long)rx_count(vb, BENCH_RX_OTHER));
	table_note(vb->t,
		   "generator: BPF_PROG_TEST_RUN with "
		   "BPF_F_TEST_XDP_LIVE_FRAMES, XDP_TX out of %s, each "
		   "frame rewritten from the template (live pages are "
		   "recycled, and the far end rewrites them in place); "
		   "generator SCHED_FIFO %d, NAPI threads SCHED_FIFO %d",
		   vb->o->gen_if, GEN_FIFO_PRIO, NAPI_FIFO_PRIO);
	table_note(vb->t,
		   "kernel ICMPv6 echo: no XDP program on %s; a veth "
		   "takes redirected frames only with NAPI on, which GRO "
		   "gives it (XDP_PASS would too); "
		   "net.ipv6.icmp.ratemask %s (Echo Reply, 129, is not "
		   "rate-limited unless listed)",
		   vb->o->far_if, ratemask);
}

static int veth_echo(int argc, char **argv)
{
	const struct bench_env *env = bench_env();
	struct veth_opts o = {};
	struct veth_bench vb = {.o = &o, .gen_ns = -1, .far_ns = -1};
	struct bench_reflector *refl = NULL;
	struct esprit_xdp *esp[ESPRITS] = {};
	static struct pkt esp_req, subtyped_req, icmp_req;
	struct frame_ends ends = {};
	char ratemask[64] = "?", err[128];
	struct far_end fe[FAR_ENDS];

	if (parse_opts(argc, argv, &o)) {
		veth_usage();
		return 2;
	}
	vb.t = table_new("veth-echo: replies over veth between two "
			 "namespaces (higher is better)");
	if (setup(&vb, &ends))
		goto out;
	frame_esp_echo_request(&esp_req, &ends, 7);
	frame_esp_echo_subtyped(&subtyped_req, &ends);
	frame_icmp6_echo_request(&icmp_req, &ends);

	netns_enter(vb.far_ns);
	esp[0] = esprit_prog_load(esprit_unlimited, err, sizeof(err));
	if (esp[0])
		esp[1] = esprit_prog_load(esprit_limited, err, sizeof(err));
	if (esp[1])
		esp[2] = esprit_prog_load(esprit_limited, err, sizeof(err));
	refl = bench_reflector__open_and_load();
	netns_sysctl_read("net/ipv6/icmp/ratemask", ratemask, sizeof(ratemask));
	netns_enter(vb.gen_ns);
	if (!esp[2] || !refl) {
		table_error(vb.t, "cannot load the far-end programs%s%s",
			    esp[2] ? "" : ": ", esp[2] ? "" : err);
		goto out;
	}
	fe[0] = (struct far_end){
		.name = "esprit_xdp, limits off",
		.prog_fd = bpf_program__fd(esp[0]->progs.esprit_xdp),
		.frame = &esp_req,
		.reply = BENCH_RX_ESP_REPLY,
	};
	fe[1] = (struct far_end){
		.name = "esprit_xdp, limits on",
		.prog_fd = bpf_program__fd(esp[1]->progs.esprit_xdp),
		.frame = &esp_req,
		.reply = BENCH_RX_ESP_REPLY,
	};
	fe[2] = (struct far_end){
		.name = "minimal reflector",
		.prog_fd = bpf_program__fd(refl->progs.bench_reflector),
		.frame = &esp_req,
		.reply = BENCH_RX_ESP_REPLY,
	};
	fe[3] = (struct far_end){
		.name = "kernel ICMPv6 echo",
		.prog_fd = -1,
		.frame = &icmp_req,
		.reply = BENCH_RX_ICMP6_REPLY,
	};
	fe[4] = (struct far_end){
		.name = "esprit_xdp, limits on, sub-typed",
		.prog_fd = bpf_program__fd(esp[2]->progs.esprit_xdp),
		.frame = &subtyped_req,
		.reply = BENCH_RX_ESP_REPLY,
	};
	add_series(vb.t, fe, FAR_ENDS);
	add_comparisons(vb.t, fe);
	table_context(vb.t,
		      "requests: IPv6 ESP Echo, %d B Data, seed and "
		      "sub-typed, %zu B frames; ICMPv6 Echo Requests of the "
		      "same size",
		      BENCH_ECHO_DATA, esp_req.len);

	if (split_cpus(&vb))
		goto out;
	table_context(vb.t,
		      "%d rounds x %.1f s per far end, round-robin, after a "
		      "%.1f s warm-up each; generator CPU %d, far end CPU %d",
		      env->runs, env->seconds, WARMUP_SECONDS, vb.gen_cpu,
		      vb.far_cpu);
	if (run_rounds(&vb, fe, FAR_ENDS) == 0)
		add_notes(&vb, esp, fe, ratemask);
out:
	if (vb.far_ns >= 0 && vb.far_ifindex) {
		netns_enter(vb.far_ns);
		bpf_xdp_detach(vb.far_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	}
	if (vb.gen_ns >= 0)
		netns_enter(vb.gen_ns);
	anchor_release(&vb.anchor);
	if (vb.gen.skel)
		livegen_close(&vb.gen);
	bench_rx_count__destroy(vb.rx);
	bench_reflector__destroy(refl);
	for (int i = 0; i < ESPRITS; i++)
		esprit_xdp__destroy(esp[i]);
	return table_finish(vb.t);
}

BENCH_TABLE(veth_echo_table) = {
	.name = "veth-echo",
	.summary = "replies/s over veth vs a minimal reflector and the kernel",
	.run = veth_echo,
};
