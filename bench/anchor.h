/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping programs in the kernel's XDP dispatcher for the whole benchmark.
 *
 * BPF_PROG_TEST_RUN with repeat > 1 puts an XDP program into the dispatcher
 * before the run and takes it out after, and each change waits for an RCU
 * grace period: milliseconds on a busy machine, during which nothing runs.
 * A program that is attached somewhere is in the dispatcher already, so
 * the test run changes nothing. The anchor is a veth pair that stays down
 * and carries no traffic: one program on each end.
 */
#ifndef ESPRIT_BENCH_ANCHOR_H
#define ESPRIT_BENCH_ANCHOR_H

#define ANCHOR_PROGS_MAX 8

struct anchor {
	int ifindex[ANCHOR_PROGS_MAX];
	char name[ANCHOR_PROGS_MAX][16];
	int ends; /* veth ends created */
	int n; /* programs attached, one per end */
};

/*
 * Attaches prog_fd to the next free anchor end, creating a veth pair in
 * the current namespace when needed. Returns 0 or -errno.
 */
int anchor_add(struct anchor *a, int prog_fd);

/* Detaches everything and deletes the veth pairs. */
void anchor_release(struct anchor *a);

#endif
