// SPDX-License-Identifier: GPL-2.0
/*
 * risav_state_apply() on real maps of the schema's types and sizes: the
 * contact index follows the peers through adds, changes and deletes, a
 * rejected state leaves every map as it was, full maps are refused, and a
 * write the kernel refuses half-way is undone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include <bpf/bpf.h>

#include "lib/addr.h"
#include "risav/state.h"
#include "testlib.h"

static char err[512];

/* Maps like bpf/risav/maps.h's, with the capacities a test wants. */
static int open_maps(struct risav_maps *m, __u32 peers, __u32 contacts)
{
	m->config = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_risav", 4,
				   sizeof(struct esprit_risav_config), 1, NULL);
	m->prefixes = -1;
	m->peers = bpf_map_create(BPF_MAP_TYPE_HASH, "t_peers", 4,
				  sizeof(struct esprit_peer), peers, NULL);
	m->contacts = bpf_map_create(BPF_MAP_TYPE_HASH, "t_contacts",
				     sizeof(struct esprit_addr), 4, contacts,
				     NULL);
	if (m->config < 0 || m->peers < 0 || m->contacts < 0)
		return -1;
	return risav_maps_probe(m, err, sizeof(err));
}

/* Everything the maps hold, as one comparable text. */
static void snapshot(const struct risav_maps *m, char *buf, size_t len)
{
	struct esprit_risav_config cfg = {};
	struct esprit_addr a, an;
	__u32 k, kn, zero = 0, v;
	size_t n = 0;
	char lines[64][160];
	int count = 0;
	void *prev = NULL;

	bpf_map_lookup_elem(m->config, &zero, &cfg);
	n += snprintf(buf + n, len - n, "config %u %u %u\n", cfg.local_asn,
		      cfg.risav_flags, cfg.audit_rate);
	while (count < 64 && !bpf_map_get_next_key(m->peers, prev, &kn)) {
		struct esprit_peer p;
		char c0[ADDR_STRLEN] = "", c1[ADDR_STRLEN] = "";

		k = kn;
		prev = &k;
		bpf_map_lookup_elem(m->peers, &k, &p);
		if (p.contact_count > 0)
			addr_format(&p.contact[0], c0, sizeof(c0));
		if (p.contact_count > 1)
			addr_format(&p.contact[1], c1, sizeof(c1));
		snprintf(lines[count++], sizeof(lines[0]),
			 "peer %u %u %u %s %s", k, p.mode, p.contact_count, c0,
			 c1);
	}
	prev = NULL;
	while (count < 64 && !bpf_map_get_next_key(m->contacts, prev, &an)) {
		char t[ADDR_STRLEN];

		a = an;
		prev = &a;
		bpf_map_lookup_elem(m->contacts, &a, &v);
		snprintf(lines[count++], sizeof(lines[0]), "contact %s %u",
			 addr_format(&a, t, sizeof(t)), v);
	}
	/* map order is hash order: sort the lines */
	qsort(lines, count, sizeof(lines[0]),
	      (int (*)(const void *, const void *))strcmp);
	for (int i = 0; i < count; i++)
		n += snprintf(buf + n, len - n, "%s\n", lines[i]);
}

static __u32 contact_owner(const struct risav_maps *m, const char *text)
{
	struct esprit_addr a;
	__u32 v = 0;

	addr_parse(text, &a, err, sizeof(err));
	if (bpf_map_lookup_elem(m->contacts, &a, &v))
		return 0;
	return v;
}

