/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One probe stream: a peer and a DSCP class, probed every interval
 * (jittered), with its verdicts (peer_fsm.h), counters, RTT histogram and
 * loss window. No I/O here: the prober (prober.h) sends what this builds
 * and hands it the replies.
 *
 * Counters, per stream:
 *   sent        requests handed to the socket (or that failed to send:
 *               send_errors counts those too, and they end up lost)
 *   received    requests answered within their deadline
 *   lost        requests whose deadline passed without a reply
 *   late        first replies that came after their request's deadline
 *               (their request stays lost)
 *   duplicated  further replies to a request already answered
 * The deadline of a request is its send time plus the detection time
 * (detect_multiplier x interval). sent = received + lost + in flight (no
 * reply yet, deadline ahead). Loss ratios are lost / (received + lost).
 *
 * Beside its state, a stream keeps the diagnosis its latest evidence
 * gives (probe_reason): replies coming in; requests lost without a word
 * (ESP black-holed on the path, or a peer that keeps quiet); the peer
 * itself saying it does not speak ESP (ICMP Protocol Unreachable, ICMPv6
 * Parameter Problem "unrecognized Next Header"); the path saying the peer
 * is unreachable or the request too big; or the request not leaving this
 * host. A reply clears it. Errors come at most about once a second (the
 * kernel rate-limits them), so silence between them says nothing new: a
 * lost request turns the reason into no-reply only once no error has come
 * for PROBE_EVIDENCE_NS or three detection times, whichever is longer.
 */
#ifndef ESPRIT_PROBE_STREAM_H
#define ESPRIT_PROBE_STREAM_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon/config.h"
#include "daemon/jitter.h"
#include "daemon/loss_window.h"
#include "daemon/peer_fsm.h"
#include "echo/icmp_error.h"
#include "echo/session.h"
#include "daemon/rtt_hist.h"
#include "lib/timer_heap.h"

struct prober_reader;

enum probe_reason {
	PROBE_REASON_NONE, /* replies come in (or nothing known yet) */
	PROBE_REASON_NO_REPLY, /* requests lost without a word */
	PROBE_REASON_NO_ESP, /* the peer does not speak ESP */
	PROBE_REASON_UNREACHABLE, /* ICMP: no route, prohibited, ... */
	PROBE_REASON_TOO_BIG, /* ICMP: packet too big */
	PROBE_REASON_SEND_FAILED, /* the request did not leave this host */
	PROBE_REASONS
};

/* "none", "no-reply", "esp-unsupported", "unreachable", "too-big",
 * "send-failed". */
const char *probe_reason_name(enum probe_reason r);

struct probe_stream {
	uint64_t id; /* unique in this daemon, for hook ordering */
	char peer[CONFIG_PEER_NAME_MAX];
	uint8_t dscp;
	struct esprit_addr addr;
	char addr_str[48];
	struct sockaddr_storage sa;
	socklen_t sa_len;
	uint64_t interval_ns;
	uint32_t detect_mult, up_after, size;
	enum esprit_echo_format format;

	struct ping_session session;
	struct peer_fsm fsm;
	struct rtt_hist hist;
	struct loss_window loss;
	uint64_t last_rtt_ns;
	uint64_t send_errors, icmp_errors, dscp_mismatch;
	enum probe_reason reason;
	char reason_detail[160]; /* the evidence, e.g. the ICMP error */
	uint64_t evidence_ns; /* when the last error came */
	uint64_t counted_settled, counted_lost; /* fed to the loss window */
	uint64_t next_send_ns;
	struct timer_node timer;

	/* receive path: a reader of XDP's ring, or NULL for the raw socket */
	struct prober_reader *reader;
	char ifname[IF_NAMESIZE];
	char rx_note[320];

	bool keep; /* marked while a new configuration is applied */
	struct probe_stream *next;
};

/* Requests a stream keeps track of: room for every request within its
 * deadline under the shortest jittered interval, twice over. */
uint32_t probe_stream_window(uint32_t detect_mult);

/* Sets up a stream for peer and class dscp, first probe at first_ns. */
int probe_stream_init(struct probe_stream *st, uint64_t id,
		      const struct config_peer *peer, uint8_t dscp,
		      uint16_t ident, uint64_t now_ns, uint64_t first_ns);
void probe_stream_free(struct probe_stream *st);

/* Whether a reloaded peer keeps this stream (same address and form). */
bool probe_stream_same_target(const struct probe_stream *st,
			      const struct config_peer *peer);
/* New interval, multiplier, up_after and size; history stays. */
void probe_stream_retime(struct probe_stream *st,
			 const struct config_peer *peer);

/*
 * Builds the next request into buf (its ESP bytes) and schedules the one
 * after, jittered. Returns the length, 0 if cap is too small.
 */
size_t probe_stream_build(struct probe_stream *st, uint64_t now_ns,
			  struct jitter_rng *rng, uint8_t *buf, size_t cap);

/* Judges a reply. Returns true if the state changed (*old: before). */
bool probe_stream_reply(struct probe_stream *st,
			const struct esprit_echo_reply_event *ev,
			uint64_t now_ns, enum peer_state *old);

/* How long an error's diagnosis outlives the last error, at least. */
#define PROBE_EVIDENCE_NS 10000000000ULL

/*
 * Evidence at now_ns: an ICMP or local error, or a send that failed
 * (e->err only). Returns true if the reason changed.
 */
bool probe_stream_error(struct probe_stream *st, const struct icmp_error *e,
			uint64_t now_ns);

/* The reason changes to r with detail; true if it is another reason. */
bool probe_stream_set_reason(struct probe_stream *st, enum probe_reason r,
			     const char *detail);

/* Settles requests past their deadline and runs the detection timer.
 * Returns true if the state changed; *reason_changed says whether a loss
 * made the reason no-reply. */
bool probe_stream_expire(struct probe_stream *st, uint64_t now_ns,
			 enum peer_state *old, bool *reason_changed);

/* The next time anything is due: a send, a deadline, detection. */
uint64_t probe_stream_wake(const struct probe_stream *st);

#endif
