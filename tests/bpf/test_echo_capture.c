// SPDX-License-Identifier: GPL-2.0
/*
 * Reply capture (bpf/echo/capture.h) with the reader of user/echo/reader.c
 * on the real program's maps: which replies XDP takes, what the event
 * carries, ring-full accounting, slot ownership and the stale sweep.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <CUnit/CUnit.h>

#include "esprit_maps.h"
#include "lib/addr.h"
#include "lib/counters.h"
#include "echo/reader.h"
#include "echo/socket.h"
#include "pkt.h"
#include "testlib.h"
#include "xdp_fixture.h"

#define SMALL_RING 4096 /* ~39 events: easy to fill */
#define MAX_EVENTS 128

static struct xdp_fixture fx;
static struct echo_maps maps;
static struct esprit_echo_reply_event events[MAX_EVENTS];
static int nevents;

static void collect(void *ctx, const struct esprit_echo_reply_event *ev)
{
	(void)ctx;
	if (nevents < MAX_EVENTS)
		events[nevents++] = *ev;
}

static int suite_init(void)
{
	char err[256];

	if (fixture_private_netns() || xdp_fixture_open(&fx))
		return -1;
	if (echo_maps_open_prog_fd(fx.prog_fd, &maps, err, sizeof(err))) {
		fprintf(stderr, "echo maps: %s\n", err);
		return -1;
	}
	return 0;
}

static int suite_cleanup(void)
{
	echo_maps_close(&maps);
	xdp_fixture_close(&fx);
	return 0;
}

static const uint8_t reply_data[40] = {
	1,  2,	3,  4,	5,  6,	7,  8,	9,  10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
	29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
};

static void reply_v4(struct pkt *p, uint16_t ident, uint16_t seq, uint8_t dscp)
{
	pkt_init(p);
	pkt_eth(p, pkt_mac_a, pkt_mac_b);
	pkt_ipv4(p, "192.0.2.1", "192.0.2.2");
	p->data[p->l3_off + 1] = (uint8_t)(dscp << 2);
	p->data[p->l3_off + 8] = 61; /* TTL */
	pkt_esp_seed(p, 8, 0xa1b2c3d4, ident, seq, reply_data,
		     sizeof(reply_data));
	pkt_finish(p);
}

static void reply_v6(struct pkt *p, uint16_t ident, uint16_t seq, uint8_t dscp)
{
	uint8_t tc = (uint8_t)(dscp << 2);

	pkt_init(p);
	pkt_eth(p, pkt_mac_a, pkt_mac_b);
	pkt_ipv6(p, "2001:db8::1", "2001:db8::2");
	p->data[p->l3_off] = (uint8_t)(0x60 | tc >> 4);
	p->data[p->l3_off + 1] = (uint8_t)(tc << 4);
	p->data[p->l3_off + 7] = 50; /* hop limit */
	pkt_esp_seed(p, 8, 7, ident, seq, reply_data, 10);
	pkt_finish(p);
}

static struct echo_reader *reader(size_t ring_bytes)
{
	char err[256];
	struct echo_reader *r = echo_reader_new(&maps, ring_bytes, collect,
						NULL, err, sizeof(err));

	if (!r)
		fprintf(stderr, "\nreader: %s\n", err);
	nevents = 0;
	return r;
}

static void addr_is(const struct esprit_addr *a, const char *want)
{
	char buf[ADDR_STRLEN];

	CU_ASSERT_STRING_EQUAL(addr_format(a, buf, sizeof(buf)), want);
}

