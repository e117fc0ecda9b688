// SPDX-License-Identifier: GPL-2.0
/*
 * Requests that must never be answered (docs/protocols.md §1.5 R2): replies,
 * bad sources, multicast and broadcast destinations, destinations that are
 * not ours (the local list, or the FIB with forwarding on), requesters
 * outside the allowlist. Each leaves the packet as it came, with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <CUnit/CUnit.h>

#include "esprit_maps.h"
#include "echo_check.h"
#include "esprit_types.h"
#include "testlib.h"

static struct xdp_fixture fx;
static uint8_t data[64];
static struct pkt in, want;

static int suite_init(void)
{
	struct esprit_config cfg;

	pkt_pattern(data, sizeof(data), 11);
	if (fixture_private_netns() || xdp_fixture_open(&fx))
		return -1;
	echo_config_unlimited(&cfg);
	return xdp_fixture_set_config(&fx, &cfg);
}

static int suite_cleanup(void)
{
	fprintf(stderr, "\n  [bpf_echo_refuse: %lu packets checked so far]\n",
		echo_cases_checked());
	xdp_fixture_close(&fx);
	return 0;
}

static void set_config(const struct esprit_config *cfg)
{
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_set_config(&fx, cfg), 0);
}

static void config_flags(uint32_t flags)
{
	struct esprit_config cfg;

	echo_config_unlimited(&cfg);
	cfg.echo_flags = flags;
	set_config(&cfg);
}

static struct echo_body body(enum echo_form form)
{
	struct echo_body b = {
		.form = form,
		.esp_seq = 21,
		.ident = 0x7777,
		.echo_seq = 3,
		.data = data,
		.n = 24,
		.pad = ECHO_MIN_PAD,
		.return_spi = 0x1234,
	};

	return b;
}

/* Every form from src to dst (and the given MACs) gets action + reason. */
static void expect_refused(int family, const char *src, const char *dst,
			   const uint8_t *dmac, uint32_t action, int reason,
			   const char *what)
{
	struct echo_flow f = family == 4 ? echo_flow_v4 : echo_flow_v6;

	f.peer = src;
	f.local = dst;
	for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
		struct echo_body b = body(form);

		for (f.vlans = 0; f.vlans <= 1; f.vlans++) {
			echo_head_macs(&in, &f, dmac ? dmac : pkt_mac_b,
				       pkt_mac_a, 0);
			echo_put_request(&in, &b, 7);
			pkt_finish(&in);
			echo_expect_untouched(&fx, &in, action, reason,
					      "%s: %s -> %s %s vlans %d", what,
					      src, dst, echo_form_names[form],
					      f.vlans);
		}
	}
}

/* Every form from src to dst is answered. */
static void expect_answered(int family, const char *src, const char *dst,
			    const char *what)
{
	struct echo_flow f = family == 4 ? echo_flow_v4 : echo_flow_v6;

	f.peer = src;
	f.local = dst;
	for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
		struct echo_body b = body(form);

		echo_build(&in, &want, &f, &b);
		echo_expect_tx(&fx, &in, &want, ESPRIT_R_ECHO_REFLECTED,
			       "%s: %s -> %s %s", what, src, dst,
			       echo_form_names[form]);
	}
}

/* Replies are never answered: they pass (to a waiting ping) and count. */
static void test_reply_spi(void)
{
	for (int family = 4; family <= 6; family += 2) {
		const struct echo_flow *f = family == 4 ? &echo_flow_v4
							: &echo_flow_v6;

		for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
			struct echo_body b = body(form);

			echo_request_head(&in, f);
			echo_put_reply(&in, &b, 8, 21);
			pkt_finish(&in);
			echo_expect_untouched(&fx, &in, XDP_PASS,
					      ESPRIT_R_ECHO_REPLY_PASSED,
					      "reply IPv%d %s", family,
					      echo_form_names[form]);
			/* a request body with SPI 8 is no request either */
			echo_request_head(&in, f);
			echo_put_request(&in, &b, 8);
			pkt_finish(&in);
			echo_expect_untouched(&fx, &in, XDP_PASS,
					      ESPRIT_R_ECHO_REPLY_PASSED,
					      "request body, SPI 8, IPv%d %s",
					      family, echo_form_names[form]);
		}
	}
}

