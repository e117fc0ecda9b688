/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV SAs in the maps (headers/esprit_sa.h): building one from what an
 * operator wrote, checking it, adding, deleting and listing. The CLI
 * (`esprit sa`) and the daemon's config file use the same functions:
 *
 *	struct sa_in sa;
 *	sa_in_build("256", "64500", "hmac-sha256-128", hex, NULL, &sa,
 *		    err, sizeof(err));          // or sa_in_from_words()
 *	sa_in_add(&maps, &sa, err, sizeof(err));
 *
 * Raw keys never reach a map, and are wiped from memory once their HMAC
 * midstates are computed. Errors are one line in err; a failed add or del
 * leaves the maps as they were.
 */
#ifndef ESPRIT_USER_SA_H
#define ESPRIT_USER_SA_H

#include <stdbool.h>
#include <stddef.h>

#include "esprit_sa.h"
#include "lib/map_journal.h"
#include "lib/pins.h"
#include "risav/sa.h"

/* File descriptors of the inbound SA maps (-1 = not open). */
struct sa_maps {
	int in; /* esprit_sa_in */
	int in_rw; /* esprit_sa_in_rw */
	int in_st; /* esprit_sa_in_st */
};

/* An inbound SA as it goes into esprit_sa_in. */
struct sa_in {
	struct esprit_sa_in_key key;
	struct esprit_sa_in value;
};

/* One line of a listing: everything but the key material. */
struct sa_in_row {
	struct esprit_sa_in_key key;
	__u32 alg; /* enum esprit_auth_alg */
	__u32 icv_len;
	__u32 replay_window;
	__u32 state;
	struct esprit_sa_stats stats; /* summed over CPUs */
	bool has_window_state; /* esprit_sa_in_rw holds an entry */
	__u32 replay_top; /* highest sequence number accepted */
};

int sa_maps_open(const struct pins *pins, struct sa_maps *m);
void sa_maps_close(struct sa_maps *m);

/* 0 (off) or ESPRIT_REPLAY_WINDOW_MIN..ESPRIT_REPLAY_WINDOW_MAX. */
int sa_parse_replay(const char *s, __u32 *window, char *err, size_t errlen);
/* An active SA from its parts as written; replay NULL means 0 (off). */
int sa_in_build(const char *spi, const char *asn, const char *alg,
		const char *key, const char *replay, struct sa_in *out,
		char *err, size_t errlen);

/*
 * The words after `sa add in`: spi SPI asn ASN alg ALG key HEX [replay N],
 * keywords in any order, each once (ASNs as asn_parse() takes them).
 */
int sa_in_from_words(int argc, char **argv, struct sa_in *out, char *err,
		     size_t errlen);

/*
 * The changes below write through j (lib/map_journal.h): on failure the
 * caller undoes them, with the rest of its change.
 *
 * sa_in_add: the SA with fresh counters and (if it has one) an empty
 * replay window. Refuses an SA whose (SPI, ASN) exists, and a full table.
 */
int sa_in_add(const struct sa_maps *m, const struct sa_in *sa,
	      struct map_journal *j, char *err, size_t errlen);

/*
 * Replaces an existing SA's value (key, algorithm, window) in place; its
 * counters go on. A new key starts the replay window afresh; a new window
 * size alone keeps what the window has seen. Refuses an SA that does not
 * exist.
 */
int sa_in_replace(const struct sa_maps *m, const struct sa_in *sa,
		  struct map_journal *j, char *err, size_t errlen);

/* Deletes the SA, its window and its counters. */
int sa_in_del(const struct sa_maps *m, const struct esprit_sa_in_key *key,
	      struct map_journal *j, char *err, size_t errlen);

/* Every inbound SA, sorted by ASN then SPI; free(*rows) after use. */
int sa_in_list(const struct sa_maps *m, struct sa_in_row **rows, size_t *n,
	       char *err, size_t errlen);

#endif
