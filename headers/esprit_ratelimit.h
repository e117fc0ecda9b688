/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ESPRIT_RATELIMIT_H
#define ESPRIT_RATELIMIT_H

#include "esprit_types.h"

/*
 * Token bucket kept as GCRA: the theoretical arrival time of the next
 * conforming packet. One word, updated with compare-and-swap, so every CPU
 * shares one exact bucket without a lock.
 */
struct esprit_rate_state {
	__u64 tat_ns;
};

/* A bucket's rate and burst in the units GCRA works in. */
struct esprit_rate_params {
	__u64 interval_ns; /* between two conforming requests: 1 s / rate */
	__u64 tolerance_ns; /* how far TAT may run ahead: burst - 1 intervals */
};

/*
 * Per CPU, the responder's rate settings as last read from esprit_config
 * and the parameters they give, so the divisions run when a setting
 * changes, not for every request.
 */
struct esprit_rate_memo {
	__u32 rate_global; /* as in struct esprit_config, 0 = default */
	__u32 rate_global_burst;
	__u32 rate_prefix;
	__u32 rate_prefix_burst;
	__u8 prefix_len_v4;
	__u8 prefix_len_v6;
	__u8 valid; /* 0 until first computed */
	__u8 pad;
	__u32 tick_ns; /* one jiffy, or 0: kernel HZ unknown */
	struct esprit_rate_params global;
	struct esprit_rate_params prefix;
	/* the prefix lengths as masks over an address's two 64-bit words
	 * (host order; IPv4 as ::ffff:a.b.c.d) */
	__u64 mask_v4[2];
	__u64 mask_v6[2];
};

#endif