static void test_v4_reply_captured(void)
{
	static struct pkt in;
	static struct xdp_result res;
	struct echo_reader *r = reader(SMALL_RING);
	uint64_t before, after, captured, passed;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x1234, NULL), 0);
	CU_ASSERT(echo_reader_slot(r) >= 0);
	captured = xdp_fixture_count(&fx, ESPRIT_R_ECHO_REPLY_CAPTURED);
	passed = xdp_fixture_count(&fx, ESPRIT_R_ECHO_REPLY_PASSED);
	reply_v4(&in, 0x1234, 77, 46);
	before = monotonic_ns();
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	after = monotonic_ns();
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_DROP");
	CU_ASSERT_EQUAL(xdp_fixture_count(&fx, ESPRIT_R_ECHO_REPLY_CAPTURED),
			captured + 1);
	CU_ASSERT_EQUAL(xdp_fixture_count(&fx, ESPRIT_R_ECHO_REPLY_PASSED),
			passed);

	CU_ASSERT_EQUAL(echo_reader_consume(r), 1);
	CU_ASSERT_EQUAL_FATAL(nevents, 1);
	CU_ASSERT_EQUAL(events[0].type, ESPRIT_EV_ECHO_REPLY);
	CU_ASSERT_EQUAL(events[0].format, ESPRIT_ECHO_FMT_SEED);
	CU_ASSERT_EQUAL(events[0].ident, 0x1234);
	CU_ASSERT_EQUAL(events[0].seq, 77);
	CU_ASSERT_EQUAL(events[0].esp_seq, 0xa1b2c3d4);
	CU_ASSERT_EQUAL(events[0].data_len, sizeof(reply_data));
	CU_ASSERT_EQUAL(
		memcmp(events[0].data, reply_data, ESPRIT_ECHO_EVENT_DATA), 0);
	CU_ASSERT_EQUAL(events[0].ttl, 61);
	CU_ASSERT_EQUAL(events[0].dscp, 46);
	CU_ASSERT_EQUAL(events[0].ifindex, fixture_device());
	CU_ASSERT(events[0].rx_ns >= before && events[0].rx_ns <= after);
	addr_is(&events[0].src, "192.0.2.1");
	addr_is(&events[0].dst, "192.0.2.2");
	CU_ASSERT_EQUAL(echo_reader_drops(r), 0);
	echo_reader_free(r);
}

static void test_v6_reply_captured(void)
{
	static struct pkt in;
	static struct xdp_result res;
	struct echo_reader *r = reader(SMALL_RING);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x4242, NULL), 0);
	reply_v6(&in, 0x4242, 65535, 10);
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_DROP");
	CU_ASSERT_EQUAL(echo_reader_consume(r), 1);
	CU_ASSERT_EQUAL_FATAL(nevents, 1);
	CU_ASSERT_EQUAL(events[0].seq, 65535);
	CU_ASSERT_EQUAL(events[0].esp_seq, 7);
	CU_ASSERT_EQUAL(events[0].data_len, 10);
	CU_ASSERT_EQUAL(memcmp(events[0].data, reply_data, 10), 0);
	CU_ASSERT_EQUAL(events[0].ttl, 50);
	CU_ASSERT_EQUAL(events[0].dscp, 10);
	addr_is(&events[0].src, "2001:db8::1");
	addr_is(&events[0].dst, "2001:db8::2");
	echo_reader_free(r);
}

/* The sub-typed reply (the default form): matched by Identifier. */
static void test_subtyped_reply_captured(void)
{
	static struct pkt in;
	static struct xdp_result res;
	struct echo_reader *r = reader(SMALL_RING);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x5151, NULL), 0);
	pkt_init(&in);
	pkt_eth(&in, pkt_mac_a, pkt_mac_b);
	pkt_ipv6(&in, "2001:db8::1", "2001:db8::2");
	pkt_esp_subtyped(&in, 8, 0, 3, 0, 0, 0x5151, 9, reply_data,
			 sizeof(reply_data));
	pkt_finish(&in);
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_DROP");
	CU_ASSERT_EQUAL(echo_reader_consume(r), 1);
	CU_ASSERT_EQUAL_FATAL(nevents, 1);
	CU_ASSERT_EQUAL(events[0].format, ESPRIT_ECHO_FMT_SUBTYPED);
	CU_ASSERT_EQUAL(events[0].ident, 0x5151);
	CU_ASSERT_EQUAL(events[0].seq, 9);
	CU_ASSERT_EQUAL(events[0].esp_seq, 0);
	CU_ASSERT_EQUAL(events[0].data_len, sizeof(reply_data));
	CU_ASSERT_EQUAL(
		memcmp(events[0].data, reply_data, ESPRIT_ECHO_EVENT_DATA), 0);
	echo_reader_free(r);
}

/*
 * Replies in no form are passed and counted as malformed; a -00 reply,
 * with nothing to match it by here, is passed for a raw socket to read.
 */
