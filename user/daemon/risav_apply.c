// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon/log.h"
#include "daemon/risav_apply.h"
#include "lib/pins.h"
#include "lib/prog_maps.h"

/* The RISAV maps of one loaded program. */
struct risav_set {
	__u32 risav_id;
	__u32 prog_id;
	struct risav_maps rm;
	struct sa_maps sm;
	__u32 sa_max;
	struct sa_out_maps om; /* -1s: the set has no outbound SA maps */
	__u32 sa_out_max;
};

struct sa_counts {
	size_t added, replaced, deleted, kept; /* both directions */
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
	sa_out_maps_close(&s->om);
}

static __u32 map_id_of(int fd, __u32 *max_entries)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	if (max_entries)
		*max_entries = info.max_entries;
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
	fd = pins_try_open_map(&pins, "esprit_risav");
	if (fd < 0)
		return;
	if (map_id_of(fd, NULL) == s->risav_id) {
		s->om.out = pins_try_open_map(&pins, "esprit_sa_out");
		s->om.sel = pins_try_open_map(&pins, "esprit_sa_sel");
		s->om.st = pins_try_open_map(&pins, "esprit_sa_out_st");
		if (s->om.out < 0 || s->om.sel < 0 || s->om.st < 0)
			sa_out_maps_close(&s->om);
		else
			map_id_of(s->om.out, &s->sa_out_max);
	}
	close(fd);
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

/* ---- outbound SAs ------------------------------------------------------- */

struct out_entry {
	struct sa_out sa;
	bool wanted;
};

enum out_step { OUT_ADDED, OUT_CHANGED, OUT_DELETED };

struct out_journal {
	struct {
		enum out_step step;
		struct sa_out before; /* OUT_CHANGED, OUT_DELETED */
		struct esprit_sa_out_key key;
	} * v;
	size_t n;
	__u32 *asns; /* peers whose selections need rebuilding */
	size_t nasns;
};

static void out_journal_free(struct out_journal *j)
{
	if (j->v)
		explicit_bzero(j->v, j->n * sizeof(*j->v));
	free(j->v);
	free(j->asns);
	memset(j, 0, sizeof(*j));
}

static int out_entries_read(const struct sa_out_maps *m, struct out_entry **out,
			    size_t *n)
{
	struct esprit_sa_out_key key, next, *prev = NULL;
	struct out_entry *v = NULL;
	size_t cap = 0;

	*n = 0;
	*out = NULL;
	while (!bpf_map_get_next_key(m->out, prev, &next)) {
		key = next;
		prev = &key;
		if (*n == cap) {
			size_t c = cap ? 2 * cap : 16;
			struct out_entry *g = realloc(v, c * sizeof(*g));

			if (!g) {
				if (v)
					explicit_bzero(v, *n * sizeof(*v));
				free(v);
				return -ENOMEM;
			}
			v = g;
			cap = c;
		}
		memset(&v[*n], 0, sizeof(v[*n]));
		v[*n].sa.key = key;
		if (bpf_map_lookup_elem(m->out, &key, &v[*n].sa.value))
			continue; /* deleted meanwhile */
		(*n)++;
	}
	*out = v;
	return 0;
}

static struct out_entry *out_entry_find(struct out_entry *v, size_t n,
					const struct esprit_sa_out_key *key)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(&v[i].sa.key, key, sizeof(*key)))
			return &v[i];
	return NULL;
}

/* Same key material, algorithm, DSCP set and state: the counter aside. */
static bool out_same(const struct esprit_sa_out *a,
		     const struct esprit_sa_out *b)
{
	return !memcmp(&a->auth, &b->auth, sizeof(a->auth)) &&
	       a->dscp_mask == b->dscp_mask && a->state == b->state;
}

/* The counter an SA rewritten now continues from (SA_OUT_SEQ_SKIP). */
static __u64 seq_continued(int fd, const struct esprit_sa_out_key *key,
			   __u64 fallback)
{
	struct esprit_sa_out cur;
	__u64 seq = fallback;

	if (!bpf_map_lookup_elem(fd, key, &cur))
		seq = cur.seq;
	explicit_bzero(&cur, sizeof(cur));
	if (seq >= ESPRIT_SA_OUT_SEQ_LAST)
		return seq; /* spent stays spent */
	seq += SA_OUT_SEQ_SKIP;
	return seq > ESPRIT_SA_OUT_SEQ_LAST ? ESPRIT_SA_OUT_SEQ_LAST : seq;
}

static void out_note_asn(struct out_journal *j, __u32 asn)
{
	for (size_t i = 0; i < j->nasns; i++)
		if (j->asns[i] == asn)
			return;
	j->asns[j->nasns++] = asn;
}

static void out_note(struct out_journal *j, enum out_step step,
		     const struct esprit_sa_out_key *key,
		     const struct sa_out *before)
{
	j->v[j->n].step = step;
	j->v[j->n].key = *key;
	if (before)
		j->v[j->n].before = *before;
	j->n++;
	out_note_asn(j, key->asn);
}

