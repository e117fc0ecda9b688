/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timing one packet through a program with BPF_PROG_TEST_RUN, one run at
 * a time: the kernel's own duration of each run, so programs whose cost
 * depends on state the packet changes (a sequence number, a replay
 * window) are timed on fresh state every time.
 */
#ifndef ESPRIT_BENCH_TEST_RUN_H
#define ESPRIT_BENCH_TEST_RUN_H

#include <stddef.h>
#include <linux/types.h>

#include "pkt.h"
#include "table.h"

#define TEST_RUN_SINGLES 2001 /* single-packet runs per sample (odd) */

/*
 * The median duration (ns) of TEST_RUN_SINGLES runs of prog_fd on in;
 * each must return want_action with want_len bytes out (0: any length).
 * NAN after an error reported in t.
 */
double test_run_single_median(struct table *t, int prog_fd,
			      const struct pkt *in, __u32 want_action,
			      size_t want_len);

#endif
