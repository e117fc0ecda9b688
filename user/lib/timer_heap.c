// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "lib/timer_heap.h"

void timer_heap_init(struct timer_heap *h)
{
	h->nodes = NULL;
	h->len = h->cap = 0;
}

void timer_heap_free(struct timer_heap *h)
{
	for (size_t i = 0; i < h->len; i++)
		h->nodes[i]->pos = TIMER_HEAP_NONE;
	free(h->nodes);
	timer_heap_init(h);
}

void timer_node_init(struct timer_node *n)
{
	n->when_ns = 0;
	n->pos = TIMER_HEAP_NONE;
}

static void place(struct timer_heap *h, size_t i, struct timer_node *n)
{
	h->nodes[i] = n;
	n->pos = i;
}

static void sift_up(struct timer_heap *h, size_t i)
{
	struct timer_node *n = h->nodes[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->nodes[parent]->when_ns <= n->when_ns)
			break;
		place(h, i, h->nodes[parent]);
		i = parent;
	}
	place(h, i, n);
}

static void sift_down(struct timer_heap *h, size_t i)
{
	struct timer_node *n = h->nodes[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->len)
			break;
		if (child + 1 < h->len &&
		    h->nodes[child + 1]->when_ns < h->nodes[child]->when_ns)
			child++;
		if (n->when_ns <= h->nodes[child]->when_ns)
			break;
		place(h, i, h->nodes[child]);
		i = child;
	}
	place(h, i, n);
}

int timer_heap_set(struct timer_heap *h, struct timer_node *n, uint64_t when_ns)
{
	if (n->pos != TIMER_HEAP_NONE) {
		uint64_t was = n->when_ns;

		n->when_ns = when_ns;
		if (when_ns < was)
			sift_up(h, n->pos);
		else
			sift_down(h, n->pos);
		return 0;
	}
	if (h->len == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		struct timer_node **p = realloc(h->nodes, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		h->nodes = p;
		h->cap = cap;
	}
	n->when_ns = when_ns;
	place(h, h->len++, n);
	sift_up(h, n->pos);
	return 0;
}

void timer_heap_remove(struct timer_heap *h, struct timer_node *n)
{
	size_t i = n->pos;
	struct timer_node *last;

	if (i == TIMER_HEAP_NONE)
		return;
	n->pos = TIMER_HEAP_NONE;
	last = h->nodes[--h->len];
	if (last == n)
		return;
	place(h, i, last);
	sift_up(h, i);
	sift_down(h, last->pos);
}

struct timer_node *timer_heap_peek(const struct timer_heap *h)
{
	return h->len ? h->nodes[0] : NULL;
}
