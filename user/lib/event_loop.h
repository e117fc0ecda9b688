/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's single-threaded epoll loop. Each file descriptor is a
 * source with a callback; in every round, sources of priority 0 (reply
 * rings and sockets) run before the others (timers), so a reply already
 * waiting is counted before a detection timer could declare its peer down.
 */
#ifndef ESPRIT_EVENT_LOOP_H
#define ESPRIT_EVENT_LOOP_H

#include <stdint.h>

#define EV_BATCH 64

struct ev_source {
	int fd;
	int prio; /* 0 first, then 1 */
	void (*ready)(struct ev_source *s, uint32_t events);
};

struct ev_loop {
	int epfd;
	struct ev_source *batch[EV_BATCH]; /* the round being run */
	uint32_t batch_events[EV_BATCH];
	int nbatch;
};

int ev_loop_init(struct ev_loop *l);
void ev_loop_free(struct ev_loop *l);

/* Watches s->fd for events (EPOLLIN, ...). 0 or -errno. */
int ev_add(struct ev_loop *l, struct ev_source *s, uint32_t events);
int ev_mod(struct ev_loop *l, struct ev_source *s, uint32_t events);
/* Stops watching; safe from any callback, even for a source due later
 * in the same round. */
void ev_del(struct ev_loop *l, struct ev_source *s);

/* Waits up to timeout_ms (-1: forever) and runs one round. 0 or -errno. */
int ev_run_once(struct ev_loop *l, int timeout_ms);

#endif
