// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "lib/hmac_key.h"
#include "lib/sha256.h"

#define HMAC_IPAD 0x36
#define HMAC_OPAD 0x5c

/* The state after compressing one block of key ^ pad from the IV. */
static void pad_midstate(struct esprit_sha256_state *out,
			 const uint8_t key_block[ESPRIT_SHA256_BLOCK_LEN],
			 uint8_t pad)
{
	uint8_t block[ESPRIT_SHA256_BLOCK_LEN];

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = key_block[i] ^ pad;
	*out = (struct esprit_sha256_state)ESPRIT_SHA256_IV;
	sha256_block(out, block);
	explicit_bzero(block, sizeof(block));
}

void hmac_sha256_midstates(struct esprit_hmac_sha256_key *out, const void *key,
			   size_t key_len)
{
	uint8_t key_block[ESPRIT_SHA256_BLOCK_LEN] = {0};

	if (key_len > sizeof(key_block))
		sha256(key, key_len, key_block);
	else if (key_len)
		memcpy(key_block, key, key_len);
	pad_midstate(&out->inner, key_block, HMAC_IPAD);
	pad_midstate(&out->outer, key_block, HMAC_OPAD);
	explicit_bzero(key_block, sizeof(key_block));
}

void auth_key_hmac_sha256_128(struct esprit_auth_key *out, const void *key,
			      size_t key_len)
{
	memset(out, 0, sizeof(*out));
	out->alg = ESPRIT_AUTH_HMAC_SHA256_128;
	out->icv_len = ESPRIT_HMAC_SHA256_128_ICV_LEN;
	hmac_sha256_midstates(&out->material.hmac_sha256, key, key_len);
}
