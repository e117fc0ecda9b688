// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "daemon_log.h"
#include "daemon_risav.h"
#include "pins.h"
#include "prog_maps.h"

/* The RISAV maps of one loaded program. */
struct risav_set {
	__u32 risav_id;
	__u32 prog_id;
	struct risav_maps rm;
	struct sa_maps sm;
	__u32 sa_max;
};

struct sa_counts {
	size_t added, replaced, deleted, kept;
	size_t tables; /* prefix tables installed */
};

void daemon_risav_init(struct daemon_risav *dr)
{
	memset(dr, 0, sizeof(*dr));
	prefix_table_init(&dr->prefixes.table);
	prefix_table_init(&dr->statics);
}

void daemon_risav_free(struct daemon_risav *dr)
{
	risav_prefixes_free(&dr->prefixes);
	prefix_table_free(&dr->statics);
	daemon_risav_init(dr);
}

void risav_plan_free(struct risav_plan *plan)
{
	risav_prefixes_free(&plan->prefixes);
	memset(plan, 0, sizeof(*plan));
}

int daemon_risav_prepare(const struct daemon_risav *dr,
			 const struct daemon_config *cfg,
			 struct risav_plan *plan, char *err, size_t errlen)
{
	memset(plan, 0, sizeof(*plan));
	plan->cfg = &cfg->risav;
	plan->file = cfg->path;
	if (!cfg->risav.present)
		return 0;
	return config_risav_load_prefixes(
		&cfg->risav, cfg->path, dr->owned ? &dr->prefixes : NULL,
		dr->owned ? &dr->statics : NULL, &plan->prefixes,
		&plan->prefixes_unchanged, err, errlen);
}

/* ---- map sets ----------------------------------------------------------- */

static void set_close(struct risav_set *s)
{
	risav_maps_close(&s->rm);
	sa_maps_close(&s->sm);
}

static int set_open(__u32 prog_id, struct risav_set *s, char *err,
		    size_t errlen)
{
	struct prog_map_want want[] = {
		{"esprit_risav", BPF_MAP_TYPE_ARRAY, 4,
		 sizeof(struct esprit_risav_config), &s->rm.config, true,
		 &s->risav_id, NULL},
		{"esprit_prefixes", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 0,
		 &s->rm.prefixes, true, NULL, NULL},
		{"esprit_pfx4", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 0, &s->rm.pfx4,
		 false, NULL, NULL},
		{"esprit_peers", BPF_MAP_TYPE_HASH, 4,
		 sizeof(struct esprit_peer), &s->rm.peers, true, NULL, NULL},
		{"esprit_contacts", BPF_MAP_TYPE_HASH,
		 sizeof(struct esprit_addr), 4, &s->rm.contacts, true, NULL,
		 NULL},
		{"esprit_sa_in", BPF_MAP_TYPE_HASH,
		 sizeof(struct esprit_sa_in_key), sizeof(struct esprit_sa_in),
		 &s->sm.in, true, NULL, &s->sa_max},
		{"esprit_sa_in_rw", BPF_MAP_TYPE_HASH,
		 sizeof(struct esprit_sa_in_key), sizeof(struct esprit_replay),
		 &s->sm.in_rw, true, NULL, NULL},
		{"esprit_sa_in_st", BPF_MAP_TYPE_PERCPU_HASH,
		 sizeof(struct esprit_sa_in_key),
		 sizeof(struct esprit_sa_stats), &s->sm.in_st, true, NULL,
		 NULL},
	};

	memset(s, 0, sizeof(*s));
	s->prog_id = prog_id;
	if (prog_maps_open_id(prog_id, want, sizeof(want) / sizeof(want[0]),
			      err, errlen))
		return -1;
	if (risav_maps_probe(&s->rm, err, errlen)) {
		set_close(s);
		return -1;
	}
	return 0;
}

/* The distinct map sets of dp's programs. */
static int sets_open(const struct dataplane *dp, struct risav_set *sets,
		     size_t *n, char *err, size_t errlen)
{
	*n = 0;
	for (size_t i = 0; i < dp->nifs; i++) {
		struct risav_set s;
		char why[256];
		bool seen = false;

		if (!dp->ifs[i].prog_id)
			continue;
		if (set_open(dp->ifs[i].prog_id, &s, why, sizeof(why))) {
			snprintf(err, errlen, "%s: %s", dp->ifs[i].name, why);
			goto fail;
		}
		for (size_t j = 0; j < *n; j++)
			seen |= sets[j].risav_id == s.risav_id;
		if (seen || *n == DAEMON_RISAV_SETS_MAX) {
			set_close(&s);
			continue;
		}
		sets[(*n)++] = s;
	}
	return 0;
fail:
	for (size_t j = 0; j < *n; j++)
		set_close(&sets[j]);
	*n = 0;
	return -1;
}

