// SPDX-License-Identifier: GPL-2.0
/* SHA-256 and HMAC-SHA-256 in OpenSSL: the baselines of the crypto tables. */
/* SHA256_CTX: the only OpenSSL interface with midstates (deprecated in 3.0). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "cpu.h"
#include "openssl_ref.h"

const size_t hmac_lens[NLENS] = {64, 512, 1500};

/* What every OpenSSL figure is taken on. */
static uint8_t msg[OPENSSL_REF_MSG_MAX];
static uint8_t key[ESPRIT_HMAC_SHA256_KEY_LEN];

void openssl_ref_inputs(uint8_t m[OPENSSL_REF_MSG_MAX],
			uint8_t k[ESPRIT_HMAC_SHA256_KEY_LEN])
{
	for (size_t i = 0; i < OPENSSL_REF_MSG_MAX; i++)
		m[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < ESPRIT_HMAC_SHA256_KEY_LEN; i++)
		k[i] = (uint8_t)(0xa5 ^ i);
}

struct openssl_ctx {
	EVP_MD *md;
	EVP_MD_CTX *md_ctx;
	EVP_MAC *mac;
	EVP_MAC_CTX *mac_ctx;
	SHA256_CTX inner, outer; /* after key ^ ipad, key ^ opad */
};

static void openssl_close(struct openssl_ctx *o)
{
	EVP_MAC_CTX_free(o->mac_ctx);
	EVP_MAC_free(o->mac);
	EVP_MD_CTX_free(o->md_ctx);
	EVP_MD_free(o->md);
}

static int openssl_open(struct openssl_ctx *o)
{
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest,
						 0),
		OSSL_PARAM_construct_end(),
	};

	uint8_t pad[SHA256_CBLOCK] = {0};

	memset(o, 0, sizeof(*o));
	memcpy(pad, key, sizeof(key));
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36;
	SHA256_Init(&o->inner);
	SHA256_Update(&o->inner, pad, sizeof(pad));
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	SHA256_Init(&o->outer);
	SHA256_Update(&o->outer, pad, sizeof(pad));

	o->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	o->md_ctx = EVP_MD_CTX_new();
	o->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	o->mac_ctx = o->mac ? EVP_MAC_CTX_new(o->mac) : NULL;
	if (!o->md || !o->md_ctx || !o->mac_ctx ||
	    !EVP_MAC_init(o->mac_ctx, key, sizeof(key), params)) {
		openssl_close(o);
		return -1;
	}
	return 0;
}

static int openssl_sha256(struct openssl_ctx *o, size_t len, uint8_t *out)
{
	return EVP_DigestInit_ex(o->md_ctx, o->md, NULL) &&
			       EVP_DigestUpdate(o->md_ctx, msg, len) &&
			       EVP_DigestFinal_ex(o->md_ctx, out, NULL)
		       ? 0
		       : -1;
}

/* HMAC as the BPF code does it: continue from the midstates. */
static int openssl_hmac(struct openssl_ctx *o, size_t len, uint8_t *out)
{
	uint8_t inner[SHA256_DIGEST_LENGTH];
	SHA256_CTX c = o->inner;

	SHA256_Update(&c, msg, len);
	SHA256_Final(inner, &c);
	c = o->outer;
	SHA256_Update(&c, inner, sizeof(inner));
	SHA256_Final(out, &c);
	return 0;
}

/* HMAC with the key set at open: re-initialising keeps its pads. */
static int openssl_evp_hmac(struct openssl_ctx *o, size_t len, uint8_t *out)
{
	size_t out_len;

	return EVP_MAC_init(o->mac_ctx, NULL, 0, NULL) &&
			       EVP_MAC_update(o->mac_ctx, msg, len) &&
			       EVP_MAC_final(o->mac_ctx, out, &out_len,
					     EVP_MAX_MD_SIZE)
		       ? 0
		       : -1;
}

/* ns for n calls of fn(o, len), or NAN if one failed. */
static double openssl_batch(struct openssl_ctx *o,
			    int (*fn)(struct openssl_ctx *, size_t, uint8_t *),
			    size_t len, unsigned long n)
{
	uint8_t out[EVP_MAX_MD_SIZE];
	double t0 = cpu_ns();

	for (unsigned long i = 0; i < n; i++)
		if (fn(o, len, out))
			return NAN;
	return cpu_ns() - t0;
}

