// SPDX-License-Identifier: GPL-2.0
/*
 * RISAV audit events on esprit_events (bpf/risav/audit.h): one per failed
 * check, with the fields RFC 4302 §3.4 lists, at most audit_rate per
 * second, and counted when they cannot be sent.
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <CUnit/CUnit.h>

#include "esprit_counters.h"
#include "esprit_ratelimit.h"
#include "esprit_risav.h"
#include "esprit_xdp.skel.h"
#include "risav_check.h"
#include "testlib.h"

static struct risav_fixture fx;
static struct pkt plain, tagged;

static int suite_init(void)
{
	return rc_world_open(&fx, 1000000);
}

static int suite_cleanup(void)
{
	risav_fixture_close(&fx);
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A new rate, and a full bucket (nothing left from earlier tests). */
static void set_rate(uint32_t rate)
{
	struct esprit_rate_state empty = {0};
	__u32 zero = 0;

	CU_ASSERT_EQUAL_FATAL(risav_fixture_config(&fx, RC_LOCAL_ASN, 0, rate),
			      0);
	CU_ASSERT_EQUAL_FATAL(
		bpf_map__update_elem(fx.x.skel->maps.esprit_audit_rl, &zero,
				     sizeof(zero), &empty, sizeof(empty),
				     BPF_ANY),
		0);
}

/* The address of an event in its map form, for comparison. */
static bool addr_is(const struct esprit_addr *a, const char *text)
{
	struct esprit_addr want = {0};

	if (strchr(text, ':')) {
		want.family = 10;
		inet_pton(AF_INET6, text, want.addr);
	} else {
		want.family = 2;
		want.addr[10] = want.addr[11] = 0xff;
		inet_pton(AF_INET, text, want.addr + 12);
	}
	return !memcmp(a, &want, sizeof(want));
}

static void test_bad_icv_event(void)
{
	const struct rc_flow *fl = rc_flow(4, RC_ENFORCE_ASN);
	const struct esprit_audit_event *ev;
	uint64_t t0, t1;

	risav_fixture_forget_events(&fx);
	rc_plain(&plain, fl, 30);
	rc_tag(&tagged, &plain, RC_SPI, 0xdeadbeef, 1, rc_other_key);
	t0 = mono_ns();
	rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_AH_BAD_ICV, NULL);
	t1 = mono_ns();
	CU_ASSERT_EQUAL_FATAL(fx.nevents, 1);
	ev = &fx.events[0];
	CU_ASSERT(ev->time_ns >= t0 && ev->time_ns <= t1);
	CU_ASSERT(addr_is(&ev->src, fl->src));
	CU_ASSERT(addr_is(&ev->dst, fl->dst));
	CU_ASSERT_EQUAL(ev->spi, RC_SPI);
	CU_ASSERT_EQUAL(ev->asn, RC_ENFORCE_ASN);
	CU_ASSERT_EQUAL(ev->seq, 0xdeadbeef);
	CU_ASSERT_EQUAL(ev->reason, ESPRIT_R_AH_BAD_ICV);
	CU_ASSERT_EQUAL(ev->flow_label, 0);
	CU_ASSERT_EQUAL(ev->mode, ESPRIT_PEER_ENFORCE);
	CU_ASSERT_EQUAL(ev->flags, ESPRIT_AUDIT_DROPPED | ESPRIT_AUDIT_HAS_AH);
	CU_ASSERT_EQUAL(ev->ifindex, fixture_device());
}

static void test_untagged_ipv6_event(void)
{
	struct rc_flow fl = *rc_flow(6, RC_TESTING_ASN);
	const struct esprit_audit_event *ev;

	risav_fixture_forget_events(&fx);
	rc_plain(&plain, &fl, 30);
	pkt_ipv6_flow_label(&plain, 0x12345);
	rc_expect2(&fx, &plain, XDP_PASS, ESPRIT_R_RISAV_UNTAGGED,
		   ESPRIT_R_RISAV_TESTING_PASSED, &plain);
	CU_ASSERT_EQUAL_FATAL(fx.nevents, 1);
	ev = &fx.events[0];
	CU_ASSERT(addr_is(&ev->src, fl.src));
	CU_ASSERT(addr_is(&ev->dst, fl.dst));
	CU_ASSERT_EQUAL(ev->spi, 0);
	CU_ASSERT_EQUAL(ev->seq, 0);
	CU_ASSERT_EQUAL(ev->asn, RC_TESTING_ASN);
	CU_ASSERT_EQUAL(ev->reason, ESPRIT_R_RISAV_UNTAGGED);
	CU_ASSERT_EQUAL(ev->flow_label, 0x12345);
	CU_ASSERT_EQUAL(ev->mode, ESPRIT_PEER_TESTING);
	CU_ASSERT_EQUAL(ev->flags, 0); /* passed, no AH */
}

