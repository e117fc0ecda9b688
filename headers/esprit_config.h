/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one-entry config map esprit_config. Every field's zero value means the
 * documented default, so an object attached with `ip link ... xdp obj` and
 * never configured behaves safely.
 */
#ifndef ESPRIT_CONFIG_H
#define ESPRIT_CONFIG_H

#include "esprit_types.h"

/* echo_flags */
#define ESPRIT_ECHO_OFF		(1U << 0) /* pass requests to the stack */
#define ESPRIT_ECHO_NO_SEED	(1U << 1) /* ignore the seed (-01) form */
#define ESPRIT_ECHO_NO_EMPTY	(1U << 2) /* ignore the -00 empty form */
#define ESPRIT_ECHO_NO_SUBTYPED (1U << 3) /* ignore the sub-typed form */
#define ESPRIT_ECHO_SEQ_ZERO	(1U << 4) /* reply ESP seq 0, not a copy */
#define ESPRIT_ECHO_ALLOWLIST	(1U << 5) /* answer allowlisted prefixes only */
#define ESPRIT_ECHO_LOCAL_LIST	(1U << 6) /* dst must be in esprit_local */
#define ESPRIT_ECHO_NO_CAPTURE	(1U << 7) /* never take replies in XDP */

#define ESPRIT_DEFAULT_RATE_GLOBAL   10000 /* replies/s, all sources */
#define ESPRIT_DEFAULT_RATE_PREFIX   1000 /* replies/s per source prefix */
#define ESPRIT_DEFAULT_PREFIX_LEN_V4 24
#define ESPRIT_DEFAULT_PREFIX_LEN_V6 64
#define ESPRIT_DEFAULT_REPLY_TTL     64
#define ESPRIT_DEFAULT_SPI_REQUEST   7
#define ESPRIT_DEFAULT_SPI_REPLY     8
#define ESPRIT_SPI_RESERVED_MAX	     255 /* RFC 4303: SPIs 1-255 are IANA's */
#define ESPRIT_RATE_UNLIMITED	     0xffffffffU
/* Burst = rate / ESPRIT_BURST_DIVISOR (at least 1): 100 ms worth. */
#define ESPRIT_BURST_DIVISOR 10

struct esprit_config {
	__u32 echo_flags;
	__u32 rate_global; /* replies/s; 0 = default; ~0 = unlimited */
	__u32 rate_global_burst; /* requests; 0 = rate / 10 */
	__u32 rate_prefix; /* replies/s per prefix; 0 = default; ~0 = off */
	__u32 rate_prefix_burst; /* 0 = rate / 10 */
	__u8 prefix_len_v4; /* rate-limit prefix length; 0 = 24 */
	__u8 prefix_len_v6; /* 0 = 64 */
	__u8 reply_ttl; /* TTL / hop limit of replies; 0 = 64 */
	__u8 reserved0;
	__u32 spi_request; /* 0 = 7; 1-255, not spi_reply */
	__u32 spi_reply; /* 0 = 8; 1-255 */
};

#endif
