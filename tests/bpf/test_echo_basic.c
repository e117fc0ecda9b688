// SPDX-License-Identifier: GPL-2.0
/* A first pass over the responder: one request per form, in and out. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "pkt.h"
#include "testlib.h"
#include "xdp_fixture.h"

static struct xdp_fixture fx;

static int suite_init(void)
{
	if (fixture_private_netns())
		return -1;
	return xdp_fixture_open(&fx);
}

static int suite_cleanup(void)
{
	xdp_fixture_close(&fx);
	return 0;
}

static void build_v4(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, pkt_mac_a, pkt_mac_b);
	pkt_ipv4(p, "192.0.2.2", "192.0.2.1");
}

static void test_seed_v4_reflected(void)
{
	static struct xdp_result res;
	static struct pkt in, want;
	uint8_t data[64];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = i;
	build_v4(&in);
	pkt_esp_seed(&in, 7, 42, 0x1234, 1, data, sizeof(data));
	pkt_finish(&in);

	pkt_init(&want);
	pkt_eth(&want, pkt_mac_b, pkt_mac_a);
	pkt_ipv4(&want, "192.0.2.1", "192.0.2.2");
	pkt_esp_seed(&want, 8, 42, 0x1234, 1, data, sizeof(data));
	pkt_finish(&want);

	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_TX");
	CU_ASSERT_EQUAL_FATAL(res.out_len, want.len);
	CU_ASSERT_EQUAL(memcmp(res.out, want.data, want.len), 0);
	CU_ASSERT_EQUAL(xdp_fixture_count(&fx, ESPRIT_R_ECHO_REFLECTED), 1);
}

static void test_reply_spi_not_answered(void)
{
	static struct xdp_result res;
	static struct pkt in;

	build_v4(&in);
	pkt_esp_seed(&in, 8, 1, 0x1, 1, NULL, 0);
	pkt_finish(&in);
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_PASS");
	CU_ASSERT_EQUAL(memcmp(res.out, in.data, in.len), 0);
}

TEST_SUITE(echo_basic) = {
	.name = "bpf_echo_basic",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"seed_v4_reflected", test_seed_v4_reflected},
			{"reply_spi_not_answered", test_reply_spi_not_answered},
			{NULL, NULL},
		},
};
