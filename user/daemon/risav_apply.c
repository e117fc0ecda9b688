// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "risav/prefix_maps.h"
#include "esprit_maps.h"
#include "daemon/log.h"
#include "daemon/risav_sets.h"
#include "lib/pins.h"
#include "lib/prog_maps.h"

void daemon_risav_init(struct daemon_risav *dr, const char *state_dir)
{
	memset(dr, 0, sizeof(*dr));
	prefix_table_init(&dr->prefixes.table);
	prefix_table_init(&dr->statics);
	seq_ledger_init(&dr->ledger,
			state_dir && state_dir[0] ? state_dir : NULL);
}

void daemon_risav_free(struct daemon_risav *dr)
{
	char dir[sizeof(dr->ledger.dir)];

	standbys_clear(dr);
	rtr_feed_free(dr->feed);
	memcpy(dir, dr->ledger.dir, sizeof(dir));
	risav_prefixes_free(&dr->prefixes);
	prefix_table_free(&dr->statics);
	seq_ledger_free(&dr->ledger);
	daemon_risav_init(dr, dir);
}

void daemon_risav_state_dir(struct daemon_risav *dr, const char *state_dir)
{
	seq_ledger_free(&dr->ledger);
	seq_ledger_init(&dr->ledger,
			state_dir && state_dir[0] ? state_dir : NULL);
}

void daemon_risav_checkpoint(struct daemon_risav *dr, const char *pin_dir)
{
	struct pins pins;
	char err[512];
	bool changed;
	int fd, rc;

	if (pins_prepare(pin_dir && pin_dir[0] ? pin_dir : NULL, &pins))
		return;
	fd = pins_try_open_map(&pins, ESPRIT_MAP_SA_OUT);
	if (fd < 0)
		return;
	rc = seq_ledger_checkpoint(&dr->ledger, fd, &changed, err, sizeof(err));
	close(fd);
	if (rc && !dr->ledger_failing)
		log_err("risav: outbound sequence numbers not checkpointed: "
			"%s; a restart may then refuse the outbound SAs",
			err);
	else if (!rc && dr->ledger_failing)
		log_notice("risav: outbound sequence numbers checkpointed "
			   "again in %s",
			   dr->ledger.path);
	dr->ledger_failing = rc != 0;
}

void risav_plan_free(struct risav_plan *plan)
{
	risav_prefixes_free(&plan->prefixes);
	rtr_feed_free(plan->feed);
	memset(plan, 0, sizeof(*plan));
}

/* The table the feed's data makes, with the statics over it. */
int daemon_risav_prepare(const struct daemon_risav *dr,
			 const struct daemon_config *cfg,
			 struct risav_plan *plan, char *err, size_t errlen)
{
	memset(plan, 0, sizeof(*plan));
	plan->cfg = &cfg->risav;
	plan->file = cfg->path;
	if (!cfg->risav.present)
		return 0;
	if (config_risav_load_prefixes(
		    &cfg->risav, cfg->path, dr->owned ? &dr->prefixes : NULL,
		    dr->owned ? &dr->statics : NULL, &plan->prefixes,
		    &plan->prefixes_unchanged, err, errlen))
		return -1;
	if (!cfg->risav.rtr.n)
		return 0;
	/* the load saw no import: its table is the statics alone */
	plan->prefixes_unchanged = false;
	return rtr_prepare(dr, &cfg->risav, plan, err, errlen);
}

/* ---- map sets ----------------------------------------------------------- */

void set_close(struct risav_set *s)
{
	risav_maps_close(&s->rm);
	sa_maps_close(&s->sm);
	sa_out_maps_close(&s->om);
}

