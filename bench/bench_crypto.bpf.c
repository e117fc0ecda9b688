// SPDX-License-Identifier: GPL-2.0
/*
 * The crypto benchmark's subjects (bench/crypto_bench.c): SHA-256 and
 * HMAC-SHA-256 of the packet from byte msg_off to its end, as the RISAV
 * path calls them. The packet's length sets the message length; the
 * verdict says whether the hash ran (XDP_PASS) or failed (XDP_ABORTED).
 */
#include "lib/ctx.h"
#include "lib/hmac.h"

const volatile __u32 msg_off = 14;

__u8 digest[ESPRIT_SHA256_DIGEST_LEN];

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct esprit_auth_key);
} bench_key SEC(".maps");

static __always_inline __u32 msg_len(struct xdp_md *ctx)
{
	return xdp_data_end(ctx) - xdp_data(ctx) - msg_off;
}

SEC("xdp")
int crypto_bench_sha256(struct xdp_md *ctx)
{
	if (sha256_xdp(ctx, msg_off, msg_len(ctx), digest))
		return XDP_ABORTED;
	return XDP_PASS;
}

SEC("xdp")
int crypto_bench_hmac(struct xdp_md *ctx)
{
	struct esprit_auth_key *key;
	__u32 zero = 0;

	key = bpf_map_lookup_elem(&bench_key, &zero);
	if (!key || hmac_sha256(ctx, msg_off, msg_len(ctx),
				&key->material.hmac_sha256, digest))
		return XDP_ABORTED;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
