// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/log.h"
#include "echo/packet.h"
#include "echo/socket.h"
#include "lib/attach.h"
#include "daemon/prober.h"
#include "lib/route.h"

#define IDENTS 65536

static struct probe_stream *stream_of(struct timer_node *n)
{
	return (struct probe_stream *)((char *)n -
				       offsetof(struct probe_stream, timer));
}

static void schedule(struct prober *p, struct probe_stream *st)
{
	timer_heap_set(&p->heap, &st->timer, probe_stream_wake(st));
}

static void arm_timer(struct prober *p)
{
	struct timer_node *n = timer_heap_peek(&p->heap);

	/* 0 would disarm: a wake-up due "at 0" is due now */
	ev_timer_set(&p->timer, n ? (n->when_ns ? n->when_ns : 1) : 0, 0);
}

static void changed(struct prober *p, struct probe_stream *st,
		    enum peer_state old)
{
	if (p->events.state)
		p->events.state(p->events.ctx, st, old);
}

void prober_reason_changed(struct prober *p, struct probe_stream *st,
			   enum probe_reason old)
{
	if (p->events.reason)
		p->events.reason(p->events.ctx, st, old);
}

/* ---- sending ---- */

/* Remembers which request a transmit stamp key stands for. */
static uint32_t tx_key(struct prober *p, const struct probe_stream *st)
{
	uint32_t key = p->next_tx_key++;
	struct prober_tx_slot *slot = &p->tx_slots[key % PROBER_TX_SLOTS];

	slot->key = key;
	slot->ident = st->session.ident;
	slot->stream_id = st->id;
	slot->index = st->session.transmitted;
	return key;
}

static void send_probe(struct prober *p, struct probe_stream *st, uint64_t now)
{
	int family = st->sa.ss_family;
	struct prober_socket *ps = family == AF_INET ? &p->sock4 : &p->sock6;
	size_t len =
		probe_stream_build(st, now, &p->rng, p->packet, p->packet_cap);
	uint64_t index = st->session.transmitted;
	uint32_t key = tx_key(p, st);
	struct icmp_error e = {.err = EINVAL};
	enum probe_reason was = st->reason;
	int rc = -EBADF;

	if (ps->src.fd >= 0 && len) {
		/* Until the kernel's stamp comes: as close to the send as we
		 * get. */
		ping_session_sent(&st->session, index, monotonic_ns());
		rc = echo_socket_send(ps->src.fd, family, p->packet, len,
				      (struct sockaddr *)&st->sa, st->sa_len,
				      st->dscp << 2,
				      ps->tx_stamps ? &key : NULL);
	}
	if (rc == ECHO_SENT_UNSTAMPED && ps->tx_stamps) {
		ps->tx_stamps = false;
		log_warn("this kernel keys no transmit timestamps (Linux 6.13 "
			 "does): send times are read just before each send");
	}
	if (rc >= 0)
		return;
	st->send_errors++;
	e.err = -rc;
	if (probe_stream_error(st, &e, now))
		prober_reason_changed(p, st, was);
}

/*
 * Sends due within this much of a wake-up go out in it: one timer expiry
 * serves several streams (fewer wake-ups and timerfd calls), and a probe
 * leaves at most this early, well inside the jitter band (a quarter of the
 * interval). Deadlines are never judged early.
 */
#define SEND_SLACK_NS 200000ULL

static bool send_due(const struct probe_stream *st, uint64_t now)
{
	uint64_t slack = st->interval_ns / 8;

	if (slack > SEND_SLACK_NS)
		slack = SEND_SLACK_NS;
	return st->next_send_ns <= now + slack;
}

static void on_timer(struct ev_source *s, uint32_t events)
{
	struct prober *p =
		(struct prober *)((char *)s - offsetof(struct prober, timer));
	uint64_t now = monotonic_ns();
	struct timer_node *n;

	(void)events;
	ev_timer_read(s);
	while ((n = timer_heap_peek(&p->heap)) &&
	       n->when_ns <= now + SEND_SLACK_NS) {
		struct probe_stream *st = stream_of(n);
		enum peer_state old;
		uint64_t wake;

		/* Early and not a send: a deadline, for its own time. */
		if (n->when_ns > now && !send_due(st, now))
			break;
		enum probe_reason was;
		bool reason_changed, state_changed;

		if (send_due(st, now))
			send_probe(p, st, now);
		was = st->reason;
		state_changed =
			probe_stream_expire(st, now, &old, &reason_changed);
		if (reason_changed)
			prober_reason_changed(p, st, was);
		if (state_changed)
			changed(p, st, old);
		/* Whatever is due was done: never again in this round. */
		wake = probe_stream_wake(st);
		timer_heap_set(&p->heap, &st->timer,
			       wake > now ? wake : now + 1);
	}
	arm_timer(p);
}

/* ---- receiving ---- */

/* The stream probing src in the empty form (one class at most). */
static struct probe_stream *empty_form_stream(struct prober *p,
					      const struct esprit_addr *src)
{
	for (struct probe_stream *st = p->streams; st; st = st->next)
		if (st->format == ESPRIT_ECHO_FMT_EMPTY &&
		    st->addr.family == src->family &&
		    !memcmp(st->addr.addr, src->addr, 16))
			return st;
	return NULL;
}

void prober_deliver(struct prober *p, const struct esprit_echo_reply_event *ev)
{
	struct probe_stream *st = ev->format == ESPRIT_ECHO_FMT_EMPTY
					  ? empty_form_stream(p, &ev->src)
					  : p->by_ident[ev->ident];
	enum probe_reason reason_was;
	uint64_t was;
	enum peer_state old;

	if (!st) {
		p->replies_unmatched++;
		return;
	}
	reason_was = st->reason;
	was = st->timer.when_ns;
	/* A change happens when its evidence arrived: the receive time. */
	if (probe_stream_reply(st, ev, ev->rx_ns ? ev->rx_ns : monotonic_ns(),
			       &old))
		changed(p, st, old);
	if (st->reason != reason_was)
		prober_reason_changed(p, st, reason_was);
	if (probe_stream_wake(st) < was) {
		schedule(p, st);
		arm_timer(p);
	}
}