/* A new SA: fresh counters, sequence counter 0. */
static int out_insert(const struct sa_out_maps *m, const struct sa_out *sa,
		      __u64 seq)
{
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_sa_out_stats *zeros;
	struct esprit_sa_out v = sa->value;
	int e = 0;

	if (ncpus <= 0 || !(zeros = calloc(ncpus, sizeof(*zeros))))
		return -ENOMEM;
	v.seq = seq;
	if (bpf_map_update_elem(m->st, &sa->key, zeros, BPF_ANY))
		e = -errno;
	else if (bpf_map_update_elem(m->out, &sa->key, &v, BPF_NOEXIST)) {
		e = -errno;
		bpf_map_delete_elem(m->st, &sa->key);
	}
	explicit_bzero(&v, sizeof(v));
	free(zeros);
	return e;
}

/* A changed SA, written in place: its counter continues. */
static int out_rewrite(const struct sa_out_maps *m, const struct sa_out *sa)
{
	struct esprit_sa_out v = sa->value;
	int e = 0;

	v.seq = seq_continued(m->out, &sa->key, 0);
	if (bpf_map_update_elem(m->out, &sa->key, &v, BPF_EXIST))
		e = -errno;
	explicit_bzero(&v, sizeof(v));
	return e;
}

static int out_remove(const struct sa_out_maps *m,
		      const struct esprit_sa_out_key *key)
{
	if (bpf_map_delete_elem(m->out, key) && errno != ENOENT)
		return -errno;
	bpf_map_delete_elem(m->st, key);
	return 0;
}

/* Rebuilds the selections of every peer the journal touched. */
static int out_rebuild(const struct sa_out_maps *m, const struct out_journal *j,
		       char *err, size_t errlen)
{
	return sa_out_sel_rebuild_peers(m, j->asns, j->nasns, err, errlen);
}

static void out_undo(const struct sa_out_maps *m, struct out_journal *j)
{
	char why[256];

	while (j->n) {
		typeof(j->v[0]) *u = &j->v[--j->n];

		switch (u->step) {
		case OUT_ADDED:
			out_remove(m, &u->key);
			break;
		case OUT_CHANGED:
			out_rewrite(m, &u->before);
			break;
		case OUT_DELETED: /* back, with fresh counters */
			out_insert(m, &u->before, u->before.value.seq);
			break;
		}
	}
	if (out_rebuild(m, j, why, sizeof(why)))
		log_err("risav: cannot put the DSCP selections back: %s", why);
}

static void out_error(char *err, size_t errlen, const char *file,
		      const struct config_sa *c, size_t i, int e)
{
	snprintf(err, errlen,
		 "%s:%zu: risav.sas[%zu]: outbound SPI 0x%x, ASN %u: cannot "
		 "write: %s%s",
		 file, c->line, i, c->out.key.spi, c->out.key.asn, strerror(-e),
		 e == -E2BIG || e == -ENOMEM ? " (esprit_sa_out full)" : "");
}

/* New and changed outbound SAs, then the selections of their peers. */
static int out_write_wanted(const struct sa_out_maps *m, const char *file,
			    const struct config_risav *r,
			    struct out_entry *have, size_t nhave,
			    struct out_journal *j, struct sa_counts *cnt,
			    char *err, size_t errlen)
{
	for (size_t i = 0; i < r->nsas; i++) {
		const struct config_sa *c = &r->sas[i];
		struct out_entry *h;
		int e;

		if (c->dir != SA_DIR_OUT)
			continue;
		h = out_entry_find(have, nhave, &c->out.key);
		if (h && out_same(&h->sa.value, &c->out.value)) {
			cnt->kept++;
			continue;
		}
		e = h ? out_rewrite(m, &c->out) : out_insert(m, &c->out, 0);
		if (e) {
			out_error(err, errlen, file, c, i, e);
			return -1;
		}
		out_note(j, h ? OUT_CHANGED : OUT_ADDED, &c->out.key,
			 h ? &h->sa : NULL);
		if (h)
			cnt->replaced++;
		else
			cnt->added++;
	}
	return out_rebuild(m, j, err, errlen);
}

/*
 * Outbound SAs no longer listed: first their DSCP sets emptied and the
 * selections of their peers rebuilt, so every DSCP moves to its new SA
 * (or the peer's policy) while the old one still exists, then deleted.
 */
