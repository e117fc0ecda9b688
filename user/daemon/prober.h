/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's probe engine: every peer x class stream (probe_stream.h) on
 * one timerfd (a heap of wake-up times, timer_heap.h), requests sent from
 * one raw ESP socket per family with the class set per packet, and replies
 * taken from XDP's ring buffers (echo_reader.h) where esprit's program runs
 * on the interface the replies come back on, else from the raw socket with
 * kernel timestamps. Which path a stream uses, and why, is in its rx_note.
 */
#ifndef ESPRIT_PROBER_H
#define ESPRIT_PROBER_H

#include <stdint.h>

#include "daemon/config.h"
#include "echo/reader.h"
#include "lib/event_loop.h"
#include "daemon/jitter.h"
#include "daemon/probe_stream.h"
#include "lib/timer_heap.h"

struct prober;

/* A reader of one map set's ring (one per distinct esprit program maps). */
struct prober_reader {
	struct ev_source src;
	struct prober *p;
	struct echo_maps maps;
	struct echo_reader *r;
	char ifname[IF_NAMESIZE]; /* where it was first found */
	size_t users;
	struct prober_reader *next;
};

struct prober_socket {
	struct ev_source src;
	struct prober *p;
	int family;
	bool tx_stamps; /* the kernel keys its transmit timestamps */
};

/* What the daemon hears about a stream: a new state, a new reason. */
struct prober_events {
	void (*state)(void *ctx, struct probe_stream *st, enum peer_state old);
	void (*reason)(void *ctx, struct probe_stream *st,
		       enum probe_reason old);
	void *ctx;
};

/*
 * Requests whose transmit timestamp may still be on its way, by key (one
 * counter for both sockets): a power of two, far more than go out between
 * a send and its stamp.
 */
#define PROBER_TX_SLOTS 4096

struct prober_tx_slot {
	uint32_t key;
	uint16_t ident; /* the stream, found again by Identifier ... */
	uint64_t stream_id; /* ... and checked by id */
	uint64_t index; /* its request number */
};

struct prober {
	struct ev_loop *loop;
	struct jitter_rng rng;
	struct timer_heap heap;
	struct ev_source timer;
	struct prober_socket sock4, sock6;
	struct probe_stream *streams; /* in configuration order */
	size_t nstreams;
	struct probe_stream **by_ident; /* 65536 entries */
	struct prober_reader *readers;
	uint64_t next_id;
	uint64_t drops_released; /* ring drops of readers freed */
	uint64_t replies_unmatched; /* events for no stream of ours */
	uint64_t replies_malformed; /* the reply SPI in no form */
	struct prober_events events;
	uint32_t next_tx_key;
	struct prober_tx_slot *tx_slots;
	uint8_t *packet;
	size_t packet_cap;
};

int prober_init(struct prober *p, struct ev_loop *loop,
		const struct prober_events *events, char *err, size_t errlen);
void prober_free(struct prober *p);

/*
 * Makes the streams those of cfg: new peers and classes start in init,
 * removed ones stop, a changed address restarts the stream, other changes
 * (interval, detect_multiplier, up_after, size) keep its state and
 * counters. Then chooses every stream's receive path. 0 or -errno.
 */
int prober_apply(struct prober *p, const struct daemon_config *cfg);

/* Chooses each stream's receive path again (routes and programs change). */
void prober_check_paths(struct prober *p);

/* Hands one reply to its stream (by Identifier; in the empty form by
 * source), as the ring and socket readers do. */
void prober_deliver(struct prober *p, const struct esprit_echo_reply_event *ev);

/* Takes every transmit timestamp and error the sockets have queued. */
void prober_drain_errors(struct prober *p);

/* Within the prober (prober.c, prober_rx.c). */
int prober_open_socket(struct prober *p, struct prober_socket *ps, int family,
		       char *err, size_t errlen);
void prober_reader_put(struct prober *p, struct prober_reader *pr);
int prober_free_ident(struct prober *p, uint16_t *ident);
void prober_reason_changed(struct prober *p, struct probe_stream *st,
			   enum probe_reason old);

/* Replies XDP could not put in our rings (esprit_rb_drops), ever. */
uint64_t prober_ring_drops(const struct prober *p);

#endif
