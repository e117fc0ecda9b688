/* SPDX-License-Identifier: GPL-2.0 */
/* Address keys and the address classes the responder refuses to answer. */
#ifndef ESPRIT_BPF_ADDR_H
#define ESPRIT_BPF_ADDR_H

#include "lib/ctx.h"
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

/*
 * IPv6 addresses as two 64-bit words loaded as they lie in memory
 * (big-endian), so the tests below are one or two compares; the constants
 * are swapped at compile time.
 */
struct ipv6_words {
	__u64 hi, lo;
};

#define IPV6_BE64(v) bpf_cpu_to_be64(v)

static __always_inline struct ipv6_words ipv6_words(const struct in6_addr *a)
{
	const __u64 *w = (const void *)a;
	struct ipv6_words r = {w[0], w[1]};

	return r;
}

static __always_inline int ipv6_is_multicast(struct ipv6_words a)
{
	return (a.hi & IPV6_BE64(0xff00000000000000ULL)) ==
	       IPV6_BE64(0xff00000000000000ULL);
}

/* fe80::/10 */
static __always_inline int ipv6_is_link_local(struct ipv6_words a)
{
	return (a.hi & IPV6_BE64(0xffc0000000000000ULL)) ==
	       IPV6_BE64(0xfe80000000000000ULL);
}

/* With hi == 0: ::, ::1 and ::ffff:0:0/96 are told apart by lo alone. */
static __always_inline int ipv6_lo_is_v4_mapped(__u64 lo)
{
	return (lo & IPV6_BE64(0xffffffff00000000ULL)) ==
	       IPV6_BE64(0x0000ffff00000000ULL);
}

static __always_inline enum esprit_reason ipv6_bad_source(struct ipv6_words src,
							  struct ipv6_words dst)
{
	if (src.hi == 0) {
		if (src.lo == 0)
			return ESPRIT_R_ECHO_SRC_UNSPECIFIED;
		if (src.lo == IPV6_BE64(1))
			return ESPRIT_R_ECHO_SRC_LOOPBACK;
		if (ipv6_lo_is_v4_mapped(src.lo))
			return ESPRIT_R_ECHO_SRC_BROADCAST;
		return 0;
	}
	if (ipv6_is_multicast(src))
		return ESPRIT_R_ECHO_SRC_MULTICAST;
	if (ipv6_is_link_local(src) && !ipv6_is_link_local(dst))
		return ESPRIT_R_ECHO_SRC_LINK_LOCAL;
	return 0;
}

static __always_inline enum esprit_reason ipv6_bad_dest(struct ipv6_words dst)
{
	if (ipv6_is_multicast(dst))
		return ESPRIT_R_ECHO_DST_NOT_UNICAST;
	if (dst.hi == 0 && (dst.lo == 0 || dst.lo == IPV6_BE64(1) ||
			    ipv6_lo_is_v4_mapped(dst.lo)))
		return ESPRIT_R_ECHO_DST_NOT_LOCAL;
	return 0;
}

#endif