static void test_malformed_and_empty_replies_pass(void)
{
	static struct pkt in;
	static struct xdp_result res;
	static const struct {
		const char *what;
		int empty_form; /* else: malformed */
		uint8_t bytes[24];
		size_t len;
	} cases[] = {
		{"-00 reply", 1, {0, 0, 0, 8, 0, 0, 0, 5, 1, 2, 2, 59}, 12},
		{"sub-type 3, Data Length 9 of 8, no trailer",
		 0,
		 {0,	0,    0, 8, 0, 0, 0, 0, 3, 0, 0, 9,
		  0x51, 0x51, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8},
		 24},
		{"next header 4", 0, {0, 0, 0, 8, 0, 0, 0, 5, 1, 2, 2, 4}, 12},
		{"pad length past the payload",
		 0,
		 {0, 0, 0, 8, 0, 0, 0, 5, 1, 2, 9, 59},
		 12},
		{"1 byte of payload",
		 0,
		 {0, 0, 0, 8, 0, 0, 0, 5, 9, 1, 1, 59},
		 12},
		{"truncated", 0, {0, 0, 0, 8, 0, 0, 0, 5, 59}, 9},
	};
	struct echo_reader *r = reader(SMALL_RING);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x5151, NULL), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum esprit_reason why =
			cases[i].empty_form ? ESPRIT_R_ECHO_REPLY_PASSED
					    : ESPRIT_R_ECHO_REPLY_MALFORMED;
		uint64_t before = xdp_fixture_count(&fx, why);

		pkt_init(&in);
		pkt_eth(&in, pkt_mac_a, pkt_mac_b);
		pkt_ipv4(&in, "192.0.2.1", "192.0.2.2");
		pkt_proto(&in, 50);
		pkt_put(&in, cases[i].bytes, cases[i].len);
		pkt_finish(&in);
		CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
		if (res.action != XDP_PASS ||
		    xdp_fixture_count(&fx, why) != before + 1)
			fprintf(stderr, "\n%s: %s, counted %s %llu -> %llu\n",
				cases[i].what, xdp_action_name(res.action),
				reason_info[why].name,
				(unsigned long long)before,
				(unsigned long long)xdp_fixture_count(&fx,
								      why));
		CU_ASSERT_EQUAL(res.action, XDP_PASS);
		CU_ASSERT_EQUAL(xdp_fixture_count(&fx, why), before + 1);
	}
	CU_ASSERT_EQUAL(echo_reader_consume(r), 0);
	echo_reader_free(r);
}

/* A reply from anyone but the probed peer is in transit: never taken. */
static void test_only_replies_from_peer(void)
{
	static struct pkt in;
	static struct xdp_result res;
	struct echo_reader *r = reader(SMALL_RING);
	struct esprit_addr peer, other;
	char err[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(addr_parse("192.0.2.1", &peer, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL_FATAL(
		addr_parse("2001:db8::1", &other, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x1717, &peer), 0);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x1718, &other), 0);
	reply_v4(&in, 0x1717, 1, 0); /* from 192.0.2.1: the peer */
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_DROP");
	reply_v4(&in, 0x1718, 2, 0); /* same source, Identifier of another */
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_PASS");
	CU_ASSERT_EQUAL(echo_reader_consume(r), 1);
	CU_ASSERT_EQUAL_FATAL(nevents, 1);
	CU_ASSERT_EQUAL(events[0].ident, 0x1717);
	echo_reader_free(r);
}

static void test_other_ident_passes(void)
{
	static struct pkt in;
	static struct xdp_result res;
	struct echo_reader *r = reader(SMALL_RING);
	uint64_t passed = xdp_fixture_count(&fx, ESPRIT_R_ECHO_REPLY_PASSED);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x1111, NULL), 0);
	reply_v4(&in, 0x1112, 1, 0);
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_PASS");
	CU_ASSERT_EQUAL(memcmp(res.out, in.data, in.len), 0);
	CU_ASSERT_EQUAL(xdp_fixture_count(&fx, ESPRIT_R_ECHO_REPLY_PASSED),
			passed + 1);
	CU_ASSERT_EQUAL(echo_reader_consume(r), 0);
	echo_reader_free(r);
}

static void test_capture_off_passes(void)
{
	static struct pkt in;
	static struct xdp_result res;
	struct esprit_config cfg = {.echo_flags = ESPRIT_ECHO_NO_CAPTURE};
	struct esprit_config none = {0};
	struct echo_reader *r = reader(SMALL_RING);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x2222, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_set_config(&fx, &cfg), 0);
	reply_v4(&in, 0x2222, 1, 0);
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_PASS");
	CU_ASSERT_EQUAL(echo_reader_consume(r), 0);
	CU_ASSERT_EQUAL(xdp_fixture_set_config(&fx, &none), 0);
	echo_reader_free(r);
}

