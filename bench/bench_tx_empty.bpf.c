// SPDX-License-Identifier: GPL-2.0
/*
 * Baseline of the test-run table: an XDP program that does nothing but
 * return XDP_TX, so the difference to esprit_xdp is esprit's own work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_tx_empty(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
