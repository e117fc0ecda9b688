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

#include "esprit_types.h"

struct icmp_error {
	struct esprit_addr offender; /* family 0: a local error */
	uint8_t origin; /* SO_EE_ORIGIN_* */
	uint8_t type, code;
	uint32_t info; /* MTU for "too big" errors */
	int err; /* errno the kernel maps it to */
	bool quoted; /* the quote reaches Identifier and Sequence */
	uint16_t ident, seq;
	uint32_t esp_seq; /* valid if the quote has the ESP header */
	bool has_esp_seq;
};

/* "Destination Protocol Unreachable", "Packet too big: mtu=1280", ... */
const char *icmp_error_describe(const struct icmp_error *e, char *buf,
				size_t len);

#endif