static size_t count_keys(int fd, size_t key_size)
{
	__u8 key[64], next[64];
	void *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

static struct risav_peer peer(__u32 asn, __u32 mode, const char *c1,
			      const char *c2)
{
	struct risav_peer p = {.asn = asn, .v.mode = mode};

	if (c1)
		risav_contact_add(&p.v.contact_count, p.v.contact, c1, err,
				  sizeof(err));
	if (c2)
		risav_contact_add(&p.v.contact_count, p.v.contact, c2, err,
				  sizeof(err));
	return p;
}

/* Reads the maps, lets edit change the state, applies it. */
static int apply_edit(const struct risav_maps *m,
		      void (*edit)(struct risav_state *s))
{
	struct risav_state s;
	int rc;

	CU_ASSERT_EQUAL_FATAL(risav_state_read(m, &s, err, sizeof(err)), 0);
	edit(&s);
	rc = risav_state_apply(m, &s, err, sizeof(err));
	risav_state_free(&s);
	return rc;
}

static void edit_initial(struct risav_state *s)
{
	struct risav_peer p;

	s->config.local_asn = 64500;
	risav_contact_add(&s->local_contact_count, s->local_contact,
			  "192.0.2.1", err, sizeof(err));
	p = peer(64501, ESPRIT_PEER_ENFORCE, "198.51.100.1", "2001:db8:1::1");
	risav_peer_put(s, &p);
	p = peer(64502, ESPRIT_PEER_TESTING, "198.51.100.2", NULL);
	risav_peer_put(s, &p);
}

static void edit_change_contacts(struct risav_state *s)
{
	struct risav_peer p =
		peer(64501, ESPRIT_PEER_TESTING, "198.51.100.9", NULL);

	risav_peer_put(s, &p);
}

static void edit_delete_peer(struct risav_state *s)
{
	risav_peer_remove(s, 64502);
}

static void edit_local_asn(struct risav_state *s)
{
	s->config.local_asn = 64600;
}

static void edit_conflict(struct risav_state *s)
{
	/* valid on its own, but the address is AS64501's */
	struct risav_peer p =
		peer(64503, ESPRIT_PEER_ENFORCE, "198.51.100.9", NULL);

	s->config.audit_rate = 5;
	risav_peer_put(s, &p);
}

static void test_contacts_follow_peers(void)
{
	struct risav_maps m;
	struct risav_state s;

	CU_ASSERT_EQUAL_FATAL(open_maps(&m, 16, 34), 0);
	CU_ASSERT_EQUAL_FATAL(apply_edit(&m, edit_initial), 0);
	CU_ASSERT_EQUAL(contact_owner(&m, "192.0.2.1"), 64500);
	CU_ASSERT_EQUAL(contact_owner(&m, "198.51.100.1"), 64501);
	CU_ASSERT_EQUAL(contact_owner(&m, "2001:db8:1::1"), 64501);
	CU_ASSERT_EQUAL(contact_owner(&m, "198.51.100.2"), 64502);
	CU_ASSERT_EQUAL(count_keys(m.contacts, sizeof(struct esprit_addr)), 4);
	CU_ASSERT_EQUAL(count_keys(m.peers, 4), 2);

	CU_ASSERT_EQUAL(apply_edit(&m, edit_change_contacts), 0);
	CU_ASSERT_EQUAL(contact_owner(&m, "198.51.100.1"), 0);
	CU_ASSERT_EQUAL(contact_owner(&m, "2001:db8:1::1"), 0);
	CU_ASSERT_EQUAL(contact_owner(&m, "198.51.100.9"), 64501);
	CU_ASSERT_EQUAL(count_keys(m.contacts, sizeof(struct esprit_addr)), 3);

	CU_ASSERT_EQUAL(apply_edit(&m, edit_delete_peer), 0);
	CU_ASSERT_EQUAL(contact_owner(&m, "198.51.100.2"), 0);
	CU_ASSERT_EQUAL(count_keys(m.peers, 4), 1);

	/* the local AS's contacts move with its number */
	CU_ASSERT_EQUAL(apply_edit(&m, edit_local_asn), 0);
	CU_ASSERT_EQUAL(contact_owner(&m, "192.0.2.1"), 64600);
	CU_ASSERT_EQUAL_FATAL(risav_state_read(&m, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.config.local_asn, 64600);
	CU_ASSERT_EQUAL(s.local_contact_count, 1);
	CU_ASSERT_EQUAL(s.npeers, 1);
	risav_state_free(&s);
	risav_maps_close(&m);
}

static void test_rejected_state_changes_nothing(void)
{
	char before[4096], after[4096];
	struct risav_maps m;

	CU_ASSERT_EQUAL_FATAL(open_maps(&m, 16, 34), 0);
	CU_ASSERT_EQUAL_FATAL(apply_edit(&m, edit_initial), 0);
	CU_ASSERT_EQUAL_FATAL(apply_edit(&m, edit_change_contacts), 0);
	snapshot(&m, before, sizeof(before));
	CU_ASSERT_EQUAL(apply_edit(&m, edit_conflict), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already the contact address"));
	snapshot(&m, after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(before, after);
	risav_maps_close(&m);
}

static void edit_third_peer(struct risav_state *s)
{
	struct risav_peer p = peer(64503, ESPRIT_PEER_OFF, NULL, NULL);

	risav_peer_put(s, &p);
}

static void test_full_maps_refused(void)
{
	char before[4096], after[4096];
	struct risav_maps m;

	CU_ASSERT_EQUAL_FATAL(open_maps(&m, 2, 4), 0);
	CU_ASSERT_EQUAL_FATAL(apply_edit(&m, edit_initial), 0);
	snapshot(&m, before, sizeof(before));
	CU_ASSERT_EQUAL(apply_edit(&m, edit_third_peer), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "3 peers do not fit"));
	snapshot(&m, after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(before, after);
	risav_maps_close(&m);
}

static void test_full_maps_still_change(void)
{
	struct risav_maps m;

	/* exactly full: new contacts can only go in after old ones leave */
	CU_ASSERT_EQUAL_FATAL(open_maps(&m, 2, 4), 0);
	CU_ASSERT_EQUAL_FATAL(apply_edit(&m, edit_initial), 0);
	CU_ASSERT_EQUAL(apply_edit(&m, edit_change_contacts), 0);
	CU_ASSERT_EQUAL(contact_owner(&m, "198.51.100.9"), 64501);
	CU_ASSERT_EQUAL(contact_owner(&m, "198.51.100.1"), 0);
	risav_maps_close(&m);
}

static void edit_two_new_contacts(struct risav_state *s)
{
	struct risav_peer p = peer(64504, ESPRIT_PEER_ENFORCE, "203.0.113.1",
				   "2001:db8:4::1");

	s->config.audit_rate = 77;
	risav_peer_put(s, &p);
}

static void test_failed_write_is_undone(void)
{
	char before[4096], after[4096];
	struct risav_maps m;

	CU_ASSERT_EQUAL_FATAL(open_maps(&m, 16, 5), 0);
	CU_ASSERT_EQUAL_FATAL(apply_edit(&m, edit_initial), 0);
	snapshot(&m, before, sizeof(before));
	/* claim room the map does not have: the check passes, the kernel
	 * refuses the second new contact, the first must go again */
	m.contacts_max = 100;
	CU_ASSERT_EQUAL(apply_edit(&m, edit_two_new_contacts), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "adding contacts: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "(map full); nothing changed"));
	snapshot(&m, after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(before, after);
	risav_maps_close(&m);
}

static void test_stale_index_entries_removed(void)
{
	struct esprit_addr a;
	struct risav_maps m;
	struct risav_state s;
	__u32 owner = 65000;

	CU_ASSERT_EQUAL_FATAL(open_maps(&m, 16, 34), 0);
	CU_ASSERT_EQUAL_FATAL(apply_edit(&m, edit_initial), 0);
	/* someone wrote to the index by hand */
	addr_parse("203.0.113.77", &a, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(
		bpf_map_update_elem(m.contacts, &a, &owner, BPF_ANY), 0);
	CU_ASSERT_EQUAL_FATAL(risav_state_read(&m, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(risav_state_apply(&m, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(contact_owner(&m, "203.0.113.77"), 0);
	CU_ASSERT_EQUAL(count_keys(m.contacts, sizeof(struct esprit_addr)), 4);
	risav_state_free(&s);
	risav_maps_close(&m);
}

static const struct test_case cases[] = {
	{"contacts_follow_peers", test_contacts_follow_peers},
	{"rejected_state_changes_nothing", test_rejected_state_changes_nothing},
	{"full_maps_refused", test_full_maps_refused},
	{"full_maps_still_change", test_full_maps_still_change},
	{"failed_write_is_undone", test_failed_write_is_undone},
	{"stale_index_entries_removed", test_stale_index_entries_removed},
	{NULL, NULL},
};

TEST_SUITE(suite) = {
	.name = "bpf_risav_maps",
	.cases = cases,
};
