/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV audit events (RFC 4302 §3.4: every failed check is auditable with
 * SPI, time, addresses, sequence number and IPv6 flow label). The XDP
 * program sends them, at most esprit_risav.audit_rate per second, on the
 * ring buffer esprit_events; `esprit monitor` prints them.
 */
#ifndef ESPRIT_AUDIT_H
#define ESPRIT_AUDIT_H

#include "esprit_types.h"

#define ESPRIT_AUDIT_DROPPED (1U << 0) /* dropped (else passed: testing) */
#define ESPRIT_AUDIT_HAS_AH  (1U << 1) /* spi and seq come from an AH */

struct esprit_audit_event {
	__u64 time_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	struct esprit_addr src;
	struct esprit_addr dst;
	__u32 spi;
	__u32 asn; /* the source's AS */
	__u32 seq;
	__u32 reason; /* enum esprit_reason */
	__u32 flow_label; /* IPv6; 0 for IPv4 */
	__u32 ifindex; /* where the packet arrived */
	__u8 mode; /* enum esprit_peer_mode of the source's AS */
	__u8 flags; /* ESPRIT_AUDIT_* */
	__u8 pad[6];
};

#endif
