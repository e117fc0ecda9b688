// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "cpu.h"
#include "bench_frames.h"
#include "livegen.h"

#include "bench_gen.skel.h"

/*
 * Frames per test run: about 10-30 ms at the rates seen here, so the stop
 * time is met closely and the syscall is nothing next to the run.
 */
#define LIVEGEN_REPEAT (1U << 16)

int livegen_open(struct livegen *g, int ifindex)
{
	memset(g, 0, sizeof(*g));
	g->skel = bench_gen__open_and_load();
	if (!g->skel)
		return -errno;
	g->prog_fd = bpf_program__fd(g->skel->progs.bench_gen);
	g->ifindex = ifindex;
	return 0;
}

void livegen_close(struct livegen *g)
{
	bench_gen__destroy(g->skel);
	g->skel = NULL;
}

int livegen_set_frame(struct livegen *g, const struct pkt *frame)
{
	if (frame->len > BENCH_FRAME_MAX)
		return -EMSGSIZE;
	memcpy(g->skel->bss->frame, frame->data, frame->len);
	g->skel->bss->frame_len = frame->len;
	g->frame = frame;
	return 0;
}

__u64 livegen_sent(const struct livegen *g)
{
	return g->skel->bss->sent;
}

int livegen_run(struct livegen *g, double seconds, double *elapsed)
{
	struct xdp_md ctx = {.data_end = g->frame->len,
			     .ingress_ifindex = g->ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->frame->data,
		    .data_size_in = g->frame->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = LIVEGEN_REPEAT,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	double start = clock_s(CLOCK_MONOTONIC), now = start;

	while (now - start < seconds) {
		if (bpf_prog_test_run_opts(g->prog_fd, &opts) && errno != EINTR)
			return -errno;
		now = clock_s(CLOCK_MONOTONIC);
	}
	*elapsed = now - start;
	return 0;
}
