/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The requests the benchmarks send, built with the tests' packet builder
 * (tests/lib/pkt.h): the IPv6 ESP Echo Request of the issue in the seed and
 * sub-typed forms, and an ICMPv6 Echo Request of the seed request's frame
 * length for the kernel.
 */
#ifndef ESPRIT_BENCH_FRAMES_BUILD_H
#define ESPRIT_BENCH_FRAMES_BUILD_H

#include <stdint.h>

#include "pkt.h"

/* Bytes of echo Data in every request (the workload). */
#define BENCH_ECHO_DATA 64

struct frame_ends {
	uint8_t src_mac[6], dst_mac[6];
	const char *src, *dst; /* IPv6 addresses */
};

/* Seed form (docs/protocols.md §1.3a): SPI, ESP seq, Identifier, Sequence,
 * BENCH_ECHO_DATA bytes of Data, padding 1, 2, ..., Pad Length, NH 59. */
void frame_esp_echo_request(struct pkt *p, const struct frame_ends *e,
			    uint32_t spi);

/* Sub-typed form (docs/protocols.md §1.4), the default: SPI 7, ESP seq,
 * Sub-Type 2, no flags, Data Length, Identifier, Sequence, the same Data. */
void frame_esp_echo_subtyped(struct pkt *p, const struct frame_ends *e);

/* ICMPv6 Echo Request whose IPv6 payload is as long as the ESP request's. */
void frame_icmp6_echo_request(struct pkt *p, const struct frame_ends *e);

#endif
