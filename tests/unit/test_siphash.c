// SPDX-License-Identifier: GPL-2.0
/*
 * SipHash-2-4 against the reference implementation's published outputs
 * (key 00..0f, message 00..len-1) and against OpenSSL's SIPHASH MAC, an
 * implementation nobody here wrote, on random keys and messages.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "lib/siphash.h"
#include "testlib.h"

static uint64_t reference_key_hash(size_t len)
{
	uint8_t key[16], msg[64] = {0};

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < len; i++)
		msg[i] = (uint8_t)i;
	return siphash24(key, msg, len);
}

static void test_reference_vectors(void)
{
	/* vectors_sip64[len] of the reference code, read as little-endian */
	CU_ASSERT_EQUAL(reference_key_hash(0), 0x726fdb47dd0e0e31ULL);
	CU_ASSERT_EQUAL(reference_key_hash(1), 0x74f839c593dc67fdULL);
	CU_ASSERT_EQUAL(reference_key_hash(8), 0x93f5f5799a932462ULL);
	CU_ASSERT_EQUAL(reference_key_hash(15), 0xa129ca6149be45e5ULL);
	CU_ASSERT_EQUAL(reference_key_hash(16), 0x3f2acc7f57c29bdbULL);
}

static int openssl_siphash(const uint8_t key[16], const uint8_t *msg,
			   size_t len, uint64_t *out)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	size_t size = 8, outl = 0;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
		OSSL_PARAM_construct_end(),
	};
	uint8_t bytes[8];
	int ok = ctx && EVP_MAC_init(ctx, key, 16, params) &&
		 EVP_MAC_update(ctx, msg, len) &&
		 EVP_MAC_final(ctx, bytes, &outl, sizeof(bytes)) && outl == 8;

	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (!ok)
		return -1;
	*out = 0;
	for (int i = 7; i >= 0; i--)
		*out = (*out << 8) | bytes[i];
	return 0;
}

static void test_matches_openssl(void)
{
	uint8_t key[16], msg[200];

	for (size_t len = 0; len <= sizeof(msg); len++) {
		uint64_t want;

		CU_ASSERT_FATAL(RAND_bytes(key, sizeof(key)) == 1);
		CU_ASSERT_FATAL(RAND_bytes(msg, sizeof(msg)) == 1);
		CU_ASSERT_EQUAL_FATAL(openssl_siphash(key, msg, len, &want), 0);
		CU_ASSERT_EQUAL(siphash24(key, msg, len), want);
	}
}

static void test_key_matters(void)
{
	uint8_t a[16] = {0}, b[16] = {0}, msg[12] = {1, 2, 3};

	b[15] = 1;
	CU_ASSERT_NOT_EQUAL(siphash24(a, msg, sizeof(msg)),
			    siphash24(b, msg, sizeof(msg)));
}

TEST_SUITE(siphash) = {
	.name = "unit_siphash",
	.cases =
		(const struct test_case[]){
			{"reference_vectors", test_reference_vectors},
			{"matches_openssl", test_matches_openssl},
			{"key_matters", test_key_matters},
			{NULL, NULL},
		},
};
