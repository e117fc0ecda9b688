/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loss over the last minute: probes settled (received or lost, see
 * ping_session.h) counted in one-second slots by the second they were
 * settled in; the ratio covers the 60 slots up to and including the
 * current second. Fixed size, no per-probe memory.
 */
#ifndef ESPRIT_LOSS_WINDOW_H
#define ESPRIT_LOSS_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define LOSS_WINDOW_SECONDS 60

struct loss_slot {
	uint64_t second; /* CLOCK_MONOTONIC second this slot counts */
	uint32_t received;
	uint32_t lost;
};

struct loss_window {
	struct loss_slot slots[LOSS_WINDOW_SECONDS];
};

void loss_window_init(struct loss_window *w);

/* Adds probes settled at now_ns. */
void loss_window_add(struct loss_window *w, uint64_t now_ns, uint64_t received,
		     uint64_t lost);

/*
 * Sums the last LOSS_WINDOW_SECONDS seconds up to now_ns. Returns false
 * when nothing was settled then (no ratio); else the ratio lost / settled.
 */
bool loss_window_ratio(const struct loss_window *w, uint64_t now_ns,
		       double *ratio, uint64_t *received, uint64_t *lost);

#endif
