/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SHA-256 compression function (FIPS 180-4 §6.2.2), shared by the BPF
 * programs (bpf/lib/sha256.h feeds it packet bytes) and the loader (user/lib/hmac_key.c
 * computes HMAC midstates with it), so both run the same round logic.
 *
 * Shaped for the BPF instruction set, which has no rotate. Each Σ/σ puts
 * the word in both halves of a 64-bit register (x * 0x100000001), where a
 * right shift by n < 32 leaves ROTR(n) in the low half: three rotates
 * become one multiply, three shifts and two XORs instead of nine shifts
 * and ORs. Rounds are unrolled with the eight working variables renamed
 * rather than moved; the message schedule is a 16-word ring updated in
 * place. Measured per block under BPF_PROG_TEST_RUN against plain 32-bit
 * rotates (~1.5x slower), a bounded 64-round loop (~1.6x), eight rounds
 * per loop iteration (~1.2x), the schedule precomputed into 64 words
 * (no gain) and -mcpu=v2 (~1.3x), this form was the fastest.
 */
#ifndef ESPRIT_SHA256_H
#define ESPRIT_SHA256_H

#include "esprit_types.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * Without it, clang hoists the schedule of later rounds into earlier ones
 * and spills far beyond BPF's 512-byte stack.
 */
#ifdef __bpf__
#define esprit_sha256_barrier() asm volatile("" ::: "memory")
#else
#define esprit_sha256_barrier() \
	do {                    \
	} while (0)
#endif

#ifdef __clang__
#define ESPRIT_SHA256_UNROLL _Pragma("unroll")
#else
#define ESPRIT_SHA256_UNROLL _Pragma("GCC unroll 8")
#endif

/* Message words are big-endian. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define esprit_sha256_be32(x) __builtin_bswap32(x)
#else
#define esprit_sha256_be32(x) (x)
#endif

#define ESPRIT_SHA256_BLOCK_LEN	 64
#define ESPRIT_SHA256_DIGEST_LEN 32
#define ESPRIT_SHA256_WORDS	 8

/* Why hashing packet bytes failed (bpf/lib/sha256.h returns them negated). */
enum esprit_sha256_err {
	ESPRIT_SHA256_E_SCRATCH =
		1, /* no per-CPU scratch slot (cannot happen) */
	ESPRIT_SHA256_E_RANGE = 2, /* the range is not inside the packet, or a
				    * non-final run is not whole blocks */
	ESPRIT_SHA256_E_LOOP = 3, /* bpf_loop refused: range over 512 MiB */
};

/* A chaining value: the eight state words, host byte order. */
struct esprit_sha256_state {
	__u32 h[ESPRIT_SHA256_WORDS];
};

#define ESPRIT_SHA256_IV                                                       \
	{                                                                      \
		{                                                              \
			0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,        \
				0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 \
		}                                                              \
	}

static __always_inline __u64 esprit_sha256_twice(__u32 x)
{
	return ((__u64)x << 32) | x;
}

/* Σ0 = ROTR2 ^ ROTR13 ^ ROTR22 */
static __always_inline __u32 esprit_sha256_bsig0(__u32 a)
{
	__u64 x = esprit_sha256_twice(a);

	return (__u32)((((x >> 9) ^ x) >> 11 ^ x) >> 2);
}

/* Σ1 = ROTR6 ^ ROTR11 ^ ROTR25 */
static __always_inline __u32 esprit_sha256_bsig1(__u32 e)
{
	__u64 x = esprit_sha256_twice(e);

	return (__u32)((((x >> 14) ^ x) >> 5 ^ x) >> 6);
}

/* σ0 = ROTR7 ^ ROTR18 ^ SHR3 */
static __always_inline __u32 esprit_sha256_ssig0(__u32 w)
{
	__u64 x = esprit_sha256_twice(w);

	return (__u32)((((x >> 11) ^ x) >> 7)) ^ (w >> 3);
}

/* σ1 = ROTR17 ^ ROTR19 ^ SHR10 */
static __always_inline __u32 esprit_sha256_ssig1(__u32 w)
{
	__u64 x = esprit_sha256_twice(w);

	return (__u32)((((x >> 2) ^ x) >> 17)) ^ (w >> 10);
}

#define ESPRIT_SHA256_CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))

/*
 * Round i: W[i] is the block's word (byte-swapped from the raw big-endian
 * bytes) for i < 16, else computed from the ring and stored back into it.
 * Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)), and this round's a ^ b is the
 * next one's b ^ c: carried in bc, Maj costs three operations, not five.
 */
#define ESPRIT_SHA256_ROUND(i, a, b, c, d, e, f, g, h)                    \
	do {                                                              \
		__u32 wi, ab;                                             \
		if ((i) < 16) {                                           \
			wi = esprit_sha256_be32(w[(i)]);                  \
			w[(i)] = wi;                                      \
		} else {                                                  \
			wi = w[(i)&15] +                                  \
			     esprit_sha256_ssig1(w[((i)-2) & 15]) +       \
			     w[((i)-7) & 15] +                            \
			     esprit_sha256_ssig0(w[((i)-15) & 15]);       \
			w[(i)&15] = wi;                                   \
		}                                                         \
		h += esprit_sha256_bsig1(e) + ESPRIT_SHA256_CH(e, f, g) + \
		     esprit_sha256_k[(i)] + wi;                           \
		d += h;                                                   \
		ab = (a) ^ (b);                                           \
		h += esprit_sha256_bsig0(a) + ((b) ^ (ab & bc));          \
		bc = ab;                                                  \
		esprit_sha256_barrier();                                  \
	} while (0)

static const __u32 esprit_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/*
 * Compresses one 64-byte block into state. w holds the block exactly as
 * it appears in the message (big-endian words) and is overwritten with
 * the message schedule.
 */
static __always_inline void esprit_sha256_compress(__u32 *state, __u32 *w)
{
	__u32 a = state[0], b = state[1], c = state[2], d = state[3];
	__u32 e = state[4], f = state[5], g = state[6], h = state[7];
	__u32 bc = b ^ c;

	ESPRIT_SHA256_UNROLL
	for (int i = 0; i < 64; i += 8) {
		ESPRIT_SHA256_ROUND(i + 0, a, b, c, d, e, f, g, h);
		ESPRIT_SHA256_ROUND(i + 1, h, a, b, c, d, e, f, g);
		ESPRIT_SHA256_ROUND(i + 2, g, h, a, b, c, d, e, f);
		ESPRIT_SHA256_ROUND(i + 3, f, g, h, a, b, c, d, e);
		ESPRIT_SHA256_ROUND(i + 4, e, f, g, h, a, b, c, d);
		ESPRIT_SHA256_ROUND(i + 5, d, e, f, g, h, a, b, c);
		ESPRIT_SHA256_ROUND(i + 6, c, d, e, f, g, h, a, b);
		ESPRIT_SHA256_ROUND(i + 7, b, c, d, e, f, g, h, a);
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

#endif
