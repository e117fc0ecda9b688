// SPDX-License-Identifier: GPL-2.0
/*
 * The transport rtrlib drives for each cache: rtrlib's own TCP underneath,
 * read in large pieces, every PDU checked (risav/rtr_pdu.h) before rtrlib
 * sees it; the batch boundaries marked for the feed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/rtr_cache.h"

/* Bytes of a PDU beyond its header, read once the header is in. */
#define BODY_TIMEOUT_S 30

static int wire_open(void *socket)
{
	struct rtr_cache *c = socket;

	c->pdu_len = c->pdu_off = 0;
	c->in_off = c->in_len = 0;
	c->eod_served = false;
	return c->tcp.open_fp(c->tcp.socket);
}

static void wire_close(void *socket)
{
	struct rtr_cache *c = socket;

	rtr_feed_batch_end(c->feed, c->index, false);
	c->pdu_len = c->pdu_off = 0;
	c->in_off = c->in_len = 0;
	c->eod_served = false;
	c->tcp.close_fp(c->tcp.socket);
}

static void wire_free(struct tr_socket *tr)
{
	struct rtr_cache *c = tr->socket;

	c->tcp.free_fp(&c->tcp);
}

static int wire_send(const void *socket, const void *pdu, const size_t len,
		     const time_t timeout)
{
	const struct rtr_cache *c = socket;

	return c->tcp.send_fp(c->tcp.socket, pdu, len, timeout);
}

static const char *wire_ident(void *socket)
{
	struct rtr_cache *c = socket;

	return c->tcp.ident_fp(c->tcp.socket);
}

/* Reads len bytes; waiting for the first up to timeout (its code if none
 * came), for the rest up to BODY_TIMEOUT_S. */
static int read_full(struct rtr_cache *c, __u8 *buf, size_t len, time_t timeout)
{
	time_t end = time(NULL) + BODY_TIMEOUT_S;
	size_t got = 0;

	while (got < len) {
		size_t n = c->in_len - c->in_off;
		int rc;

		if (n) {
			if (n > len - got)
				n = len - got;
			memcpy(buf + got, c->in + c->in_off, n);
			c->in_off += n;
			got += n;
			continue;
		}
		rc = c->tcp.recv_fp(c->tcp.socket, c->in, sizeof(c->in),
				    got ? 1 : timeout);
		if (rc > 0) {
			c->in_off = 0;
			c->in_len = (size_t)rc;
			continue;
		}
		if (!got && (rc == TR_WOULDBLOCK || rc == TR_INTR))
			return rc;
		if ((rc == TR_WOULDBLOCK || rc == TR_INTR) && time(NULL) < end)
			continue;
		return rc < 0 ? rc : TR_ERROR;
	}
	return 0;
}

static void refuse(struct rtr_cache *c, int code, const char *why)
{
	struct rtr_feed *f = c->feed;
	__u8 report[512];
	size_t n;

	n = rtr_pdu_error_report(c->pdu[0] > 1 ? 1 : c->pdu[0], code, c->pdu,
				 c->pdu_len, why, report, sizeof(report));
	if (n)
		c->tcp.send_fp(c->tcp.socket, report, n, 1);
	/* RFC 8210 §10: the session starts over, from a Reset Query */
	c->rtr.request_session_id = true;
	pthread_mutex_lock(&f->lock);
	c->errors++;
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	rtr_feed_note(f, true,
		      "RTR cache %s: %s; Error Report sent, session reset, the "
		      "table is as it was",
		      c->name, why);
	pthread_mutex_unlock(&f->lock);
}

