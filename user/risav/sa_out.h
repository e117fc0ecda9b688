/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Outbound RISAV SAs in the maps (headers/esprit_sa.h): the egress
 * tagger's SAs, each with the set of DSCP values it carries, and the
 * (peer ASN, DSCP) selection map built from them. The CLI (`esprit sa
 * add|del out`) and the daemon use the same functions:
 *
 *	struct sa_out_maps maps;
 *	struct sa_out sa;
 *	sa_out_maps_open(&pins, &maps);       // or fill in the fds
 *	sa_out_build("0x2000", "64501", "hmac-sha256-128", hex, "0,46",
 *		     &sa, err, sizeof(err));  // or sa_out_from_words()
 *	sa_out_add(&maps, &sa, &ledger, &journal, err, sizeof(err));
 *	sa_out_del(&maps, &key, &ledger, &journal, err, sizeof(err));
 *	sa_out_list(&maps, &rows, &n, err, sizeof(err));
 *
 * For a packet to peer P with DSCP d the tagger takes the SA of P whose
 * set holds d, else P's SA with `any`, else P's no-SA policy (struct
 * esprit_peer.no_sa, set through user/risav/state.h). Two SAs of one peer
 * whose sets overlap (two with `any` included) are refused.
 *
 * Every change rebuilds the peer's selection (its 64 DSCPs in one entry,
 * written at once) from the SAs in esprit_sa_out (sa_out_sel_rebuild()),
 * in an order that never points a selection at a missing SA. A failed change leaves the maps as they
 * were. Raw keys never reach a map and are wiped once their midstates
 * are computed. Errors are one line in err.
 */
#ifndef ESPRIT_USER_SA_OUT_H
#define ESPRIT_USER_SA_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "esprit_sa.h"
#include "lib/map_journal.h"
#include "lib/pins.h"
#include "risav/sa.h"

struct seq_ledger; /* risav/seq_ledger.h */

/* File descriptors of the outbound SA maps (-1 = not open). */
struct sa_out_maps {
	int out; /* esprit_sa_out */
	int sel; /* esprit_sa_sel */
	int st; /* esprit_sa_outst */
};

/* An outbound SA as it goes into esprit_sa_out. */
struct sa_out {
	struct esprit_sa_out_key key;
	struct esprit_sa_out value;
};

/* One line of a listing: everything but the key material. */
struct sa_out_row {
	struct esprit_sa_out_key key;
	__u32 alg; /* enum esprit_auth_alg */
	__u32 icv_len;
	__u32 state;
	__u64 dscp_mask;
	__u64 seq; /* sequence numbers taken so far */
	bool exhausted; /* seq reached ESPRIT_SA_OUT_SEQ_LAST */
	__u32 dscp_selected; /* DSCPs the selection map sends on it */
	struct esprit_sa_out_stats stats; /* summed over CPUs */
};

/* Opens the three maps under pins (-1 after a message). */
int sa_out_maps_open(const struct pins *pins, struct sa_out_maps *m);
void sa_out_maps_close(struct sa_out_maps *m);

/* A DSCP set (lib/parse.h: parse_dscp_set), with the message on error. */
int sa_parse_dscp(const char *s, __u64 *mask, char *err, size_t errlen);

/* An active SA from its parts as written; dscp NULL means any. */
int sa_out_build(const char *spi, const char *asn, const char *alg,
		 const char *key, const char *dscp, struct sa_out *out,
		 char *err, size_t errlen);

/* The words after `sa add out`: spi SPI asn ASN alg ALG key HEX
 * [dscp LIST|any], keywords in any order, each once. */
int sa_out_from_words(int argc, char **argv, struct sa_out *out, char *err,
		      size_t errlen);

/*
 * 0 if the two DSCP sets may belong to SAs of one peer: disjoint, or
 * exactly one of them `any`. Otherwise -1 and why.
 */
int sa_dscp_conflict(__u64 a, __u64 b, char *err, size_t errlen);

