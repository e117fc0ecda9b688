// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "daemon/peer_fsm.h"

const char *peer_state_name(enum peer_state s)
{
	switch (s) {
	case PEER_INIT:
		return "init";
	case PEER_UP:
		return "up";
	case PEER_DOWN:
		return "down";
	}
	return "?";
}

void peer_fsm_init(struct peer_fsm *f, uint64_t interval_ns,
		   uint32_t detect_mult, uint32_t up_after, uint64_t now_ns)
{
	memset(f, 0, sizeof(*f));
	f->state = PEER_INIT;
	f->start_ns = f->changed_ns = now_ns;
	peer_fsm_set_timing(f, interval_ns, detect_mult, up_after);
}

void peer_fsm_set_timing(struct peer_fsm *f, uint64_t interval_ns,
			 uint32_t detect_mult, uint32_t up_after)
{
	f->interval_ns = interval_ns;
	f->detect_mult = detect_mult ? detect_mult : 1;
	f->up_after = up_after ? up_after : 1;
}

uint64_t peer_fsm_detect_ns(const struct peer_fsm *f)
{
	return f->interval_ns * f->detect_mult;
}

static bool change(struct peer_fsm *f, enum peer_state to, uint64_t now_ns,
		   enum peer_state *old)
{
	if (f->state == to)
		return false;
	*old = f->state;
	f->state = to;
	f->changed_ns = now_ns;
	return true;
}

bool peer_fsm_reply(struct peer_fsm *f, uint64_t index, uint64_t rx_ns,
		    uint64_t now_ns, enum peer_state *old)
{
	if (f->last_index && index <= f->last_index)
		return false; /* reordered: an earlier probe's reply */
	f->run = f->last_index && index == f->last_index + 1 ? f->run + 1 : 1;
	f->last_index = index;
	if (rx_ns > f->last_rx_ns)
		f->last_rx_ns = rx_ns;
	if (f->state != PEER_UP && f->run >= f->up_after)
		return change(f, PEER_UP, now_ns, old);
	return false;
}

uint64_t peer_fsm_deadline(const struct peer_fsm *f)
{
	uint64_t from = f->last_rx_ns > f->start_ns ? f->last_rx_ns
						    : f->start_ns;

	if (f->state == PEER_DOWN)
		return UINT64_MAX;
	return from + peer_fsm_detect_ns(f);
}

uint64_t peer_fsm_wake(const struct peer_fsm *f, uint64_t sent)
{
	if (sent < f->last_index + f->detect_mult)
		return UINT64_MAX;
	return peer_fsm_deadline(f);
}

bool peer_fsm_tick(struct peer_fsm *f, uint64_t now_ns, uint64_t sent,
		   enum peer_state *old)
{
	if (now_ns < peer_fsm_deadline(f) ||
	    sent < f->last_index + f->detect_mult)
		return false;
	f->run = 0;
	return change(f, PEER_DOWN, now_ns, old);
}
