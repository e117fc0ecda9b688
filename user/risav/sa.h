/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What RISAV SAs of both directions share (risav/sa_in.h, risav/sa_out.h):
 * the values and words operators write, fresh counters, write errors,
 * and sorted listings. Raw keys never reach a map: they become HMAC
 * midstates at once and are wiped.
 */
#ifndef ESPRIT_RISAV_SA_H
#define ESPRIT_RISAV_SA_H

#include <stdbool.h>
#include <stddef.h>

#include "esprit_sa.h"
#include "lib/key_file.h"
#include "lib/map_journal.h"

/* Directions in commands and listings. */
enum sa_dir {
	SA_DIR_IN,
	SA_DIR_OUT,
};

/* "256" or "0x100": 256..4294967295 (RFC 4302 §2.4 reserves 0-255). */
int sa_parse_spi(const char *s, __u32 *spi, char *err, size_t errlen);
/* "hmac-sha256-128". */
int sa_parse_alg(const char *s, __u32 *alg, char *err, size_t errlen);
/* The key for alg as hex ("0x" optional), turned into its midstates. */
int sa_parse_key(const char *hex, __u32 alg, struct esprit_auth_key *out,
		 char *err, size_t errlen);

const char *sa_alg_name(__u32 alg);
const char *sa_state_name(__u32 state);

/*
 * Pairs "KEYWORD VALUE" into vals[] by the position of the keyword in
 * names[]; each at most once. sa_need(): "missing 'name'" if val is NULL.
 */
int sa_take_pairs(int argc, char **argv, const char *const *names,
		  size_t nnames, const char **vals, char *err, size_t errlen);
int sa_need(const char *val, const char *name, char *err, size_t errlen);

/* The words after `sa add DIR`, with the key read from where they say. */
struct sa_words {
	const char *spi, *asn, *alg;
	const char *last; /* replay or dscp; NULL if absent */
	char key[KEY_HEX_MAX]; /* hex; wipe it (explicit_bzero) after use */
};

/*
 * spi, asn and alg required; the key as `key-file PATH` (a file only root
 * can read), `key -` (standard input) or `key HEX` (with a warning: the
 * command line is no place for a key); then the optional last. A message
 * never shows what could be a key.
 */
int sa_add_words(int argc, char **argv, const char *last, struct sa_words *w,
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

/* Fresh per-CPU counters at key of a stats map (either direction's). */
int sa_stats_reset(struct map_journal *j, int fd, const void *key,
		   const char *what, char *err, size_t errlen);

/* "WHAT: table full (N entries)" or "WHAT: cannot write: ...". */
void sa_write_error(int fd, int e, const char *what, char *err, size_t errlen);

#endif