/* With local-only on, only replies to listed addresses are ours. */
static void test_local_only_takes_listed_destinations(void)
{
	static struct pkt in;
	static struct xdp_result res;
	struct esprit_config cfg = {.echo_flags = ESPRIT_ECHO_LOCAL_LIST};
	struct esprit_config none = {0};
	struct echo_reader *r = reader(SMALL_RING);
	int local_fd = xdp_fixture_map_fd(&fx, ESPRIT_MAP_LOCAL);
	struct esprit_addr ours;
	__u32 ifindex = 1;
	char err[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FATAL(local_fd >= 0);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x2323, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_set_config(&fx, &cfg), 0);
	reply_v4(&in, 0x2323, 1, 0); /* to 192.0.2.2: not listed, transit */
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_PASS");
	CU_ASSERT_EQUAL(echo_reader_consume(r), 0);

	CU_ASSERT_EQUAL_FATAL(addr_parse("192.0.2.2", &ours, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL_FATAL(
		bpf_map_update_elem(local_fd, &ours, &ifindex, BPF_ANY), 0);
	reply_v4(&in, 0x2323, 2, 0);
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
	CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_DROP");
	CU_ASSERT_EQUAL(echo_reader_consume(r), 1);
	CU_ASSERT_EQUAL(nevents, 1);
	CU_ASSERT_EQUAL(events[0].seq, 2);

	bpf_map_delete_elem(local_fd, &ours);
	CU_ASSERT_EQUAL(xdp_fixture_set_config(&fx, &none), 0);
	echo_reader_free(r);
}

static void test_ring_full_counted(void)
{
	static struct pkt in;
	static struct xdp_result res;
	struct echo_reader *r = reader(SMALL_RING);
	uint64_t full = xdp_fixture_count(&fx, ESPRIT_R_RING_FULL);
	int sent = 100, got;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x3333, NULL), 0);
	for (int i = 0; i < sent; i++) {
		reply_v4(&in, 0x3333, (uint16_t)i, 0);
		CU_ASSERT_EQUAL_FATAL(xdp_fixture_run(&fx, &in, &res), 0);
		CU_ASSERT_STRING_EQUAL(xdp_action_name(res.action), "XDP_DROP");
	}
	got = echo_reader_consume(r);
	CU_ASSERT(got > 0 && got < sent);
	CU_ASSERT_EQUAL(nevents, got);
	CU_ASSERT_EQUAL(echo_reader_drops(r), (uint64_t)(sent - got));
	CU_ASSERT_EQUAL(xdp_fixture_count(&fx, ESPRIT_R_RING_FULL),
			full + (uint64_t)(sent - got));
	/* the events kept are the first ones, in order */
	for (int i = 0; i < nevents; i++)
		CU_ASSERT_EQUAL(events[i].seq, i);
	echo_reader_free(r);
}

static int ids_count(void)
{
	struct esprit_echo_id key, next;
	int n = 0;

	for (int e = bpf_map_get_next_key(maps.ids_fd, NULL, &next); !e;
	     e = bpf_map_get_next_key(maps.ids_fd, &key, &next)) {
		key = next;
		n++;
	}
	return n;
}

static bool slot_used(__u32 slot)
{
	__u32 id;

	return !bpf_map_lookup_elem(maps.rings_fd, &slot, &id);
}

static void test_free_unregisters(void)
{
	struct echo_reader *r = reader(SMALL_RING);
	struct esprit_echo_id key = {.ident = 0x4444};
	struct esprit_echo_reader val;
	int slot;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(echo_reader_slot(r), -1); /* nothing claimed yet */
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x4444, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x4445, NULL), 0);
	slot = echo_reader_slot(r);
	CU_ASSERT_FATAL(slot >= 0);
	CU_ASSERT_TRUE(slot_used((__u32)slot));
	CU_ASSERT_EQUAL_FATAL(bpf_map_lookup_elem(maps.ids_fd, &key, &val), 0);
	CU_ASSERT_EQUAL(val.ring_slot, (__u32)slot);
	CU_ASSERT_EQUAL(val.owner_pid, (__u32)getpid());
	CU_ASSERT_EQUAL(ids_count(), 2);
	/* the slot stays while an Identifier points at it */
	CU_ASSERT_EQUAL(echo_reader_remove(r, 0x4444), 0);
	CU_ASSERT_EQUAL(echo_reader_remove(r, 0x4444), -ENOENT);
	CU_ASSERT_TRUE(slot_used((__u32)slot));
	CU_ASSERT_EQUAL(echo_reader_remove(r, 0x4445), 0);
	CU_ASSERT_FALSE(slot_used((__u32)slot));
	CU_ASSERT_EQUAL(echo_reader_slot(r), -1);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x4446, NULL), 0);
	echo_reader_free(r);
	CU_ASSERT_EQUAL(ids_count(), 0);
	for (__u32 s = 0; s < maps.ring_slots; s++)
		CU_ASSERT_FALSE(slot_used(s));
}