static int out_delete_unwanted(const struct sa_out_maps *m,
			       struct out_entry *have, size_t nhave,
			       struct out_journal *j, struct sa_counts *cnt,
			       char *err, size_t errlen)
{
	size_t from = j->n;
	int e;

	for (size_t i = 0; i < nhave; i++) {
		struct sa_out emptied = have[i].sa;

		if (have[i].wanted)
			continue;
		emptied.value.dscp_mask = 0;
		e = out_rewrite(m, &emptied);
		explicit_bzero(&emptied, sizeof(emptied));
		if (e)
			goto fail;
		out_note(j, OUT_CHANGED, &have[i].sa.key, &have[i].sa);
	}
	if (j->n == from)
		return 0;
	if (out_rebuild(m, j, err, errlen))
		return -1;
	for (size_t i = 0; i < nhave; i++) {
		struct sa_out before;

		if (have[i].wanted)
			continue;
		before = have[i].sa;
		before.value.seq =
			seq_continued(m->out, &before.key, before.value.seq);
		e = out_remove(m, &have[i].sa.key);
		if (!e)
			out_note(j, OUT_DELETED, &have[i].sa.key, &before);
		explicit_bzero(&before, sizeof(before));
		if (e)
			goto fail;
		cnt->deleted++;
	}
	return 0;
fail:
	snprintf(err, errlen, "outbound SAs no longer listed: cannot write: %s",
		 strerror(-e));
	return -1;
}

/* The outbound SAs installed, which of them the file lists, and the
 * journal sized for every step the apply may take. */
static int out_read(const struct risav_set *s, const struct config_risav *r,
		    struct out_entry **have, size_t *nhave, size_t *fresh,
		    struct out_journal *j, char *err, size_t errlen)
{
	int e = out_entries_read(&s->om, have, nhave);
	size_t cap;

	if (e) {
		snprintf(err, errlen, "cannot read esprit_sa_out: %s",
			 strerror(-e));
		return -1;
	}
	*fresh = 0;
	for (size_t i = 0; i < r->nsas; i++) {
		struct out_entry *h;

		if (r->sas[i].dir != SA_DIR_OUT)
			continue;
		h = out_entry_find(*have, *nhave, &r->sas[i].out.key);
		if (h)
			h->wanted = true;
		else
			(*fresh)++;
	}
	cap = 2 * *nhave + r->nsas_out + 1;
	j->v = calloc(cap, sizeof(*j->v));
	j->asns = calloc(cap, sizeof(*j->asns));
	if (!j->v || !j->asns) {
		snprintf(err, errlen, "out of memory");
		return -1;
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
	struct out_journal oj = {};
	struct sa_entry *have = NULL;
	struct out_entry *ohave = NULL;
	struct risav_state before;
	size_t nhave = 0, nohave = 0, fresh = 0, ofresh = 0;
	bool tight, otight = false, state_written = false;
	bool has_out = s->om.out >= 0;
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
	if (has_out &&
	    out_read(s, r, &ohave, &nohave, &ofresh, &oj, err, errlen))
		goto out;
	for (size_t i = 0; i < r->nsas; i++) {
		struct sa_entry *h;

		if (r->sas[i].dir != SA_DIR_IN)
			continue;
		h = sa_entry_find(have, nhave, &r->sas[i].in.key);
		if (h)
			h->wanted = true;
		else
			fresh++;
	}
	tight = nhave + fresh > s->sa_max;
	if (tight && delete_unwanted(&s->sm, have, nhave, &j, cnt, err, errlen))
		goto undo;
	otight = has_out && nohave + ofresh > s->sa_out_max;
	if (otight &&
	    out_delete_unwanted(&s->om, ohave, nohave, &oj, cnt, err, errlen))
		goto undo;
	if (has_out && out_write_wanted(&s->om, file, r, ohave, nohave, &oj,
					cnt, err, errlen))
		goto undo;
	for (size_t i = 0; i < r->nsas; i++) {
		const struct sa_in *sa = &r->sas[i].in;
		struct sa_entry *h;

		if (r->sas[i].dir != SA_DIR_IN)
			continue;
		h = sa_entry_find(have, nhave, &sa->key);

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
	if (has_out && !otight &&
	    out_delete_unwanted(&s->om, ohave, nohave, &oj, cnt, err, errlen))
		goto undo;
	rc = 0;
	goto out;
undo:
	if (state_written &&
	    risav_state_apply(&s->rm, &before, why, sizeof(why)))
		log_err("risav: cannot put the peers back: %s", why);
	if (has_out)
		out_undo(&s->om, &oj);
	journal_undo(&s->sm, &j);
out:
	free(j.v);
	out_journal_free(&oj);
	if (ohave)
		explicit_bzero(ohave, nohave * sizeof(*ohave));
	free(ohave);
	entries_free(have, nhave);
	risav_state_free(&before);
	return rc;
}

int risav_set_apply(const struct risav_maps *rm, const struct sa_maps *sm,
		    __u32 sa_max, const struct sa_out_maps *om,
		    __u32 sa_out_max, const char *file,
		    const struct config_risav *r,
		    const struct prefix_table *table, bool install_table,
		    char *err, size_t errlen)
{
	struct risav_set s = {.rm = *rm,
			      .sm = *sm,
			      .sa_max = sa_max,
			      .om = om ? *om : (struct sa_out_maps){-1, -1, -1},
			      .sa_out_max = sa_out_max};
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
