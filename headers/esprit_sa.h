/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV security associations as the dataplane holds them. An inbound SA
 * is keyed by (SPI, peer ASN): the seed's SAD (docs/protocols.md §2.5a), the
 * peer ASN being the origin AS of the packet's source address. Three maps
 * share that key:
 *   esprit_sa_in     the SA: algorithm, key midstates, replay window, state
 *   esprit_sa_in_rw  its replay window (only when the window is on), under
 *                    a spin lock so CPUs receiving the same SA agree
 *   esprit_sa_in_st  its counters, per CPU
 * User space writes the first two; BPF only reads the SA and updates the
 * window and counters.
 */
#ifndef ESPRIT_SA_H
#define ESPRIT_SA_H

#include "esprit_types.h"
#include "esprit_hmac.h"
#include "esprit_limits.h"

#ifndef __VMLINUX_H__
#include <linux/bpf.h> /* struct bpf_spin_lock */
#endif

/* RFC 4302 §2.4: SPI 0 is never sent, 1-255 are reserved to IANA. */
#define ESPRIT_SPI_MIN 256

struct esprit_sa_in_key {
	__u32 spi; /* host byte order */
	__u32 asn; /* the peer AS: origin of the source address */
};

enum esprit_sa_state {
	ESPRIT_SA_ACTIVE = 1, /* verifies; anything else counts as no SA */
	/* outbound, kept from tagging: its counter neared the last
	 * reservation the sequence ledger could save (user/risav/seq_ledger.h) */
	ESPRIT_SA_HELD = 2,
};

struct esprit_sa_in {
	struct esprit_auth_key auth; /* algorithm, ICV length, midstates */
	__u32 replay_window; /* packets; 0 = no replay check */
	__u32 state; /* enum esprit_sa_state */
};

/* Per CPU; sums over CPUs are the SA's totals. */
struct esprit_sa_stats {
	__u64 packets; /* verified (bytes: of the IP packets as received) */
	__u64 bytes;
	__u64 bad_icv;
	__u64 replayed; /* replays and sequence numbers left of the window */
};

/*
 * A sliding window over sequence numbers as a ring of 64-bit words: bit
 * (seq % 64) of word n = seq / 64 sits in slot n % ESPRIT_REPLAY_WORDS,
 * which says which n it holds (word[]); a slot holding an older word
 * counts as empty, so moving the window never has to clear slots. One
 * slot more than the largest window spans, so two words inside the window
 * never share one.
 */
#define ESPRIT_REPLAY_WORDS (ESPRIT_REPLAY_WINDOW_MAX / 64 + 1)

struct esprit_replay {
	struct bpf_spin_lock lock;
	__u32 top; /* highest sequence number accepted; 0 = none yet */
	__u64 bitmap[ESPRIT_REPLAY_WORDS];
	__u32 word[ESPRIT_REPLAY_WORDS]; /* seq / 64 of each slot's bits */
};

/*
 * Outbound SAs (the egress tagger, bpf/risav/tag.h). Keyed like the inbound
 * ones by (SPI, peer ASN): SPIs are chosen by each receiving AS, so two
 * peers may pick the same one. Three maps:
 *   esprit_sa_out     the SA: key midstates, DSCP set, sequence counter
 *   esprit_sa_sel     peer ASN -> the SPI each of its 64 DSCPs rides (0:
 *                     none; the SA with `any` fills the DSCPs no other
 *                     SA claims): one lookup per packet whatever the
 *                     number of SAs, one entry per peer with an SA.
 *                     User space rebuilds a peer's entry from
 *                     esprit_sa_out on every change, in one update.
 *   esprit_sa_out_st  its counters, per CPU
 */
struct esprit_sa_out_key {
	__u32 spi; /* host byte order */
	__u32 asn; /* the peer AS the packets go to */
};

#define ESPRIT_DSCP_COUNT    64
#define ESPRIT_DSCP_MASK_ANY (~0ULL)

/*
 * The last sequence number an outbound SA may send: RFC 4302 §3.3.2
 * forbids cycling the 32-bit counter (no ESN here), so the SA is spent
 * once it reaches it and packets fall to the peer's no-SA policy.
 */
#define ESPRIT_SA_OUT_SEQ_LAST 0xffffffffULL

struct esprit_sa_out {
	struct esprit_auth_key auth; /* algorithm, ICV length, midstates */
	__u64 dscp_mask; /* bit d: DSCP d rides this SA; all ones = any */
	/*
	 * Sequence numbers handed out so far: every CPU takes the next one
	 * with one atomic fetch-and-add on this word, so no two packets
	 * ever get the same number. 64 bits, so adds past the last usable
	 * number never wrap back into the usable range.
	 */
	__u64 seq;
	__u32 state; /* enum esprit_sa_state */
	__u32 pad;
};

struct esprit_sa_sel {
	__u32 spi[ESPRIT_DSCP_COUNT]; /* by DSCP; 0: no SA */
};

/* Per CPU; sums over CPUs are the SA's totals. */
struct esprit_sa_out_stats {
	__u64 packets; /* tagged (bytes: of the IP packets before tagging) */
	__u64 bytes;
	__u64 exhausted; /* packets turned away: sequence numbers used up */
	__u64 too_big; /* packets refused: tagged, over the MTU */
};

#endif
