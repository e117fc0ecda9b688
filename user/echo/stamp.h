/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stamp esprit puts at the start of an ESP Echo Request's Data: the send
 * time and a keyed tag over Identifier, Sequence and that time. Responders
 * copy Data back, so a reply proves which request it answers; a reply whose
 * tag does not verify under this process's key (forged, foreign, or from an
 * earlier run) is not believed.
 *
 *   off size
 *    0   8   send time, CLOCK_MONOTONIC ns, big-endian
 *    8   8   SipHash-2-4(key, Identifier | Sequence | send time), LSB first
 */
#ifndef ESPRIT_ECHO_STAMP_H
#define ESPRIT_ECHO_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/siphash.h"

#define ECHO_STAMP_LEN 16

struct echo_key {
	uint8_t bytes[SIPHASH_KEY_LEN];
};

/* A fresh random key (getrandom). Returns 0 or -errno. */
int echo_key_random(struct echo_key *key);

void echo_stamp_write(uint8_t data[ECHO_STAMP_LEN], const struct echo_key *key,
		      uint16_t ident, uint16_t seq, uint64_t send_ns);

/*
 * True if data (len bytes of a reply's Data) starts with a stamp this key
 * made for ident and seq; the send time is then stored in *send_ns. The tag
 * is compared in constant time.
 */
bool echo_stamp_verify(const uint8_t *data, size_t len,
		       const struct echo_key *key, uint16_t ident, uint16_t seq,
		       uint64_t *send_ns);

#endif