static void test_bad_sources_v4(void)
{
	static const struct {
		const char *src;
		enum esprit_reason reason;
	} cases[] = {
		{"0.0.0.0", ESPRIT_R_ECHO_SRC_UNSPECIFIED},
		{"0.1.2.3", ESPRIT_R_ECHO_SRC_UNSPECIFIED},
		{"127.0.0.1", ESPRIT_R_ECHO_SRC_LOOPBACK},
		{"127.255.0.9", ESPRIT_R_ECHO_SRC_LOOPBACK},
		{"224.0.0.1", ESPRIT_R_ECHO_SRC_MULTICAST},
		{"239.255.255.255", ESPRIT_R_ECHO_SRC_MULTICAST},
		{"240.0.0.1", ESPRIT_R_ECHO_SRC_BROADCAST},
		{"255.255.255.255", ESPRIT_R_ECHO_SRC_BROADCAST},
		{"169.254.1.1", ESPRIT_R_ECHO_SRC_LINK_LOCAL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(4, cases[i].src, "192.0.2.1", NULL, XDP_DROP,
			       cases[i].reason, "bad source");
	/* link-local to link-local is on-link: answered */
	expect_answered(4, "169.254.1.1", "169.254.7.7", "link-local pair");
	/* just outside the refused ranges */
	expect_answered(4, "1.0.0.0", "192.0.2.1", "edge");
	expect_answered(4, "126.255.255.255", "192.0.2.1", "edge");
	expect_answered(4, "223.255.255.255", "192.0.2.1", "edge");
	expect_answered(4, "169.253.255.255", "192.0.2.1", "edge");
	expect_answered(4, "169.255.0.0", "192.0.2.1", "edge");
}

static void test_bad_sources_v6(void)
{
	static const struct {
		const char *src;
		enum esprit_reason reason;
	} cases[] = {
		{"::", ESPRIT_R_ECHO_SRC_UNSPECIFIED},
		{"::1", ESPRIT_R_ECHO_SRC_LOOPBACK},
		{"ff02::1", ESPRIT_R_ECHO_SRC_MULTICAST},
		{"ff0e::1234", ESPRIT_R_ECHO_SRC_MULTICAST},
		{"::ffff:192.0.2.2", ESPRIT_R_ECHO_SRC_BROADCAST},
		{"fe80::1", ESPRIT_R_ECHO_SRC_LINK_LOCAL},
		{"febf::1", ESPRIT_R_ECHO_SRC_LINK_LOCAL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(6, cases[i].src, "2001:db8::1", NULL, XDP_DROP,
			       cases[i].reason, "bad source");
	expect_answered(6, "fe80::1", "fe80::2", "link-local pair");
	expect_answered(6, "::2", "2001:db8::1", "edge");
	expect_answered(6, "fec0::1", "2001:db8::1", "edge");
	expect_answered(6, "fe7f::1", "2001:db8::1", "edge");
	expect_answered(6, "::fffe:192.0.2.2", "2001:db8::1", "edge");
}

/* Frames to a group or broadcast MAC are never answered, whatever the IP. */
static void test_l2_group_destination(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t mcast4[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	static const uint8_t mcast6[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};

	expect_refused(4, "192.0.2.2", "192.0.2.1", bcast, XDP_DROP,
		       ESPRIT_R_ECHO_DST_NOT_UNICAST, "L2 broadcast");
	expect_refused(4, "192.0.2.2", "192.0.2.1", mcast4, XDP_DROP,
		       ESPRIT_R_ECHO_DST_NOT_UNICAST, "L2 multicast");
	expect_refused(4, "192.0.2.2", "192.0.2.255", bcast, XDP_DROP,
		       ESPRIT_R_ECHO_DST_NOT_UNICAST, "directed broadcast");
	expect_refused(6, "2001:db8::2", "2001:db8::1", mcast6, XDP_DROP,
		       ESPRIT_R_ECHO_DST_NOT_UNICAST, "L2 multicast");
	expect_refused(6, "2001:db8::2", "2001:db8::1", bcast, XDP_DROP,
		       ESPRIT_R_ECHO_DST_NOT_UNICAST, "L2 broadcast");
}

static void test_ip_group_destination(void)
{
	static const char *v4[] = {"224.0.0.1", "239.1.2.3", "240.0.0.1",
				   "255.255.255.255"};
	static const char *v6[] = {"ff02::1", "ff05::2", "ff0e::101"};

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		expect_refused(4, "192.0.2.2", v4[i], NULL, XDP_DROP,
			       ESPRIT_R_ECHO_DST_NOT_UNICAST, "IP group dst");
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		expect_refused(6, "2001:db8::2", v6[i], NULL, XDP_DROP,
			       ESPRIT_R_ECHO_DST_NOT_UNICAST, "IP group dst");
	/* a link-local source towards a group: the destination is the reason */
	expect_refused(6, "fe80::2", "ff02::1", NULL, XDP_DROP,
		       ESPRIT_R_ECHO_DST_NOT_UNICAST, "link-local to group");
}

/* Destinations that are never a host's own unicast address: the stack's. */
static void test_non_local_destination(void)
{
	static const char *v4[] = {"0.0.0.0", "0.1.2.3", "127.0.0.1"};
	static const char *v6[] = {"::", "::1", "::ffff:192.0.2.1"};

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		expect_refused(4, "192.0.2.2", v4[i], NULL, XDP_PASS,
			       ESPRIT_R_ECHO_DST_NOT_LOCAL, "dst");
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		expect_refused(6, "2001:db8::2", v6[i], NULL, XDP_PASS,
			       ESPRIT_R_ECHO_DST_NOT_LOCAL, "dst");
}

static int local_add(const char *text)
{
	struct esprit_addr a = {0};
	uint32_t ifindex = 1;

	if (strchr(text, ':')) {
		a.family = ESPRIT_AF_INET6;
		inet_pton(AF_INET6, text, a.addr);
	} else {
		a.family = ESPRIT_AF_INET;
		a.addr[10] = a.addr[11] = 0xff;
		inet_pton(AF_INET, text, a.addr + 12);
	}
	return bpf_map_update_elem(xdp_fixture_map_fd(&fx, ESPRIT_MAP_LOCAL),
				   &a, &ifindex, BPF_ANY);
}

/* local-only: the list decides what is ours, and which sources are ours. */
static void test_local_list(void)
{
	CU_ASSERT_EQUAL_FATAL(local_add("192.0.2.1"), 0);
	CU_ASSERT_EQUAL_FATAL(local_add("192.0.2.9"), 0);
	CU_ASSERT_EQUAL_FATAL(local_add("2001:db8::1"), 0);
	CU_ASSERT_EQUAL_FATAL(local_add("2001:db8::9"), 0);

	/* without the flag the list is not consulted */
	expect_answered(4, "192.0.2.9", "192.0.2.1", "list, flag off");
	expect_answered(4, "192.0.2.2", "192.0.2.5", "list, flag off");

	config_flags(ESPRIT_ECHO_LOCAL_LIST);
	expect_answered(4, "192.0.2.2", "192.0.2.1", "listed dst");
	expect_answered(4, "198.51.100.7", "192.0.2.9", "listed dst");
	expect_answered(6, "2001:db8::2", "2001:db8::1", "listed dst");
	expect_refused(4, "192.0.2.2", "192.0.2.5", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "unlisted dst");
	expect_refused(6, "2001:db8::2", "2001:db8::5", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "unlisted dst");
	/* an IPv4 address is not its v4-mapped IPv6 twin */
	expect_refused(6, "2001:db8::2", "::ffff:192.0.2.1", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "v4-mapped twin");
	expect_refused(4, "192.0.2.9", "192.0.2.1", NULL, XDP_DROP,
		       ESPRIT_R_ECHO_SRC_LOCAL, "our own source");
	expect_refused(6, "2001:db8::9", "2001:db8::1", NULL, XDP_DROP,
		       ESPRIT_R_ECHO_SRC_LOCAL, "our own source");
	/* a local source to a foreign destination is transit: passed */
	expect_refused(4, "192.0.2.9", "192.0.2.5", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "local src, foreign dst");
	config_flags(0);
}

/* allowlist: only requesters inside an allowed prefix are answered. */
static void test_allowlist(void)
{
	int fd = xdp_fixture_map_fd(&fx, ESPRIT_MAP_ALLOW);
	struct esprit_prefix_key k4 = {.prefixlen = 96 + 24};
	struct esprit_prefix_key k6 = {.prefixlen = 48};
	uint32_t one = 1;

	k4.addr[10] = k4.addr[11] = 0xff;
	inet_pton(AF_INET, "198.51.100.0", k4.addr + 12);
	inet_pton(AF_INET6, "2001:db8:aa::", k6.addr);
	CU_ASSERT_EQUAL_FATAL(bpf_map_update_elem(fd, &k4, &one, BPF_ANY), 0);
	CU_ASSERT_EQUAL_FATAL(bpf_map_update_elem(fd, &k6, &one, BPF_ANY), 0);

	/* off: the list is ignored */
	expect_answered(4, "192.0.2.2", "192.0.2.1", "allowlist off");
	expect_answered(6, "2001:db8::2", "2001:db8::1", "allowlist off");

	config_flags(ESPRIT_ECHO_ALLOWLIST);
	expect_answered(4, "198.51.100.7", "192.0.2.1", "allowed");
	expect_answered(4, "198.51.100.255", "192.0.2.1", "allowed");
	expect_answered(6, "2001:db8:aa:1::2", "2001:db8::1", "allowed");
	expect_refused(4, "192.0.2.2", "192.0.2.1", NULL, XDP_DROP,
		       ESPRIT_R_ECHO_NOT_ALLOWED, "not allowed");
	expect_refused(4, "198.51.101.1", "192.0.2.1", NULL, XDP_DROP,
		       ESPRIT_R_ECHO_NOT_ALLOWED, "not allowed");
	expect_refused(6, "2001:db8:ab::2", "2001:db8::1", NULL, XDP_DROP,
		       ESPRIT_R_ECHO_NOT_ALLOWED, "not allowed");
	/* an IPv6 prefix covering ::ffff:0:0/96 would be needed for v4 */
	expect_refused(6, "::fffe:198.51.100.7", "2001:db8::1", NULL, XDP_DROP,
		       ESPRIT_R_ECHO_NOT_ALLOWED, "not allowed");
	config_flags(0);
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

/* A veth that forwards both families, with one address of each; 0 on error. */
static unsigned int forwarding_veth(const char *dev, const char *addr4,
				    const char *addr6)
{
	unsigned int ifindex = fixture_veth(dev, 1500);
	char cmd[512];

	if (!ifindex)
		return 0;
	snprintf(cmd, sizeof(cmd),
		 "ip addr add %s dev %s && ip addr add %s dev %s nodad && "
		 "sysctl -qw net.ipv4.conf.%s.forwarding=1 "
		 "net.ipv6.conf.%s.forwarding=1",
		 addr4, dev, addr6, dev, dev, dev);
	return sh(cmd) ? 0 : ifindex;
}

/*
 * With no address list the FIB decides. On an ingress device with
 * forwarding on, a destination the FIB would forward is someone else's:
 * the request passes on untouched, whatever its form; a local one is
 * answered.
 */
static void test_fib_transit(void)
{
	unsigned int ifindex = forwarding_veth("fwd0", "198.51.100.1/24",
					       "2001:db8:100::1/64");

	CU_ASSERT_FATAL(ifindex != 0);
	CU_ASSERT_EQUAL_FATAL(sh("ip route add 203.0.113.0/24 via 198.51.100.2 "
				 "&& ip -6 route add 2001:db8:200::/64 via "
				 "2001:db8:100::2 && "
				 "ip neigh replace 198.51.100.2 lladdr "
				 "02:00:00:00:00:0a dev fwd0 && "
				 "ip -6 neigh replace 2001:db8:100::2 "
				 "lladdr 02:00:00:00:00:0a dev fwd0"),
			      0);
	fx.ifindex = ifindex;

	expect_answered(4, "198.51.100.2", "198.51.100.1", "fib local");
	expect_answered(6, "2001:db8:100::2", "2001:db8:100::1", "fib local");
	expect_refused(4, "198.51.100.2", "203.0.113.5", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "fib transit");
	expect_refused(6, "2001:db8:100::2", "2001:db8:200::5", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "fib transit");
	/* a neighbour on the connected subnet is forwarded to, too */
	expect_refused(4, "203.0.113.9", "198.51.100.77", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "fib transit on-link");

	/* transit requests are not ours to judge: malformed ones pass too */
	echo_request_head(&in, &(struct echo_flow){.family = 4,
						   .peer = "198.51.100.2",
						   .local = "203.0.113.5"});
	pkt_esp_hdr(&in, 7, 1);
	pkt_put_u8(&in, 0xee);
	pkt_put_u8(&in, 4);
	pkt_finish(&in);
	echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_ECHO_DST_NOT_LOCAL,
			      "malformed transit request");

	/*
	 * What the FIB cannot tell apart from a local address (it reports
	 * all as "not forwarded"): an unroutable destination, and a subnet
	 * broadcast address sent to our MAC. Both are answered; the address
	 * list (local-only) is the exact mode.
	 */
	expect_answered(4, "198.51.100.2", "100.64.0.1", "fib: no route");
	expect_answered(6, "2001:db8:100::2", "3fff::1", "fib: no route");
	expect_answered(4, "198.51.100.2", "198.51.100.255",
			"fib: subnet broadcast, unicast MAC");

	/* forwarding off: the kernel cannot tell; unicast counts as ours */
	CU_ASSERT_EQUAL_FATAL(sh("sysctl -qw net.ipv4.conf.fwd0.forwarding=0 "
				 "net.ipv6.conf.fwd0.forwarding=0"),
			      0);
	expect_answered(4, "198.51.100.2", "203.0.113.5", "forwarding off");
	expect_answered(6, "2001:db8:100::2", "2001:db8:200::5",
			"forwarding off");
	fx.ifindex = 0;
}

/* Both families, one requester and destination each, answered or passed. */
static void expect_fib(const char *dst4, const char *dst6, int transit,
		       const char *what)
{
	if (transit) {
		expect_refused(4, "198.18.0.2", dst4, NULL, XDP_PASS,
			       ESPRIT_R_ECHO_DST_NOT_LOCAL, what);
		expect_refused(6, "2001:db8:300::2", dst6, NULL, XDP_PASS,
			       ESPRIT_R_ECHO_DST_NOT_LOCAL, what);
	} else {
		expect_answered(4, "198.18.0.2", dst4, what);
		expect_answered(6, "2001:db8:300::2", dst6, what);
	}
}

/*
 * The FIB's answers are remembered per CPU while the kernel's route
 * generation holds (bpf/lib/fib.h): every route, rule or address
 * added or removed between two requests must show in the next answer.
 * Each expect_* sends several requests, so all but the first of them take
 * the remembered answer.
 */
static void test_fib_follows_changes(void)
{
	static const struct {
		const char *change; /* shell commands on both families */
		int transit;
		const char *what;
	} steps[] = {
		{NULL, 0, "no route"},
		{"ip route add 100.65.0.0/24 via 198.18.0.2 && "
		 "ip -6 route add 2001:db8:301::/64 via 2001:db8:300::2",
		 1, "route added"},
		{"ip addr add 100.65.0.5/32 dev fwd1 && "
		 "ip addr add 2001:db8:301::5/128 dev fwd1 nodad",
		 0, "address added"},
		{"ip addr del 100.65.0.5/32 dev fwd1 && "
		 "ip addr del 2001:db8:301::5/128 dev fwd1",
		 1, "address removed"},
		{"ip route del 100.65.0.0/24 && "
		 "ip -6 route del 2001:db8:301::/64",
		 0, "route removed"},
		{"ip route add 100.65.0.0/24 via 198.18.0.2 table 100 && "
		 "ip -6 route add 2001:db8:301::/64 via 2001:db8:300::2 "
		 "table 100",
		 0, "route in a table no rule points to"},
		{"ip rule add to 100.65.0.0/24 table 100 && "
		 "ip -6 rule add to 2001:db8:301::/64 table 100",
		 1, "rule added"},
		{"ip rule del to 100.65.0.0/24 table 100 && "
		 "ip -6 rule del to 2001:db8:301::/64 table 100",
		 0, "rule removed"},
		{"ip route add 100.65.0.0/24 via 198.18.0.2 && "
		 "ip -6 route add 2001:db8:301::/64 via 2001:db8:300::2",
		 1, "route added again"},
		/* forwarding is read from the device for every request */
		{"sysctl -qw net.ipv4.conf.fwd1.forwarding=0 "
		 "net.ipv6.conf.fwd1.forwarding=0",
		 0, "forwarding off"},
		{"sysctl -qw net.ipv4.conf.fwd1.forwarding=1 "
		 "net.ipv6.conf.fwd1.forwarding=1",
		 1, "forwarding on again"},
	};
	unsigned int ifindex =
		forwarding_veth("fwd1", "198.18.0.1/24", "2001:db8:300::1/64");

	CU_ASSERT_FATAL(ifindex != 0);
	fx.ifindex = ifindex;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].change)
			CU_ASSERT_EQUAL_FATAL(sh(steps[i].change), 0);
		expect_fib("100.65.0.5", "2001:db8:301::5", steps[i].transit,
			   steps[i].what);
	}
	fx.ifindex = 0;
	CU_ASSERT_EQUAL(sh("ip link del fwd1"), 0);
}

TEST_SUITE(echo_refuse) = {
	.name = "bpf_echo_refuse",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"reply_spi", test_reply_spi},
			{"bad_sources_v4", test_bad_sources_v4},
			{"bad_sources_v6", test_bad_sources_v6},
			{"l2_group_destination", test_l2_group_destination},
			{"ip_group_destination", test_ip_group_destination},
			{"non_local_destination", test_non_local_destination},
			{"local_list", test_local_list},
			{"allowlist", test_allowlist},
			{"fib_transit", test_fib_transit},
			{"fib_follows_changes", test_fib_follows_changes},
			{NULL, NULL},
		},
};
