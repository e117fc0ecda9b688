// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "ping_session.h"

void ping_session_init(struct ping_session *s, const struct echo_key *key,
		       uint16_t ident, const struct esprit_addr *target)
{
	memset(s, 0, sizeof(*s));
	s->key = *key;
	s->ident = ident;
	s->target = *target;
	rtt_stats_init(&s->rtt);
}

uint16_t ping_session_next(struct ping_session *s, uint64_t send_ns,
			   uint8_t *data)
{
	uint16_t seq = (uint16_t)++s->transmitted;
	struct probe_record *p = &s->probes[seq % PING_WINDOW];

	p->send_ns = send_ns;
	p->answered = 0;
	echo_stamp_write(data, &s->key, s->ident, seq, send_ns);
	return seq;
}

static int same_addr(const struct esprit_addr *a, const struct esprit_addr *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

enum reply_verdict ping_session_reply(struct ping_session *s,
				      const struct esprit_echo_reply_event *ev,
				      uint64_t *rtt_ns)
{
	size_t have = ev->data_len < ESPRIT_ECHO_EVENT_DATA
			      ? ev->data_len
			      : ESPRIT_ECHO_EVENT_DATA;
	struct probe_record *p;
	uint64_t send_ns;

	if (ev->ident != s->ident || !same_addr(&ev->src, &s->target)) {
		s->foreign++;
		return REPLY_FOREIGN;
	}
	if (!echo_stamp_verify(ev->data, have, &s->key, ev->ident, ev->seq,
			       &send_ns)) {
		s->bad_tag++;
		return REPLY_BAD_TAG;
	}
	p = &s->probes[ev->seq % PING_WINDOW];
	/* The slot now belongs to a later request with the same low bits. */
	if (!p->send_ns || p->send_ns != send_ns) {
		s->stale++;
		return REPLY_STALE;
	}
	*rtt_ns = ev->rx_ns > send_ns ? ev->rx_ns - send_ns : 0;
	if (p->answered) {
		s->duplicates++;
		return REPLY_DUPLICATE;
	}
	p->answered = 1;
	s->received++;
	rtt_stats_add(&s->rtt, *rtt_ns);
	return REPLY_OK;
}
