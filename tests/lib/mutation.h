/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet mutation engine of bpf_xdp_mutation and bpf_risav_mutation:
 * mutations a fuzzer of packets would make (bits flipped, cut short,
 * extended, length, protocol and EtherType fields rewritten, bytes
 * overwritten), from a seeded generator, and the checks every mutated
 * packet's run must pass whatever it was.
 */
#ifndef ESPRIT_TEST_MUTATION_H
#define ESPRIT_TEST_MUTATION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "esprit_counters.h"
#include "pkt.h"

/* ESPRIT_MUTATION_SEED, or a fixed seed; the generator starts from it. */
unsigned long long mutation_start(void);
/* ESPRIT_MUTATIONS, or dflt: how many packets to run. */
unsigned long long mutation_count(unsigned long long dflt);
unsigned int mutation_below(unsigned int n);

/* One to three mutations of p. */
void mutation_apply(struct pkt *p);

/*
 * The counters' rule (esprit-stats(8)), from the packets per reason before
 * and after one run whose packet was sent, passed or dropped (fate: "tx",
 * "pass", "drop", as the reasons' actions say it): exactly one reason with
 * that action; event reasons besides; and what RISAV counts on a packet it
 * lets on (green channel, a fragment passed, a failed check with
 * risav-testing-passed) besides that. NULL if it held, else what broke.
 */
const char *mutation_reasons_check(const uint64_t *before,
				   const uint64_t *after, const char *fate);

/* The fate of an XDP action, and of a TC action. */
const char *mutation_xdp_fate(uint32_t action);
const char *mutation_tc_fate(int action);

/*
 * The harness's own reading of an ESP Echo Request (docs/protocols.md
 * §1.3-§1.5, not esprit's parser): a frame to mac, to local4 or local6,
 * whose request the responder may answer: well-formed IP straight to ESP
 * with SPI 7, a sub-typed or trailer form whose lengths agree, from a
 * source R2 allows.
 */
bool mutation_request_to_us(const uint8_t *d, size_t len, const uint8_t mac[6],
			    const char *local4, const char *local6);

/* A failed check: what broke, the seed and the frame as hex on stderr. */
void mutation_failed(unsigned long long i, unsigned long long seed,
		     const char *broke, uint32_t action, const struct pkt *p,
		     size_t out_len);

/*
 * The run's summary line on stderr: "[what: N packets in S s (R/s): "
 * then the outcomes (printf format and arguments), then the failures.
 * t0: when the run started (CLOCK_MONOTONIC).
 */
void mutation_summary(const char *what, unsigned long long n,
		      const struct timespec *t0, unsigned long long failures,
		      const char *outcomes, ...)
	__attribute__((format(printf, 5, 6)));

#endif
