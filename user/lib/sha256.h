/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 of a buffer, on the compression function the BPF programs use
 * (headers/esprit_sha256.h). The loader needs it for HMAC keys longer than
 * a block; OpenSSL serves only as the tests' oracle.
 */
#ifndef ESPRIT_USER_SHA256_H
#define ESPRIT_USER_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "esprit_sha256.h"

/* Compresses one 64-byte block into state. */
void sha256_block(struct esprit_sha256_state *state,
		  const uint8_t block[ESPRIT_SHA256_BLOCK_LEN]);

void sha256(const void *msg, size_t len,
	    uint8_t digest[ESPRIT_SHA256_DIGEST_LEN]);

#endif
