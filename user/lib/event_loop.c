// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/epoll.h>
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
