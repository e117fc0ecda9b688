/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An ICMP or ICMPv6 error about one of our requests, as the kernel queues it
 * on the socket's error queue (IP_RECVERR / IPV6_RECVERR), and its wording
 * in ping's style: "Destination Protocol Unreachable" is what a host says
 * when nothing there answers ESP.
 */
#ifndef ESPRIT_ICMP_ERROR_H
#define ESPRIT_ICMP_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esprit_echo.h"
#include "esprit_types.h"

struct icmp_error {
	struct esprit_addr offender; /* family 0: a local error */
	struct esprit_addr dst; /* where the request went; family 0: unknown */
	uint8_t origin; /* SO_EE_ORIGIN_* */
	uint8_t type, code;
	uint32_t info; /* MTU for "too big" errors */
	int err; /* errno the kernel maps it to */
	uint8_t quote[16]; /* the request's first bytes, from its SPI on */
	size_t quote_len;
};

/* Which request an error is about, as far as its quote tells. */
struct icmp_quote {
	bool has_ident; /* Identifier and Sequence (seed, sub-typed) */
	uint16_t ident, seq;
	bool has_esp_seq;
	uint32_t esp_seq;
};

/*
 * Reads the quote as a request in format: sub-typed requests keep their
 * Identifier at byte 12, seed ones at byte 8, empty ones have none; a quote
 * cut short (an old router quotes 8 bytes) may hold the ESP sequence
 * number only.
 */
void icmp_error_quote(const struct icmp_error *e, enum esprit_echo_format f,
		      struct icmp_quote *q);

/* What an error says about the path to the peer. */
enum icmp_diagnosis {
	ICMP_NO_ESP, /* Protocol Unreachable, unrecognized Next Header */
	ICMP_UNREACHABLE, /* no route, prohibited, hop limit, ... */
	ICMP_TOO_BIG, /* Packet Too Big, Fragmentation Needed, EMSGSIZE */
	ICMP_LOCAL, /* a local error other than too big */
};

enum icmp_diagnosis icmp_error_diagnose(const struct icmp_error *e);

/* "Destination Protocol Unreachable", "Packet too big: mtu=1280", ... */
const char *icmp_error_describe(const struct icmp_error *e, char *buf,
				size_t len);

#endif
