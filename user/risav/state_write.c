// SPDX-License-Identifier: GPL-2.0
/*
 * A RISAV state written into the maps: only what differs, in an order
 * that never leaves a peer without its green channel, every write
 * through a journal so a failure can be undone whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "lib/map_journal.h"
#include "lib/maps.h"
#include "risav/state.h"

static bool wanted_has(const struct risav_contact *w, size_t n,
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
			const struct risav_state *s,
			const struct risav_contact *w, size_t nw,
			const __u8 *peer_keys, size_t npk,
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
	struct risav_contact *w = NULL;
	bool tight;
	__u32 zero = 0;
	const char *step = "";
	int rc = -1;

	if (risav_state_check(s, m, err, errlen))
		return -1;
	w = risav_state_contacts(s, &nw);
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
