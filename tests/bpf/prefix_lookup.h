/* SPDX-License-Identifier: GPL-2.0 */
/* The packet tests/bpf/prefix_lookup.bpf.c reads and rewrites. */
#ifndef ESPRIT_TEST_PREFIX_LOOKUP_H
#define ESPRIT_TEST_PREFIX_LOOKUP_H

#include "esprit_types.h"

#define PREFIX_LOOKUP_ADDRS 2

struct prefix_lookup_io {
	__u8 addr[PREFIX_LOOKUP_ADDRS][16];
	__u32 found[PREFIX_LOOKUP_ADDRS];
	__u32 asn[PREFIX_LOOKUP_ADDRS];
};

#endif
