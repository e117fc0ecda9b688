/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 over a byte range of the packet, for XDP and TC programs alike.
 *
 * The range [off, off + len) is read 64 bytes at a time with
 * bpf_xdp_load_bytes() or bpf_skb_load_bytes(), so it may have any length
 * the packet holds and may cross into the fragments of a multi-buffer
 * packet. Each block, the padding blocks and (for HMAC) the outer block
 * are one bpf_loop() iteration, so the verifier sees the compression
 * function once. The block and the chaining value live in a per-CPU scratch
 * map: the stack (512 bytes, shared with the caller) stays free.
 */
#ifndef ESPRIT_BPF_SHA256_H
#define ESPRIT_BPF_SHA256_H

#include "lib/ctx.h"
#include "esprit_sha256.h"

struct sha256_scratch {
	__u32 state[ESPRIT_SHA256_WORDS];
	/* The block as raw message bytes, then its message schedule. */
	__u32 w[ESPRIT_SHA256_BLOCK_LEN / 4];
};

/*
 * Not pinned: it holds nothing between calls, and each object has its own.
 * Per CPU is enough: XDP and TC programs run with bottom halves off, so no
 * other hashing program starts on this CPU before a call returns.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sha256_scratch);
} esprit_sha_scr SEC(".maps");

/* Which helper reads the packet: chosen at compile time per program. */
enum sha256_pkt_kind {
	SHA256_PKT_XDP,
	SHA256_PKT_SKB,
};

struct sha256_job {
	void *pkt; /* struct xdp_md * or struct __sk_buff * */
	struct sha256_scratch *scr;
	/* For HMAC, the opad midstate the outer hash continues from. */
	const struct esprit_sha256_state *outer;
	__u64 bit_len; /* bits hashed in total, counting a prefix block */
	__u32 off;
	__u32 len;
	__u32 full_blocks; /* whole blocks read straight from the packet */
	__u32 msg_blocks; /* full_blocks plus one or two padding blocks */
	int err;
};

static __always_inline long sha256_load(void *pkt, enum sha256_pkt_kind kind,
					__u32 off, void *to, __u32 len)
{
	if (kind == SHA256_PKT_XDP)
		return bpf_xdp_load_bytes(pkt, off, to, len);
	return bpf_skb_load_bytes(pkt, off, to, len);
}

static __always_inline void sha256_zero_block(struct sha256_scratch *scr)
{
	__u64 *w = (__u64 *)scr->w;

#pragma unroll
	for (int i = 0; i < ESPRIT_SHA256_BLOCK_LEN / 8; i++)
		w[i] = 0;
}

/* The message length in bits, big-endian, at the end of the block. */
static __always_inline void sha256_put_length(struct sha256_scratch *scr,
					      __u64 bit_len)
{
	scr->w[14] = esprit_sha256_be32((__u32)(bit_len >> 32));
	scr->w[15] = esprit_sha256_be32((__u32)bit_len);
}

/*
 * Padding block pad (0 or 1) after the whole blocks: the message's last
 * len % 64 bytes, 0x80, zeros, and the length where it fits (FIPS 180-4
 * §5.1.1). Returns 0, or -1 if the packet is shorter than the range.
 */
static __always_inline int sha256_pad_block(struct sha256_job *job,
					    struct sha256_scratch *scr,
					    enum sha256_pkt_kind kind,
					    __u32 pad)
{
	__u32 rem = job->len & (ESPRIT_SHA256_BLOCK_LEN - 1);

	sha256_zero_block(scr);
	if (pad == 0) {
		if (rem &&
		    sha256_load(job->pkt, kind,
				job->off + job->full_blocks *
						   ESPRIT_SHA256_BLOCK_LEN,
				scr->w, rem))
			return -1;
		((__u8 *)scr->w)[rem] = 0x80;
		if (rem >= ESPRIT_SHA256_BLOCK_LEN - 8)
			return 0;
	}
	sha256_put_length(scr, job->bit_len);
	return 0;
}

/*
 * HMAC's outer block: the inner digest, padding, and the length of
 * opad block + digest; the chaining value restarts from the opad midstate.
 */
static __always_inline void
sha256_outer_block(struct sha256_scratch *scr,
		   const struct esprit_sha256_state *outer)
{
#pragma unroll
	for (int i = 0; i < ESPRIT_SHA256_WORDS; i++) {
		scr->w[i] = esprit_sha256_be32(scr->state[i]);
		scr->state[i] = outer->h[i];
	}
#pragma unroll
	for (int i = ESPRIT_SHA256_WORDS; i < 16; i++)
		scr->w[i] = 0;
	scr->w[ESPRIT_SHA256_WORDS] = esprit_sha256_be32(0x80000000);
	sha256_put_length(
		scr, (ESPRIT_SHA256_BLOCK_LEN + ESPRIT_SHA256_DIGEST_LEN) * 8);
}

