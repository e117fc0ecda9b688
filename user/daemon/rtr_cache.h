/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the RTR feed (daemon/rtr_feed.h): a cache's session and the feed
 * that holds them, shared by the feed (records, batches, the manager) and
 * its checking transport (daemon/rtr_wire.c). Nothing else includes it.
 */
#ifndef ESPRIT_DAEMON_RTR_CACHE_H
#define ESPRIT_DAEMON_RTR_CACHE_H

#include <pthread.h>

#include "daemon/rtr_feed.h"
#include "risav/rtr_pdu.h"

#define NOTES_MAX 32

struct rtr_cache {
	struct rtr_feed *feed;
	unsigned int index;
	char name[80];
	__u8 preference;
	struct rtr_socket rtr; /* rtrlib's session (records name it) */
	struct tr_socket wire; /* the transport rtrlib drives: ours */
	struct tr_socket tcp; /* rtrlib's TCP transport, under ours */
	struct tr_tcp_config tcp_cfg;
	char host[64], port[8];
	/* what the socket gave, read in large pieces (a full sync is
	 * ~800k PDUs of 20 or 32 bytes: one read each would cost seconds);
	 * the PDU being handed to rtrlib; its thread alone touches these */
	__u8 in[65536];
	size_t in_off, in_len;
	__u8 pdu[RTR_PDU_MAX_LEN];
	size_t pdu_len, pdu_off;
	bool eod_served;
	double notified; /* CLOCK_MONOTONIC of the last Serial Notify */
	/* under feed->lock */
	__u64 batch; /* the batch being received, 0: none */
	__u64 done; /* the last batch ended */
	bool synced, kept_expired;
	double last_update;
	__u64 errors;
	char last_error[200];
};

enum record_kind { ANNOUNCE, WITHDRAW, DROP_SOURCE };

struct record {
	struct esprit_prefix_key key;
	__u32 asn;
	__u8 max_len;
	__u8 kind;
	__u8 source;
	__u64 batch; /* 0: outside a batch, ready at once */
};

struct rtr_feed {
	struct config_rtr cfg;
	struct rtr_cache *caches;
	size_t n;
	struct rtr_socket **sockets; /* by group, for rtr_mgr_init() */
	struct rtr_mgr_group *groups;
	size_t ngroups;
	struct rtr_mgr_config *mgr;
	bool started;
	int efd;
	struct vrp_set *vrps;

	pthread_mutex_t lock;
	struct record *q;
	size_t qlen, qcap;
	__u64 batch_seq;
	bool signalled;
	char notes[NOTES_MAX][240];
	bool note_loud[NOTES_MAX];
	size_t nnotes;
};

/* Under f->lock: wakes the daemon's loop (once until it drains). */
void rtr_feed_signal(struct rtr_feed *f);

/* Under f->lock: a line for the daemon to log. */
void rtr_feed_note(struct rtr_feed *f, bool loud, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* c's transport: rtrlib's TCP under esprit's PDU checks. */
void rtr_wire_init(struct rtr_cache *c);

#endif
