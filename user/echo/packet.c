// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "echo/packet.h"

#define SEED_FIXED \
	(ESPRIT_ESP_HDR_LEN + ESPRIT_ECHO_HDR_LEN + ESPRIT_ESP_TRAILER_LEN)

/* RFC 4303: Pad Length and Next Header end on a 4-byte boundary. */
static size_t pad_len(size_t data_len)
{
	return (4 - (SEED_FIXED + data_len) % 4) % 4;
}

size_t echo_seed_len(size_t data_len)
{
	return SEED_FIXED + data_len + pad_len(data_len);
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

size_t echo_seed_build(uint8_t *buf, size_t cap, uint32_t spi, uint32_t esp_seq,
		       uint16_t ident, uint16_t seq, const uint8_t *data,
		       size_t data_len)
{
	size_t len = echo_seed_len(data_len), pad = pad_len(data_len);
	uint8_t *p = buf;

	if (cap < len)
		return 0;
	put_be32(p, spi);
	put_be32(p + 4, esp_seq);
	put_be16(p + 8, ident);
	put_be16(p + 10, seq);
	p += ESPRIT_ESP_HDR_LEN + ESPRIT_ECHO_HDR_LEN;
	if (data_len)
		memcpy(p, data, data_len);
	p += data_len;
	for (size_t i = 0; i < pad; i++)
		*p++ = (uint8_t)(i + 1);
	*p++ = (uint8_t)pad;
	*p = ESPRIT_NEXTHDR_NONE;
	return len;
}

int echo_seed_parse(const uint8_t *esp, size_t len, uint32_t spi,
		    struct esprit_echo_reply_event *ev)
{
	size_t pad, data_len, copy;

	if (len < SEED_FIXED || get_be32(esp) != spi ||
	    esp[len - 1] != ESPRIT_NEXTHDR_NONE)
		return -1;
	pad = esp[len - 2];
	if (SEED_FIXED + pad > len)
		return -1;
	for (size_t i = 0; i < pad; i++)
		if (esp[len - 2 - pad + i] != (uint8_t)(i + 1))
			return -1;
	data_len = len - SEED_FIXED - pad;
	if (data_len > UINT16_MAX)
		return -1;
	ev->format = ESPRIT_ECHO_FMT_SEED;
	ev->esp_seq = get_be32(esp + 4);
	ev->ident = get_be16(esp + 8);
	ev->seq = get_be16(esp + 10);
	ev->data_len = (uint16_t)data_len;
	copy = data_len < ESPRIT_ECHO_EVENT_DATA ? data_len
						 : ESPRIT_ECHO_EVENT_DATA;
	memset(ev->data, 0, sizeof(ev->data));
	memcpy(ev->data, esp + ESPRIT_ESP_HDR_LEN + ESPRIT_ECHO_HDR_LEN, copy);
	return 0;
}