static __u32 map_id_of(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/*
 * The outbound SA maps of the set when its maps are the ones pinned in
 * pin_dir: the TC tagger esprit attaches uses those (the XDP program
 * does not use them, so they are not among its maps). A set with maps of
 * its own has none.
 */
static void set_open_out(struct risav_set *s, const char *pin_dir)
{
	struct pins pins;
	int fd;

	s->om = (struct sa_out_maps){-1, -1, -1};
	if (pins_prepare(pin_dir[0] ? pin_dir : NULL, &pins))
		return;
	fd = pins_try_open_map(&pins, ESPRIT_MAP_RISAV);
	if (fd < 0)
		return;
	if (map_id_of(fd) == s->risav_id) {
		s->om.out = pins_try_open_map(&pins, ESPRIT_MAP_SA_OUT);
		s->om.sel = pins_try_open_map(&pins, ESPRIT_MAP_SA_SEL);
		s->om.st = pins_try_open_map(&pins, ESPRIT_MAP_SA_OUT_ST);
		if (s->om.out < 0 || s->om.sel < 0 || s->om.st < 0)
			sa_out_maps_close(&s->om);
		else
			s->sa_out_max = map_max_entries(s->om.out);
	}
	close(fd);
}

static int set_open(__u32 prog_id, struct risav_set *s, char *err,
		    size_t errlen)
{
	struct prog_map_want want[] = {
		{ESPRIT_MAP_RISAV, BPF_MAP_TYPE_ARRAY, 4,
		 sizeof(struct esprit_risav_config), &s->rm.config, true,
		 &s->risav_id, NULL},
		{ESPRIT_MAP_PREFIXES, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 0,
		 &s->rm.prefixes, true, NULL, NULL},
		{ESPRIT_MAP_PFX4, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 0, &s->rm.pfx4,
		 false, NULL, NULL},
		{ESPRIT_MAP_PEERS, BPF_MAP_TYPE_HASH, 4,
		 sizeof(struct esprit_peer), &s->rm.peers, true, NULL, NULL},
		{ESPRIT_MAP_CONTACTS, BPF_MAP_TYPE_HASH,
		 sizeof(struct esprit_addr), 4, &s->rm.contacts, true, NULL,
		 NULL},
		{ESPRIT_MAP_SA_IN, BPF_MAP_TYPE_HASH,
		 sizeof(struct esprit_sa_in_key), sizeof(struct esprit_sa_in),
		 &s->sm.in, true, NULL, &s->sa_max},
		{ESPRIT_MAP_SA_IN_RW, BPF_MAP_TYPE_HASH,
		 sizeof(struct esprit_sa_in_key), sizeof(struct esprit_replay),
		 &s->sm.in_rw, true, NULL, NULL},
		{ESPRIT_MAP_SA_IN_ST, BPF_MAP_TYPE_PERCPU_HASH,
		 sizeof(struct esprit_sa_in_key),
		 sizeof(struct esprit_sa_stats), &s->sm.in_st, true, NULL,
		 NULL},
	};

	memset(s, 0, sizeof(*s));
	s->om = (struct sa_out_maps){-1, -1, -1};
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
int sets_open(const struct dataplane *dp, struct risav_set *sets, size_t *n,
	      char *err, size_t errlen)
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
		set_open_out(&s, dp->pin_dir);
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
	if (r->nsas_in > s->sa_max) {
		snprintf(err, errlen,
			 "program id %u: %zu SAs do not fit: esprit_sa_in "
			 "holds %u",
			 s->prog_id, r->nsas_in, s->sa_max);
		return -1;
	}
	if (r->nsas_out && s->om.out < 0) {
		snprintf(err, errlen,
			 "program id %u: its maps are not those pinned in the "
			 "pin directory, so %zu outbound SAs have nowhere to "
			 "go",
			 s->prog_id, r->nsas_out);
		return -1;
	}
	if (r->nsas_out > s->sa_out_max && s->om.out >= 0) {
		snprintf(err, errlen,
			 "program id %u: %zu outbound SAs do not fit: "
			 "esprit_sa_out holds %u",
			 s->prog_id, r->nsas_out, s->sa_out_max);
		return -1;
	}
	return 0;
}

/* ---- one map set -------------------------------------------------------- */

/*
 * New and changed SAs first (a peer turned to enforce finds its SAs),
 * then peers and settings, then the prefix table, and the SAs no longer
 * listed last (unless the table is too full for old and new together).
 * Every write goes through one journal: on failure it is undone whole.
 */
static int set_apply(struct risav_set *s, const char *file,
		     const struct config_risav *r,
		     const struct prefix_table *table, bool install_table,
		     struct sa_counts *cnt, char *err, size_t errlen)
{
	struct sa_counts c = *cnt;
	struct map_journal j;
	struct sa_diff d;
	bool has_out = s->om.out >= 0, tight, otight;
	char why[512];
	int rc = -1;

	if (sa_diff_read(&s->sm, &s->om, r, &d, err, errlen))
		return -1;
	mj_init(&j);
	tight = d.nin + d.fresh_in > s->sa_max;
	otight = has_out && d.nout + d.fresh_out > s->sa_out_max;
	if (tight && sa_diff_delete_in(&s->sm, &d, &j, &c, err, errlen))
		goto out;
	if (otight &&
	    sa_diff_delete_out(&s->om, s->ledger, &d, &j, &c, err, errlen))
		goto out;
	if (has_out && sa_diff_write_out(&s->om, s->ledger, file, r, &d, &j, &c,
					 err, errlen))
		goto out;
	if (sa_diff_write_in(&s->sm, file, r, &d, &j, &c, err, errlen))
		goto out;
	if (risav_state_write(&s->rm, &r->state, &j, err, errlen))
		goto out;
	if (install_table) {
		struct prefix_maps pm = {s->rm.prefixes, s->rm.pfx4};
		struct prefix_load_report rep;

		if (prefixes_replace(&pm, table, &j, &rep, why, sizeof(why))) {
			snprintf(err, errlen, "prefix table: %s", why);
			goto out;
		}
		c.tables++;
		if (!rep.index_id && rep.index_note[0] && s->rm.pfx4 >= 0)
			log_warn("risav: no IPv4 prefix index (%s): IPv4 "
				 "lookups walk the trie",
				 rep.index_note);
	}
	if (!tight && sa_diff_delete_in(&s->sm, &d, &j, &c, err, errlen))
		goto out;
	if (has_out && !otight &&
	    sa_diff_delete_out(&s->om, s->ledger, &d, &j, &c, err, errlen))
		goto out;
	*cnt = c;
	rc = 0;
out:
	mj_finish(&j, rc);
	sa_diff_free(&d);
	return rc;
}

int risav_set_apply(const struct risav_maps *rm, const struct sa_maps *sm,
		    __u32 sa_max, const struct sa_out_maps *om,
		    __u32 sa_out_max, struct seq_ledger *ledger,
		    const char *file, const struct config_risav *r,
		    const struct prefix_table *table, bool install_table,
		    char *err, size_t errlen)
{
	struct risav_set s = {.rm = *rm,
			      .sm = *sm,
			      .sa_max = sa_max,
			      .om = om ? *om : (struct sa_out_maps){-1, -1, -1},
			      .sa_out_max = sa_out_max,
			      .ledger = ledger};
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
int apply_sets(struct daemon_risav *dr, const char *file,
	       const struct config_risav *r, const struct prefix_table *table,
	       bool table_changed, bool table_deferred,
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
		__u32 trie_id = prefix_trie_current_id(sets[i].rm.prefixes);
		bool install = table_deferred ? !trie_id
					      : table_changed || !old ||
							old->trie_id != trie_id;

		if (only_new && old) {
			seen[nseen++] = *old;
			continue;
		}
		sets[i].ledger = &dr->ledger;
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
		rtr_feed_free(plan->feed);
		plan->feed = NULL;
		if (dr->owned)
			log_notice("risav: section removed from %s: the RISAV "
				   "maps are left as they are",
				   plan->file);
		daemon_risav_free(dr);
		return 0;
	}
	if (apply_sets(dr, plan->file, r, table, !plan->prefixes_unchanged,
		       plan->table_deferred, dp, false, err, errlen))
		return -1;
	dr->owned = true;
	rtr_take_plan(dr, plan, dp, table);
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
		       dr->feed && !dr->rtr_installed, dp, true, err,
		       sizeof(err)))
		log_err("risav: %s; that program's RISAV maps are unchanged",
			err);
}
