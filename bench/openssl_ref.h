/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OpenSSL's SHA-256 and HMAC-SHA-256 as the crypto tables' baselines, with
 * SHA-NI and with SHA-NI masked off.
 *
 * OPENSSL_ia32cap is read once when libcrypto loads, so the figures without
 * SHA-NI come from esprit_bench run again as `esprit_bench crypto` with
 * the mask and OPENSSL_REF_CHILD_ENV in its environment (masked_start()),
 * which measures one round whenever asked (openssl_child()); tables
 * interleave those rounds with their own.
 */
#ifndef ESPRIT_BENCH_OPENSSL_REF_H
#define ESPRIT_BENCH_OPENSSL_REF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "esprit_hmac.h"

/* CPUID.(EAX=7,ECX=0):EBX bit 29 (SHA), the second word of the mask. */
#define SHA_NI_MASK	 ":~0x20000000"
#define CRYPTO_CHILD_ENV "ESPRIT_BENCH_CRYPTO_CHILD"

#define OPENSSL_REF_MSG_MAX   1500
#define OPENSSL_REF_SHORT_LEN 55 /* the longest message in one block */
#define OPENSSL_REF_LONG_LEN  (15 * 64 + 55) /* sixteen blocks */

#define SAMPLE_NS 4e6 /* one timing lasts about this long */
/*
 * A sample is the fastest of this many timings in a row: other guests
 * and the other CPU's work slow single timings down by up to 2x here, and
 * the fastest is the least disturbed.
 */
#define TIMINGS 5

/* HMAC message lengths measured each round. */
#define NLENS 3
extern const size_t hmac_lens[NLENS];

/* One round's OpenSSL figures, ns. */
struct openssl_sample {
	double block; /* per SHA-256 block: (16 blocks - 1 block) / 15 */
	double hmac[NLENS]; /* from SHA256_CTX midstates */
	double evp_hmac64; /* EVP_MAC, 64 bytes */
};

/* The message and key the figures are taken on (a fixed pattern). */
void openssl_ref_inputs(uint8_t msg[OPENSSL_REF_MSG_MAX],
			uint8_t key[ESPRIT_HMAC_SHA256_KEY_LEN]);

/* One round in this process. Returns 0, or -1 if OpenSSL failed. */
int openssl_measure(struct openssl_sample *s);

/* The masked child's loop: a round per line on stdin, a line out. */
int openssl_child(void);

struct masked_child {
	pid_t pid;
	FILE *to, *from;
};

int masked_start(struct masked_child *c, char *err, size_t errlen);
int masked_measure(struct masked_child *c, struct openssl_sample *s);
/* Ends the child; 0 if it ran and exited cleanly. */
int masked_stop(struct masked_child *c);

#endif
