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
#include <sys/timerfd.h>
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
	struct itimerspec its = {};

	if (n) {
		uint64_t when = n->when_ns ? n->when_ns : 1;

		its.it_value.tv_sec = (time_t)(when / 1000000000ULL);
		its.it_value.tv_nsec = (long)(when % 1000000000ULL);
	}
	timerfd_settime(p->timer.fd, TFD_TIMER_ABSTIME, &its, NULL);
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
	uint64_t ticks, now = monotonic_ns();
	struct timer_node *n;

	(void)events;
	if (read(s->fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("timerfd: %s", strerror(errno));
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

static void on_ring_event(void *ctx, const struct esprit_echo_reply_event *ev)
{
	struct prober_reader *pr = ctx;

	prober_deliver(pr->p, ev);
}

static void on_ring(struct ev_source *s, uint32_t events)
{
	struct prober_reader *pr = (struct prober_reader *)s;
	int rc;

	(void)events;
	rc = echo_reader_consume(pr->r);
	if (rc < 0)
		log_warn("ring buffer of %s: %s", pr->ifname, strerror(-rc));
}

static void handle_icmp_error(struct prober *p, const struct icmp_error *e)
{
	struct probe_stream *st;

	if (!e->quoted)
		return;
	st = p->by_ident[e->ident];
	if (st)
		st->icmp_errors++;
}

static void on_socket(struct ev_source *s, uint32_t events)
{
	struct prober_socket *ps = (struct prober_socket *)s;
	struct esprit_echo_reply_event ev;
	struct icmp_error e;
	int rc, errors = 0;

	(void)events;
	for (;;) {
		rc = echo_socket_recv(s->fd, ps->family, &ev);
		if (rc == 1)
			prober_deliver(ps->p, &ev);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			break;
		/* a pending ICMP error is reported once per read */
		if (rc < 0 && ++errors > 64)
			break;
	}
	while (echo_socket_recv_error(s->fd, &e) == 1)
		handle_icmp_error(ps->p, &e);
}

/*
 * The raw socket would get a copy of every ESP packet the host receives
 * (all IPsec traffic of a gateway): a classic BPF filter keeps only SPI 8.
 * IPv4 raw sockets see the IP header, IPv6 ones start at ESP.
 */
static int filter_replies(int fd, int family)
{
	struct sock_filter v4[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ESPRIT_DEFAULT_SPI_REPLY, 0,
			 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter v6[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ESPRIT_DEFAULT_SPI_REPLY, 0,
			 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {
		.len = family == AF_INET ? sizeof(v4) / sizeof(v4[0])
					 : sizeof(v6) / sizeof(v6[0]),
		.filter = family == AF_INET ? v4 : v6,
	};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			  sizeof(prog));
}

static int open_socket(struct prober *p, struct prober_socket *ps, int family,
		       char *err, size_t errlen)
{
	struct echo_socket_opts o = {.family = family};
	const char *step;
	int fd = echo_socket_open(&o, &step);

	ps->p = p;
	ps->family = family;
	ps->src.prio = 0;
	ps->src.ready = on_socket;
	ps->src.fd = -1;
	if (fd < 0) {
		snprintf(err, errlen,
			 "cannot open a raw %s ESP socket (%s): %s",
			 family == AF_INET ? "IPv4" : "IPv6", step,
			 strerror(-fd));
		return -1;
	}
	ps->src.fd = fd;
	if (filter_replies(fd, family) ||
	    ev_add(p->loop, &ps->src, EPOLLIN | EPOLLERR)) {
		snprintf(err, errlen, "cannot set up the %s ESP socket: %s",
			 family == AF_INET ? "IPv4" : "IPv6", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- readers (XDP receive path) ---- */

static void reader_put(struct prober *p, struct prober_reader *pr)
{
	struct prober_reader **pp;

	if (!pr || --pr->users)
		return;
	for (pp = &p->readers; *pp && *pp != pr; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = pr->next;
	ev_del(p->loop, &pr->src);
	p->drops_released += echo_reader_drops(pr->r);
	echo_reader_free(pr->r);
	echo_maps_close(&pr->maps);
	free(pr);
}

/* The reader for the map set of maps (taken over, or closed). */
static struct prober_reader *reader_get(struct prober *p,
					struct echo_maps *maps,
					const char *ifname, char *err,
					size_t errlen)
{
	struct prober_reader *pr;

	for (pr = p->readers; pr; pr = pr->next) {
		if (pr->maps.config_id == maps->config_id) {
			echo_maps_close(maps);
			pr->users++;
			return pr;
		}
	}
	pr = calloc(1, sizeof(*pr));
	if (!pr) {
		snprintf(err, errlen, "out of memory");
		echo_maps_close(maps);
		return NULL;
	}
	pr->p = p;
	pr->maps = *maps;
	snprintf(pr->ifname, sizeof(pr->ifname), "%s", ifname);
	pr->r = echo_reader_new(&pr->maps, 0, on_ring_event, pr, err, errlen);
	if (!pr->r) {
		echo_maps_close(&pr->maps);
		free(pr);
		return NULL;
	}
	pr->src.fd = echo_reader_fd(pr->r);
	pr->src.prio = 0;
	pr->src.ready = on_ring;
	if (ev_add(p->loop, &pr->src, EPOLLIN)) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		echo_reader_free(pr->r);
		echo_maps_close(&pr->maps);
		free(pr);
		return NULL;
	}
	pr->users = 1;
	pr->next = p->readers;
	p->readers = pr;
	return pr;
}

/* What one interface offers: a reader, or why not (note). */
struct path_choice {
	int ifindex;
	char ifname[IF_NAMESIZE];
	struct prober_reader *reader; /* one reference, for this pass */
	char note[200];
};

static void choose_for_interface(struct prober *p, struct path_choice *c)
{
	struct xdp_attachment att;
	struct esprit_config cfg;
	struct echo_maps maps;
	char err[128];
	int e;

	c->reader = NULL;
	if (!if_indextoname((unsigned int)c->ifindex, c->ifname)) {
		snprintf(c->note, sizeof(c->note), "interface %d is gone",
			 c->ifindex);
		return;
	}
	if (xdp_attachment_query(c->ifindex, &att)) {
		snprintf(c->note, sizeof(c->note),
			 "cannot see the XDP programs of %s", c->ifname);
		return;
	}
	if (!att.prog_id) {
		snprintf(c->note, sizeof(c->note),
			 "esprit's XDP program is not attached to %s",
			 c->ifname);
		return;
	}
	if (echo_maps_open_prog_id(att.prog_id, &maps, err, sizeof(err))) {
		snprintf(c->note, sizeof(c->note),
			 "cannot use the maps on %s: %s", c->ifname, err);
		return;
	}
	e = echo_maps_config(&maps, &cfg);
	if (e || cfg.echo_flags & ESPRIT_ECHO_NO_CAPTURE ||
	    (cfg.spi_reply && cfg.spi_reply != ESPRIT_DEFAULT_SPI_REPLY)) {
		snprintf(c->note, sizeof(c->note), "%s on %s",
			 e ? "cannot read esprit_config"
			 : cfg.echo_flags & ESPRIT_ECHO_NO_CAPTURE
				 ? "capture is off"
				 : "XDP captures another reply SPI",
			 c->ifname);
		echo_maps_close(&maps);
		return;
	}
	c->reader = reader_get(p, &maps, c->ifname, err, sizeof(err));
	if (!c->reader)
		snprintf(c->note, sizeof(c->note), "%s", err);
}

static int free_ident(struct prober *p, uint16_t *ident)
{
	for (int tries = 0; tries < 4096; tries++) {
		uint16_t v;

		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			return -errno;
		if (echo_ident_usable(v) && !p->by_ident[v]) {
			*ident = v;
			return 0;
		}
	}
	return -ENOSPC;
}

static void set_ident(struct prober *p, struct probe_stream *st, uint16_t ident)
{
	p->by_ident[st->session.ident] = NULL;
	st->session.ident = ident;
	p->by_ident[ident] = st;
}

/* Registers st's Identifier with pr, drawing another if it is taken. */
static int register_ident(struct prober *p, struct probe_stream *st,
			  struct prober_reader *pr)
{
	for (int tries = 0; tries < 64; tries++) {
		uint16_t ident = st->session.ident;
		int e = echo_reader_add(pr->r, ident, &st->addr);

		if (e != -EEXIST)
			return e;
		/* Held by another process (a ping): ours changes. Replies
		 * to requests in flight are foreign now, and end up lost. */
		e = free_ident(p, &ident);
		if (e)
			return e;
		set_ident(p, st, ident);
	}
	return -EEXIST;
}

static void use_path(struct prober *p, struct probe_stream *st,
		     const struct path_choice *c)
{
	snprintf(st->ifname, sizeof(st->ifname), "%s", c->ifname);
	if (st->reader && st->reader == c->reader)
		return;
	if (st->reader) {
		echo_reader_remove(st->reader->r, st->session.ident);
		reader_put(p, st->reader);
		st->reader = NULL;
	}
	if (c->reader) {
		int e = register_ident(p, st, c->reader);

		if (!e) {
			c->reader->users++;
			st->reader = c->reader;
			snprintf(st->rx_note, sizeof(st->rx_note),
				 "taken in XDP on %s (program id %u, ring "
				 "slot %d), timestamped by bpf_ktime_get_ns",
				 c->ifname, c->reader->maps.prog_id,
				 echo_reader_slot(c->reader->r));
			return;
		}
		snprintf(st->rx_note, sizeof(st->rx_note),
			 "raw socket with kernel receive timestamps (cannot "
			 "register Identifier 0x%04x with XDP on %s: %s)",
			 st->session.ident, c->ifname,
			 e == -ENOSPC ? "all ring slots or entries are taken"
				      : strerror(-e));
		return;
	}
	snprintf(st->rx_note, sizeof(st->rx_note),
		 "raw socket with kernel receive timestamps (%s)", c->note);
}

#define PATH_CACHE 32

void prober_check_paths(struct prober *p)
{
	struct path_choice cache[PATH_CACHE];
	size_t ncache = 0;

	for (struct probe_stream *st = p->streams; st; st = st->next) {
		struct path_choice none = {.ifindex = 0}, *c = NULL;
		int ifindex = 0, e;

		e = route_output_ifindex((struct sockaddr *)&st->sa, &ifindex);
		if (e) {
			snprintf(none.note, sizeof(none.note), "no route: %s",
				 strerror(-e));
			use_path(p, st, &none);
			st->ifname[0] = '\0';
			continue;
		}
		for (size_t i = 0; i < ncache; i++)
			if (cache[i].ifindex == ifindex)
				c = &cache[i];
		if (!c && ncache < PATH_CACHE) {
			c = &cache[ncache++];
			c->ifindex = ifindex;
			choose_for_interface(p, c);
		} else if (!c) {
			c = &none;
			none.ifindex = ifindex;
			choose_for_interface(p, c);
			use_path(p, st, c);
			reader_put(p, c->reader);
			continue;
		}
		use_path(p, st, c);
	}
	for (size_t i = 0; i < ncache; i++)
		reader_put(p, cache[i].reader);
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
		reader_put(p, st->reader);
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

	if (!st || free_ident(p, &ident) ||
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
	p->timer.fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	p->timer.prio = 1;
	p->timer.ready = on_timer;
	if (p->timer.fd < 0 || ev_add(loop, &p->timer, EPOLLIN)) {
		snprintf(err, errlen, "cannot set up the probe timer: %s",
			 strerror(errno));
		return -1;
	}
	if (open_socket(p, &p->sock4, AF_INET, err, errlen) ||
	    open_socket(p, &p->sock6, AF_INET6, err, errlen))
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
	if (p->timer.fd >= 0) {
		ev_del(p->loop, &p->timer);
		close(p->timer.fd);
	}
	if (p->sock4.src.fd >= 0) {
		ev_del(p->loop, &p->sock4.src);
		close(p->sock4.src.fd);
	}
	if (p->sock6.src.fd >= 0) {
		ev_del(p->loop, &p->sock6.src);
		close(p->sock6.src.fd);
	}
	free(p->by_ident);
	free(p->packet);
	p->by_ident = NULL;
	p->packet = NULL;
}
