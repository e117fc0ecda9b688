// SPDX-License-Identifier: GPL-2.0
/*
 * The prefix table from the RTR feed (daemon/rtr_feed.h): its first data
 * installed whole, each later batch swapped in through a standby trie per
 * map set (risav/prefix_maps.h), the plan of a reload kept or replaced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/risav_sets.h"
#include "lib/pins.h"
#include "risav/prefix_maps.h"

void standbys_clear(struct daemon_risav *dr)
{
	for (size_t i = 0; i < dr->nstandby; i++)
		if (dr->standby[i].fd >= 0)
			close(dr->standby[i].fd);
	dr->nstandby = 0;
}

static int rtr_table(const struct daemon_risav *dr,
		     const struct prefix_table *statics, struct prefix_table *t)
{
	prefix_table_init(t);
	if (vrp_set_table(rtr_feed_vrps(dr->feed), t))
		return -1;
	for (size_t i = 0; i < statics->n; i++)
		if (prefix_table_put(t, &statics->v[i].key, statics->v[i].asn,
				     ESPRIT_PREFIX_FROM_STATIC))
			return -1;
	return 0;
}

/*
 * RTR in the file: the same caches keep their feed and its data (a new
 * set of statics goes over it); other caches get a new feed, and the
 * table waits for its data.
 */
