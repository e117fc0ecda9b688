/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why a packet took the path it took: packets and bytes per enum
 * esprit_reason (headers/esprit_counters.h), per CPU. Every verdict is
 * counted under exactly one reason; "event" reasons count besides it.
 */
#ifndef ESPRIT_BPF_COUNTERS_H
#define ESPRIT_BPF_COUNTERS_H

#include "lib/ctx.h"
#include "esprit_counters.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ESPRIT_REASONS_MAX);
	__type(key, __u32);
	__type(value, struct esprit_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_counters SEC(".maps");

static __always_inline void count(enum esprit_reason reason, __u32 bytes)
{
	__u32 key = reason;
	struct esprit_counter *c = bpf_map_lookup_elem(&esprit_counters, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Counts and returns the action, for one-line exits. */
static __always_inline int count_verdict(enum esprit_reason reason, __u32 bytes,
					 int action)
{
	count(reason, bytes);
	return action;
}

#endif
