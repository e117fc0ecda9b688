/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's RISAV maps, when its file has a `risav:` section: the
 * daemon then owns the local AS, settings, peers, prefix table and inbound
 * SAs of every program on its interfaces, and makes them what the file
 * says at start, on reload and when a program with maps of its own
 * appears; the outbound SAs (the egress tagger's) go into the maps pinned
 * in the pin directory. Without the section it leaves them to the CLI.
 *
 * A change goes in two steps. daemon_risav_prepare() reads and validates
 * everything the file points to (the RPKI import, re-read only when its
 * digest or the static prefixes changed). daemon_risav_apply() checks the
 * result against every map set's capacities, and only then writes: new
 * and changed SAs, the peers and settings, the prefix table (built aside,
 * swapped in), and last the SAs no longer listed. A write the kernel
 * refuses undoes the ones before it. Unchanged SAs are not touched, so
 * they keep their replay windows, sequence counters and counters; changed
 * outbound SAs are rewritten in place with their sequence counter going
 * on (SA_OUT_SEQ_SKIP), and their peers' DSCP selections rebuilt once.
 */
#ifndef ESPRIT_DAEMON_RISAV_H
#define ESPRIT_DAEMON_RISAV_H

#include "daemon/config.h"
#include "daemon/dataplane.h"
#include "daemon/rtr_feed.h"
#include "risav/seq_ledger.h"

#define DAEMON_RISAV_SETS_MAX 16

/* What the daemon installed in one map set (named by esprit_risav's id). */
struct risav_set_seen {
	__u32 risav_id;
	__u32 trie_id; /* the prefix trie installed */
};

/* A trie holding what a set's installed trie holds (RTR batches go into
 * it and it is swapped in: prefix_maps.h). */
struct rtr_standby {
	__u32 risav_id;
	__u32 trie_id; /* the installed trie it mirrors */
	int fd;
};

/* What the RTR feed has done to the table, for status and metrics. */
struct rtr_table_stats {
	__u64 installs; /* whole tables */
	__u64 batches; /* batches swapped in */
	__u64 failures; /* batches or tables the maps refused */
	double last_apply_s; /* how long the last one took */
	double last_change; /* CLOCK_REALTIME of it; 0: none */
};

struct daemon_risav {
	struct seq_ledger ledger; /* outbound sequence numbers */
	bool ledger_failing; /* the last checkpoint failed (logged) */
	bool owned; /* the running configuration has risav: */
	struct risav_prefixes prefixes; /* table and digest installed */
	struct prefix_table statics; /* the statics it was built with */
	struct risav_set_seen sets[DAEMON_RISAV_SETS_MAX];
	size_t nsets;
	/* risav.prefixes.rtr: the feed, and whether its data is in the
	 * table (prefixes.table then holds it, with the statics over it) */
	struct rtr_feed *feed;
	bool rtr_installed;
	struct rtr_standby standby[DAEMON_RISAV_SETS_MAX];
	size_t nstandby;
	struct rtr_table_stats rtr;
};

/* A validated change, ready to apply. */
struct risav_plan {
	const struct config_risav *cfg;
	const char *file;
	struct risav_prefixes prefixes; /* empty when unchanged */
	bool prefixes_unchanged;
	/* RTR: the table waits for the feed's first data (installed only
	 * where a set has none yet), and the new feed, when the caches
	 * changed (started once the plan is applied) */
	bool table_deferred;
	struct rtr_feed *feed;
};

/* state_dir: the sequence ledger's directory ("" or NULL: the default). */
void daemon_risav_init(struct daemon_risav *dr, const char *state_dir);
void daemon_risav_free(struct daemon_risav *dr);
void daemon_risav_state_dir(struct daemon_risav *dr, const char *state_dir);

/*
 * Moves the ledger's reservations up to the counters of the outbound SAs
 * pinned in pin_dir, whoever added them (risav/seq_ledger.h); a failure
 * is logged once, until a checkpoint succeeds again.
 */
void daemon_risav_checkpoint(struct daemon_risav *dr, const char *pin_dir);

/* Reads and validates cfg's prefix sources (FILE:LINE errors in err). */
int daemon_risav_prepare(const struct daemon_risav *dr,
			 const struct daemon_config *cfg,
			 struct risav_plan *plan, char *err, size_t errlen);
void risav_plan_free(struct risav_plan *plan);

/*
 * Makes the RISAV maps of every map set of dp's programs hold the plan.
 * On failure (err set) no map set has been written, or the one being
 * written was put back. The plan's table is taken over on success.
 */
int daemon_risav_apply(struct daemon_risav *dr, struct risav_plan *plan,
		       const struct dataplane *dp, char *err, size_t errlen);

/*
 * The step daemon_risav_apply() takes for each map set, after the checks
 * (exposed for tests): SAs added and replaced (outbound ones into om,
 * NULL for none, then their peers' selections rebuilt), peers and
 * settings, the table if install_table, stale SAs deleted; undone on
 * failure.
 */
int risav_set_apply(const struct risav_maps *rm, const struct sa_maps *sm,
		    __u32 sa_max, const struct sa_out_maps *om,
		    __u32 sa_out_max, struct seq_ledger *ledger,
		    const char *file, const struct config_risav *r,
		    const struct prefix_table *table, bool install_table,
		    char *err, size_t errlen);

/*
 * Takes what the RTR feed has for the table (the daemon calls it when the
 * feed's fd is readable): the first data installs the whole table, as an
 * import does; later batches are swapped in (prefixes_swap_batch()).
 * Failures are logged; the table then stays as it was.
 */
void daemon_risav_rtr_update(struct daemon_risav *dr,
			     const struct daemon_config *cfg,
			     const struct dataplane *dp);

/* Applies the running configuration to map sets not seen yet (a program
 * attached since); logs what fails. */
void daemon_risav_sync(struct daemon_risav *dr, const struct daemon_config *cfg,
		       const struct dataplane *dp);

#endif
