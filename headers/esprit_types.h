/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Integer types for headers that both the BPF programs (which get them from
 * vmlinux.h) and user space (which gets them from linux/types.h) include.
 */
#ifndef ESPRIT_TYPES_H
#define ESPRIT_TYPES_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* An IPv4 address is stored as ::ffff:a.b.c.d so one key type serves both. */
struct esprit_addr {
	__u8 family; /* AF_INET (2) or AF_INET6 (10) */
	__u8 pad[3];
	__u8 addr[16];
};

#define ESPRIT_AF_INET	2
#define ESPRIT_AF_INET6 10

/*
 * LPM trie key for either family: IPv4 prefixes live under ::ffff:0:0/96, so
 * an IPv4 /24 is stored with prefixlen 120.
 */
struct esprit_prefix_key {
	__u32 prefixlen;
	__u8 addr[16];
};

#define ESPRIT_V4_MAPPED_PREFIXLEN 96

#endif