static void note_cache_error(struct rtr_cache *c)
{
	struct rtr_feed *f = c->feed;
	__u32 enc, text_len = 0;
	const char *text = "";
	char why[200];

	enc = (__u32)c->pdu[8] << 24 | (__u32)c->pdu[9] << 16 |
	      (__u32)c->pdu[10] << 8 | c->pdu[11];
	if (12 + (size_t)enc + 4 <= c->pdu_len) {
		const __u8 *p = c->pdu + 12 + enc;

		text_len = (__u32)p[0] << 24 | (__u32)p[1] << 16 |
			   (__u32)p[2] << 8 | p[3];
		if (16 + (size_t)enc + text_len <= c->pdu_len)
			text = (const char *)p + 4;
		else
			text_len = 0;
	}
	snprintf(why, sizeof(why), "the cache reported error %u%s%.*s",
		 (unsigned int)(c->pdu[2] << 8 | c->pdu[3]),
		 text_len ? ": " : "", (int)(text_len > 120 ? 120 : text_len),
		 text);
	pthread_mutex_lock(&f->lock);
	c->errors++;
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	rtr_feed_note(f, true, "RTR cache %s: %s", c->name, why);
	pthread_mutex_unlock(&f->lock);
}

/* The next PDU from the cache into c->pdu, checked. */
static int next_pdu(struct rtr_cache *c, time_t timeout)
{
	char why[160];
	__u32 len;
	int rc, code;

	c->pdu_len = c->pdu_off = 0;
	rc = read_full(c, c->pdu, RTR_PDU_HEADER_LEN, timeout);
	if (rc)
		return rc;
	len = rtr_pdu_length(c->pdu);
	c->pdu_len = RTR_PDU_HEADER_LEN;
	if (len < RTR_PDU_HEADER_LEN || len > RTR_PDU_MAX_LEN) {
		snprintf(why, sizeof(why), "PDU type %u with length %u",
			 c->pdu[1], len);
		refuse(c, RTR_ERR_CORRUPT_DATA, why);
		return TR_ERROR;
	}
	rc = read_full(c, c->pdu + RTR_PDU_HEADER_LEN, len - RTR_PDU_HEADER_LEN,
		       BODY_TIMEOUT_S);
	if (rc)
		return rc == TR_WOULDBLOCK ? TR_ERROR : rc;
	c->pdu_len = len;
	code = rtr_pdu_check(c->pdu, len, why, sizeof(why));
	if (code >= 0) {
		refuse(c, code, why);
		c->pdu_len = 0;
		return TR_ERROR;
	}
	switch (c->pdu[1]) {
	case RTR_PDU_CACHE_RESPONSE:
		rtr_feed_batch_begin(c->feed, c->index);
		break;
	case RTR_PDU_END_OF_DATA:
		c->eod_served = true;
		break;
	case RTR_PDU_ERROR_REPORT:
		note_cache_error(c);
		break;
	case RTR_PDU_SERIAL_NOTIFY: {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		pthread_mutex_lock(&c->feed->lock);
		c->notified = ts.tv_sec + ts.tv_nsec / 1e9;
		pthread_mutex_unlock(&c->feed->lock);
		break;
	}
	}
	return 0;
}

static int wire_recv(const void *socket, void *buf, const size_t len,
		     const time_t timeout)
{
	struct rtr_cache *c = (struct rtr_cache *)socket;
	size_t n;

	if (c->pdu_off == c->pdu_len) {
		int rc;

		if (c->eod_served) {
			/* rtrlib asks for more only once it has applied
			 * the batch End of Data closed */
			c->eod_served = false;
			rtr_feed_batch_end(c->feed, c->index, true);
		}
		rc = next_pdu(c, timeout);
		if (rc)
			return rc;
	}
	n = c->pdu_len - c->pdu_off;
	if (n > len)
		n = len;
	memcpy(buf, c->pdu + c->pdu_off, n);
	c->pdu_off += n;
	return (int)n;
}

void rtr_wire_init(struct rtr_cache *c)
{
	c->wire = (struct tr_socket){.socket = c,
				     .open_fp = wire_open,
				     .close_fp = wire_close,
				     .free_fp = wire_free,
				     .send_fp = wire_send,
				     .recv_fp = wire_recv,
				     .ident_fp = wire_ident};
}
