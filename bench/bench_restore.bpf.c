// SPDX-License-Identifier: GPL-2.0
/*
 * The frame of every repetition of a testrun-echo sample: writes the
 * request back over whatever the last repetition left (a reply), then
 * tail-calls the program measured. Every subject of the table runs behind
 * its own copy, so the copy and the tail call cost all of them alike and
 * cancel out of the differences the table reports.
 */
#include "lib/ctx.h"
#include "bench/bench_frames.h"

/* Filled by esprit_bench before the first run. */
__u8 frame[BENCH_FRAME_MAX];
__u32 frame_len;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} measured SEC(".maps");

SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	__u32 len = frame_len;

	if (len == 0 || len > BENCH_FRAME_MAX)
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, frame, len))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &measured, 0);
	return XDP_ABORTED; /* nothing to call */
}

char LICENSE[] SEC("license") = "GPL";
