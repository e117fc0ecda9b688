/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ESPRIT_BPF_COUNTERS_H
#define ESPRIT_BPF_COUNTERS_H

#include "maps.h"

static __always_inline void count(enum esprit_reason reason, __u32 bytes)
{
	__u32 key = reason;
	struct esprit_counter *c = bpf_map_lookup_elem(&esprit_counters, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Counts and returns the XDP action, for one-line exits. */
static __always_inline int count_verdict(enum esprit_reason reason, __u32 bytes,
					 int action)
{
	count(reason, bytes);
	return action;
}

#endif
