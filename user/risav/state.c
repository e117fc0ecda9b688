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
	m->peers = m->prefixes >= 0 ? pins_open_map(pins, ESPRIT_MAP_PEERS)
				    : -1;
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

static int owned_cmp(const void *a, const void *b)
{
	const struct risav_contact *x = a, *y = b;
	int c = memcmp(&x->addr, &y->addr, sizeof(x->addr));

	return c ? c : (x->asn < y->asn ? -1 : x->asn > y->asn);
}

struct risav_contact *risav_state_contacts(const struct risav_state *s,
					   size_t *n)
{
	struct risav_contact *all;
	size_t k = 0, total = s->local_contact_count;

	for (size_t i = 0; i < s->npeers; i++)
		total += s->peers[i].v.contact_count;
	all = malloc((total ? total : 1) * sizeof(*all));
	if (!all)
		return NULL;
	for (__u32 i = 0; i < s->local_contact_count; i++)
		all[k++] = (struct risav_contact){s->local_contact[i],
						  s->config.local_asn};
	for (size_t i = 0; i < s->npeers; i++)
		for (__u32 c = 0; c < s->peers[i].v.contact_count; c++)
			all[k++] = (struct risav_contact){
				s->peers[i].v.contact[c], s->peers[i].asn};
	qsort(all, k, sizeof(*all), owned_cmp);
	*n = k;
	return all;
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
	size_t k;
	struct risav_contact *all = risav_state_contacts(s, &k);
	int rc = 0;

	if (!all) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
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

#define RISAV_KNOWN_FLAGS \
	(ESPRIT_RISAV_PASS_FRAGMENTS | ESPRIT_RISAV_GREEN_ANY_CONTACT)

int risav_state_check(const struct risav_state *s, const struct risav_maps *m,
		      char *err, size_t errlen)
{
	char head[RISAV_WHERE_LEN + 32], why[256];
	size_t contacts = s->local_contact_count;

	prefix_of(head, sizeof(head), s->local_where, "local AS%u",
		  s->config.local_asn);
	if (s->config.risav_flags & ~RISAV_KNOWN_FLAGS) {
		snprintf(err, errlen, "unknown RISAV flags 0x%x",
			 s->config.risav_flags & ~RISAV_KNOWN_FLAGS);
		return -1;
	}
	if (s->config.audit_rate > RISAV_AUDIT_RATE_MAX) {
		snprintf(err, errlen, "audit rate %u is above %d",
			 s->config.audit_rate, RISAV_AUDIT_RATE_MAX);
		return -1;
	}
	if (s->config.too_big_rate > ESPRIT_TOO_BIG_RATE_MAX) {
		snprintf(err, errlen, "too-big rate %u is above %d",
			 s->config.too_big_rate, ESPRIT_TOO_BIG_RATE_MAX);
		return -1;
	}
	if (!s->config.local_asn && s->local_contact_count) {
		prefix_of(err, errlen, s->local_where,
			  "contact addresses need a local ASN");
		return -1;
	}
	if (risav_contacts_check(s->local_contact_count, s->local_contact, why,
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
		if (risav_contacts_check(p->v.contact_count, p->v.contact, why,
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
