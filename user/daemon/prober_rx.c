// SPDX-License-Identifier: GPL-2.0
/*
 * The prober's receive side: replies from XDP's rings (one reader per map
 * set, shared by the streams whose replies come back where that program
 * runs) or from the raw sockets, and the choice between them per stream,
 * made again when routes and programs change.
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "daemon/log.h"
#include "daemon/prober.h"
#include "echo/socket.h"
#include "lib/route.h"

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
	/* The requests' transmit times were queued before they left the
	 * host: take them before timing the replies. */
	prober_drain_errors(pr->p);
	rc = echo_reader_consume(pr->r);
	if (rc < 0)
		log_warn("ring buffer of %s: %s", pr->ifname, strerror(-rc));
}

/*
 * An error goes to the streams probing its destination; where the quote
 * keeps the Identifier, to that one stream only (a class of its own).
 */
static void handle_icmp_error(struct prober *p, const struct icmp_error *e)
{
	if (!e->dst.family)
		return;
	for (struct probe_stream *st = p->streams; st; st = st->next) {
		enum probe_reason was = st->reason;
		struct icmp_quote q;

		if (st->addr.family != e->dst.family ||
		    memcmp(st->addr.addr, e->dst.addr, 16))
			continue;
		icmp_error_quote(e, st->format, &q);
		if (q.has_ident && q.ident != st->session.ident)
			continue;
		st->icmp_errors++;
		if (probe_stream_error(st, e, monotonic_ns()))
			prober_reason_changed(p, st, was);
	}
}

static void take_tx_stamp(struct prober *p, const struct echo_tx_stamp *ts)
{
	const struct prober_tx_slot *slot =
		&p->tx_slots[ts->key % PROBER_TX_SLOTS];
	struct probe_stream *st = p->by_ident[slot->ident];

	if (slot->key != ts->key || !st || st->id != slot->stream_id)
		return;
	ping_session_sent(&st->session, slot->index, ts->tx_ns);
}

static void drain_socket_errors(struct prober *p, int fd)
{
	struct echo_tx_stamp ts;
	struct icmp_error e;
	int rc;

	if (fd < 0)
		return;
	while ((rc = echo_socket_recv_error(fd, &e, &ts)) > 0) {
		if (rc == ECHO_ERRQ_TX_STAMP)
			take_tx_stamp(p, &ts);
		else
			handle_icmp_error(p, &e);
	}
}

void prober_drain_errors(struct prober *p)
{
	drain_socket_errors(p, p->sock4.src.fd);
	drain_socket_errors(p, p->sock6.src.fd);
}

static void on_socket(struct ev_source *s, uint32_t events)
{
	struct prober_socket *ps = (struct prober_socket *)s;
	struct esprit_echo_reply_event ev;
	int rc, errors = 0;

	(void)events;
	prober_drain_errors(ps->p);
	for (;;) {
		rc = echo_socket_recv(s->fd, ps->family, &ev);
		if (rc == ECHO_RECV_REPLY)
			prober_deliver(ps->p, &ev);
		if (rc == ECHO_RECV_MALFORMED)
			ps->p->replies_malformed++;
		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			break;
		/* a pending ICMP error is reported once per read */
		if (rc < 0 && ++errors > 64)
			break;
	}
	prober_drain_errors(ps->p);
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

int prober_open_socket(struct prober *p, struct prober_socket *ps, int family,
		       char *err, size_t errlen)
{
	struct echo_socket_opts o = {.family = family};
	const char *step;
	int fd = echo_socket_open(&o, &step);

	ps->p = p;
	ps->family = family;
	ps->tx_stamps = true;
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

void prober_reader_put(struct prober *p, struct prober_reader *pr)
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
	struct echo_maps maps;
	char err[128];

	c->reader = NULL;
	if (!if_indextoname((unsigned int)c->ifindex, c->ifname)) {
		snprintf(c->note, sizeof(c->note), "interface %d is gone",
			 c->ifindex);
		return;
	}
	if (echo_capture_maps(c->ifindex, c->ifname, &maps, c->note,
			      sizeof(c->note)))
		return;
	c->reader = reader_get(p, &maps, c->ifname, err, sizeof(err));
	if (!c->reader)
		snprintf(c->note, sizeof(c->note), "%s", err);
}

int prober_free_ident(struct prober *p, uint16_t *ident)
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
		e = prober_free_ident(p, &ident);
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
	if (st->format == ESPRIT_ECHO_FMT_EMPTY) {
		snprintf(st->rx_note, sizeof(st->rx_note),
			 "raw socket with kernel receive timestamps (the empty "
			 "form carries no Identifier for XDP to match)");
		return;
	}
	if (st->reader && st->reader == c->reader)
		return;
	if (st->reader) {
		echo_reader_remove(st->reader->r, st->session.ident);
		prober_reader_put(p, st->reader);
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
			prober_reader_put(p, c->reader);
			continue;
		}
		use_path(p, st, c);
	}
	for (size_t i = 0; i < ncache; i++)
		prober_reader_put(p, cache[i].reader);
}