static void test_ident_taken(void)
{
	struct echo_reader *a = reader(SMALL_RING), *b = reader(SMALL_RING);
	__u16 ident;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(echo_reader_add(a, 0x5555, NULL), 0);
	CU_ASSERT_EQUAL(echo_reader_add(a, 0x5555, NULL), -EEXIST);
	CU_ASSERT_EQUAL(echo_reader_add(b, 0x5555, NULL), -EEXIST);
	CU_ASSERT_EQUAL(echo_reader_slot(b), -1); /* gave its claim back */
	CU_ASSERT_EQUAL(echo_reader_add_random(b, NULL, &ident), 0);
	CU_ASSERT_NOT_EQUAL(ident, 0x5555);
	CU_ASSERT_TRUE(echo_ident_usable(ident));
	CU_ASSERT_NOT_EQUAL(echo_reader_slot(a), echo_reader_slot(b));
	echo_reader_free(a);
	echo_reader_free(b);
	CU_ASSERT_EQUAL(ids_count(), 0);
}

static void test_usable_idents(void)
{
	CU_ASSERT_FALSE(echo_ident_usable(0));
	CU_ASSERT_FALSE(echo_ident_usable(0x0200));
	CU_ASSERT_FALSE(echo_ident_usable(0x02ff));
	CU_ASSERT_FALSE(echo_ident_usable(0x0301));
	CU_ASSERT_TRUE(echo_ident_usable(0x0001));
	CU_ASSERT_TRUE(echo_ident_usable(0x0402));
	CU_ASSERT_TRUE(echo_ident_usable(0xffff));
}

static void test_slots_run_out(void)
{
	struct echo_reader *r[ESPRIT_RING_SLOTS + 1];

	CU_ASSERT_EQUAL_FATAL(maps.ring_slots, ESPRIT_RING_SLOTS);
	for (int i = 0; i <= ESPRIT_RING_SLOTS; i++) {
		r[i] = reader(SMALL_RING);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r[i]);
	}
	for (int i = 0; i < ESPRIT_RING_SLOTS; i++)
		CU_ASSERT_EQUAL(
			echo_reader_add(r[i], (__u16)(0x6000 + i), NULL), 0);
	CU_ASSERT_EQUAL(echo_reader_add(r[ESPRIT_RING_SLOTS], 0x6fff, NULL),
			-ENOSPC);
	CU_ASSERT_EQUAL(ids_count(), ESPRIT_RING_SLOTS);
	echo_reader_free(r[3]);
	CU_ASSERT_EQUAL(echo_reader_add(r[ESPRIT_RING_SLOTS], 0x6fff, NULL), 0);
	CU_ASSERT_EQUAL(echo_reader_slot(r[ESPRIT_RING_SLOTS]), 3);
	for (int i = 0; i <= ESPRIT_RING_SLOTS; i++)
		if (i != 3)
			echo_reader_free(r[i]);
	CU_ASSERT_EQUAL(ids_count(), 0);
}

static __u32 dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return (__u32)pid;
}

static void install_ring(__u32 slot)
{
	int ring = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "test_ring", 0, 0,
				  SMALL_RING, NULL);

	CU_ASSERT_FATAL(ring >= 0);
	CU_ASSERT_EQUAL(
		bpf_map_update_elem(maps.rings_fd, &slot, &ring, BPF_ANY), 0);
	close(ring);
}

static void put_id(__u16 ident, __u32 slot, __u32 pid)
{
	struct esprit_echo_id key = {.ident = ident};
	struct esprit_echo_reader val = {.ring_slot = slot, .owner_pid = pid};

	CU_ASSERT_EQUAL(bpf_map_update_elem(maps.ids_fd, &key, &val, BPF_ANY),
			0);
}

