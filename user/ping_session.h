/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One probe stream: the requests sent and the replies believed. A reply
 * counts only if it carries this stream's Identifier, comes from the
 * target, and its stamp (echo_stamp.h) verifies under the stream's key and
 * names a request still in the window: anything else is ignored and
 * counted by kind. Independent of how replies arrive (XDP ring buffer or
 * raw socket), so the daemon can keep one per peer and class.
 */
#ifndef ESPRIT_PING_SESSION_H
#define ESPRIT_PING_SESSION_H

#include <stdint.h>

#include "echo_stamp.h"
#include "esprit_echo.h"
#include "rtt_stats.h"

/*
 * Requests remembered for matching: a reply to an older one is "stale".
 * 4096 covers 4 s at 1 ms intervals; a power of two dividing 65536, so
 * the 16-bit echo sequence maps to a slot without a gap at wrap-around.
 */
#define PING_WINDOW 4096

enum reply_verdict {
	REPLY_OK, /* first reply to a request in the window */
	REPLY_DUPLICATE, /* a further reply to an answered request */
	REPLY_FOREIGN, /* another Identifier, or not from the target */
	REPLY_BAD_TAG, /* our Identifier, but no valid stamp: forged */
	REPLY_STALE, /* a valid stamp, for a request out of the window */
};

struct probe_record {
	uint64_t send_ns; /* 0: slot never used */
	uint8_t answered;
};

struct ping_session {
	struct echo_key key;
	uint16_t ident;
	struct esprit_addr target;
	uint64_t transmitted;
	uint64_t received; /* distinct requests answered */
	uint64_t duplicates;
	uint64_t bad_tag;
	uint64_t stale;
	uint64_t foreign;
	struct rtt_stats rtt; /* first replies only */
	struct probe_record probes[PING_WINDOW];
};

void ping_session_init(struct ping_session *s, const struct echo_key *key,
		       uint16_t ident, const struct esprit_addr *target);

/*
 * Records the next request and writes its stamp into data (at least
 * ECHO_STAMP_LEN bytes). Returns its echo Sequence; the ESP sequence number
 * is the low 32 bits of s->transmitted afterwards. send_ns must be nonzero.
 */
uint16_t ping_session_next(struct ping_session *s, uint64_t send_ns,
			   uint8_t *data);

/*
 * Judges one reply (ev->rx_ns on CLOCK_MONOTONIC). On REPLY_OK and
 * REPLY_DUPLICATE the round-trip time goes to *rtt_ns.
 */
enum reply_verdict ping_session_reply(struct ping_session *s,
				      const struct esprit_echo_reply_event *ev,
				      uint64_t *rtt_ns);

#endif
