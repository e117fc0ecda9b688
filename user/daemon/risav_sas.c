// SPDX-License-Identifier: GPL-2.0
/*
 * The SAs of the daemon's file made those of one map set, through the
 * apply's journal: SAs the maps lack are added, changed ones rewritten in
 * place, those the file no longer lists deleted, and unchanged ones left
 * alone, so they keep their replay windows, sequence counters and
 * counters. A changed outbound SA's counter goes on (SA_OUT_SEQ_SKIP).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/risav_sas.h"
#include "lib/maps.h"

struct in_entry {
	struct esprit_sa_in_key key;
	struct esprit_sa_in value;
};

struct out_entry {
	struct esprit_sa_out_key key;
	struct esprit_sa_out value;
};

_Static_assert(sizeof(struct in_entry) == sizeof(struct esprit_sa_in_key) +
						  sizeof(struct esprit_sa_in),
	       "map_entries() packs key and value");
_Static_assert(sizeof(struct out_entry) == sizeof(struct esprit_sa_out_key) +
						   sizeof(struct esprit_sa_out),
	       "map_entries() packs key and value");

void sa_diff_free(struct sa_diff *d)
{
	if (d->in)
		explicit_bzero(d->in, d->nin * sizeof(*d->in));
	if (d->out)
		explicit_bzero(d->out, d->nout * sizeof(*d->out));
	free(d->in);
	free(d->out);
	free(d->in_wanted);
	free(d->out_wanted);
	free(d->peers);
	memset(d, 0, sizeof(*d));
}

static const struct config_sa *listed(const struct config_risav *r,
				      enum sa_dir dir, const void *key)
{
	for (size_t i = 0; i < r->nsas; i++) {
		const struct config_sa *c = &r->sas[i];

		if (c->dir == dir &&
		    !memcmp(dir == SA_DIR_IN ? (const void *)&c->in.key
					     : (const void *)&c->out.key,
			    key, sizeof(struct esprit_sa_in_key)))
			return c;
	}
	return NULL;
}

int sa_diff_read(const struct sa_maps *sm, const struct sa_out_maps *om,
		 const struct config_risav *r, struct sa_diff *d, char *err,
		 size_t errlen)
{
	void *in = NULL, *out = NULL;
	int e;

	memset(d, 0, sizeof(*d));
	e = map_entries(sm->in, sizeof(struct esprit_sa_in_key),
			sizeof(struct esprit_sa_in), &in, &d->nin);
	if (!e && om->out >= 0)
		e = map_entries(om->out, sizeof(struct esprit_sa_out_key),
				sizeof(struct esprit_sa_out), &out, &d->nout);
	d->in = in;
	d->out = out;
	if (e) {
		snprintf(err, errlen, "cannot read the SA maps: %s",
			 strerror(-e));
		sa_diff_free(d);
		return -1;
	}
	d->in_wanted = calloc(d->nin + 1, sizeof(bool));
	d->out_wanted = calloc(d->nout + 1, sizeof(bool));
	d->peers = calloc(r->nsas_out + 1, sizeof(*d->peers));
	if (!d->in_wanted || !d->out_wanted || !d->peers) {
		snprintf(err, errlen, "out of memory");
		sa_diff_free(d);
		return -1;
	}
	for (size_t i = 0; i < d->nin; i++)
		d->in_wanted[i] = listed(r, SA_DIR_IN, &d->in[i].key) != NULL;
	for (size_t i = 0; i < d->nout; i++)
		d->out_wanted[i] = listed(r, SA_DIR_OUT, &d->out[i].key) !=
				   NULL;
	d->fresh_in = r->nsas_in;
	d->fresh_out = r->nsas_out;
	for (size_t i = 0; i < d->nin; i++)
		d->fresh_in -= d->in_wanted[i];
	for (size_t i = 0; i < d->nout; i++)
		d->fresh_out -= d->out_wanted[i];
	return 0;
}

static const struct in_entry *have_in(const struct sa_diff *d,
				      const struct esprit_sa_in_key *key)
{
	for (size_t i = 0; i < d->nin; i++)
		if (!memcmp(&d->in[i].key, key, sizeof(*key)))
			return &d->in[i];
	return NULL;
}

static const struct out_entry *have_out(const struct sa_diff *d,
					const struct esprit_sa_out_key *key)
{
	for (size_t i = 0; i < d->nout; i++)
		if (!memcmp(&d->out[i].key, key, sizeof(*key)))
			return &d->out[i];
	return NULL;
}

static void note_peer(struct sa_diff *d, __u32 asn)
{
	for (size_t i = 0; i < d->npeers; i++)
		if (d->peers[i] == asn)
			return;
	d->peers[d->npeers++] = asn;
}

int sa_diff_write_in(const struct sa_maps *sm, const char *file,
		     const struct config_risav *r, const struct sa_diff *d,
		     struct map_journal *j, struct sa_counts *cnt, char *err,
		     size_t errlen)
{
	char why[256];

	for (size_t i = 0; i < r->nsas; i++) {
		const struct sa_in *sa = &r->sas[i].in;
		const struct in_entry *h;

		if (r->sas[i].dir != SA_DIR_IN)
			continue;
		h = have_in(d, &sa->key);
		if (h && !memcmp(&h->value, &sa->value, sizeof(sa->value))) {
			cnt->kept++;
			continue;
		}
		if (h ? sa_in_replace(sm, sa, j, why, sizeof(why))
		      : sa_in_add(sm, sa, j, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%zu: risav.sas[%zu]: %s",
				 file, r->sas[i].line, i, why);
			return -1;
		}
		if (h)
			cnt->replaced++;
		else
			cnt->added++;
	}
	return 0;
}

int sa_diff_delete_in(const struct sa_maps *sm, const struct sa_diff *d,
		      struct map_journal *j, struct sa_counts *cnt, char *err,
		      size_t errlen)
{
	for (size_t i = 0; i < d->nin; i++) {
		if (d->in_wanted[i])
			continue;
		if (sa_in_del(sm, &d->in[i].key, j, err, errlen))
			return -1;
		cnt->deleted++;
	}
	return 0;
}

/* Same key material, algorithm, DSCP set and state: the counter aside. */
static bool out_same(const struct esprit_sa_out *a,
		     const struct esprit_sa_out *b)
{
	return !memcmp(&a->auth, &b->auth, sizeof(a->auth)) &&
	       a->dscp_mask == b->dscp_mask && a->state == b->state;
}

