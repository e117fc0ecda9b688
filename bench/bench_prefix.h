/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the prefix benchmark's BPF program and its driver. */
#ifndef ESPRIT_BENCH_PREFIX_H
#define ESPRIT_BENCH_PREFIX_H

#include "esprit_types.h"

/* Addresses cycled through: a power of two, 1 MiB of them, so they do not
 * all sit in cache beside the trie. */
#define BENCH_ADDRS   65536
#define BENCH_LOOKUPS 64 /* per program run */

/* Per-lookup latency histograms: BENCH_HIST_NS-wide buckets, the last one
 * collecting everything beyond. */
#define BENCH_TIMED	   16 /* timed lookups per run */
#define BENCH_HIST_NS	   5
#define BENCH_HIST_BUCKETS 2048

/* A direct-indexed table's floor: one read at a random place in 64 MiB
 * (what a 2^24-slot IPv4 array would cost). */
#define BENCH_FLAT_SLOTS (16 * 1024 * 1024)

struct bench_addr {
	__u8 addr[16]; /* IPv4 as ::ffff:a.b.c.d */
};

#endif