static const struct risav_set_seen *seen_set(const struct daemon_risav *dr,
					     __u32 risav_id)
{
	for (size_t i = 0; i < dr->nsets; i++)
		if (dr->sets[i].risav_id == risav_id)
			return &dr->sets[i];
	return NULL;
}

/* Everything a set's sizes can refuse, before anything is written. */
static int set_check(const struct risav_set *s, const struct config_risav *r,
		     char *err, size_t errlen)
{
	char why[512];

	if (risav_state_check(&r->state, &s->rm, why, sizeof(why))) {
		snprintf(err, errlen, "program id %u: %s", s->prog_id, why);
		return -1;
	}
	if (r->nsas > s->sa_max) {
		snprintf(err, errlen,
			 "program id %u: %zu SAs do not fit: esprit_sa_in "
			 "holds %u",
			 s->prog_id, r->nsas, s->sa_max);
		return -1;
	}
	return 0;
}

/* ---- SAs ---------------------------------------------------------------- */

/* An SA in the map, and what the journal needs to put it back. */
struct sa_entry {
	struct sa_in sa;
	bool has_window;
	struct esprit_replay window;
	bool wanted;
};

enum sa_step { SA_ADDED, SA_REPLACED, SA_DELETED };

struct sa_journal {
	struct {
		enum sa_step step;
		const struct sa_entry *before; /* NULL for SA_ADDED */
		struct esprit_sa_in_key key;
	} * v;
	size_t n;
};

static void entries_free(struct sa_entry *v, size_t n)
{
	if (v)
		explicit_bzero(v, n * sizeof(*v));
	free(v);
}

static int sa_entries_read(const struct sa_maps *m, struct sa_entry **out,
			   size_t *n)
{
	struct esprit_sa_in_key key, next, *prev = NULL;
	struct sa_entry *v = NULL;
	size_t cap = 0;

	*n = 0;
	while (!bpf_map_get_next_key(m->in, prev, &next)) {
		struct sa_entry *e;

		key = next;
		prev = &key;
		if (*n == cap) {
			size_t c = cap ? 2 * cap : 16;
			struct sa_entry *g = realloc(v, c * sizeof(*g));

			if (!g) {
				entries_free(v, *n);
				return -ENOMEM;
			}
			v = g;
			cap = c;
		}
		e = &v[*n];
		memset(e, 0, sizeof(*e));
		e->sa.key = key;
		if (bpf_map_lookup_elem(m->in, &key, &e->sa.value))
			continue; /* deleted meanwhile */
		e->has_window = !bpf_map_lookup_elem_flags(
			m->in_rw, &key, &e->window, BPF_F_LOCK);
		(*n)++;
	}
	*out = v;
	return 0;
}

static struct sa_entry *sa_entry_find(struct sa_entry *v, size_t n,
				      const struct esprit_sa_in_key *key)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(&v[i].sa.key, key, sizeof(*key)))
			return &v[i];
	return NULL;
}

static void journal_note(struct sa_journal *j, enum sa_step step,
			 const struct sa_entry *before,
			 const struct esprit_sa_in_key *key)
{
	j->v[j->n].step = step;
	j->v[j->n].before = before;
	j->v[j->n].key = *key;
	j->n++;
}

static void restore_window(const struct sa_maps *m, const struct sa_entry *e)
{
	if (e->has_window)
		bpf_map_update_elem(m->in_rw, &e->sa.key, &e->window, BPF_ANY);
	else
		bpf_map_delete_elem(m->in_rw, &e->sa.key);
}

static void journal_undo(const struct sa_maps *m, struct sa_journal *j)
{
	char why[256];

	while (j->n) {
		typeof(j->v[0]) *u = &j->v[--j->n];

		switch (u->step) {
		case SA_ADDED:
			sa_in_del(m, &u->key, why, sizeof(why));
			break;
		case SA_REPLACED:
			bpf_map_update_elem(m->in, &u->key,
					    &u->before->sa.value, BPF_EXIST);
			restore_window(m, u->before);
			break;
		case SA_DELETED: /* back, with fresh counters */
			if (!sa_in_add(m, &u->before->sa, why, sizeof(why)))
				restore_window(m, u->before);
			break;
		}
	}
}

static int delete_unwanted(const struct sa_maps *m, struct sa_entry *have,
			   size_t nhave, struct sa_journal *j,
			   struct sa_counts *cnt, char *err, size_t errlen)
{
	for (size_t i = 0; i < nhave; i++) {
		if (have[i].wanted)
			continue;
		if (sa_in_del(m, &have[i].sa.key, err, errlen))
			return -1;
		journal_note(j, SA_DELETED, &have[i], &have[i].sa.key);
		cnt->deleted++;
	}
	return 0;
}

