// SPDX-License-Identifier: GPL-2.0
/*
 * Requests that must never be answered (docs/protocols.md §1.5 R2): replies,
 * bad sources, multicast and broadcast destinations, frames for another
 * MAC, destinations that are not ours (the local list, or the addresses
 * the kernel gives the ingress device and lo), requesters outside the
 * allowlist. Each leaves the packet as it came, with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
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

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
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
			/*
			 * A request body with SPI 8 is no request either: in
			 * a trailer form it reads as a reply; sub-type 2 is
			 * no reply's, so that one is malformed.
			 */
			echo_request_head(&in, f);
			echo_put_request(&in, &b, 8);
			pkt_finish(&in);
			echo_expect_untouched(
				&fx, &in, XDP_PASS,
				form >= ECHO_SUBTYPED
					? ESPRIT_R_ECHO_REPLY_MALFORMED
					: ESPRIT_R_ECHO_REPLY_PASSED,
				"request body, SPI 8, IPv%d %s", family,
				echo_form_names[form]);
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
	CU_ASSERT_EQUAL_FATAL(sh("ip addr add 169.254.7.7/16 dev " FIXTURE_DEV),
			      0);
	expect_answered(4, "169.254.1.1", "169.254.7.7", "link-local pair");
	CU_ASSERT_EQUAL(sh("ip addr del 169.254.7.7/16 dev " FIXTURE_DEV), 0);
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
	CU_ASSERT_EQUAL_FATAL(sh("ip addr add fe80::2/64 dev " FIXTURE_DEV " no"
				 "da"
				 "d"),
			      0);
	expect_answered(6, "fe80::1", "fe80::2", "link-local pair");
	CU_ASSERT_EQUAL(sh("ip addr del fe80::2/64 dev " FIXTURE_DEV), 0);
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

	/* without the flag the list is not consulted: the device's are */
	expect_answered(4, "192.0.2.9", "192.0.2.1", "list, flag off");
	expect_refused(4, "192.0.2.2", "192.0.2.5", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "list, flag off");

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

/*
 * Without the address list, the kernel's lists decide: a destination is
 * ours if the ingress device or lo has it, and a source the device has is
 * our own. The unassigned address of an on-link prefix, a routed
 * destination and the subnet broadcast sent to our MAC are someone
 * else's: passed, never answered.
 */
static void test_host_addresses(void)
{
	CU_ASSERT_EQUAL_FATAL(
		sh("ip route add 203.0.113.0/24 via 192.0.2.2 && "
		   "ip -6 route add 2001:db8:200::/64 via 2001:db8::2 && "
		   "ip addr add 192.0.2.9/24 dev " FIXTURE_DEV " && "
		   "ip addr add 2001:db8::9/64 dev " FIXTURE_DEV " nodad && "
		   "ip addr add 10.255.0.1/32 dev lo && "
		   "ip addr add 2001:db8:ff::1/128 dev lo && "
		   "ip link add other0 type veth peer other0p && "
		   "ip addr add 198.18.0.1/24 dev other0 && "
		   "ip addr add 2001:db8:300::1/64 dev other0 nodad"),
		0);

	expect_answered(4, "192.0.2.2", "192.0.2.1", "the device's");
	expect_answered(4, "198.51.100.7", "192.0.2.9", "the device's second");
	expect_answered(6, "2001:db8::2", "2001:db8::1", "the device's");
	expect_answered(6, "2001:db8:aa::2", "2001:db8::9",
			"the device's second");
	expect_answered(4, "192.0.2.2", "10.255.0.1", "lo's");
	expect_answered(6, "2001:db8::2", "2001:db8:ff::1", "lo's");

	expect_refused(4, "192.0.2.2", "192.0.2.77", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "unassigned, on-link");
	expect_refused(6, "2001:db8::2", "2001:db8::77", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "unassigned, on-link");
	expect_refused(4, "192.0.2.2", "203.0.113.5", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "routed elsewhere");
	expect_refused(6, "2001:db8::2", "2001:db8:200::5", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "routed elsewhere");
	expect_refused(4, "192.0.2.2", "192.0.2.255", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL,
		       "subnet broadcast, unicast MAC");
	/* another device's address: the host's, but not this device's */
	expect_refused(4, "192.0.2.2", "198.18.0.1", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "another device's");
	expect_refused(6, "2001:db8::2", "2001:db8:300::1", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "another device's");

	expect_refused(4, "192.0.2.9", "192.0.2.1", NULL, XDP_DROP,
		       ESPRIT_R_ECHO_SRC_LOCAL, "our own source");
	expect_refused(6, "2001:db8::9", "2001:db8::1", NULL, XDP_DROP,
		       ESPRIT_R_ECHO_SRC_LOCAL, "our own source");
	/* a local source to a foreign destination: not ours, passed */
	expect_refused(4, "192.0.2.9", "192.0.2.77", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "local src, foreign dst");

	/* requests not for us are not ours to judge: malformed ones pass */
	echo_request_head(&in, &(struct echo_flow){.family = 4,
						   .peer = "192.0.2.2",
						   .local = "203.0.113.5"});
	pkt_esp_hdr(&in, 7, 1);
	pkt_put_u8(&in, 0xee);
	pkt_put_u8(&in, 4);
	pkt_finish(&in);
	echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_ECHO_DST_NOT_LOCAL,
			      "malformed request for another host");

	CU_ASSERT_EQUAL(sh("ip route del 203.0.113.0/24 && "
			   "ip -6 route del 2001:db8:200::/64 && "
			   "ip addr del 192.0.2.9/24 dev " FIXTURE_DEV " && "
			   "ip addr del 2001:db8::9/64 dev " FIXTURE_DEV " && "
			   "ip addr del 10.255.0.1/32 dev lo && "
			   "ip addr del 2001:db8:ff::1/128 dev lo && "
			   "ip link del other0"),
			0);
}

