// SPDX-License-Identifier: GPL-2.0
/*
 * The loader's SHA-256 and HMAC midstates (user/lib/sha256.c, user/lib/hmac_key.c)
 * against OpenSSL. A midstate is the chaining value after one block, which
 * only OpenSSL's low-level SHA256_CTX exposes: that API is deprecated in
 * 3.0 but is the only independent way to see it.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <CUnit/CUnit.h>

#include "lib/hmac_key.h"
#include "lib/sha256.h"
#include "testlib.h"

static uint64_t rng_state = 0x686d61632d6b6579ULL;

static void rng_fill(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		rng_state ^= rng_state >> 12;
		rng_state ^= rng_state << 25;
		rng_state ^= rng_state >> 27;
		buf[i] = (rng_state * 0x2545f4914f6cdd1dULL) >> 56;
	}
}

static void test_sha256_matches_openssl(void)
{
	static uint8_t msg[2048];
	uint8_t got[ESPRIT_SHA256_DIGEST_LEN], want[SHA256_DIGEST_LENGTH];
	unsigned int bad = 0;

	rng_fill(msg, sizeof(msg));
	for (size_t len = 0; len <= sizeof(msg); len++) {
		sha256(msg, len, got);
		SHA256(msg, len, want);
		if (memcmp(got, want, sizeof(got)) && bad++ < 5)
			fprintf(stderr, "\n    sha256 differs at len %zu\n",
				len);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* OpenSSL's chaining value after one block of key ^ pad (RFC 2104). */
static void openssl_midstate(const uint8_t *key, size_t key_len, uint8_t pad,
			     struct esprit_sha256_state *out)
{
	uint8_t block[SHA256_CBLOCK] = {0};
	SHA256_CTX ctx;

	if (key_len > SHA256_CBLOCK)
		SHA256(key, key_len, block);
	else
		memcpy(block, key, key_len);
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] ^= pad;
	SHA256_Init(&ctx);
	SHA256_Update(&ctx, block, sizeof(block));
	for (int i = 0; i < ESPRIT_SHA256_WORDS; i++)
		out->h[i] = ctx.h[i];
}

static void test_midstates_match_openssl(void)
{
	uint8_t key[300];
	unsigned int bad = 0;

	for (size_t key_len = 0; key_len <= sizeof(key); key_len++) {
		struct esprit_hmac_sha256_key got;
		struct esprit_sha256_state inner, outer;

		rng_fill(key, key_len);
		hmac_sha256_midstates(&got, key, key_len);
		openssl_midstate(key, key_len, 0x36, &inner);
		openssl_midstate(key, key_len, 0x5c, &outer);
		if ((memcmp(&got.inner, &inner, sizeof(inner)) ||
		     memcmp(&got.outer, &outer, sizeof(outer))) &&
		    bad++ < 5)
			fprintf(stderr, "\n    midstates differ, key_len %zu\n",
				key_len);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * The midstates finish into OpenSSL's HMAC: continue the inner hash over
 * a message and the outer over the inner digest, with user/lib/sha256.c's
 * block function and padding done here.
 */
static void finish_hmac(const struct esprit_hmac_sha256_key *k,
			const uint8_t *msg, size_t len,
			uint8_t mac[ESPRIT_SHA256_DIGEST_LEN])
{
	struct esprit_sha256_state st = k->inner;
	uint8_t block[2 * ESPRIT_SHA256_BLOCK_LEN], inner[32];
	uint64_t bits = (uint64_t)(ESPRIT_SHA256_BLOCK_LEN + len) * 8;
	size_t rem = len % ESPRIT_SHA256_BLOCK_LEN, tail;

	for (; len >= ESPRIT_SHA256_BLOCK_LEN; len -= ESPRIT_SHA256_BLOCK_LEN) {
		sha256_block(&st, msg);
		msg += ESPRIT_SHA256_BLOCK_LEN;
	}
	memset(block, 0, sizeof(block));
	memcpy(block, msg, rem);
	block[rem] = 0x80;
	tail = rem < 56 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		block[tail - 1 - i] = bits >> (8 * i);
	sha256_block(&st, block);
	if (tail == 128)
		sha256_block(&st, block + 64);
	for (int i = 0; i < 8; i++)
		for (int b = 0; b < 4; b++)
			inner[4 * i + b] = st.h[i] >> (24 - 8 * b);

	st = k->outer;
	memset(block, 0, 64);
	memcpy(block, inner, 32);
	block[32] = 0x80;
	bits = (64 + 32) * 8;
	for (int i = 0; i < 8; i++)
		block[63 - i] = bits >> (8 * i);
	sha256_block(&st, block);
	for (int i = 0; i < 8; i++)
		for (int b = 0; b < 4; b++)
			mac[4 * i + b] = st.h[i] >> (24 - 8 * b);
}

static void test_midstates_give_openssl_hmac(void)
{
	uint8_t key[100], msg[200], got[32], want[EVP_MAX_MD_SIZE];
	unsigned int want_len, bad = 0;

	for (size_t i = 0; i < 400; i++) {
		size_t key_len = i % sizeof(key), len = i % sizeof(msg);
		struct esprit_hmac_sha256_key k;

		rng_fill(key, key_len);
		rng_fill(msg, len);
		hmac_sha256_midstates(&k, key, key_len);
		finish_hmac(&k, msg, len, got);
		HMAC(EVP_sha256(), key, key_len, msg, len, want, &want_len);
		if (memcmp(got, want, sizeof(got)) && bad++ < 5)
			fprintf(stderr, "\n    hmac differs: key %zu msg %zu\n",
				key_len, len);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_auth_key_fields(void)
{
	struct esprit_auth_key k;
	uint8_t key[ESPRIT_HMAC_SHA256_KEY_LEN];

	memset(&k, 0xff, sizeof(k));
	rng_fill(key, sizeof(key));
	auth_key_hmac_sha256_128(&k, key, sizeof(key));
	CU_ASSERT_EQUAL(k.alg, ESPRIT_AUTH_HMAC_SHA256_128);
	CU_ASSERT_EQUAL(k.icv_len, 16);
	/* Beyond the two midstates, the material is zero. */
	for (size_t i = sizeof(k.material.hmac_sha256);
	     i < sizeof(k.material.bytes); i++)
		CU_ASSERT_EQUAL(k.material.bytes[i], 0);
	/* The raw key is nowhere in the entry. */
	CU_ASSERT_PTR_NULL(memmem(&k, sizeof(k), key, 8));
}

TEST_SUITE(hmac_key) = {
	.name = "unit_hmac_key",
	.cases =
		(const struct test_case[]){
			{"sha256_matches_openssl", test_sha256_matches_openssl},
			{"midstates_match_openssl",
			 test_midstates_match_openssl},
			{"midstates_give_openssl_hmac",
			 test_midstates_give_openssl_hmac},
			{"auth_key_fields", test_auth_key_fields},
			{NULL, NULL},
		},
};
