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
	if (p->on_change)
		p->on_change(p->ctx, st, old);
}

/* ---- sending ---- */

static void send_probe(struct prober *p, struct probe_stream *st, uint64_t now)
{
	int family = st->sa.ss_family;
	int fd = family == AF_INET ? p->sock4.src.fd : p->sock6.src.fd;
	size_t len =
		probe_stream_build(st, now, &p->rng, p->packet, p->packet_cap);
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int))];
	} control = {};
	struct iovec iov = {.iov_base = p->packet, .iov_len = len};
	struct msghdr msg = {
		.msg_name = &st->sa,
		.msg_namelen = st->sa_len,
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.bytes,
		.msg_controllen = sizeof(control.bytes),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int tos = st->dscp << 2;

	c->cmsg_level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	c->cmsg_type = family == AF_INET ? IP_TOS : IPV6_TCLASS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &tos, sizeof(tos));
	if (fd < 0 || !len || sendmsg(fd, &msg, MSG_DONTWAIT) < 0)
		st->send_errors++;
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
		if (send_due(st, now))
			send_probe(p, st, now);
		if (probe_stream_expire(st, now, &old))
			changed(p, st, old);
		/* Whatever is due was done: never again in this round. */
		wake = probe_stream_wake(st);
		timer_heap_set(&p->heap, &st->timer,
			       wake > now ? wake : now + 1);
	}
	arm_timer(p);
}

/* ---- receiving ---- */

void prober_deliver(struct prober *p, const struct esprit_echo_reply_event *ev)
{
	struct probe_stream *st = p->by_ident[ev->ident];
	uint64_t was;
	enum peer_state old;

	if (!st) {
		p->replies_unmatched++;
		return;
	}
	was = st->timer.when_ns;
	/* A change happens when its evidence arrived: the receive time. */
	if (probe_stream_reply(st, ev, ev->rx_ns ? ev->rx_ns : monotonic_ns(),
			       &old))
		changed(p, st, old);
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

int prober_init(struct prober *p, struct ev_loop *loop, prober_change_fn fn,
		void *ctx, char *err, size_t errlen)
{
	int e;

	memset(p, 0, sizeof(*p));
	p->loop = loop;
	p->on_change = fn;
	p->ctx = ctx;
	p->sock4.src.fd = p->sock6.src.fd = -1;
	timer_heap_init(&p->heap);
	e = jitter_rng_init(&p->rng);
	p->by_ident = calloc(IDENTS, sizeof(*p->by_ident));
	p->packet_cap = echo_seed_len(CONFIG_MAX_DATA_SIZE);
	p->packet = malloc(p->packet_cap);
	if (e || !p->by_ident || !p->packet) {
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
	p->by_ident = NULL;
	p->packet = NULL;
}
