// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/risav/icv.h, the ICV input of RFC 4302 §3.3.3 prepared in the packet,
 * from XDP (the receiver) and TC (the egress tagger): what it leaves in
 * the packet must be, byte for byte, the ICV input the test library
 * builds on its own; restoring must give the packet back exactly; headers
 * it cannot prepare must leave the packet untouched.
 */
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <CUnit/CUnit.h>

#include "ah_icv_test.h" /* before the skeleton, which uses its types */
#include "ah_icv.skel.h"
#include "pkt.h"
#include "testlib.h"

static struct ah_icv *skel;
static struct pkt in;
static uint8_t out[PKT_MAX], want[PKT_MAX];

static int suite_init(void)
{
	skel = ah_icv__open_and_load();
	return skel ? 0 : -1;
}

static int suite_cleanup(void)
{
	ah_icv__destroy(skel);
	return 0;
}

/* Runs one program on in; the packet out in `out`; its rc returned. */
static int run(bool tc, enum ah_icv_mode mode, size_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data,
		    .data_size_in = in.len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	int fd = tc ? bpf_program__fd(skel->progs.ah_icv_skb)
		    : bpf_program__fd(skel->progs.ah_icv_xdp);

	skel->bss->req = (struct ah_icv_req){
		.mode = mode,
		.l3_off = in.l3_off,
		.ah_off = in.ah_off,
		.icv_len = in.ah_icv_len,
		.family = in.family == 4 ? ESPRIT_AF_INET : ESPRIT_AF_INET6,
	};
	skel->bss->rc = 99;
	CU_ASSERT_EQUAL_FATAL(bpf_prog_test_run_opts(fd, &opts), 0);
	*out_len = opts.data_size_out;
	return skel->bss->rc;
}

/* Prepared: the ICV input in place of the IP packet, the rest as it was;
 * round trip: the packet as it was. From XDP and from TC. */
static void check(void)
{
	size_t ip_len = pkt_ah_icv_input(&in, want), n;

	for (int tc = 0; tc <= 1; tc++) {
		CU_ASSERT_EQUAL(run(tc, AH_ICV_PREPARE, &n), 0);
		CU_ASSERT_EQUAL_FATAL(n, in.len);
		CU_ASSERT_EQUAL(memcmp(out, in.data, in.l3_off), 0);
		CU_ASSERT_EQUAL(memcmp(out + in.l3_off, want, ip_len), 0);
		CU_ASSERT_EQUAL(run(tc, AH_ICV_ROUND_TRIP, &n), 0);
		CU_ASSERT_EQUAL(memcmp(out, in.data, in.len), 0);
	}
}

static void build_v4(const uint8_t *opts, size_t opts_len, int vlans)
{
	pkt_init(&in);
	pkt_eth(&in, pkt_mac_b, pkt_mac_a);
	for (int i = 0; i < vlans; i++)
		pkt_vlan(&in, 0x8100, 10 + i);
	pkt_ipv4_opts(&in, "198.51.100.7", "192.0.2.1", opts, opts_len);
	pkt_ip_tos(&in, 0xb9);
	pkt_ip_ttl(&in, 17);
	pkt_udp(&in, 1, 2, (const uint8_t *)"payload", 7);
	pkt_finish(&in);
	pkt_ah_insert(&in, 0x1000, 5, 1, 16);
	memset(in.data + in.ah_off + 12, 0xee, 16); /* an ICV to zero */
}

static void test_ipv4(void)
{
	static const uint8_t opts[] = {
		1,  148, 4, 0, 0, /* NOP, Router Alert: kept */
		7,  7,	 4, 1, 2, 3, 4, /* Record Route: zeroed */
		68, 8,	 5, 9, 9, 9, 9, 9, /* Timestamp: zeroed */
		0,  0,	 0, 0, /* EOL, padding: kept */
	};

	for (int vlans = 0; vlans <= 2; vlans++) {
		build_v4(NULL, 0, vlans);
		check();
		build_v4(opts, sizeof(opts), vlans);
		check();
	}
}

static void test_ipv6(void)
{
	static const uint8_t hbh[] = {5, 2, 0, 0, 0x3e, 2, 7,
				      7, 1, 2, 0, 0,	0, 0};
	static const uint8_t dst[] = {0x3f, 4, 1, 2, 3, 4, 0,
				      0x1e, 3, 8, 8, 8, 1, 0};

	pkt_init(&in);
	pkt_eth(&in, pkt_mac_b, pkt_mac_a);
	pkt_ipv6(&in, "2001:db8:201::7", "2001:db8:100::1");
	pkt_ip_tos(&in, 0xb9);
	pkt_ipv6_flow_label(&in, 0x54321);
	pkt_ipv6_ext(&in, 0, hbh, sizeof(hbh));
	pkt_ipv6_ext(&in, 60, dst, sizeof(dst));
	pkt_udp(&in, 1, 2, (const uint8_t *)"payload", 7);
	pkt_finish(&in);
	pkt_ah_insert(&in, 0x1000, 5, 1, 16);
	memset(in.data + in.ah_off + 12, 0xee, 16);
	check();
}

/* A malformed option list: -1, and the packet as it came. */
static void test_unpreparable_left_alone(void)
{
	static const uint8_t bad[] = {7, 40, 4, 0}; /* runs past the header */
	size_t n;

	build_v4(bad, sizeof(bad), 0);
	for (int tc = 0; tc <= 1; tc++) {
		CU_ASSERT_EQUAL(run(tc, AH_ICV_PREPARE, &n), -1);
		CU_ASSERT_EQUAL(memcmp(out, in.data, in.len), 0);
	}
}

TEST_SUITE(ah_icv_suite) = {
	.name = "bpf_ah_icv",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"ipv4", test_ipv4},
			{"ipv6", test_ipv6},
			{"unpreparable_left_alone",
			 test_unpreparable_left_alone},
			{NULL, NULL},
		},
};
