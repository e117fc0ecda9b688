/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP Echo in the seed format (docs/protocols.md §1.3a), as esprit ping sends it
 * and as a raw socket receives the reply: the ESP bytes only, from the SPI
 * to the Next Header (the kernel adds or strips the IP header).
 */
#ifndef ESPRIT_ECHO_PACKET_H
#define ESPRIT_ECHO_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "esprit_echo.h"

/* SPI .. Next Header bytes of a seed-form echo carrying data_len of Data. */
size_t echo_seed_len(size_t data_len);

/*
 * Writes a seed-form echo into buf: SPI, ESP sequence number, Identifier,
 * Sequence, Data, padding 1, 2, 3, ..., Pad Length, Next Header 59.
 * Returns its length, or 0 if cap is too small.
 */
size_t echo_seed_build(uint8_t *buf, size_t cap, uint32_t spi, uint32_t esp_seq,
		       uint16_t ident, uint16_t seq, const uint8_t *data,
		       size_t data_len);

/*
 * Reads a seed-form echo with this SPI into ev (ident, seq, esp_seq,
 * data_len, format and the first ESPRIT_ECHO_EVENT_DATA bytes of Data;
 * nothing else is touched). The trailer must be well formed: Next Header
 * 59, a Pad Length that fits, padding 1, 2, 3, .... Returns 0, or -1 if the
 * bytes are not such an echo.
 */
int echo_seed_parse(const uint8_t *esp, size_t len, uint32_t spi,
		    struct esprit_echo_reply_event *ev);

#endif
