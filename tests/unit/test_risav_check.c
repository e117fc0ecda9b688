// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of RISAV state before anything is written: peers, modes,
 * contact addresses and who owns them, settings.
 */
#include <string.h>
#include <CUnit/CUnit.h>

#include "lib/addr.h"
#include "risav/state.h"
#include "testlib.h"

static char err[512];

static struct risav_peer peer(__u32 asn, __u32 mode, const char *c1,
			      const char *c2)
{
	struct risav_peer p = {.asn = asn, .v.mode = mode};

	if (c1)
		CU_ASSERT_EQUAL(risav_contact_add(&p.v.contact_count,
						  p.v.contact, c1, err,
						  sizeof(err)),
				0);
	if (c2)
		CU_ASSERT_EQUAL(risav_contact_add(&p.v.contact_count,
						  p.v.contact, c2, err,
						  sizeof(err)),
				0);
	return p;
}

static void expect_check_error(const struct risav_state *s, const char *want)
{
	err[0] = '\0';
	CU_ASSERT_EQUAL(risav_state_check(s, NULL, err, sizeof(err)), -1);
	if (!strstr(err, want)) {
		fprintf(stderr, "\n  want '%s'\n  got  '%s'\n", want, err);
		CU_FAIL("check message");
	}
}

static void test_modes(void)
{
	__u32 mode = 99;

	CU_ASSERT_EQUAL(peer_mode_parse("enforce", &mode, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(mode, ESPRIT_PEER_ENFORCE);
	CU_ASSERT_EQUAL(peer_mode_parse("testing", &mode, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(mode, ESPRIT_PEER_TESTING);
	CU_ASSERT_EQUAL(peer_mode_parse("off", &mode, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(mode, ESPRIT_PEER_OFF);
	CU_ASSERT_EQUAL(peer_mode_parse("Enforce", &mode, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown mode 'Enforce'"));
	CU_ASSERT_EQUAL(peer_mode_parse("", &mode, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(peer_mode_name(ESPRIT_PEER_TESTING), "testing");
}

static void test_contact_rules(void)
{
	static const struct {
		const char *addr;
		const char *want;
	} unfit[] = {
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"127.0.0.2", "loopback"},
		{"::1", "loopback"},
		{"224.0.0.1", "multicast"},
		{"ff02::1", "multicast"},
		{"169.254.1.1", "link-local"},
		{"fe80::1", "link-local"},
		{"255.255.255.255", "broadcast"},
		{"::ffff:192.0.2.1", "IPv4-mapped"},
		{"192.0.2.300", "not an IPv4 or IPv6 address"},
		{"192.0.2.0/24", "not an IPv4 or IPv6 address"},
	};
	struct esprit_addr list[ESPRIT_PEER_CONTACTS] = {};
	__u32 n = 0;

	for (size_t i = 0; i < sizeof(unfit) / sizeof(unfit[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(risav_contact_add(&n, list, unfit[i].addr, err,
						  sizeof(err)),
				-1);
		CU_ASSERT_EQUAL(n, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, unfit[i].want));
	}
	CU_ASSERT_EQUAL(
		risav_contact_add(&n, list, "192.0.2.1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(
		risav_contact_add(&n, list, "192.0.2.1", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "given twice"));
	CU_ASSERT_EQUAL(
		risav_contact_add(&n, list, "192.0.2.2", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "two IPv4 contact addresses"));
	CU_ASSERT_EQUAL(risav_contact_add(&n, list, "2001:db8::1", err,
					  sizeof(err)),
			0);
	CU_ASSERT_EQUAL(risav_contact_add(&n, list, "2001:db8::2", err,
					  sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 2 contact addresses"));
	CU_ASSERT_EQUAL(n, 2);
}

static void test_state_rules(void)
{
	struct risav_state s;
	struct risav_peer p;

	risav_state_init(&s);
	s.config.local_asn = 64500;
	p = peer(64501, ESPRIT_PEER_ENFORCE, "192.0.2.1", "2001:db8::1");
	CU_ASSERT_EQUAL(risav_peer_put(&s, &p), 0);
	p = peer(64502, ESPRIT_PEER_TESTING, "192.0.2.2", NULL);
	CU_ASSERT_EQUAL(risav_peer_put(&s, &p), 0);
	CU_ASSERT_EQUAL(risav_state_check(&s, NULL, err, sizeof(err)), 0);

	/* a peer cannot be the local AS */
	p = peer(64500, ESPRIT_PEER_OFF, NULL, NULL);
	risav_peer_put(&s, &p);
	expect_check_error(&s, "peer AS64500: AS64500 is the local AS");
	risav_peer_remove(&s, 64500);

	/* one contact address, one AS; the "where" leads the message */
	p = peer(64503, ESPRIT_PEER_ENFORCE, "2001:db8::1", NULL);
	snprintf(p.where, sizeof(p.where), "esprit.yaml:12");
	risav_peer_put(&s, &p);
	expect_check_error(&s, "esprit.yaml:12: peer AS64503: contact "
			       "2001:db8::1 is already the contact address of "
			       "peer AS64501");
	risav_peer_remove(&s, 64503);

	/* the local AS's contacts count too */
	CU_ASSERT_EQUAL(risav_contact_add(&s.local_contact_count,
					  s.local_contact, "192.0.2.2", err,
					  sizeof(err)),
			0);
	expect_check_error(&s, "192.0.2.2 is already the contact address of");
	s.local_contact_count = 0;

	/* modes and contact lists arriving already parsed (the daemon) */
	s.peers[0].v.mode = 3;
	expect_check_error(&s, "peer AS64501: unknown mode 3");
	s.peers[0].v.mode = ESPRIT_PEER_OFF;
	s.peers[0].v.contact_count = 3;
	expect_check_error(&s, "3 contact addresses; at most 2");
	s.peers[0].v.contact_count = 2;
	s.peers[0].v.contact[1] = s.peers[0].v.contact[0];
	expect_check_error(&s, "given twice");
	s.peers[0].v.contact_count = 1;
	CU_ASSERT_EQUAL(risav_state_check(&s, NULL, err, sizeof(err)), 0);

	/* contacts need a local ASN; RISAV off with peers is fine */
	s.config.local_asn = 0;
	CU_ASSERT_EQUAL(risav_state_check(&s, NULL, err, sizeof(err)), 0);
	risav_contact_add(&s.local_contact_count, s.local_contact,
			  "198.51.100.1", err, sizeof(err));
	expect_check_error(&s, "contact addresses need a local ASN");
	risav_state_free(&s);
}

static void test_capacity(void)
{
	struct risav_maps m = {.peers_max = 2, .contacts_max = 3};
	struct risav_state s;
	struct risav_peer p;

	risav_state_init(&s);
	s.config.local_asn = 64500;
	p = peer(64501, ESPRIT_PEER_ENFORCE, "192.0.2.1", "2001:db8::1");
	risav_peer_put(&s, &p);
	p = peer(64502, ESPRIT_PEER_ENFORCE, "192.0.2.2", NULL);
	risav_peer_put(&s, &p);
	CU_ASSERT_EQUAL(risav_state_check(&s, &m, err, sizeof(err)), 0);
	p = peer(64503, ESPRIT_PEER_ENFORCE, NULL, NULL);
	risav_peer_put(&s, &p);
	CU_ASSERT_EQUAL(risav_state_check(&s, &m, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "3 peers do not fit"));
	risav_peer_remove(&s, 64503);
	risav_contact_add(&s.local_contact_count, s.local_contact,
			  "198.51.100.1", err, sizeof(err));
	CU_ASSERT_EQUAL(risav_state_check(&s, &m, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "4 contact addresses do not fit"));
	risav_state_free(&s);
}

static void test_peer_put_keeps_order(void)
{
	static const __u32 asns[] = {300, 100, 200, 4294967295U, 1, 200};
	struct risav_state s;

	risav_state_init(&s);
	for (size_t i = 0; i < sizeof(asns) / sizeof(asns[0]); i++) {
		struct risav_peer p = {.asn = asns[i], .v.mode = i % 3};

		CU_ASSERT_EQUAL(risav_peer_put(&s, &p), 0);
	}
	CU_ASSERT_EQUAL_FATAL(s.npeers, 5);
	for (size_t i = 1; i < s.npeers; i++)
		CU_ASSERT(s.peers[i - 1].asn < s.peers[i].asn);
	/* the second 200 replaced the first */
	CU_ASSERT_EQUAL(risav_peer_find(&s, 200)->v.mode, 5 % 3);
	CU_ASSERT_EQUAL(risav_peer_remove(&s, 100), 0);
	CU_ASSERT_EQUAL(risav_peer_remove(&s, 100), -1);
	CU_ASSERT_PTR_NULL(risav_peer_find(&s, 100));
	CU_ASSERT_EQUAL(s.npeers, 4);
	risav_state_free(&s);
}

static void test_settings(void)
{
	struct esprit_risav_config c = {.local_asn = 7};

	CU_ASSERT_EQUAL(risav_audit_rate(&c), ESPRIT_DEFAULT_AUDIT_RATE);
	CU_ASSERT_EQUAL(risav_set(&c, "fragments", "pass", err, sizeof(err)),
			0);
	CU_ASSERT(c.risav_flags & ESPRIT_RISAV_PASS_FRAGMENTS);
	CU_ASSERT_EQUAL(risav_set(&c, "fragments", "drop", err, sizeof(err)),
			0);
	CU_ASSERT_FALSE(c.risav_flags & ESPRIT_RISAV_PASS_FRAGMENTS);
	CU_ASSERT_EQUAL(risav_set(&c, "fragments", "maybe", err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "expected drop or pass"));
	CU_ASSERT_EQUAL(risav_set(&c, "audit-rate", "250", err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(risav_audit_rate(&c), 250);
	static const char *bad_rates[] = {"0", "-1",  "1000001", "1e3",
					  "",  "12x", NULL};
	for (int i = 0; bad_rates[i]; i++) {
		CU_ASSERT_EQUAL(risav_set(&c, "audit-rate", bad_rates[i], err,
					  sizeof(err)),
				-1);
		CU_ASSERT_EQUAL(c.audit_rate, 250);
	}
	CU_ASSERT_EQUAL(
		risav_set(&c, "audit-rate", "default", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.audit_rate, 0);
	CU_ASSERT_EQUAL(risav_set(&c, "local-asn", "5", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown key 'local-asn'"));
	CU_ASSERT_EQUAL(c.local_asn, 7);
}

static const struct test_case cases[] = {
	{"modes", test_modes},
	{"contact_rules", test_contact_rules},
	{"state_rules", test_state_rules},
	{"capacity", test_capacity},
	{"peer_put_keeps_order", test_peer_put_keeps_order},
	{"settings", test_settings},
	{NULL, NULL},
};

TEST_SUITE(suite) = {
	.name = "unit_risav_check",
	.cases = cases,
};
