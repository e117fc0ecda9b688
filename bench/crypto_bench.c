// SPDX-License-Identifier: GPL-2.0
/*
 * Table "crypto": SHA-256 and HMAC-SHA-256 in BPF (bpf/sha256.h,
 * bpf/hmac.h, as the RISAV path calls them) under BPF_PROG_TEST_RUN, beside
 * OpenSSL on the same bytes with SHA-NI and with SHA-NI masked off.
 *
 * Method. ns per SHA-256 block: the time for a 16-block message less the
 * time for a 1-block message, over 15, which cancels what a call costs
 * besides compressing (program entry, map lookup, padding, digest out) on
 * both sides alike. HMAC: per message, with the key prepared once, i.e.
 * the per-packet work only. OpenSSL does it two ways: the same algorithm
 * as the BPF code (SHA256_CTX midstates copied per message, then its
 * assembly block function: the strict baseline the targets use) and its
 * public EVP_MAC API (re-initialised keeping its key), whose per-call
 * overhead outweighs three compressions at 64 bytes.
 *
 * Times are this thread's CPU time on both sides (a test run executes in
 * the calling thread), not wall-clock: this VM loses a good part of its
 * time to other guests (steal), which the kernel's own test-run duration
 * counts and the CPU clock does not. A test run's own cost (~0.1 ms, the
 * fastest one-repetition run) is taken off.
 *
 * OPENSSL_ia32cap is read once when libcrypto loads, so the figures without
 * SHA-NI come from this program run again (with the mask in its environment
 * and CRYPTO_CHILD_ENV set), which measures one round whenever asked, so
 * rounds interleave all subjects; that the mask took effect is checked by
 * the slowdown it causes.
 */
/* SHA256_CTX: the only OpenSSL interface with midstates (deprecated in 3.0). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "anchor.h"
#include "bench.h"
#include "cpu.h"
#include "hmac_key.h"
#include "table.h"

#include "bench_crypto.skel.h"

/* CPUID.(EAX=7,ECX=0):EBX bit 29 (SHA), the second word of the mask. */
#define SHA_NI_MASK	 ":~0x20000000"
#define CRYPTO_CHILD_ENV "ESPRIT_BENCH_CRYPTO_CHILD"

#define MSG_OFF	  14 /* the message follows an Ethernet header */
#define SHORT_LEN 55 /* the longest message that pads into one block */
#define LONG_LEN  (15 * 64 + 55) /* sixteen blocks */
#define MSG_MAX	  1500
#define SAMPLE_NS 4e6 /* one timing lasts about this long */
/*
 * A sample is the fastest of this many timings in a row: other guests
 * and the other CPU's work slow single timings down by up to 2x here, and
 * the fastest is the least disturbed.
 */
#define TIMINGS		       5
#define TARGET_BLOCK_VS_PLAIN  2.5 /* issue 3: <= 2.5x OpenSSL without SHA-NI */
#define TARGET_HMAC64_VS_SHANI 10.0 /* issue 3: <= 10x OpenSSL with SHA-NI */
/* Below this slowdown the mask cannot have disabled SHA-NI. */
#define MASK_MIN_SLOWDOWN 1.5

static const size_t hmac_lens[] = {64, 512, 1500};
#define NLENS (sizeof(hmac_lens) / sizeof(hmac_lens[0]))

/* One round's OpenSSL figures, ns. */
struct openssl_sample {
	double block;
	double hmac[NLENS]; /* from SHA256_CTX midstates */
	double evp_hmac64; /* EVP_MAC, 64 bytes */
};

/* The packet the BPF programs get: a zero header, then the message. */
static uint8_t pkt[MSG_OFF + MSG_MAX];
static uint8_t *const msg = pkt + MSG_OFF;
static uint8_t key[ESPRIT_HMAC_SHA256_KEY_LEN];

