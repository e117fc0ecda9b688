/* SPDX-License-Identifier: GPL-2.0 */
/* Turns a raw authentication key into the midstates the dataplane uses. */
#ifndef ESPRIT_USER_HMAC_KEY_H
#define ESPRIT_USER_HMAC_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "esprit_hmac.h"

/*
 * HMAC-SHA-256 midstates (RFC 2104 §2) of a key of any length: longer than
 * a block, it is hashed first. RFC 4868 wants exactly 32 bytes for IPsec;
 * callers that take keys from operators check that themselves.
 */
void hmac_sha256_midstates(struct esprit_hmac_sha256_key *out, const void *key,
			   size_t key_len);

/* An esprit_auth_key for HMAC-SHA-256-128 (RFC 4868), everything else 0. */
void auth_key_hmac_sha256_128(struct esprit_auth_key *out, const void *key,
			      size_t key_len);

#endif
