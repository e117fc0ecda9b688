/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe intervals jittered as BFD jitters its packets (RFC 5880 §6.8.7):
 * each interval is the configured one reduced by a random 0-25%, or, with a
 * detect multiplier of 1, by 10-25%, so a single late probe cannot be the
 * whole detection time. Streams started together drift apart at once and
 * never fall into step. A small PRNG (SplitMix64) keeps it cheap.
 */
#ifndef ESPRIT_JITTER_H
#define ESPRIT_JITTER_H

#include <stdint.h>

struct jitter_rng {
	uint64_t state;
};

/* Seeds from getrandom(); a fixed seed for tests with jitter_rng_seed. */
int jitter_rng_init(struct jitter_rng *r);
void jitter_rng_seed(struct jitter_rng *r, uint64_t seed);
uint64_t jitter_rng_next(struct jitter_rng *r);

/* The next interval for a stream: in [0.75, 1.0) x interval_ns, or
 * [0.75, 0.90) x interval_ns when detect_mult is 1; rnd picks where. */
uint64_t jitter_interval(uint64_t interval_ns, uint32_t detect_mult,
			 uint64_t rnd);

#endif
