// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/random.h>

#include "daemon/jitter.h"

int jitter_rng_init(struct jitter_rng *r)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		return -errno;
	jitter_rng_seed(r, seed);
	return 0;
}

void jitter_rng_seed(struct jitter_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t jitter_rng_next(struct jitter_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t jitter_interval(uint64_t interval_ns, uint32_t detect_mult,
			 uint64_t rnd)
{
	/* 128-bit products: exact for any interval up to 60 s and beyond. */
	unsigned __int128 low = (unsigned __int128)interval_ns * 75 / 100;
	unsigned __int128 span = (unsigned __int128)interval_ns *
				 (detect_mult == 1 ? 15 : 25) / 100;

	return (uint64_t)(low + ((span * (rnd >> 32)) >> 32));
}
