// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/event_loop.h"

int ev_loop_init(struct ev_loop *l)
{
	l->nbatch = 0;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void ev_loop_free(struct ev_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int ev_add(struct ev_loop *l, struct ev_source *s, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = s};

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, s->fd, &ev) ? -errno : 0;
}

int ev_mod(struct ev_loop *l, struct ev_source *s, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = s};

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, s->fd, &ev) ? -errno : 0;
}

void ev_del(struct ev_loop *l, struct ev_source *s)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	for (int i = 0; i < l->nbatch; i++)
		if (l->batch[i] == s)
			l->batch[i] = NULL;
}

int ev_run_once(struct ev_loop *l, int timeout_ms)
{
	struct epoll_event events[EV_BATCH];
	int n = epoll_wait(l->epfd, events, EV_BATCH, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		l->batch[i] = events[i].data.ptr;
		l->batch_events[i] = events[i].events;
	}
	l->nbatch = n;
	for (int prio = 0; prio <= 1; prio++) {
		for (int i = 0; i < l->nbatch; i++) {
			struct ev_source *s = l->batch[i];

			if (!s || s->prio != prio)
				continue;
			l->batch[i] = NULL;
			s->ready(s, l->batch_events[i]);
		}
	}
	l->nbatch = 0;
	return 0;
}

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int open_source(struct ev_loop *l, struct ev_source *s, int fd,
		       void (*ready)(struct ev_source *s, uint32_t events))
{
	int e;

	if (fd < 0)
		return -errno;
	s->fd = fd;
	s->prio = 1;
	s->ready = ready;
	e = ev_add(l, s, EPOLLIN);
	if (e) {
		close(fd);
		s->fd = -1;
	}
	return e;
}

int ev_timer_open(struct ev_loop *l, struct ev_source *s,
		  void (*ready)(struct ev_source *s, uint32_t events))
{
	return open_source(l, s,
			   timerfd_create(CLOCK_MONOTONIC,
					  TFD_CLOEXEC | TFD_NONBLOCK),
			   ready);
}

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){.tv_sec = (time_t)(ns / 1000000000ULL),
				 .tv_nsec = (long)(ns % 1000000000ULL)};
}

int ev_timer_set(struct ev_source *s, uint64_t at_ns, uint64_t interval_ns)
{
	struct itimerspec its = {.it_value = ts_of(at_ns),
				 .it_interval = ts_of(interval_ns)};

	return timerfd_settime(s->fd, TFD_TIMER_ABSTIME, &its, NULL) ? -errno
								     : 0;
}

uint64_t ev_timer_read(struct ev_source *s)
{
	uint64_t n;

	return read(s->fd, &n, sizeof(n)) == sizeof(n) ? n : 0;
}

int ev_signal_open(struct ev_loop *l, struct ev_source *s, const int *sigs,
		   size_t n,
		   void (*ready)(struct ev_source *s, uint32_t events))
{
	sigset_t mask;

	sigemptyset(&mask);
	for (size_t i = 0; i < n; i++)
		sigaddset(&mask, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	return open_source(
		l, s, signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK), ready);
}

int ev_signal_next(struct ev_source *s)
{
	struct signalfd_siginfo si;

	if (read(s->fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

void ev_close(struct ev_loop *l, struct ev_source *s)
{
	if (s->fd < 0)
		return;
	ev_del(l, s);
	close(s->fd);
	s->fd = -1;
}
