// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "daemon/loss_window.h"

#define NS_PER_S 1000000000ULL

void loss_window_init(struct loss_window *w)
{
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < LOSS_WINDOW_SECONDS; i++)
		w->slots[i].second = UINT64_MAX;
}

void loss_window_add(struct loss_window *w, uint64_t now_ns, uint64_t received,
		     uint64_t lost)
{
	uint64_t sec = now_ns / NS_PER_S;
	struct loss_slot *s = &w->slots[sec % LOSS_WINDOW_SECONDS];

	if (!received && !lost)
		return;
	if (s->second != sec) {
		s->second = sec;
		s->received = s->lost = 0;
	}
	s->received += (uint32_t)received;
	s->lost += (uint32_t)lost;
}

bool loss_window_ratio(const struct loss_window *w, uint64_t now_ns,
		       double *ratio, uint64_t *received, uint64_t *lost)
{
	uint64_t sec = now_ns / NS_PER_S, r = 0, l = 0;

	for (int i = 0; i < LOSS_WINDOW_SECONDS; i++) {
		const struct loss_slot *s = &w->slots[i];

		if (s->second == UINT64_MAX || s->second > sec ||
		    sec - s->second >= LOSS_WINDOW_SECONDS)
			continue;
		r += s->received;
		l += s->lost;
	}
	if (received)
		*received = r;
	if (lost)
		*lost = l;
	if (!r && !l)
		return false;
	*ratio = (double)l / (double)(r + l);
	return true;
}
