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

#endif
