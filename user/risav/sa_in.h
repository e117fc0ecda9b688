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

/* Directions in commands and listings (outbound: user/sa_out.h). */
enum sa_dir {
	SA_DIR_IN,
	SA_DIR_OUT,
};

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

/* "256" or "0x100": 256..4294967295 (RFC 4302 §2.4 reserves 0-255). */
int sa_parse_spi(const char *s, __u32 *spi, char *err, size_t errlen);
/* "hmac-sha256-128". */
int sa_parse_alg(const char *s, __u32 *alg, char *err, size_t errlen);
/* 0 (off) or ESPRIT_REPLAY_WINDOW_MIN..ESPRIT_REPLAY_WINDOW_MAX. */
int sa_parse_replay(const char *s, __u32 *window, char *err, size_t errlen);
/* The key for alg as hex ("0x" optional), turned into its midstates. */
int sa_parse_key(const char *hex, __u32 alg, struct esprit_auth_key *out,
		 char *err, size_t errlen);

const char *sa_alg_name(__u32 alg);
const char *sa_state_name(__u32 state);

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
 * Pairs "KEYWORD VALUE" into vals[] by the position of the keyword in
 * names[]; each at most once. sa_need(): "missing 'name'" if val is NULL.
 */
int sa_take_pairs(int argc, char **argv, const char *const *names,
		  size_t nnames, const char **vals, char *err, size_t errlen);
int sa_need(const char *val, const char *name, char *err, size_t errlen);

/*
 * The words after `sa add DIR`: spi, asn, alg and key required, then the
 * optional last (replay or dscp), into v[0..4] (NULL where absent).
 */
int sa_add_words(int argc, char **argv, const char *last, const char *v[5],
		 char *err, size_t errlen);
/* The words after `sa del in|out`: spi SPI asn ASN, as numbers. */
int sa_spi_asn_from_words(int argc, char **argv, __u32 *spi, __u32 *asn,
			  char *err, size_t errlen);
/*
 * Fills one listing row (which starts with the SA's key) from the SA's
 * value; -1 when out of memory.
 */
typedef int (*sa_row_fill)(void *row, const void *value, const void *ctx);
/*
 * Rows of every SA in the map fd (keys of (SPI, ASN)), sorted by ASN then
 * SPI; *rows to free(). Values are wiped after use: they hold key
 * midstates.
 */
int sa_map_rows(int fd, size_t value_size, size_t row_size, sa_row_fill fill,
		const void *ctx, void **rows, size_t *n, char *err,
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

/* Fresh per-CPU counters at key of a stats map (either direction's). */
int sa_stats_reset(struct map_journal *j, int fd, const void *key,
		   const char *what, char *err, size_t errlen);

/* "WHAT: table full (N entries)" or "WHAT: cannot write: ...". */
void sa_write_error(int fd, int e, const char *what, char *err, size_t errlen);

/* Every inbound SA, sorted by ASN then SPI; free(*rows) after use. */
int sa_in_list(const struct sa_maps *m, struct sa_in_row **rows, size_t *n,
	       char *err, size_t errlen);

#endif
