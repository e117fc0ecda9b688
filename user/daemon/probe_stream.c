// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <linux/errqueue.h>

#include "lib/addr.h"
#include "echo/packet.h"
#include "daemon/probe_stream.h"

const char *probe_reason_name(enum probe_reason r)
{
	static const char *const names[PROBE_REASONS] = {
		[PROBE_REASON_NONE] = "none",
		[PROBE_REASON_NO_REPLY] = "no-reply",
		[PROBE_REASON_NO_ESP] = "esp-unsupported",
		[PROBE_REASON_UNREACHABLE] = "unreachable",
		[PROBE_REASON_TOO_BIG] = "too-big",
		[PROBE_REASON_SEND_FAILED] = "send-failed",
	};

	return (unsigned int)r < PROBE_REASONS ? names[r] : "?";
}

uint32_t probe_stream_window(uint32_t detect_mult)
{
	/* The shortest jittered interval is 3/4 of the configured one. */
	uint32_t pending = (detect_mult * 4 + 2) / 3 + 2, window = 16;

	while (window < 2 * pending)
		window *= 2;
	return window;
}

static void addr_to_sockaddr(const struct esprit_addr *a,
			     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (addr_is_v4(a)) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a->addr + 12, 4);
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a->addr, 16);
		*len = sizeof(*in6);
	}
}

static void set_timing(struct probe_stream *st, const struct config_peer *peer)
{
	st->interval_ns = peer->interval_ns;
	st->detect_mult = peer->detect_multiplier;
	st->up_after = peer->up_after;
	st->size = peer->size;
	st->format = peer->format;
}

int probe_stream_init(struct probe_stream *st, uint64_t id,
		      const struct config_peer *peer, uint8_t dscp,
		      uint16_t ident, uint64_t now_ns, uint64_t first_ns)
{
	struct echo_key key;
	int err;

	memset(st, 0, sizeof(*st));
	st->id = id;
	snprintf(st->peer, sizeof(st->peer), "%s", peer->name);
	st->dscp = dscp;
	st->addr = peer->address;
	addr_format(&st->addr, st->addr_str, sizeof(st->addr_str));
	addr_to_sockaddr(&st->addr, &st->sa, &st->sa_len);
	set_timing(st, peer);
	err = echo_key_random(&key);
	if (err)
		return err;
	err = ping_session_init(&st->session, &key, st->format, ident,
				&st->addr, probe_stream_window(st->detect_mult),
				st->interval_ns * st->detect_mult);
	if (err)
		return err;
	peer_fsm_init(&st->fsm, st->interval_ns, st->detect_mult, st->up_after,
		      now_ns);
	rtt_hist_init(&st->hist);
	loss_window_init(&st->loss);
	timer_node_init(&st->timer);
	st->next_send_ns = first_ns;
	return 0;
}

void probe_stream_free(struct probe_stream *st)
{
	ping_session_free(&st->session);
}

bool probe_stream_same_target(const struct probe_stream *st,
			      const struct config_peer *peer)
{
	return st->addr.family == peer->address.family &&
	       !memcmp(st->addr.addr, peer->address.addr, 16) &&
	       st->format == peer->format;
}

void probe_stream_retime(struct probe_stream *st,
			 const struct config_peer *peer)
{
	uint32_t window = probe_stream_window(peer->detect_multiplier);
	uint64_t old_interval = st->interval_ns;

	set_timing(st, peer);
	peer_fsm_set_timing(&st->fsm, st->interval_ns, st->detect_mult,
			    st->up_after);
	st->session.timeout_ns = st->interval_ns * st->detect_mult;
	/* A larger multiplier needs a larger window: requests in flight are
	 * settled now (as the window would) and matching starts afresh. */
	if (window > st->session.window) {
		struct ping_session s = st->session;

		if (!ping_session_init(&st->session, &s.key, s.format, s.ident,
				       &s.target, window, s.timeout_ns)) {
			uint64_t ok = 0, lost = 0;

			ping_session_expire(&s, UINT64_MAX, &ok, &lost);
			st->session.transmitted = s.transmitted;
			st->session.settled = s.transmitted;
			st->session.received = s.received;
			st->session.lost = s.lost;
			st->session.late = s.late;
			st->session.duplicates = s.duplicates;
			st->session.bad_tag = s.bad_tag;
			st->session.stale = s.stale;
			st->session.foreign = s.foreign;
			st->session.untimed = s.untimed;
			st->session.rtt = s.rtt;
			ping_session_free(&s);
		}
	}
	/* A shorter interval takes effect now, not after the old one. */
	if (st->interval_ns < old_interval &&
	    st->next_send_ns > st->fsm.start_ns + st->interval_ns)
		st->next_send_ns -= old_interval - st->interval_ns;
}

size_t probe_stream_build(struct probe_stream *st, uint64_t now_ns,
			  struct jitter_rng *rng, uint8_t *buf, size_t cap)
{
	uint8_t data[CONFIG_MAX_DATA_SIZE];
	struct echo_request_spec req = {
		.format = st->format,
		.spi = ESPRIT_DEFAULT_SPI_REQUEST,
		.ident = st->session.ident,
		.data = data,
		.data_len = st->size,
	};

