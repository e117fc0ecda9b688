/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One probe stream: the requests sent and the replies believed. A reply
 * counts only if it carries this stream's Identifier, comes from the
 * target, and its stamp (echo_stamp.h) verifies under the stream's key and
 * names a request still in the window: anything else is ignored and
 * counted by kind. In the empty form (docs/protocols.md §1.3) a reply has
 * no Identifier and no Data: it is matched by its ESP sequence number
 * alone, and nothing proves it genuine. Independent of how replies arrive
 * (XDP ring buffer or raw socket), so the daemon can keep one per peer and
 * class.
 *
 * The round-trip time runs from when the request left (the kernel's
 * transmit timestamp, ping_session_sent(); until one comes, the time read
 * just before it was sent) to when the reply arrived (XDP's or the
 * kernel's receive timestamp). A reply that by those clocks arrived before
 * its request left is no sample: it counts as received, its time is not
 * believed (REPLY_UNTIMED).
 *
 * With a timeout, every request is settled once its deadline (send time +
 * timeout) has passed: "received" if a reply came by then, else "lost". A
 * reply that comes after the deadline is "late": counted, never received,
 * and the request stays lost. So transmitted = received + lost + requests
 * with no reply yet whose deadline is ahead. Without a timeout (esprit ping) requests
 * are never settled and no reply is late.
 */
#ifndef ESPRIT_PING_SESSION_H
#define ESPRIT_PING_SESSION_H

#include <stdint.h>

#include "echo/stamp.h"
#include "esprit_echo.h"
#include "echo/rtt_stats.h"

/*
 * Requests esprit ping remembers for matching: a reply to an older one is
 * "stale". 4096 covers 4 s at 1 ms intervals. Every window is a power of
 * two dividing 65536, so the 16-bit echo sequence maps to a slot without a
 * gap at wrap-around.
 */
#define PING_WINDOW	4096
#define PING_WINDOW_MAX 65536

enum reply_verdict {
	REPLY_OK, /* first reply to a request in the window, in time */
	REPLY_DUPLICATE, /* a further reply to an answered request */
	REPLY_FOREIGN, /* another Identifier, or not from the target */
	REPLY_BAD_TAG, /* our Identifier, but no valid stamp: forged */
	REPLY_STALE, /* a valid stamp, for a request out of the window */
	REPLY_LATE, /* first reply to a request, after its deadline */
	REPLY_UNTIMED, /* as REPLY_OK, but received before it was sent */
};

struct probe_record {
	uint64_t send_ns; /* 0: slot never used; the stamp's time */
	uint64_t tx_ns; /* when it left: kernel stamp, or before the send */
	uint8_t answered; /* a reply came in time */
	uint8_t replied; /* any reply came (in time or late) */
};

struct ping_session {
	struct echo_key key;
	enum esprit_echo_format format;
	uint16_t ident;
	struct esprit_addr target;
	uint64_t timeout_ns; /* 0: requests are never settled */
	uint64_t transmitted;
	uint64_t received; /* distinct requests answered (in time) */
	uint64_t duplicates;
	uint64_t lost; /* settled without a reply in time */
	uint64_t late; /* replies after their request's deadline */
	uint64_t bad_tag;
	uint64_t stale;
	uint64_t foreign;
	uint64_t untimed; /* received before they were sent, by the clocks */
	uint64_t settled; /* requests 1..settled are settled */
	uint64_t reply_index; /* request number of the last reply judged */
	struct rtt_stats rtt; /* in-time first replies only */
	uint32_t window;
	struct probe_record *probes;
};

/*
 * Sets up a session sending in format, remembering window requests (a
 * power of two from 1 to PING_WINDOW_MAX; 0: 4096). Returns 0, -EINVAL or
 * -ENOMEM.
 */
int ping_session_init(struct ping_session *s, const struct echo_key *key,
		      enum esprit_echo_format format, uint16_t ident,
		      const struct esprit_addr *target, uint32_t window,
		      uint64_t timeout_ns);
void ping_session_free(struct ping_session *s);

/*
 * Records the next request and writes its stamp into data (at least
 * ECHO_STAMP_LEN bytes; NULL in the empty form). Returns its echo
 * Sequence; the ESP sequence number is the low 32 bits of s->transmitted
 * afterwards. send_ns must be nonzero; it is the request's send time
 * until ping_session_sent() says otherwise. A request about to be
 * overwritten in the window is settled first.
 */
uint16_t ping_session_next(struct ping_session *s, uint64_t send_ns,
			   uint8_t *data);

/*
 * When request number index (1 = the first) left: the time read just
 * before sending it, then the kernel's transmit timestamp. Ignored for a
 * request out of the window or already answered.
 */
void ping_session_sent(struct ping_session *s, uint64_t index, uint64_t tx_ns);

/*
 * Judges one reply (ev->rx_ns on CLOCK_MONOTONIC). On REPLY_OK,
 * REPLY_DUPLICATE and REPLY_LATE the round-trip time goes to *rtt_ns, and
 * on those and REPLY_UNTIMED the request's number (1 = the first sent) to
 * s->reply_index.
 */
enum reply_verdict ping_session_reply(struct ping_session *s,
				      const struct esprit_echo_reply_event *ev,
				      uint64_t *rtt_ns);

/*
 * Settles, in order, every request whose deadline is at or before now_ns;
 * adds how many were received and lost to *ok and *lost. Does nothing
 * without a timeout.
 */
void ping_session_expire(struct ping_session *s, uint64_t now_ns, uint64_t *ok,
			 uint64_t *lost);

/* Deadline of the oldest unsettled request, or UINT64_MAX if none. */
uint64_t ping_session_next_deadline(const struct ping_session *s);

#endif
