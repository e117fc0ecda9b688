/* SPDX-License-Identifier: GPL-2.0 */
/* Internet checksum updates (RFC 1624) and full IPv4 header sums. */
#ifndef ESPRIT_BPF_CSUM_H
#define ESPRIT_BPF_CSUM_H

#include "common.h"

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

#endif
