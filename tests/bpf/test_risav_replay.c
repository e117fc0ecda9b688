// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay (bpf/risav/replay.h) against a model of RFC 4302 §3.4.3 written
 * here: a sequence number is refused if it is 0, already accepted, or
 * `window` or more below the highest accepted one; the check comes before
 * the ICV, and only a packet with a good ICV moves the window. Also: the
 * window off (the default), two CPUs receiving the same packets, and a
 * window whose size changes (what it has seen stays seen) or whose key
 * changes (a new start).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "esprit_counters.h"
#include "risav_check.h"
#include "testlib.h"

#define SPI_W32	  0x2020
#define SPI_W64	  0x2040
#define SPI_W4096 0x2400
#define SPI_CPUS  0x2401
#define SPI_SIZED 0x2402

static struct risav_fixture fx;
static struct pkt plain, tagged;

static int suite_init(void)
{
	if (rc_world_open(&fx, 1000000))
		return -1;
	return risav_fixture_sa(&fx, SPI_W32, RC_ENFORCE_ASN, rc_key, 32) ||
	       risav_fixture_sa(&fx, SPI_W64, RC_ENFORCE_ASN, rc_key, 64) ||
	       risav_fixture_sa(&fx, SPI_W4096, RC_ENFORCE_ASN, rc_key, 4096) ||
	       risav_fixture_sa(&fx, SPI_CPUS, RC_ENFORCE_ASN, rc_key, 4096) ||
	       risav_fixture_sa(&fx, SPI_SIZED, RC_ENFORCE_ASN, rc_key, 64);
}

static int suite_cleanup(void)
{
	risav_fixture_close(&fx);
	return 0;
}

static void tag(uint32_t spi, uint32_t seq, bool good)
{
	rc_plain(&plain, rc_flow(4, RC_ENFORCE_ASN), 16);
	rc_tag(&tagged, &plain, spi, seq, 1, good ? rc_key : rc_other_key);
}

static bool send_seq(uint32_t spi, uint32_t seq, bool good, int reason)
{
	tag(spi, seq, good);
	if (reason == ESPRIT_R_RISAV_VERIFIED)
		return rc_expect(&fx, &tagged, XDP_PASS, reason, &plain);
	return rc_expect(&fx, &tagged, XDP_DROP, reason, NULL);
}

/* The default: no window, the same sequence number passes every time. */
static void test_window_off(void)
{
	for (int i = 0; i < 3; i++) {
		send_seq(RC_SPI, 5, true, ESPRIT_R_RISAV_VERIFIED);
		send_seq(RC_SPI, 0, true, ESPRIT_R_RISAV_VERIFIED);
	}
}

static void test_window_64(void)
{
	static const struct {
		uint32_t seq;
		bool good;
		int reason;
	} steps[] = {
		{1, true, ESPRIT_R_RISAV_VERIFIED},
		{1, true, ESPRIT_R_AH_REPLAY},
		{3, true, ESPRIT_R_RISAV_VERIFIED},
		{2, true, ESPRIT_R_RISAV_VERIFIED}, /* late, inside */
		{2, true, ESPRIT_R_AH_REPLAY},
		{0, true, ESPRIT_R_AH_REPLAY}, /* never sent */
		{100, true, ESPRIT_R_RISAV_VERIFIED},
		{36, true, ESPRIT_R_AH_REPLAY}, /* 64 below the top: left */
		{37, true, ESPRIT_R_RISAV_VERIFIED}, /* 63 below: inside */
		{1000, false, ESPRIT_R_AH_BAD_ICV}, /* moves nothing */
		{40, true, ESPRIT_R_RISAV_VERIFIED}, /* still inside */
		{1000, true, ESPRIT_R_RISAV_VERIFIED},
		{1000, false, ESPRIT_R_AH_REPLAY}, /* checked before the ICV */
		{999, true, ESPRIT_R_RISAV_VERIFIED},
		{100, true, ESPRIT_R_AH_REPLAY},
		{0xffffffff, true, ESPRIT_R_RISAV_VERIFIED},
	};
	struct esprit_sa_stats st;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (!send_seq(SPI_W64, steps[i].seq, steps[i].good,
			      steps[i].reason))
			fprintf(stderr, "  step %zu, seq %u\n", i,
				steps[i].seq);
	CU_ASSERT_EQUAL_FATAL(
		risav_fixture_sa_stats(&fx, SPI_W64, RC_ENFORCE_ASN, &st), 0);
	CU_ASSERT_EQUAL(st.packets, 9);
	CU_ASSERT_EQUAL(st.bad_icv, 1);
	CU_ASSERT_EQUAL(st.replayed, 6);
}

/*
 * Random sequence numbers over six windows' worth, some with a bad ICV,
 * against the model; for windows of 32, 64 and 4096 packets (the largest
 * wraps the window's ring many times).
 */
struct model {
	uint32_t window, top;
	uint8_t *seen; /* by sequence number */
};

static int model_step(struct model *m, uint32_t seq, bool good)
{
	if (seq == 0 ||
	    (seq <= m->top && (m->top - seq >= m->window || m->seen[seq])))
		return ESPRIT_R_AH_REPLAY;
	if (!good)
		return ESPRIT_R_AH_BAD_ICV;
	m->seen[seq] = 1;
	if (seq > m->top)
		m->top = seq;
	return ESPRIT_R_RISAV_VERIFIED;
}

static uint64_t rng = 0x7265706c6179ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 33) % n;
}

