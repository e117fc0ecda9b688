/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outbound sequence ledger: how far each outbound SA's counter may
 * have gone, kept in a file so that no (SPI, peer, key) ever sends a
 * sequence number twice, across `sa del` / `sa add`, a config that drops
 * and restores an SA, a daemon killed with -9 or a reboot (the counters
 * themselves live in bpffs, which a reboot empties).
 *
 * Before an SA enters the maps its start is read from the ledger (0 if
 * the ledger has never seen that SPI, peer and key) and a reservation of
 * SEQ_LEDGER_STEP numbers above it is written to the file; only then is
 * the SA inserted. While it runs, the daemon checkpoints (seq_ledger_
 * checkpoint()) and moves the reservation up whenever the counter comes
 * within half a step of it. Whatever happens to the counter, the next
 * start is at or above every number it can have sent.
 *
 * The file (default /var/lib/esprit/sa-out.seq) is text:
 *	esprit-seq-ledger 1
 *	SPI ASN KEY-ID RESERVED
 * one line per SA, the key id being 16 bytes of SHA-256 over the key's
 * HMAC midstates (it names the key without revealing it). It is replaced
 * atomically (a new file, fsync, rename). A file that cannot be read or
 * parsed stops every outbound SA add with FILE:LINE and why: with no
 * state to trust, esprit does not guess. A missing file is an empty
 * ledger (a fresh install).
 */
#ifndef ESPRIT_USER_SEQ_LEDGER_H
#define ESPRIT_USER_SEQ_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "esprit_sa.h"
#include "risav/sa_out.h"

#define SEQ_LEDGER_DIR	     "/var/lib/esprit"
#define SEQ_LEDGER_FILE	     "sa-out.seq"
#define SEQ_LEDGER_KEYID_LEN 16

/*
 * Numbers reserved ahead of a counter: 2^24, 1.7 s at 10 Mpps on one SA,
 * against a checkpoint every second; the 32-bit space holds 256 of them.
 */
#define SEQ_LEDGER_STEP (1ULL << 24)

struct seq_ledger_entry {
	struct esprit_sa_out_key key;
	__u8 keyid[SEQ_LEDGER_KEYID_LEN];
	__u64 reserved; /* no number at or above it was ever sent */
};

/*
 * Every change locks the file (flock on DIR/sa-out.seq.lock), reads it
 * afresh, applies itself and saves, so the CLI and the daemon may share
 * one ledger. The entries read last serve to skip checkpoints that have
 * nothing to move.
 */
struct seq_ledger {
	char dir[1024];
	char path[1100];
	struct seq_ledger_entry *entries;
	size_t n, cap;
};

/* The ledger in dir (NULL: SEQ_LEDGER_DIR); nothing is read yet. */
void seq_ledger_init(struct seq_ledger *l, const char *dir);
void seq_ledger_free(struct seq_ledger *l);

/*
 * Reads the file into l: 0 (a missing file is empty), or -1 with
 * "FILE:LINE: why" or "FILE: why" in err.
 */
int seq_ledger_load(struct seq_ledger *l, char *err, size_t errlen);

/* The key id of an SA's key (from its midstates). */
void seq_ledger_keyid(const struct esprit_sa_out *sa,
		      __u8 keyid[SEQ_LEDGER_KEYID_LEN]);

/*
 * Where the counter of sa starts when it enters the maps now (at least
 * floor), with the ledger's reservation moved above it and saved. -1
 * with err when the ledger is broken or cannot be saved: the SA must not
 * be inserted.
 */
int seq_ledger_reserve(struct seq_ledger *l, const struct sa_out *sa,
		       __u64 floor, __u64 *start, char *err, size_t errlen);

/*
 * Records that sa's counter, gone from the maps, stood at last when read
 * just before: the reservation becomes last + SA_OUT_SEQ_SKIP (numbers
 * taken between the read and the delete), lower than a running SA's, so
 * that removing and adding an SA costs little of its 32-bit space.
 * 0, or -1 with err.
 */
int seq_ledger_retire(struct seq_ledger *l, const struct sa_out *sa, __u64 last,
		      char *err, size_t errlen);

/*
 * For every SA of esprit_sa_out (fd) whose counter came within half a
 * step of its reservation, the reservation moved SEQ_LEDGER_STEP above
 * the counter, the file saved once (*changed then true). 0, or -1 with
 * err.
 */
int seq_ledger_checkpoint(struct seq_ledger *l, int out_fd, bool *changed,
			  char *err, size_t errlen);

#endif
