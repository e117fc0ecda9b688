// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "esprit_maps.h"
#include "lib/addr.h"
#include "lib/asn.h"
#include "lib/map_journal.h"
#include "lib/maps.h"
#include "esprit_limits.h"
#include "lib/output.h"
#include "lib/parse.h"
#include "risav/state.h"

#define AUDIT_RATE_MAX 1000000

static const __u8 v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* ---- maps --------------------------------------------------------------- */

int risav_maps_probe(struct risav_maps *m, char *err, size_t errlen)
{
	m->peers_max = map_max_entries(m->peers);
	m->contacts_max = map_max_entries(m->contacts);
	if (!m->peers_max || !m->contacts_max) {
		snprintf(err, errlen, "cannot read the peer maps: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

int risav_maps_open(const struct pins *pins, struct risav_maps *m)
{
	char err[256];

	m->pfx4 = pins_try_open_map(pins, ESPRIT_MAP_PFX4);
	m->config = pins_open_map(pins, ESPRIT_MAP_RISAV);
	m->prefixes = m->config >= 0 ? pins_open_map(pins, ESPRIT_MAP_PREFIXES)
				     : -1;
	m->peers = m->prefixes >= 0 ? pins_open_map(pins, ESPRIT_MAP_PEERS) : -1;
	m->contacts = m->peers >= 0 ? pins_open_map(pins, ESPRIT_MAP_CONTACTS)
				    : -1;
	if (m->contacts < 0 || risav_maps_probe(m, err, sizeof(err))) {
		if (m->contacts >= 0)
			errmsg("%s", err);
		risav_maps_close(m);
		return -1;
	}
	return 0;
}

void risav_maps_close(struct risav_maps *m)
{
	int *fds[] = {&m->config, &m->prefixes, &m->pfx4, &m->peers,
		      &m->contacts};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* ---- state in memory ---------------------------------------------------- */

void risav_state_init(struct risav_state *s)
{
	memset(s, 0, sizeof(*s));
}

void risav_state_free(struct risav_state *s)
{
	free(s->peers);
	risav_state_init(s);
}

int risav_state_copy(struct risav_state *dst, const struct risav_state *src)
{
	*dst = *src;
	dst->peers =
		malloc((src->npeers ? src->npeers : 1) * sizeof(*dst->peers));
	if (!dst->peers) {
		risav_state_init(dst);
		return -1;
	}
	memcpy(dst->peers, src->peers, src->npeers * sizeof(*src->peers));
	dst->cap = src->npeers ? src->npeers : 1;
	return 0;
}

static size_t peer_index(const struct risav_state *s, __u32 asn)
{
	size_t lo = 0, hi = s->npeers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->peers[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct risav_peer *risav_peer_find(const struct risav_state *s, __u32 asn)
{
	size_t i = peer_index(s, asn);

	return i < s->npeers && s->peers[i].asn == asn ? &s->peers[i] : NULL;
}

int risav_peer_put(struct risav_state *s, const struct risav_peer *p)
{
	size_t i = peer_index(s, p->asn);

	if (i < s->npeers && s->peers[i].asn == p->asn) {
		s->peers[i] = *p;
		return 0;
	}
	if (s->npeers == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct risav_peer *v = realloc(s->peers, cap * sizeof(*v));

		if (!v)
			return -1;
		s->peers = v;
		s->cap = cap;
	}
	memmove(&s->peers[i + 1], &s->peers[i],
		(s->npeers - i) * sizeof(s->peers[0]));
	s->peers[i] = *p;
	s->npeers++;
	return 0;
}

int risav_peer_remove(struct risav_state *s, __u32 asn)
{
	size_t i = peer_index(s, asn);

	if (i >= s->npeers || s->peers[i].asn != asn)
		return -1;
	memmove(&s->peers[i], &s->peers[i + 1],
		(s->npeers - i - 1) * sizeof(s->peers[0]));
	s->npeers--;
	return 0;
}

/* ---- values ------------------------------------------------------------- */

int peer_mode_parse(const char *s, __u32 *mode, char *err, size_t errlen)
{
	if (!strcmp(s, "enforce"))
		*mode = ESPRIT_PEER_ENFORCE;
	else if (!strcmp(s, "testing"))
		*mode = ESPRIT_PEER_TESTING;
	else if (!strcmp(s, "off"))
		*mode = ESPRIT_PEER_OFF;
	else {
		snprintf(err, errlen,
			 "unknown mode '%s' (enforce, testing or off)", s);
		return -1;
	}
	return 0;
}

const char *peer_mode_name(__u32 mode)
{
	switch (mode) {
	case ESPRIT_PEER_ENFORCE:
		return "enforce";
	case ESPRIT_PEER_TESTING:
		return "testing";
	case ESPRIT_PEER_OFF:
		return "off";
	default:
		return "unknown";
	}
}

int peer_no_sa_parse(const char *s, __u32 *policy, char *err, size_t errlen)
{
	if (!strcmp(s, "untagged"))
		*policy = ESPRIT_NO_SA_UNTAGGED;
	else if (!strcmp(s, "drop"))
		*policy = ESPRIT_NO_SA_DROP;
	else {
		snprintf(err, errlen, "unknown policy '%s' (untagged or drop)",
			 s);
		return -1;
	}
	return 0;
}

const char *peer_no_sa_name(__u32 policy)
{
	switch (policy) {
	case ESPRIT_NO_SA_UNTAGGED:
		return "untagged";
	case ESPRIT_NO_SA_DROP:
		return "drop";
	default:
		return "unknown";
	}
}

/* Why a (parsed) address cannot be a contact, or NULL if it can. */
static const char *contact_unfit(const struct esprit_addr *a)
{
	static const __u8 zero[16];
	const __u8 *v4 = a->addr + 12;

	if (a->family == ESPRIT_AF_INET) {
		if (!memcmp(v4, zero, 4))
			return "unspecified";
		if (v4[0] == 127)
			return "loopback";
		if (v4[0] >= 224 && v4[0] <= 239)
			return "multicast";
		if (v4[0] == 169 && v4[1] == 254)
			return "link-local";
		if (v4[0] == 255 && v4[1] == 255 && v4[2] == 255 &&
		    v4[3] == 255)
			return "broadcast";
		return NULL;
	}
	if (!memcmp(a->addr, zero, 16))
		return "unspecified";
	if (!memcmp(a->addr, zero, 15) && a->addr[15] == 1)
		return "loopback";
	if (a->addr[0] == 0xff)
		return "multicast";
	if (a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80)
		return "link-local";
	if (!memcmp(a->addr, v4_mapped, 12))
		return "IPv4-mapped (write it as IPv4)";
	return NULL;
}

static const char *family_name(const struct esprit_addr *a)
{
	return a->family == ESPRIT_AF_INET ? "IPv4" : "IPv6";
}

/* Checks a contact list: fit addresses, at most one per family. */
static int contacts_check(__u32 count, const struct esprit_addr *list,
			  char *err, size_t errlen)
{
	char buf[ADDR_STRLEN];

	if (count > ESPRIT_PEER_CONTACTS) {
		snprintf(err, errlen,
			 "%u contact addresses; at most %d (one IPv4, one "
			 "IPv6)",
			 count, ESPRIT_PEER_CONTACTS);
		return -1;
	}
	for (__u32 i = 0; i < count; i++) {
		const char *why = contact_unfit(&list[i]);

		if (list[i].family != ESPRIT_AF_INET &&
		    list[i].family != ESPRIT_AF_INET6) {
			snprintf(err, errlen,
				 "contact %u has unknown address family %u", i,
				 list[i].family);
			return -1;
		}
		if (why) {
			snprintf(err, errlen,
				 "%s cannot be a contact address (%s)",
				 addr_format(&list[i], buf, sizeof(buf)), why);
			return -1;
		}
		for (__u32 j = 0; j < i; j++) {
			char a[ADDR_STRLEN], b[ADDR_STRLEN];

			if (list[j].family != list[i].family)
				continue;
			if (!memcmp(&list[j], &list[i], sizeof(list[i]))) {
				snprintf(err, errlen,
					 "contact %s is given twice",
					 addr_format(&list[i], a, sizeof(a)));
				return -1;
			}
			snprintf(err, errlen,
				 "two %s contact addresses (%s and %s): a "
				 "RISAV "
				 "announcement has one per address family",
				 family_name(&list[i]),
				 addr_format(&list[j], a, sizeof(a)),
				 addr_format(&list[i], b, sizeof(b)));
			return -1;
		}
	}
	return 0;
}

int risav_contact_add(__u32 *count, struct esprit_addr *list, const char *addr,
		      char *err, size_t errlen)
{
	struct esprit_addr a;
	struct esprit_addr tmp[ESPRIT_PEER_CONTACTS + 1];

	if (addr_parse(addr, &a, err, errlen))
		return -1;
	if (*count >= ESPRIT_PEER_CONTACTS) {
		snprintf(err, errlen,
			 "contact %s: at most %d contact addresses (one "
			 "IPv4, one IPv6)",
			 addr, ESPRIT_PEER_CONTACTS);
		return -1;
	}
	memcpy(tmp, list, *count * sizeof(*list));
	tmp[*count] = a;
	if (contacts_check(*count + 1, tmp, err, errlen))
		return -1;
	list[(*count)++] = a;
	return 0;
}

int risav_set(struct esprit_risav_config *cfg, const char *key,
	      const char *value, char *err, size_t errlen)
{
	if (!strcmp(key, "fragments")) {
		if (!strcmp(value, "drop"))
			cfg->risav_flags &= ~ESPRIT_RISAV_PASS_FRAGMENTS;
		else if (!strcmp(value, "pass"))
			cfg->risav_flags |= ESPRIT_RISAV_PASS_FRAGMENTS;
		else {
			snprintf(err, errlen,
				 "fragments: expected drop or pass, not '%s'",
				 value);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "audit-rate")) {
		if (!strcmp(value, "default")) {
			cfg->audit_rate = 0;
			return 0;
		}
		if (parse_u32(value, 1, AUDIT_RATE_MAX, &cfg->audit_rate)) {
			snprintf(err, errlen,
				 "audit-rate: expected events/s 1-%d or "
				 "'default', not '%s'",
				 AUDIT_RATE_MAX, value);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen,
		 "unknown key '%s' (fragments, audit-rate; the local ASN is "
		 "set with 'esprit local-asn')",
		 key);
	return -1;
}

__u32 risav_audit_rate(const struct esprit_risav_config *cfg)
{
	return cfg->audit_rate ? cfg->audit_rate : ESPRIT_DEFAULT_AUDIT_RATE;
}

/* ---- reading ------------------------------------------------------------ */

int risav_state_read(const struct risav_maps *m, struct risav_state *s,
		     char *err, size_t errlen)
{
	struct esprit_addr akey, anext;
	__u32 zero = 0, key, next, owner;
	void *prev = NULL;

	risav_state_init(s);
	if (bpf_map_lookup_elem(m->config, &zero, &s->config)) {
		snprintf(err, errlen, "cannot read esprit_risav: %s",
			 strerror(errno));
		return -1;
	}
	while (!bpf_map_get_next_key(m->peers, prev, &next)) {
		struct risav_peer p = {.asn = next};

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->peers, &key, &p.v))
			continue; /* deleted meanwhile */
		if (risav_peer_put(s, &p))
			goto nomem;
	}
	if (!s->config.local_asn)
		return 0;
	prev = NULL;
	while (!bpf_map_get_next_key(m->contacts, prev, &anext)) {
		akey = anext;
		prev = &akey;
		if (bpf_map_lookup_elem(m->contacts, &akey, &owner) ||
		    owner != s->config.local_asn ||
		    s->local_contact_count >= ESPRIT_PEER_CONTACTS)
			continue;
		s->local_contact[s->local_contact_count++] = akey;
	}
	/* map order is hash order: show IPv4 first, as given usually */
	if (s->local_contact_count == 2 &&
	    s->local_contact[0].family == ESPRIT_AF_INET6) {
		akey = s->local_contact[0];
		s->local_contact[0] = s->local_contact[1];
		s->local_contact[1] = akey;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	risav_state_free(s);
	return -1;
}

/* ---- checking ----------------------------------------------------------- */

struct owned {
	struct esprit_addr addr;
	__u32 asn;
};

static int owned_cmp(const void *a, const void *b)
{
	const struct owned *x = a, *y = b;
	int c = memcmp(&x->addr, &y->addr, sizeof(x->addr));

	return c ? c : (x->asn < y->asn ? -1 : x->asn > y->asn);
}

/* "where: what: " for messages about one item. */
static void prefix_of(char *buf, size_t len, const char *where, const char *fmt,
		      ...)
{
	size_t n = 0;
	va_list ap;

	buf[0] = '\0';
	if (where && where[0])
		n = snprintf(buf, len, "%s: ", where);
	va_start(ap, fmt);
	if (n < len)
		vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

static const char *where_of(const struct risav_state *s, __u32 asn)
{
	const struct risav_peer *p = risav_peer_find(s, asn);

	if (p)
		return p->where;
	return s->local_where;
}

static int check_contact_owners(const struct risav_state *s, char *err,
				size_t errlen)
{
	size_t n = s->local_contact_count, k = 0;
	struct owned *all;
	int rc = 0;

	for (size_t i = 0; i < s->npeers; i++)
		n += s->peers[i].v.contact_count;
	all = malloc((n ? n : 1) * sizeof(*all));
	if (!all) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (__u32 i = 0; i < s->local_contact_count; i++)
		all[k++] = (struct owned){s->local_contact[i],
					  s->config.local_asn};
	for (size_t i = 0; i < s->npeers; i++)
		for (__u32 c = 0; c < s->peers[i].v.contact_count; c++)
			all[k++] = (struct owned){s->peers[i].v.contact[c],
						  s->peers[i].asn};
	qsort(all, k, sizeof(*all), owned_cmp);
	for (size_t i = 1; i < k && !rc; i++) {
		char head[RISAV_WHERE_LEN + 32], a[ADDR_STRLEN];

		if (memcmp(&all[i].addr, &all[i - 1].addr, sizeof(all[i].addr)))
			continue;
		prefix_of(head, sizeof(head), where_of(s, all[i].asn),
			  all[i].asn == s->config.local_asn ? "local AS%u"
							    : "peer AS%u",
			  all[i].asn);
		snprintf(err, errlen,
			 "%s: contact %s is already the contact address of "
			 "%sAS%u",
			 head, addr_format(&all[i].addr, a, sizeof(a)),
			 all[i - 1].asn == s->config.local_asn ? "the local "
							       : "peer ",
			 all[i - 1].asn);
		rc = -1;
	}
	free(all);
	return rc;
}

int risav_state_check(const struct risav_state *s, const struct risav_maps *m,
		      char *err, size_t errlen)
{
	char head[RISAV_WHERE_LEN + 32], why[256];
	size_t contacts = s->local_contact_count;

	prefix_of(head, sizeof(head), s->local_where, "local AS%u",
		  s->config.local_asn);
	if (s->config.risav_flags & ~ESPRIT_RISAV_PASS_FRAGMENTS) {
		snprintf(err, errlen, "unknown RISAV flags 0x%x",
			 s->config.risav_flags & ~ESPRIT_RISAV_PASS_FRAGMENTS);
		return -1;
	}
	if (s->config.audit_rate > AUDIT_RATE_MAX) {
		snprintf(err, errlen, "audit rate %u is above %d",
			 s->config.audit_rate, AUDIT_RATE_MAX);
		return -1;
	}
	if (!s->config.local_asn && s->local_contact_count) {
		prefix_of(err, errlen, s->local_where,
			  "contact addresses need a local ASN");
		return -1;
	}
	if (contacts_check(s->local_contact_count, s->local_contact, why,
			   sizeof(why))) {
		snprintf(err, errlen, "%s: %s", head, why);
		return -1;
	}
	for (size_t i = 0; i < s->npeers; i++) {
		const struct risav_peer *p = &s->peers[i];

		prefix_of(head, sizeof(head), p->where, "peer AS%u", p->asn);
		if (!p->asn) {
			snprintf(err, errlen, "%s: ASN 0 cannot be a peer",
				 head);
			return -1;
		}
		if (i && p->asn == s->peers[i - 1].asn) {
			snprintf(err, errlen, "%s: listed twice", head);
			return -1;
		}
		if (p->asn == s->config.local_asn) {
			snprintf(err, errlen,
				 "%s: AS%u is the local AS, not a peer", head,
				 p->asn);
			return -1;
		}
		if (p->v.mode > ESPRIT_PEER_ENFORCE) {
			snprintf(err, errlen, "%s: unknown mode %u", head,
				 p->v.mode);
			return -1;
		}
		if (p->v.no_sa > ESPRIT_NO_SA_DROP) {
			snprintf(err, errlen, "%s: unknown no-SA policy %u",
				 head, p->v.no_sa);
			return -1;
		}
		if (contacts_check(p->v.contact_count, p->v.contact, why,
				   sizeof(why))) {
			snprintf(err, errlen, "%s: %s", head, why);
			return -1;
		}
		contacts += p->v.contact_count;
	}
	if (check_contact_owners(s, err, errlen))
		return -1;
	if (m && s->npeers > m->peers_max) {
		snprintf(err, errlen,
			 "%zu peers do not fit: esprit_peers holds %u",
			 s->npeers, m->peers_max);
		return -1;
	}
	if (m && contacts > m->contacts_max) {
		snprintf(err, errlen,
			 "%zu contact addresses do not fit: esprit_contacts "
			 "holds %u",
			 contacts, m->contacts_max);
		return -1;
	}
	return 0;
}

/* ---- applying ----------------------------------------------------------- */

/* The contact index a state implies, sorted by address. */
static struct owned *wanted_contacts(const struct risav_state *s, size_t *n)
{
	struct owned *all;
	size_t k = 0, total = s->local_contact_count;

	for (size_t i = 0; i < s->npeers; i++)
		total += s->peers[i].v.contact_count;
	all = malloc((total ? total : 1) * sizeof(*all));
	if (!all)
		return NULL;
	for (__u32 i = 0; i < s->local_contact_count; i++)
		all[k++] = (struct owned){s->local_contact[i],
					  s->config.local_asn};
	for (size_t i = 0; i < s->npeers; i++)
		for (__u32 c = 0; c < s->peers[i].v.contact_count; c++)
			all[k++] = (struct owned){s->peers[i].v.contact[c],
						  s->peers[i].asn};
	qsort(all, k, sizeof(*all), owned_cmp);
	*n = k;
	return all;
}

static bool wanted_has(const struct owned *w, size_t n,
		       const struct esprit_addr *a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(&w[mid].addr, a, sizeof(*a));

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int remove_stale(struct map_journal *j, const struct risav_maps *m,
			const struct risav_state *s, const struct owned *w,
			size_t nw, const __u8 *peer_keys, size_t npk,
			const __u8 *contact_keys, size_t nck)
{
	for (size_t i = 0; i < npk; i++) {
		__u32 asn;

		memcpy(&asn, peer_keys + i * sizeof(asn), sizeof(asn));
		if (!risav_peer_find(s, asn) && mj_delete(j, m->peers, &asn))
			return -1;
	}
	for (size_t i = 0; i < nck; i++) {
		struct esprit_addr a;

		memcpy(&a, contact_keys + i * sizeof(a), sizeof(a));
		if (!wanted_has(w, nw, &a) && mj_delete(j, m->contacts, &a))
			return -1;
	}
	return 0;
}

static size_t union_size(size_t have, size_t want, size_t common)
{
	return have + want - common;
}

int risav_state_write(const struct risav_maps *m, const struct risav_state *s,
		      struct map_journal *j, char *err, size_t errlen)
{
	__u8 *peer_keys = NULL, *contact_keys = NULL;
	size_t npk = 0, nck = 0, nw = 0, common_p = 0, common_c = 0;
	struct owned *w = NULL;
	bool tight;
	__u32 zero = 0;
	const char *step = "";
	int rc = -1;

	if (risav_state_check(s, m, err, errlen))
		return -1;
	w = wanted_contacts(s, &nw);
	if (!w ||
	    map_keys(m->peers, sizeof(__u32), (void **)&peer_keys, &npk) ||
	    map_keys(m->contacts, sizeof(struct esprit_addr),
		     (void **)&contact_keys, &nck)) {
		snprintf(err, errlen, "cannot read the peer maps: %s",
			 strerror(errno ? errno : ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < npk; i++) {
		__u32 asn;

		memcpy(&asn, peer_keys + i * sizeof(asn), sizeof(asn));
		common_p += risav_peer_find(s, asn) != NULL;
	}
	for (size_t i = 0; i < nck; i++)
		common_c += wanted_has(
			w, nw,
			(const void *)(contact_keys +
				       i * sizeof(struct esprit_addr)));
	/*
	 * New contacts go in before the peers that need them and old ones
	 * go after the peers that had them, so no enforced peer is ever
	 * without its green channel. Only when old and new together would
	 * overflow a map are the old entries removed first.
	 */
	tight = union_size(npk, s->npeers, common_p) > m->peers_max ||
		union_size(nck, nw, common_c) > m->contacts_max;
	step = "removing old entries";
	if (tight &&
	    remove_stale(j, m, s, w, nw, peer_keys, npk, contact_keys, nck))
		goto fail;
	step = "adding contacts";
	for (size_t i = 0; i < nw; i++)
		if (mj_update(j, m->contacts, &w[i].addr, &w[i].asn, BPF_ANY))
			goto fail;
	step = "writing peers";
	for (size_t i = 0; i < s->npeers; i++)
		if (mj_update(j, m->peers, &s->peers[i].asn, &s->peers[i].v,
			      BPF_ANY))
			goto fail;
	step = "writing esprit_risav";
	if (mj_update(j, m->config, &zero, &s->config, BPF_ANY))
		goto fail;
	step = "removing old entries";
	if (!tight &&
	    remove_stale(j, m, s, w, nw, peer_keys, npk, contact_keys, nck))
		goto fail;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "%s: %s%s; nothing changed", step,
		 strerror(errno),
		 errno == E2BIG || errno == ENOSPC ? " (map full)" : "");
out:
	free(w);
	free(peer_keys);
	free(contact_keys);
	return rc;
}

int risav_state_apply(const struct risav_maps *m, const struct risav_state *s,
		      char *err, size_t errlen)
{
	struct map_journal j;

	mj_init(&j);
	return mj_finish(&j, risav_state_write(m, s, &j, err, errlen));
}
