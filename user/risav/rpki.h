/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RPKI validated ROA payloads (VRPs) in the JSON that rpki-client
 * ("asn": 64500) and Routinator ("asn": "AS64500") write, turned into a
 * prefix → origin-ASN table. The whole input is validated before a table
 * is returned; nothing here touches a map.
 *
 * Semantics (esprit-risav(8), PREFIX TABLE):
 * - maxLength is validated ([prefix length, 32 or 128]; absent means the
 *   prefix length, as in RFC 6482) but does not change the table: a source
 *   address belongs to the AS of the longest prefix covering it, whatever
 *   lengths that AS may announce.
 * - Duplicates (the same prefix and ASN again, e.g. from another trust
 *   anchor or with another maxLength) collapse into one entry.
 * - A prefix with several origin ASes (MOAS) is loaded with
 *   ESPRIT_ASN_NONE: its sources may legitimately come from any of them, so
 *   none of their RISAV rules may drop them; the entry still shadows
 *   shorter prefixes of one AS that cover it.
 * - AS0 entries (RFC 6483 §4: no AS may originate the prefix) authorise no
 *   origin and are left out; a prefix with AS0 and one other AS belongs to
 *   that AS.
 */
#ifndef ESPRIT_USER_RPKI_H
#define ESPRIT_USER_RPKI_H

#include <stddef.h>

#include "risav/prefix_table.h"

enum rpki_format {
	RPKI_FORMAT_EMPTY, /* no entries to tell from */
	RPKI_FORMAT_RPKI_CLIENT, /* every asn a number */
	RPKI_FORMAT_ROUTINATOR, /* every asn an "AS..." string */
	RPKI_FORMAT_MIXED,
};

const char *rpki_format_name(enum rpki_format f);

struct rpki_summary {
	size_t entries; /* elements of "roas" */
	size_t loaded; /* prefixes in the table */
	size_t v4, v6; /* of those */
	size_t duplicates; /* entries repeating a (prefix, ASN) seen before */
	size_t conflicts; /* prefixes with several origins (ASN none) */
	size_t as0; /* AS0 entries, left out */
	enum rpki_format format;
	char conflict_example[128]; /* "192.0.2.0/24: AS64500, AS64501" */
	double parse_seconds; /* reading, parsing and validating */
	double build_seconds; /* sorting and merging into the table */
};

#define RPKI_ERRORS_SHOWN 5
#define RPKI_ERROR_LEN	  512

/* The first errors in file order, and how many there were in all. */
struct rpki_errors {
	size_t count;
	char msg[RPKI_ERRORS_SHOWN][RPKI_ERROR_LEN];
};

/*
 * Parses and validates buf (name is used in messages: "NAME:LINE:COL:
 * roas[I]: ..."). On success fills out (sorted, one entry per prefix) and
 * sum, and returns 0. On any error returns -1 with errs filled and out
 * empty.
 */
int rpki_parse(const char *name, const char *buf, size_t len,
	       struct prefix_table *out, struct rpki_summary *sum,
	       struct rpki_errors *errs);

/* Same, reading path ("-" = standard input). */
int rpki_parse_file(const char *path, struct prefix_table *out,
		    struct rpki_summary *sum, struct rpki_errors *errs);

#endif
