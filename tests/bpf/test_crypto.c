// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 and HMAC-SHA-256 in BPF (bpf/lib/sha256.h, bpf/lib/hmac.h), run through
 * BPF_PROG_TEST_RUN in the XDP and the TC program of crypto_hmac.bpf.c:
 * FIPS 180 / RFC 4231 / RFC 4868 known answers, and OpenSSL as the oracle
 * for random keys and messages of every length up to 9000 bytes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <CUnit/CUnit.h>

#include "crypto_test.h" /* before the skeleton, which uses its types */
#include "crypto_hmac.skel.h"
#include "lib/hmac_key.h"
#include "testlib.h"

/* The hashed range starts behind an Ethernet header's worth of bytes. */
#define MSG_OFF 14
/* Bytes after the range, so a run past its end reads the wrong data. */
#define TRAILER 9
/* BPF_PROG_TEST_RUN wants an Ethernet header's worth in the linear part. */
#define XDP_LINEAR_MIN 14
/*
 * ... and at most a page less headroom and skb_shared_info there: below
 * this, the linear part is always as long as asked.
 */
#define XDP_LINEAR_SURE 3000
/* XDP runs: lengths to 9000 and the largest multi-buffer packet. */
#define XDP_MSG_MAX 9000
#define XDP_PKT_MAX (64 * 1024)
/* TC runs: BPF_PROG_TEST_RUN builds a linear skb of at most a page. */
#define SKB_MSG_MAX 3500

enum prog_kind { PROG_XDP, PROG_SKB };
static const enum prog_kind both_progs[] = {PROG_XDP, PROG_SKB};

static struct crypto_hmac *skel;
static uint8_t pkt_buf[XDP_PKT_MAX];
/* What the program left in res on the latest run. */
static struct crypto_res last_res;

/* xorshift64*: reproducible randomness, seedable with ESPRIT_TEST_SEED. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void rng_fill(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = rng_next() >> 56;
}

static int suite_init(void)
{
	const char *seed = getenv("ESPRIT_TEST_SEED");

	rng_state = seed ? strtoull(seed, NULL, 0) : 0x6573707269742d31ULL;
	if (!rng_state)
		rng_state = 1;
	skel = crypto_hmac__open_and_load();
	return skel ? 0 : -1;
}

static int suite_cleanup(void)
{
	crypto_hmac__destroy(skel);
	skel = NULL;
	return 0;
}

static void set_key(const void *key, size_t key_len)
{
	struct esprit_auth_key k;
	__u32 zero = 0;

	auth_key_hmac_sha256_128(&k, key, key_len);
	CU_ASSERT_EQUAL_FATAL(bpf_map__update_elem(skel->maps.crypto_key, &zero,
						   sizeof(zero), &k, sizeof(k),
						   BPF_ANY),
			      0);
}

/*
 * Runs the program once on pkt. For XDP, linear (if not 0) is how many
 * bytes the packet's linear part holds; the rest goes to fragments.
 * Returns the kernel's answer; the program's is in *res.
 */
static int run_prog(enum prog_kind kind, const struct crypto_req *req,
		    const uint8_t *pkt, size_t pkt_len, size_t linear,
		    struct crypto_res *res)
{
	struct xdp_md ctx = {.data_end = linear};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = pkt_len, .repeat = 1);
	__u32 runs = skel->bss->res.runs;
	int prog_fd, err;

	skel->bss->req = *req;
	if (kind == PROG_XDP) {
		prog_fd = bpf_program__fd(skel->progs.crypto_xdp);
		if (linear) {
			opts.ctx_in = &ctx;
			opts.ctx_size_in = sizeof(ctx);
		}
	} else {
		prog_fd = bpf_program__fd(skel->progs.crypto_skb);
	}
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	*res = last_res = skel->bss->res;
	if (!err && res->runs != runs + 1)
		err = -ESRCH; /* the program did not run */
	return err;
}

/*
 * Puts msg at off in a packet of random bytes, with TRAILER bytes after
 * it, and runs req over that range. Returns the program's rc; the
 * digest goes to digest.
 */