/* One bpf_loop iteration: fill the block for index i, compress it. */
static __always_inline long sha256_job_step(__u32 i, struct sha256_job *job,
					    enum sha256_pkt_kind kind)
{
	struct sha256_scratch *scr = job->scr;

	if (i < job->full_blocks) {
		if (sha256_load(job->pkt, kind,
				job->off + i * ESPRIT_SHA256_BLOCK_LEN, scr->w,
				ESPRIT_SHA256_BLOCK_LEN))
			goto out_of_range;
	} else if (i < job->msg_blocks) {
		if (sha256_pad_block(job, scr, kind, i - job->full_blocks))
			goto out_of_range;
	} else if (job->outer) {
		sha256_outer_block(scr, job->outer);
	} else {
		return 1; /* plain SHA-256 runs no outer block */
	}
	esprit_sha256_compress(scr->state, scr->w);
	return 0;

out_of_range:
	job->err = -ESPRIT_SHA256_E_RANGE;
	return 1;
}

static long sha256_step_xdp(__u32 i, void *job)
{
	return sha256_job_step(i, job, SHA256_PKT_XDP);
}

static long sha256_step_skb(__u32 i, void *job)
{
	return sha256_job_step(i, job, SHA256_PKT_SKB);
}

/*
 * Continues the hash from init, which already covers prefix_blocks whole
 * blocks, over the packet range and writes the 32-byte result to out.
 * With outer, HMAC's outer hash follows. Without final, len must be a
 * multiple of 64 and out receives the chaining value (big-endian), from
 * which a later call continues: a message longer than a packet.
 */
static __always_inline int sha256_run(void *pkt, enum sha256_pkt_kind kind,
				      const struct esprit_sha256_state *init,
				      __u32 prefix_blocks, __u32 off, __u32 len,
				      const struct esprit_sha256_state *outer,
				      bool final, __u8 *out)
{
	struct sha256_job job = {};
	struct sha256_scratch *scr;
	__u32 zero = 0, nr;
	long done;

	scr = bpf_map_lookup_elem(&esprit_sha_scr, &zero);
	if (!scr)
		return -ESPRIT_SHA256_E_SCRATCH;
#pragma unroll
	for (int i = 0; i < ESPRIT_SHA256_WORDS; i++)
		scr->state[i] = init->h[i];

	job.pkt = pkt;
	job.scr = scr;
	job.off = off;
	job.len = len;
	job.bit_len =
		((__u64)prefix_blocks * ESPRIT_SHA256_BLOCK_LEN + len) * 8;
	job.full_blocks = len / ESPRIT_SHA256_BLOCK_LEN;
	job.msg_blocks = job.full_blocks;
	if (final) {
		job.outer = outer;
		job.msg_blocks++;
		if ((len & (ESPRIT_SHA256_BLOCK_LEN - 1)) >=
		    ESPRIT_SHA256_BLOCK_LEN - 8)
			job.msg_blocks++;
	} else if (len & (ESPRIT_SHA256_BLOCK_LEN - 1)) {
		return -ESPRIT_SHA256_E_RANGE;
	}
	nr = job.msg_blocks + (job.outer ? 1 : 0);

	if (kind == SHA256_PKT_XDP)
		done = bpf_loop(nr, sha256_step_xdp, &job, 0);
	else
		done = bpf_loop(nr, sha256_step_skb, &job, 0);
	if (job.err)
		return job.err;
	if (done != nr)
		return -ESPRIT_SHA256_E_LOOP;

#pragma unroll
	for (int i = 0; i < ESPRIT_SHA256_WORDS; i++) {
		__u32 h = scr->state[i];

		out[4 * i + 0] = h >> 24;
		out[4 * i + 1] = h >> 16;
		out[4 * i + 2] = h >> 8;
		out[4 * i + 3] = h;
	}
	return 0;
}

/* Plain SHA-256 of packet bytes [off, off + len). */
static __always_inline int sha256_xdp(struct xdp_md *ctx, __u32 off, __u32 len,
				      __u8 out[ESPRIT_SHA256_DIGEST_LEN])
{
	static const struct esprit_sha256_state iv = ESPRIT_SHA256_IV;

	return sha256_run(ctx, SHA256_PKT_XDP, &iv, 0, off, len, NULL, true,
			  out);
}

static __always_inline int sha256_skb(struct __sk_buff *skb, __u32 off,
				      __u32 len,
				      __u8 out[ESPRIT_SHA256_DIGEST_LEN])
{
	static const struct esprit_sha256_state iv = ESPRIT_SHA256_IV;

	return sha256_run(skb, SHA256_PKT_SKB, &iv, 0, off, len, NULL, true,
			  out);
}

#endif
