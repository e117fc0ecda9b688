/* SPDX-License-Identifier: GPL-2.0 */
/* Address keys and the address classes the responder refuses to answer. */
#ifndef ESPRIT_BPF_ADDR_H
#define ESPRIT_BPF_ADDR_H

#include "common.h"
#include "esprit_types.h"
#include "esprit_counters.h"

static __always_inline void addr_from_ipv4(struct esprit_addr *a, __be32 ip)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->family = ESPRIT_AF_INET;
	a->addr[10] = 0xff;
	a->addr[11] = 0xff;
	__builtin_memcpy(&a->addr[12], &ip, 4);
}

static __always_inline void addr_from_ipv6(struct esprit_addr *a,
					   const struct in6_addr *ip)
{
	a->family = ESPRIT_AF_INET6;
	a->pad[0] = a->pad[1] = a->pad[2] = 0;
	__builtin_memcpy(a->addr, ip, 16);
}

/* Both addresses word-aligned (map values and aligned stack copies). */
static __always_inline int addr_equal(const struct esprit_addr *a,
				      const struct esprit_addr *b)
{
	const __u32 *x = (const void *)a, *y = (const void *)b;

	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) |
		(x[4] ^ y[4])) == 0;
}

/* Keeps the first plen bits of an address (plen counted within its family). */
static __always_inline void addr_mask(struct esprit_addr *a, __u32 plen)
{
	__u32 start = a->family == ESPRIT_AF_INET ? 12 : 0;
	__u32 bits = start * 8 + plen;

#pragma unroll
	for (int i = 0; i < 16; i++) {
		__u32 lo = i * 8;

		if (bits <= lo)
			a->addr[i] = 0;
		else if (bits < lo + 8)
			a->addr[i] &= (__u8)(0xff << (8 - (bits - lo)));
	}
}

static __always_inline __u32 ipv4_host(__be32 ip)
{
	return bpf_ntohl(ip);
}

static __always_inline int ipv4_is_link_local(__be32 ip)
{
	return (ipv4_host(ip) >> 16) == 0xa9fe; /* 169.254/16 */
}

/* 0 if src may be answered, else the reason it may not. */
static __always_inline enum esprit_reason ipv4_bad_source(__be32 src,
							  __be32 dst)
{
	__u32 h = ipv4_host(src);

	if ((h >> 24) == 0)
		return ESPRIT_R_ECHO_SRC_UNSPECIFIED;
	if ((h >> 24) == 127)
		return ESPRIT_R_ECHO_SRC_LOOPBACK;
	if ((h >> 28) == 0xe)
		return ESPRIT_R_ECHO_SRC_MULTICAST;
	if ((h >> 28) == 0xf) /* 240/4 reserved, 255.255.255.255 */
		return ESPRIT_R_ECHO_SRC_BROADCAST;
	if (ipv4_is_link_local(src) && !ipv4_is_link_local(dst))
		return ESPRIT_R_ECHO_SRC_LINK_LOCAL;
	return 0;
}

/* 0 if dst is a unicast address that could be ours, else why not. */
static __always_inline enum esprit_reason ipv4_bad_dest(__be32 dst)
{
	__u32 h = ipv4_host(dst);

	if ((h >> 28) >= 0xe)
		return ESPRIT_R_ECHO_DST_NOT_UNICAST;
	if ((h >> 24) == 0 || (h >> 24) == 127)
		return ESPRIT_R_ECHO_DST_NOT_LOCAL;
	return 0;
}

static __always_inline int ipv6_is_link_local(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xfe &&
	       (a->in6_u.u6_addr8[1] & 0xc0) == 0x80;
}

static __always_inline int ipv6_is_unspecified(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] |
		a->in6_u.u6_addr32[2] | a->in6_u.u6_addr32[3]) == 0;
}

static __always_inline int ipv6_is_loopback(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] |
		a->in6_u.u6_addr32[2]) == 0 &&
	       a->in6_u.u6_addr32[3] == bpf_htonl(1);
}

static __always_inline int ipv6_is_v4_mapped(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1]) == 0 &&
	       a->in6_u.u6_addr32[2] == bpf_htonl(0xffff);
}

static __always_inline enum esprit_reason
ipv6_bad_source(const struct in6_addr *src, const struct in6_addr *dst)
{
	if (ipv6_is_unspecified(src))
		return ESPRIT_R_ECHO_SRC_UNSPECIFIED;
	if (ipv6_is_loopback(src))
		return ESPRIT_R_ECHO_SRC_LOOPBACK;
	if (src->in6_u.u6_addr8[0] == 0xff)
		return ESPRIT_R_ECHO_SRC_MULTICAST;
	if (ipv6_is_v4_mapped(src))
		return ESPRIT_R_ECHO_SRC_BROADCAST;
	if (ipv6_is_link_local(src) && !ipv6_is_link_local(dst))
		return ESPRIT_R_ECHO_SRC_LINK_LOCAL;
	return 0;
}

static __always_inline enum esprit_reason
ipv6_bad_dest(const struct in6_addr *dst)
{
	if (dst->in6_u.u6_addr8[0] == 0xff)
		return ESPRIT_R_ECHO_DST_NOT_UNICAST;
	if (ipv6_is_unspecified(dst) || ipv6_is_loopback(dst) ||
	    ipv6_is_v4_mapped(dst))
		return ESPRIT_R_ECHO_DST_NOT_LOCAL;
	return 0;
}

#endif
