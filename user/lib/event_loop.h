/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one event loop: single-threaded epoll, used by the daemon, esprit
 * ping and esprit monitor. Each file descriptor is a source with a
 * callback; in every round, sources of priority 0 (reply rings and
 * sockets) run before the others (timers, signals), so a reply already
 * waiting is counted before a detection timer could declare its peer down.
 * Timers are timerfds on CLOCK_MONOTONIC, signals a signalfd.
 */
#ifndef ESPRIT_EVENT_LOOP_H
#define ESPRIT_EVENT_LOOP_H

#include <stddef.h>
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

/* A timer source (priority 1), not armed yet. 0 or -errno. */
int ev_timer_open(struct ev_loop *l, struct ev_source *s,
		  void (*ready)(struct ev_source *s, uint32_t events));

/*
 * Arms it: first at CLOCK_MONOTONIC time at_ns (absolute; 0 disarms),
 * then every interval_ns (0: once). 0 or -errno.
 */
int ev_timer_set(struct ev_source *s, uint64_t at_ns, uint64_t interval_ns);

/* Expirations since the last read (0 if none); call it in ready(). */
uint64_t ev_timer_read(struct ev_source *s);

/*
 * A source (priority 1) for the signals in sigs (n of them): blocked for
 * the process, delivered as reads. ev_signal_next() returns the next
 * pending one, or 0.
 */
int ev_signal_open(struct ev_loop *l, struct ev_source *s, const int *sigs,
		   size_t n,
		   void (*ready)(struct ev_source *s, uint32_t events));
int ev_signal_next(struct ev_source *s);

/* Stops watching s and closes its fd. */
void ev_close(struct ev_loop *l, struct ev_source *s);

/* CLOCK_MONOTONIC now, in ns. */
uint64_t monotonic_ns(void);

#endif
