// SPDX-License-Identifier: GPL-2.0
/*
 * Looks up the origin AS of two addresses with bpf/risav/prefix.h, from one
 * snapshot as a packet would (source and destination): the test reads the
 * results back from the packet (repeat = 1). Two per run let a test see
 * whether one run ever meets two tables, or half of one.
 */
#include "lib/ctx.h"
#include "risav/prefix.h"
#include "prefix_lookup.h"

SEC("xdp")
int prefix_lookup(struct xdp_md *ctx)
{
	struct prefix_lookup_io *io = xdp_data(ctx);

	struct prefix_snapshot snap;

	if ((void *)(io + 1) > xdp_data_end(ctx))
		return XDP_ABORTED;
	prefix_snapshot(&snap);
	for (int i = 0; i < PREFIX_LOOKUP_ADDRS; i++) {
		__u32 asn = 0;

		io->found[i] = prefix_origin_in(&snap, io->addr[i], &asn);
		io->asn[i] = asn;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
