// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "lib/sha256.h"

void sha256_block(struct esprit_sha256_state *state,
		  const uint8_t block[ESPRIT_SHA256_BLOCK_LEN])
{
	__u32 w[ESPRIT_SHA256_BLOCK_LEN / 4];

	memcpy(w, block, sizeof(w));
	esprit_sha256_compress(state->h, w);
}

void sha256(const void *msg, size_t len,
	    uint8_t digest[ESPRIT_SHA256_DIGEST_LEN])
{
	struct esprit_sha256_state state = ESPRIT_SHA256_IV;
	uint8_t block[2 * ESPRIT_SHA256_BLOCK_LEN] = {0};
	const uint8_t *p = msg;
	uint64_t bits = (uint64_t)len * 8;
	size_t rem = len % ESPRIT_SHA256_BLOCK_LEN;
	size_t tail_len;

	for (; len >= ESPRIT_SHA256_BLOCK_LEN; len -= ESPRIT_SHA256_BLOCK_LEN) {
		sha256_block(&state, p);
		p += ESPRIT_SHA256_BLOCK_LEN;
	}
	/* FIPS 180-4 §5.1.1: 0x80, zeros, the 64-bit length in bits. */
	memcpy(block, p, rem);
	block[rem] = 0x80;
	tail_len = rem < ESPRIT_SHA256_BLOCK_LEN - 8
			   ? ESPRIT_SHA256_BLOCK_LEN
			   : 2 * ESPRIT_SHA256_BLOCK_LEN;
	for (int i = 0; i < 8; i++)
		block[tail_len - 1 - i] = bits >> (8 * i);
	for (size_t off = 0; off < tail_len; off += ESPRIT_SHA256_BLOCK_LEN)
		sha256_block(&state, block + off);

	for (int i = 0; i < ESPRIT_SHA256_WORDS; i++) {
		digest[4 * i + 0] = state.h[i] >> 24;
		digest[4 * i + 1] = state.h[i] >> 16;
		digest[4 * i + 2] = state.h[i] >> 8;
		digest[4 * i + 3] = state.h[i];
	}
	explicit_bzero(block, sizeof(block));
}
