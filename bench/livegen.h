/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A packet generator on BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 * (Debian's xdp-trafficgen does not run here): bench_gen.bpf.c writes the
 * frame and returns XDP_TX, which the kernel turns into a transmission out
 * of the given interface. Call from the namespace that interface is in.
 */
#ifndef ESPRIT_BENCH_LIVEGEN_H
#define ESPRIT_BENCH_LIVEGEN_H

#include <linux/types.h>

#include "pkt.h"

struct bench_gen;

struct livegen {
	struct bench_gen *skel;
	int prog_fd;
	int ifindex;
	const struct pkt *frame;
};

/* Returns 0 or -errno. */
int livegen_open(struct livegen *g, int ifindex);
void livegen_close(struct livegen *g);

/* The frame sent from now on; must stay valid while in use. */
int livegen_set_frame(struct livegen *g, const struct pkt *frame);

/* Frames handed to the interface so far. */
__u64 livegen_sent(const struct livegen *g);

/*
 * Sends for about `seconds` (whole test runs of a fixed batch). Returns
 * 0 or -errno; *elapsed is the time actually spent sending.
 */
int livegen_run(struct livegen *g, double seconds, double *elapsed);

#endif
