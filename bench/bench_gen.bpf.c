// SPDX-License-Identifier: GPL-2.0
/*
 * Packet generator, run by BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 * and the generator's veth as ingress: XDP_TX then sends each frame out of
 * that veth to the far end.
 *
 * Live frames recycle their pages without re-copying the template, and a
 * far end that answers in place (XDP_TX) rewrites the very page it got: the
 * page returns to the generator holding a reply. So every frame is written
 * again from the template here before it is sent.
 */
#include "lib/ctx.h"
#include "bench/bench_frames.h"

/* Filled by esprit_bench before the first run. */
__u8 frame[BENCH_FRAME_MAX];
__u32 frame_len;

/* Frames handed to XDP_TX. One test run executes on one CPU at a time. */
__u64 sent;

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	__u32 len = frame_len;

	if (len == 0 || len > BENCH_FRAME_MAX)
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, frame, len))
		return XDP_ABORTED;
	sent++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