/* Each failure sends one event with its own reason; successes none. */
static void test_one_event_per_failure(void)
{
	const struct rc_flow *fl = rc_flow(4, RC_ENFORCE_ASN);

	risav_fixture_forget_events(&fx);
	rc_plain(&plain, fl, 30);
	rc_tag(&tagged, &plain, RC_SPI, 1, 1, rc_key);
	rc_expect(&fx, &tagged, XDP_PASS, ESPRIT_R_RISAV_VERIFIED, &plain);
	CU_ASSERT_EQUAL(fx.nevents, 0);
	tagged.data[tagged.ah_off + 7] ^= 1;
	rc_expect(&fx, &tagged, XDP_DROP, ESPRIT_R_AH_UNKNOWN_SPI, NULL);
	rc_expect(&fx, &plain, XDP_DROP, ESPRIT_R_RISAV_UNTAGGED, NULL);
	CU_ASSERT_EQUAL_FATAL(fx.nevents, 2);
	CU_ASSERT_EQUAL(fx.events[0].reason, ESPRIT_R_AH_UNKNOWN_SPI);
	CU_ASSERT_EQUAL(fx.events[0].spi, RC_SPI ^ 1);
	CU_ASSERT_EQUAL(fx.events[1].reason, ESPRIT_R_RISAV_UNTAGGED);
}

/*
 * At 5 events/s (burst 1), 60 failures in a row: about one event gets
 * out per 200 ms; the rest are counted as rate-limited, and the two add
 * up to the failures.
 */
static void test_rate_limit(void)
{
	uint64_t limited =
		xdp_fixture_count(&fx.x, ESPRIT_R_AUDIT_RATE_LIMITED);
	uint64_t t0, elapsed_ms, allowed;
	const int n = 60;

	set_rate(5);
	risav_fixture_forget_events(&fx);
	rc_plain(&plain, rc_flow(4, RC_ENFORCE_ASN), 30);
	t0 = mono_ns();
	for (int i = 0; i < n; i++)
		rc_expect(&fx, &plain, XDP_DROP, ESPRIT_R_RISAV_UNTAGGED, NULL);
	elapsed_ms = (mono_ns() - t0) / 1000000;
	/* the burst, one per 200 ms, one more for a coarse-clock tick */
	allowed = 1 + elapsed_ms / 200 + 1;
	CU_ASSERT(fx.nevents >= 1);
	CU_ASSERT(fx.nevents <= allowed);
	CU_ASSERT_EQUAL(xdp_fixture_count(&fx.x, ESPRIT_R_AUDIT_RATE_LIMITED) -
				limited + fx.nevents,
			(uint64_t)n);
	set_rate(1000000);
}

/*
 * Nobody reads the ring: once full, events are lost and counted; every
 * failure is either an event in the ring or a count.
 */
static void test_ring_full_counted(void)
{
	uint64_t lost = xdp_fixture_count(&fx.x, ESPRIT_R_AUDIT_RING_FULL);
	const __u32 n = ESPRIT_EVENTS_BYTES / sizeof(struct esprit_audit_event);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = n);
	size_t got;

	set_rate(1000000);
	risav_fixture_forget_events(&fx);
	rc_plain(&plain, rc_flow(4, RC_ENFORCE_ASN), 30);
	opts.data_in = plain.data;
	opts.data_size_in = plain.len;
	CU_ASSERT_EQUAL_FATAL(bpf_prog_test_run_opts(fx.x.prog_fd, &opts), 0);
	CU_ASSERT_EQUAL(opts.retval, XDP_DROP);
	got = risav_fixture_read_events(&fx);
	CU_ASSERT(got < n);
	CU_ASSERT(xdp_fixture_count(&fx.x, ESPRIT_R_AUDIT_RING_FULL) - lost >
		  0);
	CU_ASSERT_EQUAL(xdp_fixture_count(&fx.x, ESPRIT_R_AUDIT_RING_FULL) -
				lost + got,
			n);
	set_rate(1000000);
}

TEST_SUITE(risav_audit) = {
	.name = "bpf_risav_audit",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"bad_icv_event", test_bad_icv_event},
			{"untagged_ipv6_event", test_untagged_ipv6_event},
			{"one_event_per_failure", test_one_event_per_failure},
			{"rate_limit", test_rate_limit},
			{"ring_full_counted", test_ring_full_counted},
			{NULL, NULL},
		},
};
