// SPDX-License-Identifier: GPL-2.0
/*
 * Far end for the kernel ICMPv6 echo baseline: passes every frame to the
 * stack. A veth only takes frames redirected into it (the generator's
 * XDP_TX) while its NAPI is enabled, which an attached XDP program does.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
