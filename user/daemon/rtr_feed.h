/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The prefix table's RPKI-to-Router feed: rtrlib's manager keeps a session
 * to each cache of risav.prefixes.rtr (one group per preference, the best
 * reachable group in use, RFC 8210 timers), and its threads hand every
 * VRP announced or withdrawn to a queue. The daemon drains the queue in
 * its own thread into a VRP set (risav/vrp_set.h), one whole End of Data
 * batch at a time, so the table never holds half of one.
 *
 * Between rtrlib and the TCP socket sits a transport of ours that checks
 * each PDU first (risav/rtr_pdu.h): one that fails is never seen by
 * rtrlib; the cache gets an Error Report, the connection is dropped and
 * the next one starts with a Reset Query, and the table stays as it was.
 * The same transport marks where a batch begins (Cache Response) and ends
 * (rtrlib asks for the next PDU after End of Data, having applied it).
 *
 * Withdrawals outside a batch are rtrlib dropping a cache's data: a cache
 * given up for a better one (applied), or data past its expire interval,
 * which on_expire: keep leaves in the table until the cache is back.
 */
#ifndef ESPRIT_DAEMON_RTR_FEED_H
#define ESPRIT_DAEMON_RTR_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <rtrlib/rtrlib.h>

#include "daemon/config_risav.h"
#include "risav/vrp_set.h"

struct rtr_feed;

/* What esprit status shows of a cache. */
struct rtr_cache_status {
	char name[80]; /* ADDRESS port PORT */
	__u8 preference;
	const char *state; /* connecting, up, error, standby (not in use) */
	const char *rtr_state; /* rtrlib's name of the session state */
	bool synced; /* its data is in the table */
	bool expired; /* its data is past the expire interval */
	__u32 session_id, serial;
	double last_update; /* CLOCK_REALTIME of its last batch; 0: none */
	size_t v4, v6; /* VRPs it gave */
	__u64 errors; /* PDUs refused, sessions failed */
	char last_error[200];
};

/* A new feed for the caches of cfg, not started. NULL with err. */
struct rtr_feed *rtr_feed_new(const struct config_rtr *cfg, char *err,
			      size_t errlen);

/* Starts the sessions (rtrlib's threads). 0, or -1 with err. */
int rtr_feed_start(struct rtr_feed *f, char *err, size_t errlen);

/* Stops the sessions and frees everything. */
void rtr_feed_free(struct rtr_feed *f);

/* Whether a running feed serves cfg as it is (else: a new feed). */
bool rtr_feed_same(const struct rtr_feed *f, const struct config_rtr *cfg);

/* Readable (an eventfd) when there is something to drain or report. */
int rtr_feed_fd(const struct rtr_feed *f);

/*
 * Applies every complete batch to the VRP set, in order, and hands the
 * prefixes whose origin changed to *out (free() it); their number, or -1
 * (out of memory: the queue is kept). Clears the readiness of the fd.
 */
long rtr_feed_drain(struct rtr_feed *f, struct prefix_change **out);

/* Records wait in the queue for their batch to end. */
bool rtr_feed_pending(const struct rtr_feed *f);

/* Some cache has given its data since the feed started. */
bool rtr_feed_synced(const struct rtr_feed *f);

const struct vrp_set *rtr_feed_vrps(const struct rtr_feed *f);

/* The caches, in the file's order; their number (at most max). */
size_t rtr_feed_status(const struct rtr_feed *f, struct rtr_cache_status *out,
		       size_t max);

/* CLOCK_MONOTONIC seconds of cache i's last Serial Notify (0: none): when
 * the cache announced its new data (the rtr-sync benchmark times from it). */
double rtr_feed_notified(const struct rtr_feed *f, size_t i);

/* Takes one note that happened in rtrlib's threads (a refused PDU, an
 * expiry), for the daemon to log; false when there is none. */
bool rtr_feed_take_note(struct rtr_feed *f, char *buf, size_t len, bool *loud);

/*
 * The steps the transport and rtrlib take, exposed for tests that feed
 * records through rtrlib's own pfx_table: the callback rtrlib calls, the
 * socket of cache i, and a batch's start and successful end.
 */
pfx_update_fp rtr_feed_record_callback(void);
struct rtr_socket *rtr_feed_socket(struct rtr_feed *f, size_t i);
void rtr_feed_batch_begin(struct rtr_feed *f, size_t i);
void rtr_feed_batch_end(struct rtr_feed *f, size_t i, bool complete);

#endif
