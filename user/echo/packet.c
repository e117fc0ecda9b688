// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "echo/packet.h"

#define SEED_FIXED \
	(ESPRIT_ESP_HDR_LEN + ESPRIT_ECHO_HDR_LEN + ESPRIT_ESP_TRAILER_LEN)
#define EMPTY_PAD      2 /* RFC 4303: Pad Length and Next Header end aligned */
#define SUBTYPED_FIXED (ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN)

/* RFC 4303: Pad Length and Next Header end on a 4-byte boundary. */
static size_t seed_pad_len(size_t data_len)
{
	return (4 - (SEED_FIXED + data_len) % 4) % 4;
}

size_t echo_request_len(enum esprit_echo_format format, size_t data_len,
			bool return_spi)
{
	switch (format) {
	case ESPRIT_ECHO_FMT_SEED:
		return SEED_FIXED + data_len + seed_pad_len(data_len);
	case ESPRIT_ECHO_FMT_EMPTY:
		return ESPRIT_ESP_HDR_LEN + EMPTY_PAD + ESPRIT_ESP_TRAILER_LEN;
	case ESPRIT_ECHO_FMT_SUBTYPED:
		return SUBTYPED_FIXED +
		       (return_spi ? ESPRIT_RETURN_SPI_LEN : 0) + data_len;
	}
	return 0;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)get_be16(p) << 16 | get_be16(p + 2);
}

/* Padding 1, 2, ..., n, Pad Length n, Next Header 59 at p. */
static void put_trailer(uint8_t *p, size_t pad)
{
	for (size_t i = 0; i < pad; i++)
		*p++ = (uint8_t)(i + 1);
	*p++ = (uint8_t)pad;
	*p = ESPRIT_NEXTHDR_NONE;
}

size_t echo_request_build(uint8_t *buf, size_t cap,
			  const struct echo_request_spec *r)
{
	size_t len =
		echo_request_len(r->format, r->data_len, r->has_return_spi);
	uint8_t *p = buf + ESPRIT_ESP_HDR_LEN;

	if (!len || cap < len || r->data_len > UINT16_MAX ||
	    (r->format == ESPRIT_ECHO_FMT_EMPTY && r->data_len) ||
	    (r->format != ESPRIT_ECHO_FMT_SUBTYPED && r->has_return_spi))
		return 0;
	put_be32(buf, r->spi);
	put_be32(buf + 4, r->esp_seq);
	switch (r->format) {
	case ESPRIT_ECHO_FMT_EMPTY:
		put_trailer(p, EMPTY_PAD);
		return len;
	case ESPRIT_ECHO_FMT_SEED:
		put_be16(p, r->ident);
		put_be16(p + 2, r->seq);
		p += ESPRIT_ECHO_HDR_LEN;
		break;
	case ESPRIT_ECHO_FMT_SUBTYPED:
		p[0] = ESPRIT_SUBTYPE_REQUEST;
		p[1] = r->has_return_spi ? ESPRIT_SUBTYPED_FLAG_R : 0;
		put_be16(p + 2, (uint16_t)r->data_len);
		put_be16(p + 4, r->ident);
		put_be16(p + 6, r->seq);
		p += ESPRIT_SUBTYPED_HDR_LEN;
		if (r->has_return_spi) {
			put_be32(p, r->return_spi);
			p += ESPRIT_RETURN_SPI_LEN;
		}
		break;
	}
	if (r->data_len)
		memcpy(p, r->data, r->data_len);
	if (r->format == ESPRIT_ECHO_FMT_SEED)
		put_trailer(p + r->data_len, seed_pad_len(r->data_len));
	return len;
}

static void copy_data(struct esprit_echo_reply_event *ev, const uint8_t *data,
		      size_t data_len)
{
	size_t copy = data_len < ESPRIT_ECHO_EVENT_DATA
			      ? data_len
			      : ESPRIT_ECHO_EVENT_DATA;

	ev->data_len = (uint16_t)data_len;
	memset(ev->data, 0, sizeof(ev->data));
	memcpy(ev->data, data, copy);
}

/* The trailer forms: 0 with ev filled, or -1. */
static int parse_trailer(const uint8_t *esp, size_t len,
			 struct esprit_echo_reply_event *ev)
{
	size_t pad, payload;

	if (len < ESPRIT_ESP_HDR_LEN + ESPRIT_ESP_TRAILER_LEN ||
	    esp[len - 1] != ESPRIT_NEXTHDR_NONE)
		return -1;
	pad = esp[len - 2];
	if (ESPRIT_ESP_HDR_LEN + ESPRIT_ESP_TRAILER_LEN + pad > len)
		return -1;
	for (size_t i = 0; i < pad; i++)
		if (esp[len - 2 - pad + i] != (uint8_t)(i + 1))
			return -1;
	payload = len - ESPRIT_ESP_HDR_LEN - ESPRIT_ESP_TRAILER_LEN - pad;
	if (payload == 0) {
		ev->format = ESPRIT_ECHO_FMT_EMPTY;
		ev->ident = ev->seq = 0;
		copy_data(ev, esp, 0);
		return 0;
	}
	if (payload < ESPRIT_ECHO_HDR_LEN || payload > UINT16_MAX)
		return -1;
	ev->format = ESPRIT_ECHO_FMT_SEED;
	ev->ident = get_be16(esp + 8);
	ev->seq = get_be16(esp + 10);
	copy_data(ev, esp + ESPRIT_ESP_HDR_LEN + ESPRIT_ECHO_HDR_LEN,
		  payload - ESPRIT_ECHO_HDR_LEN);
	return 0;
}

enum echo_parse_result echo_reply_parse(const uint8_t *esp, size_t len,
					uint32_t spi,
					struct esprit_echo_reply_event *ev)
{
	if (len < ESPRIT_ESP_HDR_LEN || get_be32(esp) != spi)
		return ECHO_OTHER_SPI;
	ev->esp_seq = get_be32(esp + 4);
	if (len >= SUBTYPED_FIXED && esp[8] == ESPRIT_SUBTYPE_RESPONSE &&
	    SUBTYPED_FIXED + (size_t)get_be16(esp + 10) == len) {
		ev->format = ESPRIT_ECHO_FMT_SUBTYPED;
		ev->ident = get_be16(esp + 12);
		ev->seq = get_be16(esp + 14);
		copy_data(ev, esp + SUBTYPED_FIXED, len - SUBTYPED_FIXED);
		return ECHO_PARSED;
	}
	return parse_trailer(esp, len, ev) ? ECHO_MALFORMED : ECHO_PARSED;
}

static const char *const format_names[] = {
	[ESPRIT_ECHO_FMT_SEED] = "seed",
	[ESPRIT_ECHO_FMT_EMPTY] = "empty",
	[ESPRIT_ECHO_FMT_SUBTYPED] = "subtyped",
};

const char *echo_format_name(enum esprit_echo_format f)
{
	return (unsigned int)f < sizeof(format_names) /
					       sizeof(format_names[0]) &&
			       format_names[f]
		       ? format_names[f]
		       : "?";
}

int echo_format_parse(const char *s, enum esprit_echo_format *f)
{
	for (unsigned int i = 0;
	     i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (format_names[i] && !strcmp(s, format_names[i])) {
			*f = (enum esprit_echo_format)i;
			return 0;
		}
	}
	return -1;
}
