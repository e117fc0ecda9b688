/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Internet checksum (RFC 1071): updates (RFC 1624), whole IPv4 headers
 * in XDP, and any byte range of a TC packet: bpf_loop over 256-byte chunks
 * copied to a per-CPU buffer, each summed by bpf_csum_diff(); fold the
 * 32-bit result with skb_csum_fold().
 */
#ifndef ESPRIT_BPF_CSUM_H
#define ESPRIT_BPF_CSUM_H

#include <bpf/bpf_core_read.h>

#include "lib/ctx.h"

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* HC' = ~(~HC + ~m + m') for one 16-bit word changing from old to new. */
static __always_inline void csum_replace2(__sum16 *sum, __be16 old, __be16 new)
{
	__u32 s = (__u16) ~*sum;

	s += (__u16)~old;
	s += new;
	*sum = csum_fold(s);
}

/* Bounds the loop below: an IPv4 header has at most 15 32-bit words. */
#define IPV4_MAX_WORDS 15

/*
 * 1 if the IPv4 header at l3_off (ihl 32-bit words, already checked to be
 * inside the packet) sums to 0xffff, i.e. its checksum is right.
 */
static __always_inline int ipv4_header_csum_ok(struct xdp_md *ctx, __u32 l3_off,
					       __u32 ihl)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	__u32 *word = data + (l3_off & PKT_OFF_MASK);
	__u64 sum = 0;

	for (__u32 i = 0; i < IPV4_MAX_WORDS; i++) {
		if (i >= ihl)
			break;
		if ((void *)(word + i + 1) > data_end)
			return 0;
		sum += word[i];
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return csum_fold(sum) == 0;
}

#define CHECKSUM_PARTIAL_VALUE 3 /* CHECKSUM_PARTIAL, include/linux/skbuff.h */

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/*
 * A checksum the stack left for the device or the kernel to complete
 * (CHECKSUM_PARTIAL): 1 with the offsets (from skb->data) where the sum
 * starts and where it is stored; 0 if there is none; -1 if the offsets
 * make no sense.
 */
static __always_inline int skb_partial_csum(struct __sk_buff *skb, __u32 *start,
					    __u32 *field)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
	__u64 head, data;
	__u16 cs, co;

	if (BPF_CORE_READ_BITFIELD(k, ip_summed) != CHECKSUM_PARTIAL_VALUE)
		return 0;
	head = (__u64)BPF_CORE_READ(k, head);
	data = (__u64)BPF_CORE_READ(k, data);
	cs = BPF_CORE_READ(k, csum_start);
	co = BPF_CORE_READ(k, csum_offset);
	if (data < head || cs < data - head)
		return -1;
	*start = cs - (data - head);
	*field = *start + co;
	if (*field + 2 > skb->len)
		return -1;
	return 1;
}

#define SKB_CSUM_CHUNK	256
#define SKB_CSUM_CHUNKS (65536 / SKB_CSUM_CHUNK)

struct skb_csum_scratch {
	__u8 chunk[SKB_CSUM_CHUNK];
};

/* Per CPU, not pinned: it holds nothing between packets. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct skb_csum_scratch);
} esprit_csum_scr SEC(".maps");

struct csum_job {
	void *ctx; /* struct __sk_buff or struct xdp_md */
	struct skb_csum_scratch *scr;
	__u32 off, end;
	__u32 sum;
	int err;
};

/* Adds the loaded chunk (zero-padded: zeros add nothing) to the sum. */
static __always_inline long csum_chunk_add(struct csum_job *j, long loaded)
{
	__s64 sum;

	if (loaded)
		goto fail;
	sum = bpf_csum_diff(NULL, 0, (__be32 *)j->scr->chunk, SKB_CSUM_CHUNK,
			    j->sum);
	if (sum < 0)
		goto fail;
	j->sum = (__u32)sum;
	return 0;
fail:
	j->err = 1;
	return 1;
}

static __always_inline long csum_load(void *ctx, bool xdp, __u32 off, void *to,
				      __u32 len)
{
	if (xdp)
		return bpf_xdp_load_bytes(ctx, off, to, len);
	return bpf_skb_load_bytes(ctx, off, to, len);
}

/* Chunk i of the sum; xdp is a constant in each caller. */
static __always_inline long csum_step(__u32 i, void *ctx, bool xdp)
{
	struct csum_job *j = ctx;
	__u32 off = j->off + i * SKB_CSUM_CHUNK, n;

	if (off >= j->end)
		return 1;
	n = j->end - off;
	if (n >= SKB_CSUM_CHUNK)
		return csum_chunk_add(j,
				      csum_load(j->ctx, xdp, off, j->scr->chunk,
						SKB_CSUM_CHUNK));
	__builtin_memset(j->scr->chunk, 0, SKB_CSUM_CHUNK);
	if (n < 1)
		return csum_chunk_add(j, -1);
	return csum_chunk_add(j, csum_load(j->ctx, xdp, off, j->scr->chunk, n));
}

static long skb_csum_step(__u32 i, void *ctx)
{
	return csum_step(i, ctx, false);
}

static long xdp_csum_step(__u32 i, void *ctx)
{
	return csum_step(i, ctx, true);
}

static __always_inline int csum_range_run(struct csum_job *j, bool xdp,
					  __u32 *sum)
{
	__u32 zero = 0;

	j->scr = bpf_map_lookup_elem(&esprit_csum_scr, &zero);
	if (!j->scr || j->end > 65535 || j->off > j->end)
		return -1;
	bpf_loop(SKB_CSUM_CHUNKS, xdp ? xdp_csum_step : skb_csum_step, j, 0);
	if (j->err)
		return -1;
	*sum = j->sum;
	return 0;
}

/*
 * The sum of bytes [off, end) of the packet, added to seed. The range
 * starts at an even offset from what it is summed with. 0 or -1.
 */
static __always_inline int skb_csum_range(struct __sk_buff *skb, __u32 off,
					  __u32 end, __u32 seed, __u32 *sum)
{
	struct csum_job j = {.ctx = skb, .off = off, .end = end, .sum = seed};

	return csum_range_run(&j, false, sum);
}

/* The same for an XDP frame (its fragments too). */
static __always_inline int xdp_csum_range(struct xdp_md *ctx, __u32 off,
					  __u32 end, __u32 seed, __u32 *sum)
{
	struct csum_job j = {.ctx = ctx, .off = off, .end = end, .sum = seed};

	return csum_range_run(&j, true, sum);
}

/* The 16-bit folded sum (not complemented). */
static __always_inline __u16 skb_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

#endif