static int hash_msg(enum prog_kind kind, enum crypto_mode mode,
		    const uint8_t *msg, size_t len, size_t off, size_t linear,
		    uint8_t digest[ESPRIT_SHA256_DIGEST_LEN])
{
	struct crypto_req req = {.mode = mode, .off = off, .len = len};
	size_t pkt_len = off + len + TRAILER;
	struct crypto_res res;
	int err;

	CU_ASSERT_FATAL(pkt_len <= sizeof(pkt_buf));
	rng_fill(pkt_buf, off);
	memcpy(pkt_buf + off, msg, len);
	rng_fill(pkt_buf + off + len, TRAILER);
	err = run_prog(kind, &req, pkt_buf, pkt_len, linear, &res);
	if (err)
		fprintf(stderr,
			"\n    test run: %s, packet %zu bytes, linear %zu\n",
			strerror(-err), pkt_len, linear);
	CU_ASSERT_EQUAL_FATAL(err, 0);
	memcpy(digest, res.digest, ESPRIT_SHA256_DIGEST_LEN);
	return res.rc;
}

static void hex_to_bytes(const char *hex, uint8_t *out, size_t *len)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
	*len = n;
}

static bool digest_is(const uint8_t *digest, const char *hex)
{
	uint8_t want[ESPRIT_SHA256_DIGEST_LEN];
	size_t n;

	hex_to_bytes(hex, want, &n);
	if (!memcmp(digest, want, n))
		return true;
	fprintf(stderr, "\n    got  ");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x", digest[i]);
	fprintf(stderr, "\n    want %s\n", hex);
	return false;
}

/* FIPS 180-2 Appendix B and the usual short strings. */
static const struct {
	const char *msg;
	const char *digest;
} sha256_vectors[] = {
	{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"
	     "5"},
	{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015"
		"ad"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d"
								     "20638b8e5"
								     "c026930c3"
								     "e6039a33c"
								     "e45964ff2"
								     "167f6eced"
								     "d419db06c"
								     "1"},
	{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	 "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static void test_sha256_known_answers(void)
{
	uint8_t digest[ESPRIT_SHA256_DIGEST_LEN];

	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0;
		     i < sizeof(sha256_vectors) / sizeof(sha256_vectors[0]);
		     i++) {
			const char *msg = sha256_vectors[i].msg;

			CU_ASSERT_EQUAL(hash_msg(both_progs[k], CRYPTO_SHA256,
						 (const uint8_t *)msg,
						 strlen(msg), MSG_OFF, 0,
						 digest),
					0);
			CU_ASSERT(digest_is(digest, sha256_vectors[i].digest));
		}
	}
}

/*
 * One million 'a' (FIPS 180-2 B.3) does not fit a packet: it is hashed in
 * multi-buffer packets of whole blocks, each run continuing from the
 * chaining value the previous one returned.
 */
static void test_sha256_million_a(void)
{
	const size_t total = 1000000, chunk = 900 * ESPRIT_SHA256_BLOCK_LEN;
	struct crypto_req req = {.mode = CRYPTO_SHA256_CONTINUE,
				 .off = MSG_OFF,
				 .state = ESPRIT_SHA256_IV};
	struct crypto_res res;

	memset(pkt_buf, 'a', MSG_OFF + chunk);
	for (size_t done = 0; done < total; done += req.len) {
		req.len = total - done < chunk ? total - done : chunk;
		req.final = done + req.len == total;
		CU_ASSERT_EQUAL_FATAL(run_prog(PROG_XDP, &req, pkt_buf,
					       MSG_OFF + req.len, 0, &res),
				      0);
		CU_ASSERT_EQUAL_FATAL(res.rc, 0);
		for (int i = 0; i < ESPRIT_SHA256_WORDS; i++)
			req.state.h[i] = (__u32)res.digest[4 * i] << 24 |
					 res.digest[4 * i + 1] << 16 |
					 res.digest[4 * i + 2] << 8 |
					 res.digest[4 * i + 3];
		req.prefix_blocks += req.len / ESPRIT_SHA256_BLOCK_LEN;
	}
	CU_ASSERT(digest_is(res.digest, "cdc76e5c9914fb9281a1c7e284d73e67"
					"f1809a48a497200e046d39ccc7112cd0"));
}

static void test_continue_needs_whole_blocks(void)
{
	struct crypto_req req = {.mode = CRYPTO_SHA256_CONTINUE,
				 .off = MSG_OFF,
				 .len = 100,
				 .state = ESPRIT_SHA256_IV};
	struct crypto_res res;

	memset(pkt_buf, 0, 200);
	CU_ASSERT_EQUAL_FATAL(run_prog(PROG_XDP, &req, pkt_buf, 200, 0, &res),
			      0);
	CU_ASSERT_EQUAL(res.rc, -ESPRIT_SHA256_E_RANGE);
}