static void test_sweep_stale(void)
{
	struct esprit_echo_id manual = {.ident = 0x7002};
	__u32 gone = dead_pid();

	install_ring(5); /* a reader killed with SIGKILL: entry and ring */
	put_id(0x7001, 5, gone);
	install_ring(6); /* added by hand (pid 0): kept */
	put_id(0x7002, 6, 0);
	install_ring(7); /* a live owner: kept */
	put_id(0x7003, 7, (__u32)getpid());
	install_ring(8); /* a ring nobody points at: stale */
	CU_ASSERT_EQUAL(echo_maps_sweep(&maps), 3);
	CU_ASSERT_EQUAL(ids_count(), 2);
	CU_ASSERT_FALSE(slot_used(5));
	CU_ASSERT_TRUE(slot_used(6));
	CU_ASSERT_TRUE(slot_used(7));
	CU_ASSERT_FALSE(slot_used(8));
	CU_ASSERT_EQUAL(echo_maps_sweep(&maps), 0);

	bpf_map_delete_elem(maps.ids_fd, &manual);
	manual.ident = 0x7003;
	bpf_map_delete_elem(maps.ids_fd, &manual);
	CU_ASSERT_EQUAL(echo_maps_sweep(&maps), 2);
	CU_ASSERT_EQUAL(ids_count(), 0);
}

static void test_takes_over_dead_owners_ident(void)
{
	struct echo_reader *r = reader(SMALL_RING);
	struct esprit_echo_id key = {.ident = 0x7100};
	struct esprit_echo_reader val;
	struct echo_reader *other;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(echo_reader_add(r, 0x7101, NULL), 0);
	put_id(0x7100, 9, dead_pid());
	CU_ASSERT_EQUAL(echo_reader_add(r, 0x7100, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(bpf_map_lookup_elem(maps.ids_fd, &key, &val), 0);
	CU_ASSERT_EQUAL(val.owner_pid, (__u32)getpid());
	CU_ASSERT_EQUAL(val.ring_slot, (__u32)echo_reader_slot(r));
	/* a live owner's Identifier is never taken */
	other = reader(SMALL_RING);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	CU_ASSERT_EQUAL(echo_reader_add(other, 0x7100, NULL), -EEXIST);
	echo_reader_free(other);
	echo_reader_free(r);
	CU_ASSERT_EQUAL(ids_count(), 0);
}

static void test_bad_ring_size(void)
{
	char err[256];

	CU_ASSERT_PTR_NULL(
		echo_reader_new(&maps, 5000, collect, NULL, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "power of two"));
	CU_ASSERT_PTR_NULL(
		echo_reader_new(&maps, 1024, collect, NULL, err, sizeof(err)));
}

static void test_not_esprits_program(void)
{
	struct echo_maps m;
	char err[256];
	int prog = bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, NULL);

	/* a map fd is no program: the error says so, nothing leaks */
	CU_ASSERT_EQUAL(echo_maps_open_prog_fd(prog, &m, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(m.ids_fd, -1);
	close(prog);
	CU_ASSERT_EQUAL(
		echo_maps_open_prog_id(0x7fffffff, &m, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot open XDP program id"));
}

TEST_SUITE(echo_capture) = {
	.name = "bpf_echo_capture",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"v4_reply_captured", test_v4_reply_captured},
			{"v6_reply_captured", test_v6_reply_captured},
			{"subtyped_reply_captured",
			 test_subtyped_reply_captured},
			{"malformed_and_empty_replies_pass",
			 test_malformed_and_empty_replies_pass},
			{"only_replies_from_peer", test_only_replies_from_peer},
			{"other_ident_passes", test_other_ident_passes},
			{"capture_off_passes", test_capture_off_passes},
			{"local_only_takes_listed_destinations",
			 test_local_only_takes_listed_destinations},
			{"ring_full_counted", test_ring_full_counted},
			{"free_unregisters", test_free_unregisters},
			{"ident_taken", test_ident_taken},
			{"usable_idents", test_usable_idents},
			{"slots_run_out", test_slots_run_out},
			{"sweep_stale", test_sweep_stale},
			{"takes_over_dead_owners_ident",
			 test_takes_over_dead_owners_ident},
			{"bad_ring_size", test_bad_ring_size},
			{"not_esprits_program", test_not_esprits_program},
			{NULL, NULL},
		},
};
