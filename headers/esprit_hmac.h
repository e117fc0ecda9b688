/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Authentication key material as the dataplane holds it. The loader turns a
 * raw key into HMAC midstates (user/lib/hmac_key.c); the raw key never enters a
 * map, and per packet the BPF code (bpf/lib/hmac.h) only continues from them.
 */
#ifndef ESPRIT_HMAC_H
#define ESPRIT_HMAC_H

#include "esprit_types.h"
#include "esprit_sha256.h"

enum esprit_auth_alg {
	ESPRIT_AUTH_NONE = 0,
	ESPRIT_AUTH_HMAC_SHA256_128 = 1, /* RFC 4868; IKEv2 transform 12 */
};

/* RFC 4868 §2.1: IPsec keys for HMAC-SHA-256-128 are exactly 256 bits. */
#define ESPRIT_HMAC_SHA256_KEY_LEN     32
#define ESPRIT_HMAC_SHA256_128_ICV_LEN 16

/*
 * SHA-256 chaining values after one block of (key ^ ipad) and of
 * (key ^ opad): HMAC(K, m) = H(outer-state, H(inner-state, m)).
 */
struct esprit_hmac_sha256_key {
	struct esprit_sha256_state inner;
	struct esprit_sha256_state outer;
};

/*
 * Key material of any algorithm: sized for the largest in RFC 4868,
 * HMAC-SHA-512's two 64-byte midstates, so adding one keeps map values
 * the same size.
 */
#define ESPRIT_AUTH_MATERIAL_LEN 128

union esprit_auth_material {
	struct esprit_hmac_sha256_key hmac_sha256;
	__u8 bytes[ESPRIT_AUTH_MATERIAL_LEN];
};

/* One SA's authentication key, as embedded in SA map values. */
struct esprit_auth_key {
	enum esprit_auth_alg alg;
	__u32 icv_len; /* bytes of the MAC carried as the ICV */
	union esprit_auth_material material;
};

#endif
