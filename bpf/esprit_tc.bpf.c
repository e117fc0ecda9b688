// SPDX-License-Identifier: GPL-2.0
/*
 * esprit's TC egress program, for clsact egress of the outside interface:
 * adds RISAV tags (risav/tag.h). It shares every pinned map with esprit_xdp.
 */
#include "lib/ctx.h"
#include "risav/tag.h"

SEC("tc")
int esprit_tc(struct __sk_buff *skb)
{
	return risav_tag(skb);
}

char LICENSE[] SEC("license") = "GPL";
