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

#endif