struct hmac_vector {
	const char *key_hex; /* or NULL: key_fill repeated key_len times */
	uint8_t key_fill;
	size_t key_len;
	const char *data; /* text, or hex when data_hex */
	bool data_hex;
	const char *mac; /* hex; may be truncated (RFC 4231 case 5) */
};

/* RFC 4231 §4.2-§4.8, HMAC-SHA-256. */
static const struct hmac_vector rfc4231[] = {
	{NULL, 0x0b, 20, "Hi There", false,
	 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
	{"4a656665", 0, 0, "what do ya want for nothing?", false,
	 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	{NULL, 0xaa, 20,
	 "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	 "dddddddddddddddddddddddddddddddddddd",
	 true,
	 "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
	{"0102030405060708090a0b0c0d0e0f10111213141516171819", 0, 0,
	 "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	 "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
	 true,
	 "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
	{NULL, 0x0c, 20, "Test With Truncation", false,
	 "a3b6167473100ee06e0c796c2955552b"},
	{NULL, 0xaa, 131,
	 "Test Using Larger Than Block-Size Key - Hash Key First", false,
	 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
	{NULL, 0xaa, 131,
	 "This is a test using a larger than block-size key and a larger "
	 "than block-size data. The key needs to be hashed before being "
	 "used by the HMAC algorithm.",
	 false,
	 "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
};

/* RFC 4868 §2.7.2.1, AUTH256-1 to -4 (32-byte keys, as IPsec uses). */
static const struct hmac_vector rfc4868[] = {
	{NULL, 0x0b, 32, "Hi There", false,
	 "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7"},
	{"4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665", 0,
	 0, "what do ya want for nothing?", false,
	 "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6"},
	{NULL, 0xaa, 32,
	 "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	 "dddddddddddddddddddddddddddddddddddd",
	 true,
	 "cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0"},
	{"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", 0,
	 0,
	 "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	 "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
	 true,
	 "372efcf9b40b35c2115b1346903d2ef42fced46f0846e7257bb156d3d7b30d3f"},
};

/* Loads the vector's key; returns its message in msg. */
static size_t load_vector(const struct hmac_vector *v, uint8_t *msg)
{
	uint8_t key[256];
	size_t key_len = v->key_len, len;

	if (v->key_hex)
		hex_to_bytes(v->key_hex, key, &key_len);
	else
		memset(key, v->key_fill, key_len);
	set_key(key, key_len);
	if (v->data_hex) {
		hex_to_bytes(v->data, msg, &len);
	} else {
		len = strlen(v->data);
		memcpy(msg, v->data, len);
	}
	return len;
}

static void check_hmac_vectors(const struct hmac_vector *v, size_t n)
{
	uint8_t msg[256], digest[ESPRIT_SHA256_DIGEST_LEN];

	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < n; i++) {
			size_t len = load_vector(&v[i], msg);

			CU_ASSERT_EQUAL(hash_msg(both_progs[k], CRYPTO_HMAC,
						 msg, len, MSG_OFF, 0, digest),
					0);
			CU_ASSERT(digest_is(digest, v[i].mac));
		}
	}
}

static void test_rfc4231(void)
{
	check_hmac_vectors(rfc4231, sizeof(rfc4231) / sizeof(rfc4231[0]));
}

static void test_rfc4868(void)
{
	check_hmac_vectors(rfc4868, sizeof(rfc4868) / sizeof(rfc4868[0]));
}

/* What hmac_sha256_128_verify returns (and < 0 for errors). */
#define VERIFY_OK	0
#define VERIFY_MISMATCH 1

/* hmac_sha256_128_verify on msg at MSG_OFF against icv. */
static int verify(enum prog_kind kind, const uint8_t *msg, size_t len,
		  const uint8_t icv[ESPRIT_HMAC_SHA256_128_ICV_LEN])
{
	struct crypto_req req = {
		.mode = CRYPTO_VERIFY, .off = MSG_OFF, .len = len};
	struct crypto_res res;

	memcpy(req.icv, icv, sizeof(req.icv));
	memset(pkt_buf, 0xee, MSG_OFF);
	memcpy(pkt_buf + MSG_OFF, msg, len);
	CU_ASSERT_EQUAL_FATAL(
		run_prog(kind, &req, pkt_buf, MSG_OFF + len, 0, &res), 0);
	return res.rc;
}

static void test_rfc4868_verify(void)
{
	uint8_t msg[256], mac[ESPRIT_SHA256_DIGEST_LEN];
	size_t mac_len;

	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < sizeof(rfc4868) / sizeof(rfc4868[0]);
		     i++) {
			size_t len = load_vector(&rfc4868[i], msg);

			/* HMAC-SHA-256-128: the leftmost 128 bits. */
			hex_to_bytes(rfc4868[i].mac, mac, &mac_len);
			CU_ASSERT_EQUAL(verify(both_progs[k], msg, len, mac),
					VERIFY_OK);
		}
	}
}

/* A wrong ICV is refused whichever byte (and whichever bit) differs. */
static void test_verify_every_icv_position(void)
{
	uint8_t key[32], msg[100], icv[ESPRIT_SHA256_DIGEST_LEN];
	unsigned int len;

	rng_fill(key, sizeof(key));
	rng_fill(msg, sizeof(msg));
	set_key(key, sizeof(key));
	HMAC(EVP_sha256(), key, sizeof(key), msg, sizeof(msg), icv, &len);

	for (size_t k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL(verify(both_progs[k], msg, sizeof(msg), icv),
				VERIFY_OK);
		for (int bit = 0; bit < 8 * ESPRIT_HMAC_SHA256_128_ICV_LEN;
		     bit++) {
			icv[bit / 8] ^= 1 << (bit % 8);
			CU_ASSERT_EQUAL(verify(both_progs[k], msg, sizeof(msg),
					       icv),
					VERIFY_MISMATCH);
			icv[bit / 8] ^= 1 << (bit % 8);
		}
		for (int pos = 0; pos < ESPRIT_HMAC_SHA256_128_ICV_LEN; pos++) {
			uint8_t saved = icv[pos];

			icv[pos] = ~saved;
			CU_ASSERT_EQUAL(verify(both_progs[k], msg, sizeof(msg),
					       icv),
					VERIFY_MISMATCH);
			icv[pos] = saved;
		}
		/* All bytes wrong at once. */
		for (int pos = 0; pos < ESPRIT_HMAC_SHA256_128_ICV_LEN; pos++)
			icv[pos] ^= 0x5a;
		CU_ASSERT_EQUAL(verify(both_progs[k], msg, sizeof(msg), icv),
				VERIFY_MISMATCH);
		for (int pos = 0; pos < ESPRIT_HMAC_SHA256_128_ICV_LEN; pos++)
			icv[pos] ^= 0x5a;
	}
}

/* Any changed message byte makes the ICV wrong. */
static void test_verify_every_message_byte(void)
{
	uint8_t key[32], msg[130], icv[ESPRIT_SHA256_DIGEST_LEN];
	unsigned int len;

	rng_fill(key, sizeof(key));
	rng_fill(msg, sizeof(msg));
	set_key(key, sizeof(key));
	HMAC(EVP_sha256(), key, sizeof(key), msg, sizeof(msg), icv, &len);
	for (size_t k = 0; k < 2; k++) {
		for (size_t pos = 0; pos < sizeof(msg); pos++) {
			msg[pos] ^= 0x01;
			CU_ASSERT_EQUAL(verify(both_progs[k], msg, sizeof(msg),
					       icv),
					VERIFY_MISMATCH);
			msg[pos] ^= 0x01;
		}
	}
}

/* A range that leaves the packet is an error, never a valid ICV. */
static void test_verify_range_outside_packet(void)
{
	struct crypto_req req = {.mode = CRYPTO_VERIFY, .off = 20, .len = 81};
	struct crypto_res res;

	set_key("k", 1);
	memset(pkt_buf, 0, 100);
	for (size_t k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL_FATAL(run_prog(both_progs[k], &req, pkt_buf,
					       100, 0, &res),
				      0);
		CU_ASSERT_EQUAL(res.rc, -ESPRIT_SHA256_E_RANGE);
	}
}

/* A range that leaves the packet is an error, not a digest. */
static void test_range_outside_packet(void)
{
	struct crypto_req req = {.mode = CRYPTO_HMAC};
	struct crypto_res res;
	const size_t pkt_len = 300;

	set_key("k", 1);
	rng_fill(pkt_buf, pkt_len);
	for (size_t k = 0; k < 2; k++) {
		for (size_t off = 0; off <= pkt_len + 1; off += 13) {
			/* Ends exactly at the packet's end: fine. */
			req.off = off;
			req.len = off <= pkt_len ? pkt_len - off : 0;
			CU_ASSERT_EQUAL_FATAL(run_prog(both_progs[k], &req,
						       pkt_buf, pkt_len, 0,
						       &res),
					      0);
			CU_ASSERT_EQUAL(
				res.rc,
				off <= pkt_len ? 0 : -ESPRIT_SHA256_E_RANGE);
			/* One byte further: refused. */
			req.len++;
			CU_ASSERT_EQUAL_FATAL(run_prog(both_progs[k], &req,
						       pkt_buf, pkt_len, 0,
						       &res),
					      0);
			CU_ASSERT_EQUAL(res.rc, -ESPRIT_SHA256_E_RANGE);
		}
	}
}

/*
 * Random key (32 bytes mostly, sometimes any length up to 200, so long
 * keys get hashed) and random message of length len at a random offset;
 * compares the BPF HMAC with OpenSSL's. Returns whether they agreed.
 */
static bool differential_one(enum prog_kind kind, size_t len, bool split)
{
	static uint8_t msg[XDP_MSG_MAX];
	uint8_t key[200], want[EVP_MAX_MD_SIZE], got[ESPRIT_SHA256_DIGEST_LEN];
	size_t key_len = rng_next() % 8 ? 32 : rng_next() % sizeof(key);
	size_t off = MSG_OFF + rng_next() % 64;
	size_t pkt_len = off + len + TRAILER, linear = 0;
	unsigned int want_len;
	int rc;

	if (split)
		linear = XDP_LINEAR_MIN +
			 rng_next() % (pkt_len - XDP_LINEAR_MIN + 1);

	rng_fill(key, key_len);
	rng_fill(msg, len);
	set_key(key, key_len);
	HMAC(EVP_sha256(), key, key_len, msg, len, want, &want_len);
	rc = hash_msg(kind, CRYPTO_HMAC, msg, len, off, linear, got);
	/* The kernel did split the packet where asked. */
	if (linear && linear <= XDP_LINEAR_SURE)
		CU_ASSERT_EQUAL(last_res.linear, linear);
	if (linear)
		CU_ASSERT(last_res.linear <= linear);
	if (rc || memcmp(got, want, sizeof(got))) {
		fprintf(stderr,
			"\n    %s len %zu off %zu key_len %zu linear %zu: "
			"rc %d, digest %s\n",
			kind == PROG_XDP ? "xdp" : "tc", len, off, key_len,
			linear, rc, rc ? "-" : "differs");
		return false;
	}
	return true;
}

/*
 * Every length 0..9000 through the multi-buffer XDP program. Above a page
 * the kernel puts the tail into fragments; every third run the linear
 * part is cut short at a random point too, so block loads straddle the
 * linear/fragment boundary at every alignment.
 */
static void test_differential_xdp(void)
{
	unsigned int failed = 0;

	for (size_t len = 0; len <= XDP_MSG_MAX; len++)
		if (!differential_one(PROG_XDP, len, len % 3 == 0) &&
		    ++failed > 10)
			break;
	CU_ASSERT_EQUAL(failed, 0);
}

static void test_differential_skb(void)
{
	unsigned int failed = 0;

	for (size_t len = 0; len <= SKB_MSG_MAX; len++)
		if (!differential_one(PROG_SKB, len, false) && ++failed > 10)
			break;
	CU_ASSERT_EQUAL(failed, 0);
}

TEST_SUITE(crypto) = {
	.name = "bpf_crypto",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"sha256_known_answers", test_sha256_known_answers},
			{"sha256_million_a", test_sha256_million_a},
			{"continue_needs_whole_blocks",
			 test_continue_needs_whole_blocks},
			{"rfc4231_cases_1_to_7", test_rfc4231},
			{"rfc4868_auth256", test_rfc4868},
			{"rfc4868_auth256_verify", test_rfc4868_verify},
			{"verify_every_icv_position",
			 test_verify_every_icv_position},
			{"verify_every_message_byte",
			 test_verify_every_message_byte},
			{"range_outside_packet", test_range_outside_packet},
			{"verify_range_outside_packet",
			 test_verify_range_outside_packet},
			{"differential_xdp_0_to_9000", test_differential_xdp},
			{"differential_tc_0_to_3500", test_differential_skb},
			{NULL, NULL},
		},
};
