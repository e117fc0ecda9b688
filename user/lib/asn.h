/* SPDX-License-Identifier: GPL-2.0 */
/* Autonomous System numbers as operators and RPKI tools write them. */
#ifndef ESPRIT_USER_ASN_H
#define ESPRIT_USER_ASN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define ASN_MAX	   4294967295UL
#define ASN_STRLEN 16

/*
 * "64500", "AS64500" or "as64500" (asplain, RFC 5396; Routinator writes the
 * "AS" form). 1-4294967295; 0 too when allow_as0 is set, for RPKI data
 * where AS0 ROAs say "no AS may originate this" (RFC 6483 §4, RFC 7607).
 * Returns 0, or -1 with a reason in err.
 */
int asn_parse(const char *s, bool allow_as0, __u32 *asn, char *err,
	      size_t errlen);

/* The range check alone, for numbers that arrive already parsed (JSON). */
int asn_check(long long v, bool allow_as0, __u32 *asn, char *err,
	      size_t errlen);

#endif
