/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV audit events (headers/esprit_audit.h) on the ring buffer
 * esprit_events, at most esprit_risav.audit_rate per second across all
 * CPUs (a GCRA bucket in esprit_audit_rl, burst a tenth of the rate).
 * Events over the rate, or lost to a full ring, are counted instead.
 */
#ifndef ESPRIT_BPF_AUDIT_H
#define ESPRIT_BPF_AUDIT_H

#include "lib/ctx.h"
#include "risav/maps.h"
#include "lib/counters.h"
#include "lib/ratelimit.h"

/* What an audit event says about the packet, gathered before it changes. */
struct audit_info {
	struct esprit_addr src;
	struct esprit_addr dst;
	__u32 asn;
	__u32 spi;
	__u32 seq;
	__u32 flow_label;
	__u32 bytes; /* frame length, for the counters */
	__u8 mode;
	__u8 has_ah;
};

static __always_inline __u32 audit_rate(const struct esprit_risav_config *cfg)
{
	return cfg->audit_rate ? cfg->audit_rate : ESPRIT_DEFAULT_AUDIT_RATE;
}

/*
 * A global function: the verifier checks it once, not once for each of
 * the many failure paths that call it. flags: ESPRIT_AUDIT_DROPPED.
 */
__noinline int esprit_audit_emit(struct xdp_md *ctx,
				 const struct audit_info *info, __u32 reason,
				 __u32 flags, __u32 rate)
{
	struct esprit_audit_event *ev;
	struct esprit_rate_state *rl;
	__u32 zero = 0, burst;
	__u64 now;

	if (!info || !rate)
		return -1;
	rl = bpf_map_lookup_elem(&esprit_audit_rl, &zero);
	if (!rl)
		return -1;
	now = bpf_ktime_get_coarse_ns();
	burst = rate_burst(rate, 0);
	/* A bucket further ahead than this rate ever puts it was left by a
	 * lower rate: start over rather than stay silent for its interval. */
	if (READ_ONCE(rl->tat_ns) > now + (NSEC_PER_SEC / rate) * (burst + 1))
		rl->tat_ns = now;
	if (!gcra_conforms(rl, now, rate, burst)) {
		count(ESPRIT_R_AUDIT_RATE_LIMITED, info->bytes);
		return 0;
	}
	ev = bpf_ringbuf_reserve(&esprit_events, sizeof(*ev), 0);
	if (!ev) {
		count(ESPRIT_R_AUDIT_RING_FULL, info->bytes);
		return 0;
	}
	ev->time_ns = bpf_ktime_get_ns();
	ev->src = info->src;
	ev->dst = info->dst;
	ev->spi = info->spi;
	ev->asn = info->asn;
	ev->seq = info->seq;
	ev->reason = reason;
	ev->flow_label = info->flow_label;
	ev->ifindex = ctx->ingress_ifindex;
	ev->mode = info->mode;
	ev->flags = (flags & ESPRIT_AUDIT_DROPPED) |
		    (info->has_ah ? ESPRIT_AUDIT_HAS_AH : 0);
	__builtin_memset(ev->pad, 0, sizeof(ev->pad));
	bpf_ringbuf_submit(ev, 0);
	return 1;
}

#endif
