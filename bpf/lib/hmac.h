/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HMAC-SHA-256 (RFC 2104, RFC 4868) of a packet byte range, from the
 * midstates the loader stored in the SA, and the constant-time ICV compare.
 *
 * Per packet: the inner hash continues from the ipad midstate over the
 * range, the outer from the opad midstate over the 32-byte inner digest:
 * ceil((len + 9) / 64) + 1 compressions. The caller zeroes mutable fields
 * and the ICV in the packet before, and restores them after.
 *
 * From XDP and TC alike:
 *	hmac_sha256(ctx, off, len, &sa->key.material.hmac_sha256, mac)
 *	hmac_sha256_128_verify(ctx, off, len, &sa->key.material.hmac_sha256, icv)
 * where ctx is the program's struct xdp_md * or struct __sk_buff *.
 */
#ifndef ESPRIT_BPF_HMAC_H
#define ESPRIT_BPF_HMAC_H

#include "lib/sha256.h"
#include "esprit_hmac.h"

/* The whole 32-byte HMAC-SHA-256 of [off, off + len) into mac. */
static __always_inline int
hmac_sha256_xdp(struct xdp_md *ctx, __u32 off, __u32 len,
		const struct esprit_hmac_sha256_key *key,
		__u8 mac[ESPRIT_SHA256_DIGEST_LEN])
{
	return sha256_run(ctx, SHA256_PKT_XDP, &key->inner, 1, off, len,
			  &key->outer, true, mac);
}

static __always_inline int
hmac_sha256_skb(struct __sk_buff *skb, __u32 off, __u32 len,
		const struct esprit_hmac_sha256_key *key,
		__u8 mac[ESPRIT_SHA256_DIGEST_LEN])
{
	return sha256_run(skb, SHA256_PKT_SKB, &key->inner, 1, off, len,
			  &key->outer, true, mac);
}

#define hmac_sha256(ctx, off, len, key, mac)           \
	_Generic((ctx), struct xdp_md *                \
		 : hmac_sha256_xdp, struct __sk_buff * \
		 : hmac_sha256_skb)((ctx), (off), (len), (key), (mac))

/*
 * 0 if the first n bytes of a and b are equal, else 1. Every byte is
 * read and folded in whatever the data: the time does not depend on
 * where (or whether) they differ.
 */
static __always_inline int icv_mismatch(const __u8 *a, const __u8 *b, __u32 n)
{
	__u32 diff = 0;

#pragma unroll
	for (__u32 i = 0; i < ESPRIT_SHA256_DIGEST_LEN; i++) {
		if (i >= n)
			break;
		diff |= a[i] ^ b[i];
		/* Keeps clang from turning the fold into an early exit. */
		asm volatile("" : "+r"(diff));
	}
	return diff != 0;
}

/*
 * HMAC-SHA-256-128 check of [off, off + len) against a 16-byte ICV: 0 if
 * it matches, 1 if not, negative (enum esprit_sha256_err) if the range is
 * not in the packet. Anything but 0 means "not authentic".
 */
static __always_inline int
hmac_sha256_128_verify_xdp(struct xdp_md *ctx, __u32 off, __u32 len,
			   const struct esprit_hmac_sha256_key *key,
			   const __u8 icv[ESPRIT_HMAC_SHA256_128_ICV_LEN])
{
	__u8 mac[ESPRIT_SHA256_DIGEST_LEN];
	int err = hmac_sha256_xdp(ctx, off, len, key, mac);

	if (err)
		return err;
	return icv_mismatch(mac, icv, ESPRIT_HMAC_SHA256_128_ICV_LEN);
}

static __always_inline int
hmac_sha256_128_verify_skb(struct __sk_buff *skb, __u32 off, __u32 len,
			   const struct esprit_hmac_sha256_key *key,
			   const __u8 icv[ESPRIT_HMAC_SHA256_128_ICV_LEN])
{
	__u8 mac[ESPRIT_SHA256_DIGEST_LEN];
	int err = hmac_sha256_skb(skb, off, len, key, mac);

	if (err)
		return err;
	return icv_mismatch(mac, icv, ESPRIT_HMAC_SHA256_128_ICV_LEN);
}

#define hmac_sha256_128_verify(ctx, off, len, key, icv)                    \
	_Generic((ctx), struct xdp_md *                                    \
		 : hmac_sha256_128_verify_xdp, struct __sk_buff *          \
		 : hmac_sha256_128_verify_skb)((ctx), (off), (len), (key), \
					       (icv))

#endif