int sa_diff_write_out(const struct sa_out_maps *om, struct seq_ledger *ledger,
		      const char *file, const struct config_risav *r,
		      struct sa_diff *d, struct map_journal *j,
		      struct sa_counts *cnt, char *err, size_t errlen)
{
	char why[256];

	for (size_t i = 0; i < r->nsas; i++) {
		const struct config_sa *c = &r->sas[i];
		const struct out_entry *h;

		if (c->dir != SA_DIR_OUT)
			continue;
		h = have_out(d, &c->out.key);
		if (h && out_same(&h->value, &c->out.value)) {
			cnt->kept++;
			continue;
		}
		if (h ? sa_out_rewrite(om, &c->out, ledger, j, why, sizeof(why))
		      : sa_out_insert(om, &c->out, ledger, j, why,
				      sizeof(why))) {
			snprintf(err, errlen,
				 "%s:%zu: risav.sas[%zu]: outbound: %s", file,
				 c->line, i, why);
			return -1;
		}
		note_peer(d, c->out.key.asn);
		if (h)
			cnt->replaced++;
		else
			cnt->added++;
	}
	return sa_out_sel_rebuild_peers(om, d->peers, d->npeers, j, err,
					errlen);
}

/*
 * Outbound SAs no longer listed: first their DSCP sets emptied and the
 * selections of their peers rebuilt, so every DSCP moves to its new SA
 * (or the peer's policy) while the old one still exists, then deleted.
 */
int sa_diff_delete_out(const struct sa_out_maps *om, struct seq_ledger *ledger,
		       struct sa_diff *d, struct map_journal *j,
		       struct sa_counts *cnt, char *err, size_t errlen)
{
	size_t stale = 0, npeers = 0;
	__u32 *peers;
	int rc = -1;

	for (size_t i = 0; i < d->nout; i++)
		stale += !d->out_wanted[i];
	if (!stale)
		return 0;
	peers = calloc(stale, sizeof(*peers));
	if (!peers) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < d->nout; i++) {
		struct sa_out emptied;
		size_t k;
		int e;

		if (d->out_wanted[i])
			continue;
		emptied.key = d->out[i].key;
		emptied.value = d->out[i].value;
		emptied.value.dscp_mask = 0;
		/* same key: the counter goes on, the ledger keeps up */
		e = sa_out_rewrite(om, &emptied, NULL, j, err, errlen);
		explicit_bzero(&emptied, sizeof(emptied));
		if (e)
			goto out;
		for (k = 0; k < npeers && peers[k] != d->out[i].key.asn; k++)
			;
		if (k == npeers)
			peers[npeers++] = d->out[i].key.asn;
	}
	if (sa_out_sel_rebuild_peers(om, peers, npeers, j, err, errlen))
		goto out;
	for (size_t i = 0; i < d->nout; i++) {
		if (d->out_wanted[i])
			continue;
		if (sa_out_remove(om, &d->out[i].key, ledger, j, err, errlen))
			goto out;
		cnt->deleted++;
	}
	rc = 0;
out:
	free(peers);
	return rc;
}