/*
 * A frame for another host's MAC (promiscuous capture, a bridge or mirror
 * port) is passed untouched and counted, even to our own address; so is
 * one for our old MAC once the device has a new one.
 */
static void test_frame_for_another_mac(void)
{
	static const uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x0c};
	static const uint8_t ours_later[6] = {0x02, 0, 0, 0, 0, 0x0d};

	expect_refused(4, "192.0.2.2", "192.0.2.1", other, XDP_PASS,
		       ESPRIT_R_ECHO_DST_MAC_NOT_OURS, "another MAC");
	expect_refused(6, "2001:db8::2", "2001:db8::1", other, XDP_PASS,
		       ESPRIT_R_ECHO_DST_MAC_NOT_OURS, "another MAC");
	config_flags(ESPRIT_ECHO_LOCAL_LIST);
	CU_ASSERT_EQUAL_FATAL(local_add("192.0.2.1"), 0);
	expect_refused(4, "192.0.2.2", "192.0.2.1", other, XDP_PASS,
		       ESPRIT_R_ECHO_DST_MAC_NOT_OURS, "another MAC, list");
	config_flags(0);

	CU_ASSERT_EQUAL_FATAL(sh("ip link set " FIXTURE_DEV " address "
				 "02:00:00:00:00:"
				 "0d"),
			      0);
	expect_refused(4, "192.0.2.2", "192.0.2.1", pkt_mac_b, XDP_PASS,
		       ESPRIT_R_ECHO_DST_MAC_NOT_OURS, "old MAC");
	{
		struct echo_flow f = echo_flow_v4;
		struct echo_body b = body(ECHO_SUBTYPED);

		echo_head_macs(&in, &f, ours_later, pkt_mac_a, 0);
		echo_put_request(&in, &b, 7);
		pkt_finish(&in);
		echo_head_macs(&want, &f, pkt_mac_a, ours_later, 1);
		echo_put_reply(&want, &b, 8, 0);
		pkt_finish(&want);
		echo_expect_tx(&fx, &in, &want, ESPRIT_R_ECHO_REFLECTED,
			       "new MAC");
	}
	CU_ASSERT_EQUAL(sh("ip link set " FIXTURE_DEV " address "
			   "02:00:00:00:00:0b"),
			0);
}

/* Polls until `ip -6 addr show dev DEV tentative` lists nothing (10 s). */
static int dad_done(const char *dev)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd),
		 "for i in $(seq 200); do "
		 "[ -z \"$(ip -6 addr show dev %s tentative)\" ] && exit 0; "
		 "sleep 0.05; done; exit 1",
		 dev);
	return sh(cmd);
}

/*
 * The lists are read for every request: an address added or removed
 * shows in the next answer, and an IPv6 address is ours only once
 * duplicate address detection has passed, as for the kernel.
 */
static void test_host_follows_changes(void)
{
	CU_ASSERT_EQUAL_FATAL(sh("sysctl -qw net.ipv6.conf." FIXTURE_DEV
				 ".accept_dad=1 net.ipv6.conf." FIXTURE_DEV
				 ".dad_transmits=1"),
			      0);
	expect_refused(4, "192.0.2.2", "192.0.2.33", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "before");
	CU_ASSERT_EQUAL_FATAL(sh("ip addr add 192.0.2.33/24 dev " FIXTURE_DEV
				 " && "
				 "ip addr add 2001:db8::33/64 "
				 "dev " FIXTURE_DEV),
			      0);
	expect_answered(4, "192.0.2.2", "192.0.2.33", "added");
	expect_refused(6, "2001:db8::2", "2001:db8::33", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "tentative");
	CU_ASSERT_EQUAL_FATAL(dad_done(FIXTURE_DEV), 0);
	expect_answered(6, "2001:db8::2", "2001:db8::33", "after DAD");
	CU_ASSERT_EQUAL_FATAL(sh("ip addr del 192.0.2.33/24 dev " FIXTURE_DEV
				 " && "
				 "ip addr del 2001:db8::33/64 "
				 "dev " FIXTURE_DEV),
			      0);
	expect_refused(4, "192.0.2.2", "192.0.2.33", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "removed");
	expect_refused(6, "2001:db8::2", "2001:db8::33", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "removed");
}

/*
 * Each list is read up to its 16th entry: an address further down is not
 * recognised, and the request passes rather than being answered.
 */
static void test_long_address_list(void)
{
	CU_ASSERT_EQUAL_FATAL(sh("ip link add many0 address 02:00:00:00:00:0b "
				 "type veth "
				 "peer many0p && for i in $(seq 1 20); do "
				 "ip addr add 10.9.0.$i/32 dev many0 || exit "
				 "1; done"),
			      0);
	fx.ifindex = if_nametoindex("many0");
	CU_ASSERT_FATAL(fx.ifindex != 0);
	expect_answered(4, "192.0.2.2", "10.9.0.1", "first");
	expect_answered(4, "192.0.2.2", "10.9.0.16", "16th");
	expect_refused(4, "192.0.2.2", "10.9.0.17", NULL, XDP_PASS,
		       ESPRIT_R_ECHO_DST_NOT_LOCAL, "17th");
	fx.ifindex = fixture_device();
	CU_ASSERT_EQUAL(sh("ip link del many0"), 0);
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
			{"host_addresses", test_host_addresses},
			{"frame_for_another_mac", test_frame_for_another_mac},
			{"host_follows_changes", test_host_follows_changes},
			{"long_address_list", test_long_address_list},
			{NULL, NULL},
		},
};