/* ns per call of fn(o, len): the fastest of TIMINGS batches. */
static double openssl_time(struct openssl_ctx *o,
			   int (*fn)(struct openssl_ctx *, size_t, uint8_t *),
			   size_t len)
{
	unsigned long n = 16;
	double best = INFINITY, t;

	while ((t = openssl_batch(o, fn, len, n)) < SAMPLE_NS / 2)
		n *= 2;
	for (int i = 0; i < TIMINGS && !isnan(t); i++) {
		t = openssl_batch(o, fn, len, n);
		best = fmin(best, t / n);
	}
	return isnan(t) ? NAN : best;
}

int openssl_measure(struct openssl_sample *s)
{
	struct openssl_ctx o;

	if (!msg[0])
		openssl_ref_inputs(msg, key);
	if (openssl_open(&o))
		return -1;
	s->block = (openssl_time(&o, openssl_sha256, OPENSSL_REF_LONG_LEN) -
		    openssl_time(&o, openssl_sha256, OPENSSL_REF_SHORT_LEN)) /
		   15;
	for (size_t i = 0; i < NLENS; i++)
		s->hmac[i] = openssl_time(&o, openssl_hmac, hmac_lens[i]);
	s->evp_hmac64 = openssl_time(&o, openssl_evp_hmac, 64);
	openssl_close(&o);
	return 0;
}

/*
 * The child: for each line on stdin, one round's OpenSSL figures on
 * stdout, one line; ends at end of input.
 */
int openssl_child(void)
{
	struct openssl_sample s;
	char line[16];

	while (fgets(line, sizeof(line), stdin)) {
		if (openssl_measure(&s)) {
			fprintf(stderr, "crypto: OpenSSL SHA-256/HMAC "
					"unavailable\n");
			return 1;
		}
		printf("%.3f", s.block);
		for (size_t i = 0; i < NLENS; i++)
			printf(" %.3f", s.hmac[i]);
		printf(" %.3f\n", s.evp_hmac64);
		fflush(stdout);
	}
	return 0;
}

int masked_start(struct masked_child *c, char *err, size_t errlen)
{
	extern char **environ;
	char *argv[] = {"esprit_bench", "crypto", NULL};
	char mask[] = "OPENSSL_ia32cap=" SHA_NI_MASK;
	char child[] = CRYPTO_CHILD_ENV "=1";
	posix_spawn_file_actions_t fa;
	int in[2] = {-1, -1}, out[2] = {-1, -1}, rc;
	char **envp;
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	while (environ[n])
		n++;
	envp = calloc(n + 3, sizeof(*envp));
	if (!envp || pipe(in) || pipe(out)) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "OPENSSL_ia32cap=", 16))
			envp[n++] = *e;
	envp[n++] = mask;
	envp[n++] = child;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	rc = posix_spawn(&c->pid, "/proc/self/exe", &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		snprintf(err, errlen, "cannot run itself: %s", strerror(rc));
		goto fail;
	}
	close(in[0]);
	close(out[1]);
	c->to = fdopen(in[1], "w");
	c->from = fdopen(out[0], "r");
	free(envp);
	if (!c->to || !c->from) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	free(envp);
	return -1;
}

int masked_measure(struct masked_child *c, struct openssl_sample *s)
{
	char line[256];

	if (fputs("go\n", c->to) == EOF || fflush(c->to) ||
	    !fgets(line, sizeof(line), c->from))
		return -1;
	return sscanf(line, "%lf %lf %lf %lf %lf", &s->block, &s->hmac[0],
		      &s->hmac[1], &s->hmac[2], &s->evp_hmac64) == 2 + NLENS
		       ? 0
		       : -1;
}

/* Ends the child; 0 if it ran and exited cleanly. */
int masked_stop(struct masked_child *c)
{
	int status;

	if (c->to)
		fclose(c->to);
	if (c->from)
		fclose(c->from);
	if (!c->pid)
		return -1;
	if (waitpid(c->pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}
