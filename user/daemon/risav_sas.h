/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SA part of the daemon's RISAV apply (daemon/risav_apply.h): what a
 * map set holds, compared with the file, and the writes that make it so,
 * each step through the apply's journal.
 */
#ifndef ESPRIT_DAEMON_RISAV_SAS_H
#define ESPRIT_DAEMON_RISAV_SAS_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/config_risav.h"
#include "lib/map_journal.h"
#include "risav/sa_in.h"
#include "risav/sa_out.h"

struct sa_counts {
	size_t added, replaced, deleted, kept; /* both directions */
	size_t tables; /* prefix tables installed */
};

struct in_entry;
struct out_entry;

/* The SAs a map set holds, which of them the file lists, and how many
 * the file adds. */
struct sa_diff {
	struct in_entry *in;
	size_t nin;
	bool *in_wanted;
	struct out_entry *out;
	size_t nout;
	bool *out_wanted;
	size_t fresh_in, fresh_out;
	__u32 *peers; /* peers of new and changed outbound SAs */
	size_t npeers;
};

/* Reads the maps (om->out -1: no outbound maps) against r. 0 or -1. */
int sa_diff_read(const struct sa_maps *sm, const struct sa_out_maps *om,
		 const struct config_risav *r, struct sa_diff *d, char *err,
		 size_t errlen);
void sa_diff_free(struct sa_diff *d);

/* New and changed inbound SAs (FILE:LINE in err). */
int sa_diff_write_in(const struct sa_maps *sm, const char *file,
		     const struct config_risav *r, const struct sa_diff *d,
		     struct map_journal *j, struct sa_counts *cnt, char *err,
		     size_t errlen);

/* Inbound SAs the file no longer lists. */
int sa_diff_delete_in(const struct sa_maps *sm, const struct sa_diff *d,
		      struct map_journal *j, struct sa_counts *cnt, char *err,
		      size_t errlen);

/* New and changed outbound SAs, then their peers' selections. */
int sa_diff_write_out(const struct sa_out_maps *om, struct seq_ledger *ledger,
		      const char *file, const struct config_risav *r,
		      struct sa_diff *d, struct map_journal *j,
		      struct sa_counts *cnt, char *err, size_t errlen);

/* Outbound SAs the file no longer lists, selections moved off first. */
int sa_diff_delete_out(const struct sa_out_maps *om, struct seq_ledger *ledger,
		       struct sa_diff *d, struct map_journal *j,
		       struct sa_counts *cnt, char *err, size_t errlen);

#endif
