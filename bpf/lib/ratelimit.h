/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GCRA token buckets (see headers/esprit_ratelimit.h). Time comes from the
 * coarse clock: requests within one tick share a timestamp, which the burst
 * allowance absorbs, and reading it costs a fraction of bpf_ktime_get_ns.
 */
#ifndef ESPRIT_BPF_RATELIMIT_H
#define ESPRIT_BPF_RATELIMIT_H

#include "lib/ctx.h"
#include "esprit_config.h"
#include "esprit_limits.h"
#include "esprit_ratelimit.h"

#define NSEC_PER_SEC   1000000000ULL
#define GCRA_CAS_TRIES 4

/* From the running kernel's config (libbpf reads it); 0 if there is none. */
extern unsigned int CONFIG_HZ __kconfig __weak;

/* Nanoseconds per jiffy for rate_now_ns(), or 0 to use the coarse clock. */
static __always_inline __u32 rate_tick_ns(void)
{
	return CONFIG_HZ ? (__u32)NSEC_PER_SEC / CONFIG_HZ : 0;
}

/*
 * Now, at the resolution of the kernel's tick. jiffies is one load (the
 * verifier inlines bpf_jiffies64()); bpf_ktime_get_coarse_ns(), the same
 * tick as nanoseconds, is a helper call, used when HZ is unknown. The two
 * count from different origins: a bucket keeps to one of them.
 */
static __always_inline __u64 rate_now_ns(__u32 tick_ns)
{
	if (tick_ns)
		return bpf_jiffies64() * tick_ns;
	return bpf_ktime_get_coarse_ns();
}

static __always_inline __u32 rate_burst(__u32 rate, __u32 burst)
{
	if (burst)
		return burst;
	burst = rate / ESPRIT_BURST_DIVISOR;
	return burst ? burst : 1;
}

/* Dividing by a variable costs tens of cycles: do it when rates change. */
static __always_inline void rate_params(struct esprit_rate_params *p,
					__u32 rate, __u32 burst)
{
	/* 10^9 fits 32 bits: a 32-bit division, several times cheaper */
	p->interval_ns = (__u32)NSEC_PER_SEC / rate;
	p->tolerance_ns = p->interval_ns * (rate_burst(rate, burst) - 1);
}

/* Returns 1 if a packet at now_ns conforms to the bucket's parameters. */
static __always_inline int
gcra_conforms_params(struct esprit_rate_state *state, __u64 now_ns,
		     const struct esprit_rate_params *p)
{
	for (int i = 0; i < GCRA_CAS_TRIES; i++) {
		__u64 tat = READ_ONCE(state->tat_ns);
		__u64 start = tat > now_ns ? tat : now_ns;

		if (start - now_ns > p->tolerance_ns)
			return 0;
		if (__sync_val_compare_and_swap(&state->tat_ns, tat,
						start + p->interval_ns) == tat)
			return 1;
	}
	/* Lost every race: others are sending right now; count it over-limit. */
	return 0;
}

/*
 * Returns 1 if a packet at now_ns conforms to rate/s with the given burst
 * (0: rate / ESPRIT_BURST_DIVISOR).
 */
static __always_inline int gcra_conforms(struct esprit_rate_state *state,
					 __u64 now_ns, __u32 rate, __u32 burst)
{
	struct esprit_rate_params p;

	rate_params(&p, rate, burst);
	return gcra_conforms_params(state, now_ns, &p);
}

/* The first plen bits of 128 as a mask over two 64-bit words. */
static __always_inline void rate_prefix_mask(__u64 mask[2], __u32 plen)
{
	if (plen > 128)
		plen = 128;
	mask[0] = plen >= 64 ? ~0ULL : plen ? ~0ULL << (64 - plen) : 0;
	mask[1] = plen >= 128 ? ~0ULL : plen > 64 ? ~0ULL << (128 - plen) : 0;
}

/*
 * The bucket of a source prefix (the address's two words, already cut to
 * the prefix length): one of ESPRIT_RATE_PREFIX_SLOTS, by hash. Two
 * prefixes share a bucket only when their hashes collide; then they share
 * its rate (never more than one prefix's worth for both).
 */
static __always_inline __u32 rate_prefix_slot(__u64 hi, __u64 lo)
{
	__u64 h;

	/* two multiply-xorshift rounds: every address bit reaches the index */
	h = (hi ^ (lo * 0x9e3779b97f4a7c15ULL)) * 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 29;
	return h & (ESPRIT_RATE_PREFIX_SLOTS - 1);
}

#endif
