/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Liveness of one probe stream (a peer and a DSCP class), as BFD judges a
 * session (RFC 5880 §6.8.4), but from our own probes' replies:
 *
 *   init  monitoring began, no verdict yet
 *   up    up_after consecutive probes answered in time
 *   down  no reply in time for detect_multiplier x interval (the detection
 *         time) since the last one (or since monitoring began), while at
 *         least detect_multiplier probes went out after the last probe
 *         answered
 *
 *   init -> up, init -> down, up -> down, down -> up.
 *
 * "Consecutive" is by probe number: a reply to probe n extends the run
 * only if probe n - 1 was answered too. Late replies (ping_session.h) are
 * not replies here. Pure: times come from the caller (CLOCK_MONOTONIC ns).
 *
 * The probe count keeps a stalled prober from blaming its peers: when the
 * daemon did not run (a busy machine) it sent nothing, and silence it did
 * not ask for is no verdict. When it runs on time the detection time holds
 * detect_multiplier probes anyway (jittered intervals are never longer),
 * so the count changes nothing: down comes at last reply + detection time,
 * as BFD's detection timer.
 */
#ifndef ESPRIT_PEER_FSM_H
#define ESPRIT_PEER_FSM_H

#include <stdbool.h>
#include <stdint.h>

enum peer_state {
	PEER_INIT,
	PEER_UP,
	PEER_DOWN,
};

struct peer_fsm {
	enum peer_state state;
	uint64_t interval_ns;
	uint32_t detect_mult;
	uint32_t up_after;
	uint64_t start_ns; /* monitoring began */
	uint64_t last_rx_ns; /* receive time of the last reply in time; 0 none */
	uint64_t last_index; /* probe number of that reply */
	uint32_t run; /* consecutive probes answered, ending at last_index */
	uint64_t changed_ns; /* last state change (start_ns in init) */
};

const char *peer_state_name(enum peer_state s);

void peer_fsm_init(struct peer_fsm *f, uint64_t interval_ns,
		   uint32_t detect_mult, uint32_t up_after, uint64_t now_ns);

/* New timing from a reloaded configuration; state and history stay. */
void peer_fsm_set_timing(struct peer_fsm *f, uint64_t interval_ns,
			 uint32_t detect_mult, uint32_t up_after);

/* The detection time: detect_mult x interval. */
uint64_t peer_fsm_detect_ns(const struct peer_fsm *f);

/*
 * A reply in time to probe number index, received at rx_ns, handled at
 * now_ns. Returns true if the state changed (then *old is the previous).
 */
bool peer_fsm_reply(struct peer_fsm *f, uint64_t index, uint64_t rx_ns,
		    uint64_t now_ns, enum peer_state *old);

/* When the detection time runs out (UINT64_MAX while down). */
uint64_t peer_fsm_deadline(const struct peer_fsm *f);

/*
 * When peer_fsm_tick must run next, given probes sent so far: the deadline,
 * or UINT64_MAX while too few probes went out for a verdict (the next send
 * is the next chance).
 */
uint64_t peer_fsm_wake(const struct peer_fsm *f, uint64_t sent);

/*
 * Goes down if the detection time has run out by now_ns and sent (probes
 * sent so far, numbered from 1) is detect_multiplier or more past the last
 * probe answered.
 */
bool peer_fsm_tick(struct peer_fsm *f, uint64_t now_ns, uint64_t sent,
		   enum peer_state *old);

#endif
