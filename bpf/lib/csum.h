/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Internet checksum (RFC 1071): updates (RFC 1624), whole IPv4 headers
 * in XDP, and any byte range of a TC packet: bpf_loop over 256-byte chunks
 * copied to a per-CPU buffer, each summed by bpf_csum_diff(); fold the
 * 32-bit result with skb_csum_fold().
 */
#ifndef ESPRIT_BPF_CSUM_H
#define ESPRIT_BPF_CSUM_H

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

struct skb_csum_job {
	struct __sk_buff *skb;
	struct skb_csum_scratch *scr;
	__u32 off, end;
	__u32 sum;
	int err;
};

static long skb_csum_step(__u32 i, void *ctx)
{
	struct skb_csum_job *j = ctx;
	__u32 off = j->off + i * SKB_CSUM_CHUNK, n;
	__s64 sum;

	if (off >= j->end)
		return 1;
	n = j->end - off;
	if (n >= SKB_CSUM_CHUNK) {
		if (bpf_skb_load_bytes(j->skb, off, j->scr->chunk,
				       SKB_CSUM_CHUNK))
			goto fail;
	} else {
		/* the tail, zero-padded: zeros add nothing to the sum */
		__builtin_memset(j->scr->chunk, 0, SKB_CSUM_CHUNK);
		if (n < 1 || bpf_skb_load_bytes(j->skb, off, j->scr->chunk, n))
			goto fail;
	}
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

/*
 * The sum of bytes [off, end) of the packet, added to seed. The range
 * starts at an even offset from what it is summed with. 0 or -1.
 */
static __always_inline int skb_csum_range(struct __sk_buff *skb, __u32 off,
					  __u32 end, __u32 seed, __u32 *sum)
{
	struct skb_csum_job j = {
		.skb = skb, .off = off, .end = end, .sum = seed};
	__u32 zero = 0;

	j.scr = bpf_map_lookup_elem(&esprit_csum_scr, &zero);
	if (!j.scr || end > 65535 || off > end)
		return -1;
	bpf_loop(SKB_CSUM_CHUNKS, skb_csum_step, &j, 0);
	if (j.err)
		return -1;
	*sum = j.sum;
	return 0;
}

/* The 16-bit folded sum (not complemented). */
static __always_inline __u16 skb_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

#endif
