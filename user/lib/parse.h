/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words operators write, as the command line and the configuration
 * file both take them: numbers, on/off, durations and DSCP values. Each
 * returns 0, or -1 leaving *out untouched; callers word the message, since
 * they know which option or key it was.
 */
#ifndef ESPRIT_LIB_PARSE_H
#define ESPRIT_LIB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

/*
 * A whole number in decimal, or hexadecimal after "0x", within [min, max].
 * No sign, no spaces, no octal: "010" is ten.
 */
int parse_uint(const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *out);
int parse_u32(const char *s, __u32 min, __u32 max, __u32 *out);

/* on/off, yes/no, true/false. */
int parse_bool(const char *s, bool *out);

/*
 * A duration: a number with a unit, ns, us, ms or s ("100ms", "1.5s"), or
 * a bare number in bare_unit_ns (0: a unit is required), within
 * [min_ns, max_ns].
 */
int parse_duration(const char *s, uint64_t bare_unit_ns, uint64_t min_ns,
		   uint64_t max_ns, uint64_t *out);

/* One DSCP: 0-63, or a name (be, le, ef, va, cs0-cs7, af11-af43). */
int parse_dscp(const char *s, __u8 *out);

#define DSCP_SET_ANY (~0ULL)

/*
 * A set of DSCPs as a 64-bit mask (bit d: DSCP d): "any", or a comma list
 * of values, names and ranges ("0,10-14,ef"). On error, if bad is given,
 * the element at fault is s[*bad .. *bad + *bad_len).
 */
int parse_dscp_set(const char *s, __u64 *mask, size_t *bad, size_t *bad_len);

/* "any", or the set as values and ranges ("0,10-14,46"), into buf. */
const char *dscp_set_format(__u64 mask, char *buf, size_t len);

#endif
