/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A min-heap of wake-up times, so one timerfd serves every probe stream:
 * it is armed for the earliest, and each node knows its place, so a
 * stream's time can move either way in O(log n).
 */
#ifndef ESPRIT_TIMER_HEAP_H
#define ESPRIT_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define TIMER_HEAP_NONE SIZE_MAX

struct timer_node {
	uint64_t when_ns;
	size_t pos; /* TIMER_HEAP_NONE while not in a heap */
};

struct timer_heap {
	struct timer_node **nodes;
	size_t len, cap;
};

void timer_heap_init(struct timer_heap *h);
void timer_heap_free(struct timer_heap *h);
void timer_node_init(struct timer_node *n);

/* Inserts n, or moves it if it is in the heap already. 0 or -ENOMEM. */
int timer_heap_set(struct timer_heap *h, struct timer_node *n,
		   uint64_t when_ns);
void timer_heap_remove(struct timer_heap *h, struct timer_node *n);

/* The earliest node, or NULL when empty. */
struct timer_node *timer_heap_peek(const struct timer_heap *h);

#endif
