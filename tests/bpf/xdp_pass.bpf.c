// SPDX-License-Identifier: GPL-2.0
/* Passes everything: lets a veth end receive its peer's XDP_TX frames. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
