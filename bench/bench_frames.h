/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the veth benchmark's BPF programs share with esprit_bench: the
 * generator's frame template size and the kinds of frame the generator's
 * veth counts on the way back.
 */
#ifndef ESPRIT_BENCH_FRAMES_H
#define ESPRIT_BENCH_FRAMES_H

/* Largest frame the generator writes (a request with 64 B of Data is 134). */
#define BENCH_FRAME_MAX 256

/* Index into bench_rx_count's per-CPU counters. */
enum bench_rx_kind {
	BENCH_RX_ESP_REPLY = 0, /* ESP with the reply SPI */
	BENCH_RX_ICMP6_REPLY = 1, /* ICMPv6 Echo Reply */
	BENCH_RX_OTHER = 2, /* anything else (passed to the stack) */
	BENCH_RX_KINDS
};

#endif
