/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The responder's memory of bpf_fib_lookup() answers (bpf/lib/fib.h),
 * one direct-mapped table per CPU, so bpftool prints its entries by field.
 */
#ifndef ESPRIT_FIB_H
#define ESPRIT_FIB_H

#include "esprit_types.h"

struct esprit_fib_verdict {
	__u64 src[2]; /* addresses as on the wire; IPv4 in the low word */
	__u64 dst[2];
	__u64 net_cookie; /* the network namespace asked in */
	__u64 stamp; /* jiffies when asked */
	__u64 generation; /* the namespace's routes when asked */
	__u32 ifindex; /* ingress device */
	__u8 family; /* 0: empty slot */
	__u8 transit; /* 1: the FIB forwards dst (not ours) */
	__u8 pad[2];
};

#endif