static void fill_inputs(void)
{
	for (size_t i = 0; i < MSG_MAX; i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xa5 ^ i);
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
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

static int openssl_measure(struct openssl_sample *s)
{
	struct openssl_ctx o;

	if (openssl_open(&o))
		return -1;
	s->block = (openssl_time(&o, openssl_sha256, LONG_LEN) -
		    openssl_time(&o, openssl_sha256, SHORT_LEN)) /
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
static int openssl_child(void)
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

/* This program again, with SHA-NI masked, measuring on request. */
struct masked_child {
	pid_t pid;
	FILE *to, *from;
};

static int masked_start(struct masked_child *c, char *err, size_t errlen)
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

static int masked_measure(struct masked_child *c, struct openssl_sample *s)
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
static int masked_stop(struct masked_child *c)
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

/*
 * The CPU time of one test run of prog, `repeat` repetitions, over len
 * message bytes; NAN if it failed.
 */
static double bpf_run(int prog_fd, size_t len, __u32 repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = MSG_OFF + len, .repeat = repeat);
	double t0 = cpu_ns();

	if (bpf_prog_test_run_opts(prog_fd, &opts) || opts.retval != XDP_PASS)
		return NAN;
	return cpu_ns() - t0;
}

/*
 * ns per repetition of prog on a packet carrying len message bytes: the
 * fastest of TIMINGS test runs of about SAMPLE_NS, less the fastest
 * run of one repetition (the syscall's own cost, ~0.1 ms).
 */
static double bpf_time(int prog_fd, size_t len, double guess_ns)
{
	__u32 repeat = SAMPLE_NS / guess_ns;
	double many = INFINITY, one = INFINITY;

	if (repeat < 2)
		repeat = 2;
	for (int i = 0; i < TIMINGS; i++) {
		many = fmin(many, bpf_run(prog_fd, len, repeat));
		one = fmin(one, bpf_run(prog_fd, len, 1));
	}
	return (many - one) / (repeat - 1);
}

/* The BPF digest of one run equals OpenSSL's: the right work is timed. */
static bool bpf_check(struct table *t, struct bench_crypto *skel, int prog_fd,
		      bool hmac, size_t len)
{
	uint8_t want[EVP_MAX_MD_SIZE];
	unsigned int want_len;

	if (isnan(bpf_run(prog_fd, len, 1))) {
		table_error(t, "BPF %s of %zu bytes: test run failed",
			    hmac ? "HMAC" : "SHA-256", len);
		return false;
	}
	if (hmac)
		HMAC(EVP_sha256(), key, sizeof(key), msg, len, want, &want_len);
	else
		EVP_Digest(msg, len, want, &want_len, EVP_sha256(), NULL);
	if (memcmp(skel->bss->digest, want, ESPRIT_SHA256_DIGEST_LEN)) {
		table_error(t, "BPF %s of %zu bytes differs from OpenSSL's",
			    hmac ? "HMAC" : "SHA-256", len);
		return false;
	}
	return true;
}

static struct bench_crypto *bpf_open(struct table *t)
{
	struct bench_crypto *skel = bench_crypto__open_and_load();
	struct esprit_auth_key k;
	__u32 zero = 0;

	if (!skel) {
		table_error(t, "cannot load bench_crypto.bpf.o");
		return NULL;
	}
	auth_key_hmac_sha256_128(&k, key, sizeof(key));
	if (bpf_map__update_elem(skel->maps.bench_key, &zero, sizeof(zero), &k,
				 sizeof(k), BPF_ANY)) {
		table_error(t, "cannot set the key: %s", strerror(errno));
		bench_crypto__destroy(skel);
		return NULL;
	}
	return skel;
}

struct crypto_series {
	struct series *block[3]; /* BPF, OpenSSL SHA-NI, OpenSSL masked */
	struct series *hmac[NLENS][3];
	struct series *evp_hmac64; /* OpenSSL SHA-NI, EVP_MAC */
};

static void add_series(struct table *t, struct crypto_series *cs)
{
	static const char *const who[3] = {"BPF", "OpenSSL SHA-NI",
					   "OpenSSL no SHA-NI"};
	char name[SERIES_NAME];

	for (int w = 0; w < 3; w++) {
		snprintf(name, sizeof(name), "%s SHA-256", who[w]);
		cs->block[w] = table_series(t, name, "ns/block");
	}
	for (size_t i = 0; i < NLENS; i++)
		for (int w = 0; w < 3; w++) {
			snprintf(name, sizeof(name), "%s HMAC %zu B", who[w],
				 hmac_lens[i]);
			cs->hmac[i][w] = table_series(t, name, "ns/message");
		}
	cs->evp_hmac64 =
		table_series(t, "OpenSSL SHA-NI EVP_MAC 64 B", "ns/message");
}

static void measure(struct table *t, struct bench_crypto *skel,
		    struct crypto_series *cs, int runs)
{
	int sha_fd = bpf_program__fd(skel->progs.crypto_bench_sha256);
	int hmac_fd = bpf_program__fd(skel->progs.crypto_bench_hmac);
	struct openssl_sample native, masked;
	struct masked_child child;
	char err[160];

	if (masked_start(&child, err, sizeof(err))) {
		table_error(t, "OpenSSL with SHA-NI masked: %s", err);
		masked_stop(&child);
		return;
	}
	for (int r = 0; r < runs; r++) {
		double one = bpf_time(sha_fd, SHORT_LEN, 500);
		double sixteen = bpf_time(sha_fd, LONG_LEN, 16 * 500);

		series_add(cs->block[0], (sixteen - one) / 15);
		for (size_t i = 0; i < NLENS; i++)
			series_add(cs->hmac[i][0],
				   bpf_time(hmac_fd, hmac_lens[i],
					    500 * (3 + hmac_lens[i] / 64)));
		if (openssl_measure(&native)) {
			table_error(t, "OpenSSL SHA-256/HMAC unavailable");
			break;
		}
		if (masked_measure(&child, &masked)) {
			table_error(t,
				    "the run with OPENSSL_ia32cap=%s gave "
				    "no figures",
				    SHA_NI_MASK);
			break;
		}
		series_add(cs->block[1], native.block);
		series_add(cs->block[2], masked.block);
		for (size_t i = 0; i < NLENS; i++) {
			series_add(cs->hmac[i][1], native.hmac[i]);
			series_add(cs->hmac[i][2], masked.hmac[i]);
		}
		series_add(cs->evp_hmac64, native.evp_hmac64);
	}
	if (masked_stop(&child))
		table_error(t, "the run with OPENSSL_ia32cap=%s failed",
			    SHA_NI_MASK);
}

static int crypto_table(int argc, char **argv)
{
	const struct bench_env *env = bench_env();
	struct table *t = table_new("crypto: SHA-256 / HMAC-SHA-256 in BPF "
				    "beside OpenSSL (ns, lower is better)");
	struct anchor anchor = {0};
	struct crypto_series cs;
	struct bench_crypto *skel;
	int cpu = cpu_measured();
	bool ok = true;

	(void)argv;
	fill_inputs();
	if (getenv(CRYPTO_CHILD_ENV))
		return openssl_child();
	if (argc > 1) {
		fprintf(stderr, "crypto: usage: crypto\n");
		return 2;
	}
	cpu_pin(0, cpu);
	table_context(t,
		      "BPF: XDP test runs over a packet (14 B header + "
		      "message), "
		      "key as midstates; OpenSSL %s: EVP, same bytes",
		      OpenSSL_version(OPENSSL_VERSION));
	table_context(t,
		      "%d rounds, each: BPF, OpenSSL, OpenSSL with "
		      "OPENSSL_ia32cap=%s (a child process on the same CPU); "
		      "pinned to CPU %d",
		      env->runs, SHA_NI_MASK, cpu);
	add_series(t, &cs);

	skel = bpf_open(t);
	if (skel) {
		int sha_fd = bpf_program__fd(skel->progs.crypto_bench_sha256);
		int hmac_fd = bpf_program__fd(skel->progs.crypto_bench_hmac);
		int e = anchor_add(&anchor, sha_fd);

		if (!e)
			e = anchor_add(&anchor, hmac_fd);
		if (e) {
			table_error(t,
				    "cannot keep the programs in the XDP "
				    "dispatcher: %s",
				    strerror(-e));
			ok = false;
		}
		ok = ok && bpf_check(t, skel, sha_fd, false, SHORT_LEN);
		ok &= bpf_check(t, skel, sha_fd, false, LONG_LEN);
		for (size_t i = 0; i < NLENS; i++)
			ok &= bpf_check(t, skel, hmac_fd, true, hmac_lens[i]);
		if (ok)
			measure(t, skel, &cs, env->runs);
		anchor_release(&anchor);
		bench_crypto__destroy(skel);
	}

	table_ratio(t, cs.block[0], cs.block[2], TARGET_AT_MOST,
		    TARGET_BLOCK_VS_PLAIN);
	table_ratio(t, cs.hmac[0][0], cs.hmac[0][1], TARGET_AT_MOST,
		    TARGET_HMAC64_VS_SHANI);
	table_ratio(t, cs.hmac[0][0], cs.evp_hmac64, TARGET_NONE, 0);
	table_ratio(t, cs.block[0], cs.block[1], TARGET_NONE, 0);
	table_ratio(t, cs.hmac[0][0], cs.hmac[0][2], TARGET_NONE, 0);
	for (size_t i = 1; i < NLENS; i++)
		table_ratio(t, cs.hmac[i][0], cs.hmac[i][1], TARGET_NONE, 0);
	table_ratio(t, cs.block[2], cs.block[1], TARGET_AT_LEAST,
		    MASK_MIN_SLOWDOWN);
	if (series_median(cs.block[2]) <
	    MASK_MIN_SLOWDOWN * series_median(cs.block[1]))
		table_error(t,
			    "OPENSSL_ia32cap=%s did not slow SHA-256 "
			    "down: SHA-NI is probably still in use",
			    SHA_NI_MASK);

	table_note(t, "ns/block = (16-block message - 1-block message) / 15, "
		      "so per-call costs cancel out");
	table_note(t,
		   "a sample is the fastest of %d timings of ~%.0f ms in a "
		   "row (neighbours slow single timings by up to 2x); "
		   "figures are medians of the samples",
		   TIMINGS, SAMPLE_NS / 1e6);
	table_note(t, "HMAC: key prepared once, only per-message work timed; "
		      "OpenSSL HMAC = SHA256_CTX midstates + its assembly, the "
		      "same algorithm as BPF (the targets' baseline); EVP_MAC "
		      "= its public API, re-initialised keeping the key");
	table_note(t, "times are thread CPU time on both sides (the VM's "
		      "steal time would count in wall-clock); BPF per "
		      "repetition of a test run, including entering the XDP "
		      "program, with the programs kept in the XDP dispatcher "
		      "(anchor.h); digests checked against OpenSSL's first");
	table_note(t, "the last ratio checks that the mask took SHA-NI away "
		      "(OpenSSL then uses its AVX2/integer code)");
	return table_finish(t);
}

BENCH_TABLE(crypto_bench_table) = {
	.name = "crypto",
	.summary = "SHA-256 / HMAC in BPF vs OpenSSL with and without SHA-NI",
	.run = crypto_table,
};
