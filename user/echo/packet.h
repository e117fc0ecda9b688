/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP Echo requests as esprit ping and the daemon send them, and replies
 * as a raw socket receives them: the ESP bytes only, from the SPI on (the
 * kernel adds or strips the IP header). Three forms (docs/protocols.md
 * §1.3, §1.3a, §1.4):
 *
 *   subtyped  SPI | ESP seq | 2 | flags | Data Length | Identifier |
 *             Sequence | [Return SPI] | Data            (the default)
 *   seed      SPI | ESP seq | Identifier | Sequence | Data | padding 1, 2,
 *             ... | Pad Length | Next Header 59
 *   empty     SPI | ESP seq | padding 1, 2 | 2 | 59     (no Identifier)
 */
#ifndef ESPRIT_ECHO_PACKET_H
#define ESPRIT_ECHO_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esprit_echo.h"

/* One request: its form and fields. */
struct echo_request_spec {
	enum esprit_echo_format format;
	uint32_t spi, esp_seq;
	uint16_t ident, seq; /* not in the empty form */
	bool has_return_spi; /* sub-typed only: flag R */
	uint32_t return_spi;
	const uint8_t *data; /* not in the empty form */
	size_t data_len;
};

/* Bytes of a request in this form (SPI to its last byte). */
size_t echo_request_len(enum esprit_echo_format format, size_t data_len,
			bool return_spi);

/* Writes the request into buf. Returns its length, 0 if cap is too small
 * or the fields do not fit the form (Data in the empty form, a return SPI
 * outside the sub-typed one, Data over 65535 bytes). */
size_t echo_request_build(uint8_t *buf, size_t cap,
			  const struct echo_request_spec *r);

enum echo_parse_result {
	ECHO_PARSED = 0, /* a reply in one of the forms */
	ECHO_OTHER_SPI = 1, /* not an ESP Echo Reply at all */
	ECHO_MALFORMED = -1, /* the reply SPI, but in no form */
};

/*
 * Reads a reply with this SPI into ev: format, esp_seq, and unless it is
 * the empty form ident, seq, data_len and the first ESPRIT_ECHO_EVENT_DATA
 * bytes of Data; nothing else is touched. Sub-typed first (Sub-Type 3 and
 * a Data Length that fits the ESP length exactly), then the trailer forms
 * (Next Header 59, Pad Length that fits, padding 1, 2, 3, ...).
 */
enum echo_parse_result echo_reply_parse(const uint8_t *esp, size_t len,
					uint32_t spi,
					struct esprit_echo_reply_event *ev);

/* "subtyped", "seed", "empty"; parse: 0, or -1 for anything else. */
const char *echo_format_name(enum esprit_echo_format f);
int echo_format_parse(const char *s, enum esprit_echo_format *f);

#endif
