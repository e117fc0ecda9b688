/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP Echo: wire layouts (docs/protocols.md §1.3, §1.3a, §1.4), the map of probe
 * identifiers whose replies XDP captures, and the reply event those readers
 * receive through their ring buffer.
 */
#ifndef ESPRIT_ECHO_H
#define ESPRIT_ECHO_H

#include "esprit_types.h"
#include "esprit_limits.h"
#include "esprit_proto.h"

#define ESPRIT_ECHO_HDR_LEN	4 /* seed form: Identifier + Sequence */
#define ESPRIT_SUBTYPED_HDR_LEN 8 /* sub-typed form after the ESP header */
#define ESPRIT_SUBTYPE_REQUEST	2
#define ESPRIT_SUBTYPE_RESPONSE 3
#define ESPRIT_SUBTYPED_FLAG_R	0x80 /* a 4-byte return SPI follows */
#define ESPRIT_RETURN_SPI_LEN	4

/* ESP header, identical in every form. */
struct esprit_esp_hdr {
	__be32 spi;
	__be32 seq;
};

/* Seed form (§1.3a): ESP header, this, Data, padding, Pad Length, NH 59. */
struct esprit_echo_seed {
	__be16 ident;
	__be16 seq;
};

/* Sub-typed form (§1.4): ESP header, this, [return SPI], Data; no trailer. */
struct esprit_echo_subtyped {
	__u8 subtype;
	__u8 flags;
	__be16 data_len;
	__be16 ident;
	__be16 seq;
};

enum esprit_echo_format {
	ESPRIT_ECHO_FMT_SEED = 1,
	ESPRIT_ECHO_FMT_EMPTY = 2,
	ESPRIT_ECHO_FMT_SUBTYPED = 3,
};

/*
 * Key of esprit_echo_ids: the Identifier of one probe stream. Its value says
 * which ring buffer slot of esprit_rings gets the replies.
 */
struct esprit_echo_id {
	__u16 ident;
};

struct esprit_echo_reader {
	__u32 ring_slot; /* index into esprit_rings */
	__u32 owner_pid; /* process that registered it, for stale-entry sweeps */
	/*
	 * The probed address: only replies from it are taken, so a reply in
	 * transit through this host is never captured just because its 16-bit
	 * Identifier collides with ours. family 0: any source.
	 */
	struct esprit_addr peer;
};

enum esprit_event_type {
	ESPRIT_EV_ECHO_REPLY = 1,
};

/* One ESP Echo Reply, timestamped in XDP (bpf_ktime_get_ns, CLOCK_MONOTONIC). */
struct esprit_echo_reply_event {
	__u16 type; /* ESPRIT_EV_ECHO_REPLY */
	__u8 format; /* enum esprit_echo_format */
	__u8 dscp; /* of the reply as received */
	__u32 ifindex;
	__u64 rx_ns;
	struct esprit_addr src;
	struct esprit_addr dst;
	__u32 esp_seq;
	__u16 ident;
	__u16 seq;
	__u16 data_len; /* Data bytes in the reply */
	__u8 ttl; /* TTL / hop limit as received */
	__u8 pad;
	__u8 data[ESPRIT_ECHO_EVENT_DATA]; /* start of Data */
};

#endif
