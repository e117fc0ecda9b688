// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "echo/session.h"

int ping_session_init(struct ping_session *s, const struct echo_key *key,
		      enum esprit_echo_format format, uint16_t ident,
		      const struct esprit_addr *target, uint32_t window,
		      uint64_t timeout_ns)
{
	if (!window)
		window = PING_WINDOW;
	memset(s, 0, sizeof(*s));
	if (window > PING_WINDOW_MAX || (window & (window - 1)))
		return -EINVAL;
	s->probes = calloc(window, sizeof(*s->probes));
	if (!s->probes)
		return -ENOMEM;
	s->window = window;
	s->key = *key;
	s->format = format;
	s->ident = ident;
	s->target = *target;
	s->timeout_ns = timeout_ns;
	rtt_stats_init(&s->rtt);
	return 0;
}

void ping_session_free(struct ping_session *s)
{
	free(s->probes);
	s->probes = NULL;
}

static struct probe_record *record_of(const struct ping_session *s,
				      uint64_t index)
{
	return &s->probes[index & (s->window - 1)];
}

/* Settles request settled + 1; returns whether it was received. */
static int settle_one(struct ping_session *s)
{
	struct probe_record *p = record_of(s, ++s->settled);

	if (p->answered)
		return 1;
	s->lost++;
	return 0;
}

uint16_t ping_session_next(struct ping_session *s, uint64_t send_ns,
			   uint8_t *data)
{
	uint16_t seq;
	struct probe_record *p;

	/* A request leaving the window before its deadline is judged now,
	 * so every request is settled exactly once. */
	while (s->timeout_ns && s->transmitted + 1 - s->settled > s->window)
		settle_one(s);
	seq = (uint16_t)++s->transmitted;
	p = record_of(s, s->transmitted);
	p->send_ns = send_ns;
	p->tx_ns = send_ns;
	p->answered = 0;
	p->replied = 0;
	if (data)
		echo_stamp_write(data, &s->key, s->ident, seq, send_ns);
	return seq;
}

/* The record of request number index, if it is still in the window. */
static struct probe_record *in_window(const struct ping_session *s,
				      uint64_t index)
{
	struct probe_record *p = record_of(s, index);

	if (!index || index > s->transmitted ||
	    s->transmitted - index >= s->window || !p->send_ns)
		return NULL;
	return p;
}

void ping_session_sent(struct ping_session *s, uint64_t index, uint64_t tx_ns)
{
	struct probe_record *p = in_window(s, index);

	if (p && !p->replied && tx_ns)
		p->tx_ns = tx_ns;
}

static int same_addr(const struct esprit_addr *a, const struct esprit_addr *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

/*
 * The request a reply answers, or NULL (counted): by Identifier, source and
 * stamp, or in the empty form by source and ESP sequence number.
 */
static struct probe_record *matched(struct ping_session *s,
				    const struct esprit_echo_reply_event *ev,
				    uint64_t *index,
				    enum reply_verdict *verdict)
{
	size_t have = ev->data_len < ESPRIT_ECHO_EVENT_DATA
			      ? ev->data_len
			      : ESPRIT_ECHO_EVENT_DATA;
	struct probe_record *p;
	uint64_t send_ns;

	if (!same_addr(&ev->src, &s->target) ||
	    (ev->format == ESPRIT_ECHO_FMT_EMPTY) !=
		    (s->format == ESPRIT_ECHO_FMT_EMPTY) ||
	    (s->format != ESPRIT_ECHO_FMT_EMPTY && ev->ident != s->ident)) {
		s->foreign++;
		*verdict = REPLY_FOREIGN;
		return NULL;
	}
	if (s->format == ESPRIT_ECHO_FMT_EMPTY) {
		/* The latest request whose low 32 bits are the ESP seq. */
		*index = s->transmitted -
			 (uint32_t)((uint32_t)s->transmitted - ev->esp_seq);
		p = in_window(s, *index);
		if (!p) {
			s->stale++;
			*verdict = REPLY_STALE;
		}
		return p;
	}
	if (!echo_stamp_verify(ev->data, have, &s->key, ev->ident, ev->seq,
			       &send_ns)) {
		s->bad_tag++;
		*verdict = REPLY_BAD_TAG;
		return NULL;
	}
	/* The latest request whose low 16 bits are seq. */
	*index =
		s->transmitted - (uint16_t)((uint16_t)s->transmitted - ev->seq);
	p = in_window(s, *index);
	/* The slot now belongs to a later request with the same low bits. */
	if (!p || p->send_ns != send_ns) {
		s->stale++;
		*verdict = REPLY_STALE;
		return NULL;
	}
	return p;
}

enum reply_verdict ping_session_reply(struct ping_session *s,
				      const struct esprit_echo_reply_event *ev,
				      uint64_t *rtt_ns)
{
	enum reply_verdict verdict;
	struct probe_record *p;
	uint64_t index = 0;
	bool timed;

	p = matched(s, ev, &index, &verdict);
	if (!p)
		return verdict;
	timed = ev->rx_ns > p->tx_ns;
	*rtt_ns = timed ? ev->rx_ns - p->tx_ns : 0;
	s->reply_index = index;
	if (p->replied) {
		s->duplicates++;
		return REPLY_DUPLICATE;
	}
	p->replied = 1;
	if (s->timeout_ns && (index <= s->settled || *rtt_ns > s->timeout_ns)) {
		s->late++;
		return REPLY_LATE;
	}
	p->answered = 1;
	s->received++;
	if (!timed) {
		s->untimed++;
		return REPLY_UNTIMED;
	}
	rtt_stats_add(&s->rtt, *rtt_ns);
	return REPLY_OK;
}

void ping_session_expire(struct ping_session *s, uint64_t now_ns, uint64_t *ok,
			 uint64_t *lost)
{
	while (s->timeout_ns && s->settled < s->transmitted) {
		const struct probe_record *p = record_of(s, s->settled + 1);

		if (p->send_ns + s->timeout_ns > now_ns)
			break;
		if (settle_one(s))
			(*ok)++;
		else
			(*lost)++;
	}
}

uint64_t ping_session_next_deadline(const struct ping_session *s)
{
	if (!s->timeout_ns || s->settled >= s->transmitted)
		return UINT64_MAX;
	return record_of(s, s->settled + 1)->send_ns + s->timeout_ns;
}
