/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV (docs/protocols.md §2): the AS-scoped AH header, and the maps a border
 * router's dataplane reads: its own ASN, prefix → origin ASN from the RPKI,
 * participating peers with their contact addresses, and audit events.
 * SAs are keyed by (SPI, peer ASN), the peer ASN found by longest-prefix
 * match on the source address (§2.5a).
 */
#ifndef ESPRIT_RISAV_H
#define ESPRIT_RISAV_H

#include "esprit_types.h"
#include "esprit_limits.h"
#include "esprit_proto.h"

#define ESPRIT_AH_SCOPE_IP 0 /* classic end-to-end AH: left alone */
#define ESPRIT_AH_SCOPE_AS 1 /* RISAV */

/* RFC 4302 AH with the RESERVED field split into reserved + Scope (§2.3). */
struct esprit_ah_hdr {
	__u8 nexthdr;
	__u8 payload_len; /* AH length in 4-byte words, minus 2 */
	__u8 reserved;
	__u8 scope;
	__be32 spi;
	__be32 seq;
	/* ICV (and padding) follow */
};

/* risav_flags */
#define ESPRIT_RISAV_PASS_FRAGMENTS \
	(1U << 0) /* pass, not drop, fragments
					      * from enforced peers */
/* green channel to or from any contact address, not only contact to
 * contact (the draft's wider rule) */
#define ESPRIT_RISAV_GREEN_ANY_CONTACT (1U << 1)

/* The one-entry map esprit_risav. local_asn 0 = RISAV off. */
struct esprit_risav_config {
	__u32 local_asn;
	__u32 risav_flags;
	__u32 audit_rate; /* audit events/s; 0 = default */
	/* ICMP errors for too-big packets, per second and source; 0 = default */
	__u32 too_big_rate;
};

#define ESPRIT_DEFAULT_AUDIT_RATE   100
#define ESPRIT_DEFAULT_TOO_BIG_RATE 10
#define ESPRIT_TOO_BIG_RATE_MAX	    100000

/*
 * The token buckets of those ICMP errors: one per source address, at a
 * hash of it (two sources share one only when their hashes collide).
 */
#define ESPRIT_TOO_BIG_SLOTS 1024

/*
 * An interface esprit has prepared for tagging (esprit_tag_devs, by
 * ifindex): its transmit checksum offload is off, so the kernel completes
 * every checksum a sender left to the device (CHECKSUM_PARTIAL) as
 * skb_checksum_help() does, before the frame leaves and after the tag was
 * computed over that final value; and its GSO limit is one segment, so
 * the host's own TCP reaches TC egress one segment per packet. XDP tags
 * forwarded packets only towards such interfaces. What they had before,
 * for esprit detach to put back.
 */
struct esprit_tag_dev {
	__u32 gso_max_segs;
	__u8 tx_csum; /* 1: transmit checksum offload was on */
	__u8 pad[3];
};

#define ESPRIT_TAG_DEVS_MAX 256

/*
 * Value of the prefix LPM tries (key struct esprit_prefix_key). asn is
 * ESPRIT_ASN_NONE for a prefix the RPKI gives several origin ASes (MOAS):
 * its sources belong to no single AS, so no peer's rules apply to them, and
 * the entry still shadows any shorter prefix that covers it.
 */
struct esprit_prefix_origin {
	__u32 asn;
	__u32 source; /* enum esprit_prefix_source: who put it there */
};

#define ESPRIT_ASN_NONE 0

/* Where a prefix table entry came from (esprit prefix list shows it). */
enum esprit_prefix_source {
	ESPRIT_PREFIX_FROM_CLI = 0, /* esprit prefix add */
	ESPRIT_PREFIX_FROM_IMPORT = 1, /* an RPKI file */
	ESPRIT_PREFIX_FROM_STATIC = 2, /* risav.prefixes.static */
	ESPRIT_PREFIX_FROM_RTR = 3, /* an RPKI-to-Router cache */
};

/*
 * The IPv4 index (slot 0 of esprit_pfx4): the prefix table's answers for
 * IPv4 laid out for one or two reads (DIR-24-8), where the trie walks ~20
 * nodes, each a cache miss at 800k prefixes. An array of __u32 cells:
 *
 *   [0, 2^24)              one per /24, by the address's top 24 bits
 *   ESPRIT_PFX4_ORIGINS +i  origin ASN number i
 *   ESPRIT_PFX4_GROUPS + 256*g + d  group g: one cell per last byte d, for
 *                          a /24 that holds prefixes longer than /24
 *   ESPRIT_PFX4_NORIGINS, ESPRIT_PFX4_NGROUPS  how many are in use
 *
 * A /24 or group cell is ESPRIT_PFX4_NONE (no prefix covers it),
 * ESPRIT_PFX4_ORIGIN0 + i (origin number i), or, for /24 cells only,
 * ESPRIT_PFX4_GROUP | g. User space builds it beside every trie and keeps
 * it in step; when there is one, IPv4 lookups read only the index and
 * IPv6 lookups only the trie, so each packet sees one table.
 */
#define ESPRIT_PFX4_NONE    0
#define ESPRIT_PFX4_ORIGIN0 1
#define ESPRIT_PFX4_GROUP   0x80000000U

#define ESPRIT_PFX4_ORIGINS  ESPRIT_PFX4_SLOTS
#define ESPRIT_PFX4_GROUPS   (ESPRIT_PFX4_ORIGINS + ESPRIT_PFX4_ORIGINS_MAX)
#define ESPRIT_PFX4_NORIGINS (ESPRIT_PFX4_GROUPS + 256 * ESPRIT_PFX4_GROUPS_MAX)
#define ESPRIT_PFX4_NGROUPS  (ESPRIT_PFX4_NORIGINS + 1)
#define ESPRIT_PFX4_CELLS    (ESPRIT_PFX4_NGROUPS + 1)

/* Two cells per array element: arrays round values up to 8 bytes. */
struct esprit_pfx4_cells {
	__u32 cell[2];
};

enum esprit_peer_mode {
	ESPRIT_PEER_OFF = 0, /* untouched */
	ESPRIT_PEER_TESTING = 1, /* verify and count, never drop */
	ESPRIT_PEER_ENFORCE = 2, /* drop what fails or carries no tag */
};

#define ESPRIT_PEER_CONTACTS 2 /* one contact IP per address family */

/*
 * What the egress tagger does with a packet for the peer when no outbound
 * SA covers its DSCP (and none has `any`), or the SA's sequence numbers
 * are used up: send it untagged (the peer, if it enforces, drops it) or
 * drop it here.
 */
enum esprit_no_sa_policy {
	ESPRIT_NO_SA_UNTAGGED = 0,
	ESPRIT_NO_SA_DROP = 1,
};

/* Value of esprit_peers, keyed by the peer's ASN (__u32). */
struct esprit_peer {
	__u32 mode; /* enum esprit_peer_mode */
	__u32 contact_count;
	struct esprit_addr contact[ESPRIT_PEER_CONTACTS];
	__u32 no_sa; /* enum esprit_no_sa_policy; egress only */
};

#endif
