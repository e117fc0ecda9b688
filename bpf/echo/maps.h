/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ESP Echo responder's maps and those of reply capture. All are pinned
 * by name (headers/esprit_maps.h) but the per-CPU memo, which only saves
 * work.
 */
#ifndef ESPRIT_BPF_ECHO_MAPS_H
#define ESPRIT_BPF_ECHO_MAPS_H

#include "lib/ctx.h"
#include "esprit_config.h"
#include "esprit_echo.h"
#include "esprit_limits.h"
#include "esprit_ratelimit.h"

/* Settings the programs only read; zero fields mean defaults. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct esprit_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_config SEC(".maps");

/* Addresses answered for when ESPRIT_ECHO_LOCAL_LIST is set; value: ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_LOCAL_ADDRS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct esprit_addr);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_local SEC(".maps");

/* Requester prefixes allowed when ESPRIT_ECHO_ALLOWLIST is set. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, ESPRIT_ALLOW_PREFIXES_MAX);
	__type(key, struct esprit_prefix_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_allow SEC(".maps");

/*
 * Requester addresses answered even while the global bucket is empty (the
 * daemon writes its peers here); value unused. Allowlisted prefixes are
 * such sources too.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_PRIORITY_ADDRS_MAX);
	__type(key, struct esprit_addr);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_priority SEC(".maps");

/* Reply-rate state shared by all sources. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct esprit_rate_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_rate_all SEC(".maps");

/* Reply-rate state per requester prefix, at a hash of the prefix. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ESPRIT_RATE_PREFIX_SLOTS);
	__type(key, __u32);
	__type(value, struct esprit_rate_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_pfx_rate SEC(".maps");

/* Per CPU: the rate settings' GCRA parameters, recomputed when they change. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct esprit_rate_memo);
} esprit_rl_memo SEC(".maps");

/* Echo Identifiers whose replies are captured, and where they go. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_ECHO_SESSIONS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct esprit_echo_id);
	__type(value, struct esprit_echo_reader);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_echo_ids SEC(".maps");

/* One ring buffer per reader, installed by the reader itself. */
struct esprit_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, ESPRIT_RING_BYTES);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, ESPRIT_RING_SLOTS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct esprit_ring);
} esprit_rings SEC(".maps");

/* Events a reader lost because its ring was full, per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ESPRIT_RING_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_rb_drops SEC(".maps");

/* The value in force for a setting whose 0 means the default. */
static __always_inline __u32 cfg_or(__u32 value, __u32 fallback)
{
	return value ? value : fallback;
}

#endif