	for (uint32_t i = ECHO_STAMP_LEN; i < st->size; i++)
		data[i] = (uint8_t)i;
	req.seq = ping_session_next(&st->session, now_ns,
				    st->format == ESPRIT_ECHO_FMT_EMPTY ? NULL
									: data);
	req.esp_seq = (uint32_t)st->session.transmitted;
	/* From the time it was due, not sent: a late wake-up does not
	 * push every later probe back. */
	st->next_send_ns += jitter_interval(st->interval_ns, st->detect_mult,
					    jitter_rng_next(rng));
	if (st->next_send_ns <= now_ns)
		st->next_send_ns =
			now_ns + jitter_interval(st->interval_ns,
						 st->detect_mult,
						 jitter_rng_next(rng));
	return echo_request_build(buf, cap, &req);
}

bool probe_stream_set_reason(struct probe_stream *st, enum probe_reason r,
			     const char *detail)
{
	bool changed = st->reason != r;

	st->reason = r;
	snprintf(st->reason_detail, sizeof(st->reason_detail), "%s", detail);
	return changed;
}

bool probe_stream_reply(struct probe_stream *st,
			const struct esprit_echo_reply_event *ev,
			uint64_t now_ns, enum peer_state *old)
{
	uint64_t rtt = 0;

	switch (ping_session_reply(&st->session, ev, &rtt)) {
	case REPLY_OK:
		st->last_rtt_ns = rtt;
		rtt_hist_add(&st->hist, rtt);
		break;
	case REPLY_UNTIMED:
		break;
	default:
		return false;
	}
	probe_stream_set_reason(st, PROBE_REASON_NONE, "");
	if (ev->dscp != st->dscp)
		st->dscp_mismatch++;
	return peer_fsm_reply(&st->fsm, st->session.reply_index, ev->rx_ns,
			      now_ns, old);
}

static enum probe_reason reason_of(const struct icmp_error *e)
{
	switch (icmp_error_diagnose(e)) {
	case ICMP_NO_ESP:
		return PROBE_REASON_NO_ESP;
	case ICMP_TOO_BIG:
		return PROBE_REASON_TOO_BIG;
	case ICMP_UNREACHABLE:
		return PROBE_REASON_UNREACHABLE;
	default:
		return PROBE_REASON_SEND_FAILED;
	}
}

bool probe_stream_error(struct probe_stream *st, const struct icmp_error *e,
			uint64_t now_ns)
{
	char what[128], from[ADDR_STRLEN], detail[sizeof(st->reason_detail)];

	icmp_error_describe(e, what, sizeof(what));
	if (e->offender.family)
		snprintf(detail, sizeof(detail), "%s from %s", what,
			 addr_format(&e->offender, from, sizeof(from)));
	else
		snprintf(detail, sizeof(detail), "%s", what);
	if (e->origin == SO_EE_ORIGIN_NONE)
		snprintf(detail, sizeof(detail), "cannot send: %s",
			 strerror(e->err));
	st->evidence_ns = now_ns;
	return probe_stream_set_reason(st, reason_of(e), detail);
}

static uint64_t evidence_lifetime(const struct probe_stream *st)
{
	uint64_t detection = 3 * peer_fsm_detect_ns(&st->fsm);

	return detection > PROBE_EVIDENCE_NS ? detection : PROBE_EVIDENCE_NS;
}

bool probe_stream_expire(struct probe_stream *st, uint64_t now_ns,
			 enum peer_state *old, bool *reason_changed)
{
	uint64_t ok = 0, lost = 0;

	*reason_changed = false;
	ping_session_expire(&st->session, now_ns, &ok, &lost);
	/* What the session settled, here or when its window overflowed. */
	lost = st->session.lost - st->counted_lost;
	ok = st->session.settled - st->counted_settled - lost;
	loss_window_add(&st->loss, now_ns, ok, lost);
	/* Requests lost after the latest answered one, with no error for
	 * long: the path went quiet. (Older losses are history.) */
	if (lost && st->reason != PROBE_REASON_NO_REPLY &&
	    st->session.settled > st->fsm.last_index &&
	    (st->reason == PROBE_REASON_NONE ||
	     now_ns - st->evidence_ns > evidence_lifetime(st))) {
		*reason_changed =
			probe_stream_set_reason(st, PROBE_REASON_NO_REPLY,
						"requests lost, no ICMP error "
						"about them");
	}
	st->counted_settled = st->session.settled;
	st->counted_lost = st->session.lost;
	if (!peer_fsm_tick(&st->fsm, now_ns, st->session.transmitted, old))
		return false;
	/* Down with nothing said: the silence is the evidence. */
	if (st->fsm.state == PEER_DOWN && st->reason == PROBE_REASON_NONE)
		*reason_changed =
			probe_stream_set_reason(st, PROBE_REASON_NO_REPLY,
						"no reply within the detection "
						"time, no ICMP error");
	return true;
}

uint64_t probe_stream_wake(const struct probe_stream *st)
{
	uint64_t t = st->next_send_ns,
		 d = peer_fsm_wake(&st->fsm, st->session.transmitted),
		 e = ping_session_next_deadline(&st->session);

	if (d < t)
		t = d;
	if (e < t)
		t = e;
	return t;
}