/* ---- one map set -------------------------------------------------------- */

/*
 * New and changed SAs first (a peer turned to enforce finds its SAs),
 * then peers and settings, then the prefix table, and the SAs no longer
 * listed last (unless the table is too full for old and new together).
 */
static int set_apply(struct risav_set *s, const char *file,
		     const struct config_risav *r,
		     const struct prefix_table *table, bool install_table,
		     struct sa_counts *cnt, char *err, size_t errlen)
{
	struct sa_journal j = {};
	struct sa_entry *have = NULL;
	struct risav_state before;
	size_t nhave = 0, fresh = 0;
	bool tight, state_written = false;
	char why[512];
	int rc = -1, e;

	if (risav_state_read(&s->rm, &before, err, errlen))
		return -1;
	e = sa_entries_read(&s->sm, &have, &nhave);
	if (e) {
		snprintf(err, errlen, "cannot read esprit_sa_in: %s",
			 strerror(-e));
		goto out;
	}
	j.v = calloc(nhave + r->nsas + 1, sizeof(*j.v));
	if (!j.v) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < r->nsas; i++) {
		struct sa_entry *h =
			sa_entry_find(have, nhave, &r->sas[i].in.key);

		if (h)
			h->wanted = true;
		else
			fresh++;
	}
	tight = nhave + fresh > s->sa_max;
	if (tight && delete_unwanted(&s->sm, have, nhave, &j, cnt, err, errlen))
		goto undo;
	for (size_t i = 0; i < r->nsas; i++) {
		const struct sa_in *sa = &r->sas[i].in;
		struct sa_entry *h = sa_entry_find(have, nhave, &sa->key);

		if (h && !memcmp(&h->sa.value, &sa->value, sizeof(sa->value))) {
			cnt->kept++;
			continue;
		}
		if (h ? sa_in_replace(&s->sm, sa, why, sizeof(why))
		      : sa_in_add(&s->sm, sa, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%zu: risav.sas[%zu]: %s",
				 file, r->sas[i].line, i, why);
			goto undo;
		}
		journal_note(&j, h ? SA_REPLACED : SA_ADDED, h, &sa->key);
		if (h)
			cnt->replaced++;
		else
			cnt->added++;
	}
	if (risav_state_apply(&s->rm, &r->state, err, errlen))
		goto undo;
	state_written = true;
	if (install_table) {
		struct prefix_maps pm = {s->rm.prefixes, s->rm.pfx4};
		struct prefix_load_report rep;

		if (prefixes_replace(&pm, table, &rep, why, sizeof(why))) {
			snprintf(err, errlen, "prefix table: %s", why);
			goto undo;
		}
		cnt->tables++;
		if (!rep.index_id && rep.index_note[0] && s->rm.pfx4 >= 0)
			log_warn("risav: no IPv4 prefix index (%s): IPv4 "
				 "lookups walk the trie",
				 rep.index_note);
	}
	if (!tight &&
	    delete_unwanted(&s->sm, have, nhave, &j, cnt, err, errlen))
		goto undo;
	rc = 0;
	goto out;
undo:
	if (state_written &&
	    risav_state_apply(&s->rm, &before, why, sizeof(why)))
		log_err("risav: cannot put the peers back: %s", why);
	journal_undo(&s->sm, &j);
out:
	free(j.v);
	entries_free(have, nhave);
	risav_state_free(&before);
	return rc;
}

int risav_set_apply(const struct risav_maps *rm, const struct sa_maps *sm,
		    __u32 sa_max, const char *file,
		    const struct config_risav *r,
		    const struct prefix_table *table, bool install_table,
		    char *err, size_t errlen)
{
	struct risav_set s = {.rm = *rm, .sm = *sm, .sa_max = sa_max};
	struct sa_counts cnt = {};

	return set_apply(&s, file, r, table, install_table, &cnt, err, errlen);
}

/* ---- applying ----------------------------------------------------------- */

static void log_applied(const struct config_risav *r,
			const struct prefix_table *t, size_t nsets,
			const struct sa_counts *c)
{
	log_notice("risav: %zu map set%s: local AS %u, %zu peers, %zu SAs "
		   "(%zu added, %zu replaced, %zu deleted, %zu unchanged), "
		   "%zu prefixes%s",
		   nsets, nsets == 1 ? "" : "s", r->state.config.local_asn,
		   r->state.npeers, r->nsas, c->added, c->replaced, c->deleted,
		   c->kept, t->n,
		   c->tables ? " (table installed)" : " (table unchanged)");
}

