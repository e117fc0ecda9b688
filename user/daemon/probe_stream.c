// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "lib/addr.h"
#include "echo/packet.h"
#include "daemon/probe_stream.h"

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
	err = ping_session_init(&st->session, &key, ident, &st->addr,
				probe_stream_window(st->detect_mult),
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
	       !memcmp(st->addr.addr, peer->address.addr, 16);
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

		if (!ping_session_init(&st->session, &s.key, s.ident, &s.target,
				       window, s.timeout_ns)) {
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
	uint16_t seq;

	for (uint32_t i = ECHO_STAMP_LEN; i < st->size; i++)
		data[i] = (uint8_t)i;
	seq = ping_session_next(&st->session, now_ns, data);
	/* From the time it was due, not sent: a late wake-up does not
	 * push every later probe back. */
	st->next_send_ns += jitter_interval(st->interval_ns, st->detect_mult,
					    jitter_rng_next(rng));
	if (st->next_send_ns <= now_ns)
		st->next_send_ns =
			now_ns + jitter_interval(st->interval_ns,
						 st->detect_mult,
						 jitter_rng_next(rng));
	return echo_seed_build(buf, cap, ESPRIT_DEFAULT_SPI_REQUEST,
			       (uint32_t)st->session.transmitted,
			       st->session.ident, seq, data, st->size);
}

bool probe_stream_reply(struct probe_stream *st,
			const struct esprit_echo_reply_event *ev,
			uint64_t now_ns, enum peer_state *old)
{
	uint64_t rtt = 0;

	if (ping_session_reply(&st->session, ev, &rtt) != REPLY_OK)
		return false;
	st->last_rtt_ns = rtt;
	rtt_hist_add(&st->hist, rtt);
	if (ev->dscp != st->dscp)
		st->dscp_mismatch++;
	return peer_fsm_reply(&st->fsm, st->session.reply_index, ev->rx_ns,
			      now_ns, old);
}

bool probe_stream_expire(struct probe_stream *st, uint64_t now_ns,
			 enum peer_state *old)
{
	uint64_t ok = 0, lost = 0;

	ping_session_expire(&st->session, now_ns, &ok, &lost);
	/* What the session settled, here or when its window overflowed. */
	lost = st->session.lost - st->counted_lost;
	ok = st->session.settled - st->counted_settled - lost;
	loss_window_add(&st->loss, now_ns, ok, lost);
	st->counted_settled = st->session.settled;
	st->counted_lost = st->session.lost;
	return peer_fsm_tick(&st->fsm, now_ns, st->session.transmitted, old);
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
