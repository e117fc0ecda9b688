/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every max_entries and fixed size in one place, each with how it was sized.
 * Each can be overridden with -D at build time.
 */
#ifndef ESPRIT_LIMITS_H
#define ESPRIT_LIMITS_H

/* Addresses the responder answers for; a large router carries a few hundred. */
#ifndef ESPRIT_LOCAL_ADDRS_MAX
#define ESPRIT_LOCAL_ADDRS_MAX 1024
#endif

/*
 * Token buckets for requester prefixes (/24, /64 by default), each prefix
 * at a hash of itself: with k prefixes active, one shares its bucket with
 * another with probability about k / slots (1000 active: 0.4%). A power of
 * two; 8 bytes each (2 MiB).
 */
#ifndef ESPRIT_RATE_PREFIX_SLOTS
#define ESPRIT_RATE_PREFIX_SLOTS 262144
#endif

/* Allowlisted requester prefixes: an operator's hand-written list. */
#ifndef ESPRIT_ALLOW_PREFIXES_MAX
#define ESPRIT_ALLOW_PREFIXES_MAX 4096
#endif

/*
 * Requester addresses answered past an empty global bucket: the daemon's
 * peers, a few per configured peer at most.
 */
#ifndef ESPRIT_PRIORITY_ADDRS_MAX
#define ESPRIT_PRIORITY_ADDRS_MAX 4096
#endif

/*
 * Echo identifiers whose replies XDP captures: the daemon uses one per peer
 * and DSCP class (1000 peers x 4 classes), plus interactive pings.
 */
#ifndef ESPRIT_ECHO_SESSIONS_MAX
#define ESPRIT_ECHO_SESSIONS_MAX 4096
#endif

/* Ring buffers readers can attach at once: the daemon plus a few pings. */
#ifndef ESPRIT_RING_SLOTS
#define ESPRIT_RING_SLOTS 16
#endif

/*
 * Bytes per reply ring buffer: 4 MiB holds ~40k reply events (96 B + 8 B
 * header), i.e. 200 probe streams at 1 kHz for 200 ms of reader stall.
 */
#ifndef ESPRIT_RING_BYTES
#define ESPRIT_RING_BYTES (4 * 1024 * 1024)
#endif

/*
 * Prefixes in one prefix → origin-ASN table: the global RPKI has ~800k
 * VRPs (end of 2025, +23%/year); 2M leaves years of growth.
 */
#ifndef ESPRIT_PREFIXES_MAX
#define ESPRIT_PREFIXES_MAX (2 * 1024 * 1024)
#endif

/*
 * The IPv4 index beside the prefix trie (headers/esprit_risav.h): one cell
 * per /24 (2^24); the origin ASNs cells point to (2^18: five times the
 * ~53k origin ASes of the global RPKI); groups of 256 cells, one per
 * address, for the /24s that hold longer prefixes (VRPs longer than /24
 * are well under 1%); two counters. ~73 MiB.
 */
#define ESPRIT_PFX4_SLOTS	(1U << 24)
#define ESPRIT_PFX4_ORIGINS_MAX (1U << 18)
#define ESPRIT_PFX4_GROUPS_MAX	8192

/* Participating peer ASes; RISAV is deployed pairwise between ASes. */
#ifndef ESPRIT_PEERS_MAX
#define ESPRIT_PEERS_MAX 4096
#endif

/* Contact addresses (green channel): two per peer plus our own. */
#define ESPRIT_CONTACTS_MAX (2 * ESPRIT_PEERS_MAX + 2)

/* Audit event ring: 1 MiB holds ~10k events (~100 B) of reader stall. */
#ifndef ESPRIT_EVENTS_BYTES
#define ESPRIT_EVENTS_BYTES (1024 * 1024)
#endif

/* Bytes of echo Data copied into a reply event: send time + tag + spare. */
#define ESPRIT_ECHO_EVENT_DATA 32

/* Counter slots: room to append reasons without resizing the map. */
#define ESPRIT_REASONS_MAX 128

/* Deepest VLAN stack parsed (802.1ad outer + 802.1Q inner). */
#define ESPRIT_VLAN_MAX 2

/* IPv6 extension headers walked to find ESP before giving up. */
#define ESPRIT_IPV6_EXT_MAX 4

/*
 * Inbound RISAV SAs: a peer AS has one SA per sending border router (or
 * per CPU, for replay protection, docs/protocols.md §2.4), and two while it
 * rekeys: 4 per peer over ESPRIT_PEERS_MAX peers.
 */
#ifndef ESPRIT_SAS_IN_MAX
#define ESPRIT_SAS_IN_MAX (4 * ESPRIT_PEERS_MAX)
#endif

/*
 * Outbound RISAV SAs: one per DSCP class a peer is sent, plus one while
 * each rekeys; 4 per peer as for inbound.
 */
#ifndef ESPRIT_SAS_OUT_MAX
#define ESPRIT_SAS_OUT_MAX (4 * ESPRIT_PEERS_MAX)
#endif

/* (peer, DSCP) selections: at most every DSCP of every peer. */
#ifndef ESPRIT_SA_SEL_MAX
#define ESPRIT_SA_SEL_MAX ESPRIT_PEERS_MAX
#endif

/*
 * Replay window bounds in packets: RFC 4302 §3.4.3 asks for at least 32;
 * 4096 absorbs the reordering of a multi-queue sender at 10 Mpps for
 * 0.4 ms. 0 turns the check off (the draft's AS-wide SAs).
 */
#define ESPRIT_REPLAY_WINDOW_MIN 32
#define ESPRIT_REPLAY_WINDOW_MAX 4096

/*
 * Bytes from the frame's start to the end of the AH's ICV that the ICV
 * preparation copies aside (bpf/risav/icv.h): Ethernet with two VLAN tags
 * (22), IPv4 with 40 bytes of options (60) or IPv6 (40) with up to ~380
 * bytes of hop-by-hop and destination options, and the AH up to its ICV.
 * A power of two: offsets into the copy are masked with it.
 */
#define ESPRIT_AH_HDRS_MAX 512

/* Options walked in the headers before an AH (IPv4 options, IPv6
 * hop-by-hop and destination options) before giving up on a packet. */
#define ESPRIT_AH_OPTS_MAX 64

#endif