static void run_model(uint32_t spi, uint32_t window, int steps)
{
	uint32_t range = 6 * window;
	struct model m = {.window = window, .seen = calloc(range + 1, 1)};
	uint32_t base = 0;
	int fails = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m.seen);
	for (int i = 0; i < steps; i++) {
		/* mostly ahead of the top, as traffic is; some behind */
		uint32_t seq = base + rnd(2 * window);
		bool good = rnd(10) != 0;
		int want;

		if (seq > range)
			seq = rnd(range + 1);
		want = model_step(&m, seq, good);
		if (!send_seq(spi, seq, good, want) && fails++ < 5)
			fprintf(stderr, "  window %u, step %d, seq %u\n",
				window, i, seq);
		if (rnd(4) == 0)
			base = m.top > window ? m.top - window : 0;
	}
	free(m.seen);
}

static void test_model_window_32(void)
{
	run_model(SPI_W32, 32, 1500);
}

static void test_model_window_4096(void)
{
	run_model(SPI_W4096, 4096, 3000);
}

/*
 * Two threads, each on its own CPU where there are two, send the same
 * packets 1..N at once: each must be accepted exactly once, whichever CPU
 * gets there first.
 */
#define CPU_PACKETS 1500

struct cpu_run {
	struct pkt *pkts;
	int cpu;
	int failed;
};

static void *cpu_thread(void *arg)
{
	struct cpu_run *r = arg;
	static __thread struct xdp_result res;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (int i = 0; i < CPU_PACKETS; i++)
		if (xdp_fixture_run(&fx.x, &r->pkts[i], &res))
			r->failed++;
	return NULL;
}

static void test_two_cpus_accept_once(void)
{
	uint64_t verified = xdp_fixture_count(&fx.x, ESPRIT_R_RISAV_VERIFIED);
	uint64_t replayed = xdp_fixture_count(&fx.x, ESPRIT_R_AH_REPLAY);
	struct pkt *pkts = calloc(CPU_PACKETS, sizeof(*pkts));
	struct cpu_run runs[2] = {{.pkts = pkts}, {.pkts = pkts}};
	struct esprit_sa_stats st;
	pthread_t th[2];
	cpu_set_t allowed;
	int ncpu = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pkts);
	sched_getaffinity(0, sizeof(allowed), &allowed);
	for (int c = 0; c < CPU_SETSIZE && ncpu < 2; c++)
		if (CPU_ISSET(c, &allowed))
			runs[ncpu++].cpu = c;
	if (ncpu < 2)
		runs[1].cpu = runs[0].cpu;
	for (int i = 0; i < CPU_PACKETS; i++) {
		tag(SPI_CPUS, i + 1, true);
		pkts[i] = tagged;
	}
	for (int t = 0; t < 2; t++)
		pthread_create(&th[t], NULL, cpu_thread, &runs[t]);
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	risav_fixture_read_events(&fx);
	CU_ASSERT_EQUAL(runs[0].failed + runs[1].failed, 0);
	CU_ASSERT_EQUAL(xdp_fixture_count(&fx.x, ESPRIT_R_RISAV_VERIFIED) -
				verified,
			CPU_PACKETS);
	CU_ASSERT_EQUAL(xdp_fixture_count(&fx.x, ESPRIT_R_AH_REPLAY) - replayed,
			CPU_PACKETS);
	CU_ASSERT_EQUAL_FATAL(
		risav_fixture_sa_stats(&fx, SPI_CPUS, RC_ENFORCE_ASN, &st), 0);
	CU_ASSERT_EQUAL(st.packets, CPU_PACKETS);
	CU_ASSERT_EQUAL(st.replayed, CPU_PACKETS);
	if (ncpu < 2)
		fprintf(stderr, "  [only one CPU allowed: not concurrent]\n");
	free(pkts);
}

/* A captured packet replayed after the window's size changed: dropped. */
static void test_size_change_keeps_window(void)
{
	for (uint32_t seq = 1; seq <= 10; seq++)
		send_seq(SPI_SIZED, seq, true, ESPRIT_R_RISAV_VERIFIED);
	CU_ASSERT_EQUAL_FATAL(risav_fixture_sa_replace(&fx, SPI_SIZED,
						       RC_ENFORCE_ASN, rc_key,
						       1024),
			      0);
	send_seq(SPI_SIZED, 5, true, ESPRIT_R_AH_REPLAY);
	send_seq(SPI_SIZED, 10, true, ESPRIT_R_AH_REPLAY);
	send_seq(SPI_SIZED, 11, true, ESPRIT_R_RISAV_VERIFIED);
	/* and smaller again: still seen */
	CU_ASSERT_EQUAL_FATAL(risav_fixture_sa_replace(&fx, SPI_SIZED,
						       RC_ENFORCE_ASN, rc_key,
						       32),
			      0);
	send_seq(SPI_SIZED, 11, true, ESPRIT_R_AH_REPLAY);
	send_seq(SPI_SIZED, 9, true, ESPRIT_R_AH_REPLAY);
	/* a new key is a new SA: its numbers start again */
	CU_ASSERT_EQUAL_FATAL(risav_fixture_sa_replace(&fx, SPI_SIZED,
						       RC_ENFORCE_ASN,
						       rc_other_key, 32),
			      0);
	send_seq(SPI_SIZED, 5, false, ESPRIT_R_RISAV_VERIFIED);
}

TEST_SUITE(risav_replay) = {
	.name = "bpf_risav_replay",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"window_off", test_window_off},
			{"window_64", test_window_64},
			{"model_window_32", test_model_window_32},
			{"model_window_4096", test_model_window_4096},
			{"two_cpus_accept_once", test_two_cpus_accept_once},
			{"size_change_keeps_window",
			 test_size_change_keeps_window},
			{NULL, NULL},
		},
};
