// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/risav/icv.h from an XDP and a TC program, for the suite that checks the
 * ICV input it leaves in the packet against the test library's, and that
 * restoring gives the packet back: the receiver (XDP) and the egress
 * tagger (TC) share this code.
 */
#include "lib/ctx.h"
#include "risav/icv.h"
#include "ah_icv_test.h"

struct ah_icv_req req;
int rc;

static __always_inline struct ah_layout layout(void)
{
	struct ah_layout l = {
		.l3_off = req.l3_off,
		.ah_off = req.ah_off,
		.icv_len = req.icv_len,
		.family = req.family,
	};

	return l;
}

SEC("xdp")
int ah_icv_xdp(struct xdp_md *ctx)
{
	struct ah_icv_scratch *scr = ah_icv_scratch();
	struct ah_layout l = layout();

	if (!scr)
		return XDP_ABORTED;
	rc = ah_icv_prepare(ctx, &l, scr);
	if (!rc && req.mode == AH_ICV_ROUND_TRIP)
		rc = ah_icv_restore(ctx, &l, scr);
	return XDP_PASS;
}

SEC("tc")
int ah_icv_skb(struct __sk_buff *skb)
{
	struct ah_icv_scratch *scr = ah_icv_scratch();
	struct ah_layout l = layout();

	if (!scr)
		return 2; /* TC_ACT_SHOT */
	rc = ah_icv_prepare(skb, &l, scr);
	if (!rc && req.mode == AH_ICV_ROUND_TRIP)
		rc = ah_icv_restore(skb, &l, scr);
	return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
