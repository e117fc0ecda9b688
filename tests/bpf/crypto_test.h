/* SPDX-License-Identifier: GPL-2.0 */
/* What tests/bpf/crypto_hmac.bpf.c and its suite exchange. */
#ifndef ESPRIT_TEST_CRYPTO_H
#define ESPRIT_TEST_CRYPTO_H

#include "esprit_hmac.h"

enum crypto_mode {
	CRYPTO_SHA256 = 0, /* SHA-256 of the range */
	CRYPTO_SHA256_CONTINUE = 1, /* from req.state; final or not */
	CRYPTO_HMAC = 2, /* HMAC-SHA-256 with crypto_key's midstates */
	CRYPTO_VERIFY = 3, /* HMAC-SHA-256-128 check against req.icv */
};

#define CRYPTO_E_NO_KEY 100
#define CRYPTO_E_MODE	101

struct crypto_req {
	__u32 mode; /* enum crypto_mode */
	__u32 off;
	__u32 len;
	__u32 prefix_blocks; /* CRYPTO_SHA256_CONTINUE */
	__u32 final; /* CRYPTO_SHA256_CONTINUE */
	struct esprit_sha256_state state; /* CRYPTO_SHA256_CONTINUE */
	__u8 icv[ESPRIT_HMAC_SHA256_128_ICV_LEN]; /* CRYPTO_VERIFY */
};

struct crypto_res {
	__s32 rc; /* the call's return value */
	__u32 runs;
	__u32 linear; /* XDP: bytes in the linear part (the rest is frags) */
	__u8 digest[ESPRIT_SHA256_DIGEST_LEN];
};

#endif