/* Applies r to the sets of dp; only_new: to sets not seen before. */
static int apply_sets(struct daemon_risav *dr, const char *file,
		      const struct config_risav *r,
		      const struct prefix_table *table, bool table_changed,
		      const struct dataplane *dp, bool only_new, char *err,
		      size_t errlen)
{
	struct risav_set sets[DAEMON_RISAV_SETS_MAX];
	struct risav_set_seen seen[DAEMON_RISAV_SETS_MAX];
	struct sa_counts cnt = {};
	size_t n, nseen = 0, applied = 0, fresh = 0;
	struct pins pins;
	int rc = -1;

	if (sets_open(dp, sets, &n, err, errlen))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (set_check(&sets[i], r, err, errlen))
			goto out;
		fresh += !seen_set(dr, sets[i].risav_id);
	}
	if (only_new && !fresh) {
		rc = 0;
		goto out;
	}
	if (pins_prepare(dp->pin_dir[0] ? dp->pin_dir : NULL, &pins) ||
	    pins_lock(&pins)) {
		snprintf(err, errlen, "cannot lock the pin directory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct risav_set_seen *old =
			seen_set(dr, sets[i].risav_id);
		bool install = table_changed || !old ||
			       old->trie_id != prefix_trie_current_id(
						       sets[i].rm.prefixes);

		if (only_new && old) {
			seen[nseen++] = *old;
			continue;
		}
		if (set_apply(&sets[i], file, r, table, install, &cnt, err,
			      errlen)) {
			pins_unlock(&pins);
			goto out;
		}
		seen[nseen].risav_id = sets[i].risav_id;
		seen[nseen++].trie_id =
			prefix_trie_current_id(sets[i].rm.prefixes);
		applied++;
	}
	pins_unlock(&pins);
	memcpy(dr->sets, seen, nseen * sizeof(seen[0]));
	dr->nsets = nseen;
	if (applied)
		log_applied(r, table, applied, &cnt);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		set_close(&sets[i]);
	return rc;
}

int daemon_risav_apply(struct daemon_risav *dr, struct risav_plan *plan,
		       const struct dataplane *dp, char *err, size_t errlen)
{
	const struct config_risav *r = plan->cfg;
	const struct prefix_table *table = plan->prefixes_unchanged
						   ? &dr->prefixes.table
						   : &plan->prefixes.table;
	struct prefix_table statics;

	if (!r->present) {
		if (dr->owned)
			log_notice("risav: section removed from %s: the RISAV "
				   "maps are left as they are",
				   plan->file);
		daemon_risav_free(dr);
		return 0;
	}
	if (apply_sets(dr, plan->file, r, table, !plan->prefixes_unchanged, dp,
		       false, err, errlen))
		return -1;
	dr->owned = true;
	if (plan->prefixes_unchanged) {
		/* same content, maybe rewritten: remember the file as it is
		 * now, so the next reload need not read it */
		if (plan->prefixes.imported) {
			dr->prefixes.dev = plan->prefixes.dev;
			dr->prefixes.ino = plan->prefixes.ino;
			dr->prefixes.size = plan->prefixes.size;
			dr->prefixes.mtime = plan->prefixes.mtime;
			dr->prefixes.ctime = plan->prefixes.ctime;
		}
		return 0;
	}
	/* keep what was installed, to tell a later change from none */
	prefix_table_init(&statics);
	if (r->statics.n) {
		statics.v = malloc(r->statics.n * sizeof(*statics.v));
		if (statics.v) {
			memcpy(statics.v, r->statics.v,
			       r->statics.n * sizeof(*statics.v));
			statics.n = statics.cap = r->statics.n;
		}
	}
	risav_prefixes_free(&dr->prefixes);
	prefix_table_free(&dr->statics);
	dr->prefixes = plan->prefixes;
	prefix_table_init(&plan->prefixes.table);
	if (r->statics.n && !statics.v) {
		/* without them the next reload re-reads the import */
		memset(dr->prefixes.digest, 0, sizeof(dr->prefixes.digest));
		dr->prefixes.imported = false;
	}
	dr->statics = statics;
	return 0;
}

void daemon_risav_sync(struct daemon_risav *dr, const struct daemon_config *cfg,
		       const struct dataplane *dp)
{
	char err[512];

	if (!dr->owned || !cfg->risav.present)
		return;
	if (apply_sets(dr, cfg->path, &cfg->risav, &dr->prefixes.table, false,
		       dp, true, err, sizeof(err)))
		log_err("risav: %s; that program's RISAV maps are unchanged",
			err);
}