int rtr_prepare(const struct daemon_risav *dr, const struct config_risav *r,
		struct risav_plan *plan, char *err, size_t errlen)
{
	if (!dr->feed || !rtr_feed_same(dr->feed, &r->rtr)) {
		plan->feed = rtr_feed_new(&r->rtr, err, errlen);
		plan->table_deferred = true;
		return plan->feed ? 0 : -1;
	}
	if (!dr->rtr_installed) {
		plan->table_deferred = true;
		return 0;
	}
	if (prefix_table_equal(&dr->statics, &r->statics)) {
		plan->prefixes_unchanged = true;
		return 0;
	}
	prefix_table_free(&plan->prefixes.table);
	if (rtr_table(dr, &r->statics, &plan->prefixes.table)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* More changes than this in one batch: a whole new table is built instead
 * (cheaper than making them twice, in the standby and then the other). */
#define RTR_BATCH_FULL_ABOVE 50000

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* After a whole table went in: a mirror of it for each set, for the
 * batches to come. */
static void standbys_build(struct daemon_risav *dr, const struct dataplane *dp,
			   const struct prefix_table *t)
{
	struct risav_set sets[DAEMON_RISAV_SETS_MAX];
	char err[512];
	size_t n;

	standbys_clear(dr);
	if (sets_open(dp, sets, &n, err, sizeof(err))) {
		log_warn("risav: %s; RTR batches install whole tables", err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int fd = prefix_trie_mirror(t, err, sizeof(err));

		if (fd < 0)
			log_warn("risav: no standby prefix trie (%s): RTR "
				 "batches install whole tables",
				 err);
		else
			dr->standby[dr->nstandby++] = (struct rtr_standby){
				sets[i].risav_id,
				prefix_trie_current_id(sets[i].rm.prefixes),
				fd};
		set_close(&sets[i]);
	}
}

static struct rtr_standby *standby_of(struct daemon_risav *dr, __u32 risav_id)
{
	for (size_t i = 0; i < dr->nstandby; i++)
		if (dr->standby[i].risav_id == risav_id)
			return &dr->standby[i];
	return NULL;
}

static void rtr_install_full(struct daemon_risav *dr,
			     const struct daemon_config *cfg,
			     const struct dataplane *dp)
{
	const struct config_risav *r = &cfg->risav;
	double t0 = mono_now();
	struct prefix_table t;
	char err[512];

	if (rtr_table(dr, &r->statics, &t)) {
		prefix_table_free(&t);
		snprintf(err, sizeof(err), "out of memory");
	} else if (t.n > ESPRIT_PREFIXES_MAX) {
		snprintf(err, sizeof(err), "%zu prefixes; the table holds %d",
			 t.n, ESPRIT_PREFIXES_MAX);
		prefix_table_free(&t);
	} else if (!apply_sets(dr, cfg->path, r, &t, true, false, dp, false,
			       err, sizeof(err))) {
		prefix_table_free(&dr->prefixes.table);
		dr->prefixes.table = t;
		dr->rtr_installed = true;
		standbys_build(dr, dp, &t);
		dr->rtr.installs++;
		dr->rtr.last_apply_s = mono_now() - t0;
		dr->rtr.last_change = real_now();
		log_notice("risav: the RTR data is in the table: %zu prefixes "
			   "(%zu static), installed in %.3f s",
			   t.n, r->statics.n, dr->rtr.last_apply_s);
		return;
	} else {
		prefix_table_free(&t);
	}
	dr->rtr.failures++;
	log_err("risav: RTR data not installed: %s; the table is as it was",
		err);
}

/* One batch swapped into every set; -1 if a set needs a whole table. */
static int rtr_swap_batch(struct daemon_risav *dr,
			  const struct daemon_config *cfg,
			  const struct dataplane *dp, struct prefix_change *c,
			  size_t n)
{
	struct risav_set sets[DAEMON_RISAV_SETS_MAX];
	double t0 = mono_now();
	struct pins pins;
	char err[512];
	size_t nsets;
	int rc = 0;

	if (sets_open(dp, sets, &nsets, err, sizeof(err)))
		return -1;
	if (pins_prepare(dp->pin_dir[0] ? dp->pin_dir : NULL, &pins) ||
	    pins_lock(&pins))
		rc = -1;
	for (size_t i = 0; i < nsets && !rc; i++) {
		struct prefix_maps pm = {sets[i].rm.prefixes, sets[i].rm.pfx4};
		struct rtr_standby *sb = standby_of(dr, sets[i].risav_id);

		if (!sb || sb->fd < 0 ||
		    sb->trie_id != prefix_trie_current_id(pm.trie)) {
			rc = -1; /* a set without a mirror, or edited */
			break;
		}
		if (prefixes_swap_batch(&pm, &sb->fd, c, n, &cfg->risav.statics,
					err, sizeof(err))) {
			log_warn("risav: RTR batch: %s; installing the whole "
				 "table instead",
				 err);
			rc = -1;
			break;
		}
		sb->trie_id = prefix_trie_current_id(pm.trie);
		for (size_t k = 0; k < dr->nsets; k++)
			if (dr->sets[k].risav_id == sets[i].risav_id)
				dr->sets[k].trie_id = sb->trie_id;
	}
	pins_unlock(&pins);
	for (size_t i = 0; i < nsets; i++)
		set_close(&sets[i]);
	if (rc)
		return -1;
	if (prefix_table_apply_changes(&dr->prefixes.table, c, n,
				       &cfg->risav.statics)) {
		/* the maps hold the batch; the copy is rebuilt whole */
		dr->rtr_installed = false;
		return -1;
	}
	dr->rtr.batches++;
	dr->rtr.last_apply_s = mono_now() - t0;
	dr->rtr.last_change = real_now();
	log_info("risav: RTR batch of %zu prefix changes swapped in "
		 "(%.1f ms); %zu prefixes",
		 n, dr->rtr.last_apply_s * 1e3, dr->prefixes.table.n);
	return 0;
}

void daemon_risav_rtr_update(struct daemon_risav *dr,
			     const struct daemon_config *cfg,
			     const struct dataplane *dp)
{
	struct prefix_change *c = NULL;
	char note[256];
	bool loud;
	long n;

	if (!dr->feed)
		return;
	while (rtr_feed_take_note(dr->feed, note, sizeof(note), &loud))
		(loud ? log_warn : log_notice)("risav: %s", note);
	n = rtr_feed_drain(dr->feed, &c);
	if (n < 0) {
		log_err("risav: out of memory taking the RTR data; it stays "
			"queued");
		return;
	}
	if (dr->owned && cfg->risav.rtr.n) {
		if (!dr->rtr_installed) {
			if (rtr_feed_synced(dr->feed))
				rtr_install_full(dr, cfg, dp);
		} else if (n > 0 && (n > RTR_BATCH_FULL_ABOVE ||
				     rtr_swap_batch(dr, cfg, dp, c, n))) {
			rtr_install_full(dr, cfg, dp);
		}
	}
	free(c);
}

/* What a plan applied means for the feed. */
void rtr_take_plan(struct daemon_risav *dr, struct risav_plan *plan,
		   const struct dataplane *dp, const struct prefix_table *table)
{
	char err[256];

	if (!plan->cfg->rtr.n) {
		if (dr->feed)
			log_notice("risav: no RTR caches in %s any more: the "
				   "table is the file's",
				   plan->file);
		rtr_feed_free(dr->feed);
		dr->feed = NULL;
		dr->rtr_installed = false;
		standbys_clear(dr);
		return;
	}
	if (plan->feed) {
		rtr_feed_free(dr->feed);
		dr->feed = plan->feed;
		plan->feed = NULL;
		dr->rtr_installed = false;
		standbys_clear(dr);
		if (rtr_feed_start(dr->feed, err, sizeof(err)))
			log_err("risav: %s", err);
		else
			log_notice("risav: RTR: %zu cache%s; the table waits "
				   "for their data",
				   plan->cfg->rtr.n,
				   plan->cfg->rtr.n == 1 ? "" : "s");
		return;
	}
	if (!plan->prefixes_unchanged && !plan->table_deferred)
		standbys_build(dr, dp, table);
}