/*
 * Checks a whole set of outbound SAs (a config file's): valid SAs, no
 * (SPI, ASN) twice, no overlapping DSCP sets within a peer. 0 or -1.
 */
int sa_out_check_set(const struct sa_out *sas, size_t n, char *err,
		     size_t errlen);

/*
 * Sequence numbers a rewritten outbound SA skips. Writing an SA's value
 * replaces the map element, so numbers the tagger takes from the old one
 * between our reading its counter and the write are lost to the new one:
 * it continues this far beyond what was read, so no number is sent twice
 * (2^20 is 100 ms of packets at 10 Mpps on the SA; the 32-bit space lasts
 * 4096 such rewrites).
 */
#define SA_OUT_SEQ_SKIP (1ULL << 20)

/* The counter an SA written now continues from: past the one in the map
 * (or fallback, if there is none or it is lower) by SA_OUT_SEQ_SKIP. */
__u64 sa_out_seq_continued(int fd, const struct esprit_sa_out_key *key,
			   __u64 fallback);

/*
 * Every change below writes through j (lib/map_journal.h): on failure the
 * caller undoes it with the rest of its change, and an undone write to
 * esprit_sa_out keeps the counter going on, never back.
 *
 * With a ledger (risav/seq_ledger.h) an SA entering the maps starts where
 * the ledger says its (SPI, peer, key) may have got to, and one leaving
 * them tells the ledger where it stopped; a ledger that cannot be trusted
 * or saved refuses the SA. Without one (NULL: tests) counters start at 0.
 *
 * sa_out_add: the SA (fresh counters), then the peer's selections
 * pointed at it. Refuses an existing (SPI, ASN), a DSCP set that overlaps
 * another SA of the peer, and a full table.
 */
int sa_out_add(const struct sa_out_maps *m, const struct sa_out *sa,
	       struct seq_ledger *ledger, struct map_journal *j, char *err,
	       size_t errlen);

/* Moves the peer's selections off the SA, then deletes it. */
int sa_out_del(const struct sa_out_maps *m, const struct esprit_sa_out_key *key,
	       struct seq_ledger *ledger, struct map_journal *j, char *err,
	       size_t errlen);

/* The SA alone (fresh counters); selections untouched. */
int sa_out_insert(const struct sa_out_maps *m, const struct sa_out *sa,
		  struct seq_ledger *ledger, struct map_journal *j, char *err,
		  size_t errlen);

/* A changed SA written in place, its counter continued (and above the
 * ledger's reservation for its key, which may be one it had before). */
int sa_out_rewrite(const struct sa_out_maps *m, const struct sa_out *sa,
		   struct seq_ledger *ledger, struct map_journal *j, char *err,
		   size_t errlen);

/* The SA and its counters gone; selections untouched. */
int sa_out_remove(const struct sa_out_maps *m,
		  const struct esprit_sa_out_key *key,
		  struct seq_ledger *ledger, struct map_journal *j, char *err,
		  size_t errlen);

/*
 * Makes the peer's selection entry what its SAs in esprit_sa_out
 * say (asn 0: every peer with an SA or a selection). 0 or -1.
 */
int sa_out_sel_rebuild(const struct sa_out_maps *m, __u32 asn,
		       struct map_journal *j, char *err, size_t errlen);

/*
 * The same for the n peers in asns, reading esprit_sa_out once: the cost
 * grows with SAs + peers, not their product (the daemon's reload). 0 or
 * -1 at the first peer that fails.
 */
int sa_out_sel_rebuild_peers(const struct sa_out_maps *m, const __u32 *asns,
			     size_t n, struct map_journal *j, char *err,
			     size_t errlen);

/* Every outbound SA, sorted by ASN then SPI; free(*rows) after use. */
int sa_out_list(const struct sa_out_maps *m, struct sa_out_row **rows,
		size_t *n, char *err, size_t errlen);

#endif
