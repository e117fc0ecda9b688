/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF"):
 * a keyed 64-bit PRF, used to tag ESP Echo probes so that only replies to
 * requests this process sent are believed.
 */
#ifndef ESPRIT_SIPHASH_H
#define ESPRIT_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

/* The 64-bit output; as bytes it is written least significant first. */
uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *msg,
		   size_t len);

#endif