/* ---- streams ---- */

static struct probe_stream *find_stream(struct prober *p, const char *peer,
					uint8_t dscp)
{
	for (struct probe_stream *st = p->streams; st; st = st->next)
		if (st->dscp == dscp && !strcmp(st->peer, peer))
			return st;
	return NULL;
}

static void stream_destroy(struct prober *p, struct probe_stream *st)
{
	timer_heap_remove(&p->heap, &st->timer);
	if (st->reader) {
		echo_reader_remove(st->reader->r, st->session.ident);
		prober_reader_put(p, st->reader);
	}
	if (p->by_ident[st->session.ident] == st)
		p->by_ident[st->session.ident] = NULL;
	probe_stream_free(st);
	free(st);
}

static struct probe_stream *stream_create(struct prober *p,
					  const struct config_peer *peer,
					  uint8_t dscp, uint64_t now)
{
	struct probe_stream *st = calloc(1, sizeof(*st));
	uint16_t ident;
	/* The first probe somewhere in the first interval: streams of one
	 * configuration do not start in step. */
	uint64_t first = now + jitter_rng_next(&p->rng) % peer->interval_ns;

	if (!st || prober_free_ident(p, &ident) ||
	    probe_stream_init(st, ++p->next_id, peer, dscp, ident, now,
			      first)) {
		free(st);
		return NULL;
	}
	snprintf(st->rx_note, sizeof(st->rx_note), "not chosen yet");
	p->by_ident[ident] = st;
	return st;
}

int prober_apply(struct prober *p, const struct daemon_config *cfg)
{
	struct probe_stream *list = NULL, **tail = &list, *st, *next;
	uint64_t now = monotonic_ns();
	int rc = 0;

	for (st = p->streams; st; st = st->next)
		st->keep = false;
	/* Build the new order, reusing streams that stay. */
	for (size_t i = 0; i < cfg->peer_count; i++) {
		const struct config_peer *peer = &cfg->peers[i];

		for (__u32 k = 0; k < peer->dscp_count; k++) {
			struct probe_stream **pp;

			st = find_stream(p, peer->name, peer->dscp[k]);
			if (st && !probe_stream_same_target(st, peer))
				st = NULL; /* restarts below */
			if (st) {
				for (pp = &p->streams; *pp != st;
				     pp = &(*pp)->next)
					;
				*pp = st->next;
				probe_stream_retime(st, peer);
			} else {
				st = stream_create(p, peer, peer->dscp[k], now);
				if (!st) {
					log_err("peer %s dscp %u: cannot start "
						"its probe stream",
						peer->name, peer->dscp[k]);
					rc = -ENOMEM;
					continue;
				}
			}
			st->keep = true;
			st->next = NULL;
			*tail = st;
			tail = &st->next;
		}
	}
	/* What is left was removed (or restarts with a new address). */
	for (st = p->streams; st; st = next) {
		next = st->next;
		stream_destroy(p, st);
	}
	p->streams = list;
	p->nstreams = 0;
	for (st = list; st; st = st->next) {
		p->nstreams++;
		schedule(p, st);
	}
	prober_check_paths(p);
	arm_timer(p);
	return rc;
}

uint64_t prober_ring_drops(const struct prober *p)
{
	uint64_t n = p->drops_released;

	for (const struct prober_reader *pr = p->readers; pr; pr = pr->next)
		n += echo_reader_drops(pr->r);
	return n;
}

int prober_init(struct prober *p, struct ev_loop *loop,
		const struct prober_events *events, char *err, size_t errlen)
{
	int e;

	memset(p, 0, sizeof(*p));
	p->loop = loop;
	p->events = *events;
	p->sock4.src.fd = p->sock6.src.fd = -1;
	timer_heap_init(&p->heap);
	e = jitter_rng_init(&p->rng);
	p->by_ident = calloc(IDENTS, sizeof(*p->by_ident));
	p->packet_cap = echo_request_len(ESPRIT_ECHO_FMT_SEED,
					 CONFIG_MAX_DATA_SIZE, false);
	p->packet = malloc(p->packet_cap);
	p->tx_slots = calloc(PROBER_TX_SLOTS, sizeof(*p->tx_slots));
	if (e || !p->by_ident || !p->packet || !p->tx_slots) {
		snprintf(err, errlen, "out of memory or randomness");
		return -1;
	}
	if (ev_timer_open(loop, &p->timer, on_timer)) {
		snprintf(err, errlen, "cannot set up the probe timer: %s",
			 strerror(errno));
		return -1;
	}
	if (prober_open_socket(p, &p->sock4, AF_INET, err, errlen) ||
	    prober_open_socket(p, &p->sock6, AF_INET6, err, errlen))
		return -1;
	return 0;
}

void prober_free(struct prober *p)
{
	struct probe_stream *st, *next;

	for (st = p->streams; st; st = next) {
		next = st->next;
		stream_destroy(p, st);
	}
	p->streams = NULL;
	timer_heap_free(&p->heap);
	ev_close(p->loop, &p->timer);
	ev_close(p->loop, &p->sock4.src);
	ev_close(p->loop, &p->sock6.src);
	free(p->by_ident);
	free(p->packet);
	free(p->tx_slots);
	p->by_ident = NULL;
	p->packet = NULL;
	p->tx_slots = NULL;
}
