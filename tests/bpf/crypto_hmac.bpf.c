// SPDX-License-Identifier: GPL-2.0
/*
 * Runs bpf/lib/sha256.h and bpf/lib/hmac.h under BPF_PROG_TEST_RUN for the crypto
 * tests: hashes the packet range req.off/req.len (with the key in
 * crypto_key) and leaves the digest or the verdict in res. One program per
 * packet helper, so the XDP path (multi-buffer too) and the TC path both run.
 */
#include "lib/ctx.h"
#include "lib/hmac.h"
#include "crypto_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct esprit_auth_key);
} crypto_key SEC(".maps");

struct crypto_req req;
struct crypto_res res;

static __always_inline int crypto_run(void *pkt, enum sha256_pkt_kind kind)
{
	static const struct esprit_sha256_state iv = ESPRIT_SHA256_IV;
	bool xdp = kind == SHA256_PKT_XDP;
	struct esprit_auth_key *key;
	__u32 zero = 0;

	key = bpf_map_lookup_elem(&crypto_key, &zero);
	if (!key)
		return -CRYPTO_E_NO_KEY;

	switch (req.mode) {
	case CRYPTO_SHA256:
		return sha256_run(pkt, kind, &iv, 0, req.off, req.len, NULL,
				  true, res.digest);
	case CRYPTO_SHA256_CONTINUE:
		return sha256_run(pkt, kind, &req.state, req.prefix_blocks,
				  req.off, req.len, NULL, req.final,
				  res.digest);
	case CRYPTO_HMAC:
		if (xdp)
			return hmac_sha256_xdp(pkt, req.off, req.len,
					       &key->material.hmac_sha256,
					       res.digest);
		return hmac_sha256_skb(pkt, req.off, req.len,
				       &key->material.hmac_sha256, res.digest);
	case CRYPTO_VERIFY:
		if (xdp)
			return hmac_sha256_128_verify_xdp(
				pkt, req.off, req.len,
				&key->material.hmac_sha256, req.icv);
		return hmac_sha256_128_verify_skb(pkt, req.off, req.len,
						  &key->material.hmac_sha256,
						  req.icv);
	}
	return -CRYPTO_E_MODE;
}

SEC("xdp.frags")
int crypto_xdp(struct xdp_md *ctx)
{
	res.linear = xdp_data_end(ctx) - xdp_data(ctx);
	res.rc = crypto_run(ctx, SHA256_PKT_XDP);
	res.runs++;
	return XDP_PASS;
}

SEC("tc")
int crypto_skb(struct __sk_buff *skb)
{
	res.rc = crypto_run(skb, SHA256_PKT_SKB);
	res.runs++;
	return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
