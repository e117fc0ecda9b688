/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the daemon's RISAV apply (daemon/risav_apply.h): the map sets of
 * the loaded programs, shared by the apply of a configuration
 * (risav_apply.c) and of the RTR feed's data (risav_rtr.c). Nothing else
 * includes it.
 */
#ifndef ESPRIT_DAEMON_RISAV_SETS_H
#define ESPRIT_DAEMON_RISAV_SETS_H

#include "daemon/risav_apply.h"
#include "daemon/risav_sas.h"
#include "lib/maps.h"

/* The RISAV maps of one loaded program. */
struct risav_set {
	__u32 risav_id;
	__u32 prog_id;
	struct risav_maps rm;
	struct sa_maps sm;
	__u32 sa_max;
	struct sa_out_maps om; /* -1s: the set has no outbound SA maps */
	__u32 sa_out_max;
	struct seq_ledger *ledger;
};

/* The distinct map sets of dp's programs (at most DAEMON_RISAV_SETS_MAX). */
int sets_open(const struct dataplane *dp, struct risav_set *sets, size_t *n,
	      char *err, size_t errlen);
void set_close(struct risav_set *s);

/* Applies r to the sets of dp: the table installed where table_changed,
 * or (table_deferred) only where a set has none; only_new: to sets not
 * seen before. */
int apply_sets(struct daemon_risav *dr, const char *file,
	       const struct config_risav *r, const struct prefix_table *table,
	       bool table_changed, bool table_deferred,
	       const struct dataplane *dp, bool only_new, char *err,
	       size_t errlen);

/* ---- the RTR feed's part (risav_rtr.c) ---- */

void standbys_clear(struct daemon_risav *dr);

/* The feed of a configuration with RTR caches: the plan keeps the feed and
 * its data, or starts a new one (rtr_take_plan() takes it over). */
int rtr_prepare(const struct daemon_risav *dr, const struct config_risav *r,
		struct risav_plan *plan, char *err, size_t errlen);
void rtr_take_plan(struct daemon_risav *dr, struct risav_plan *plan,
		   const struct dataplane *dp,
		   const struct prefix_table *table);

#endif
