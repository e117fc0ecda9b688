// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/parse.h"

int parse_uint(const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *out)
{
	unsigned long long v;
	int base = 10;
	char *end;

	if (!s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)s[0]))
			return -1;
	} else if (!isdigit((unsigned char)s[0])) {
		return -1; /* strtoull would take signs and spaces */
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_u32(const char *s, __u32 min, __u32 max, __u32 *out)
{
	unsigned long long v;

	if (parse_uint(s, min, max, &v))
		return -1;
	*out = (__u32)v;
	return 0;
}

int parse_bool(const char *s, bool *out)
{
	if (!s)
		return -1;
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true"))
		*out = true;
	else if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false"))
		*out = false;
	else
		return -1;
	return 0;
}

int parse_duration(const char *s, uint64_t bare_unit_ns, uint64_t min_ns,
		   uint64_t max_ns, uint64_t *out)
{
	static const struct {
		const char *suffix;
		double ns;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	double v, ns = -1;
	char *end;

	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -1;
	if (!*end && bare_unit_ns)
		ns = v * (double)bare_unit_ns;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].suffix))
			ns = v * units[i].ns;
	if (ns < 0 || ns < (double)min_ns || ns > (double)max_ns)
		return -1;
	*out = (uint64_t)llround(ns);
	return 0;
}

/* RFC 2474, 2597, 3246, 5865, 8622. */
static const struct {
	const char *name;
	__u8 value;
} dscp_names[] = {
	{"be", 0},    {"le", 1},    {"ef", 46},	  {"va", 44},	{"cs0", 0},
	{"cs1", 8},   {"cs2", 16},  {"cs3", 24},  {"cs4", 32},	{"cs5", 40},
	{"cs6", 48},  {"cs7", 56},  {"af11", 10}, {"af12", 12}, {"af13", 14},
	{"af21", 18}, {"af22", 20}, {"af23", 22}, {"af31", 26}, {"af32", 28},
	{"af33", 30}, {"af41", 34}, {"af42", 36}, {"af43", 38},
};

int parse_dscp(const char *s, __u8 *out)
{
	__u32 v;

	for (size_t i = 0; i < sizeof(dscp_names) / sizeof(dscp_names[0]); i++)
		if (!strcasecmp(s, dscp_names[i].name)) {
			*out = dscp_names[i].value;
			return 0;
		}
	if (parse_u32(s, 0, 63, &v))
		return -1;
	*out = (__u8)v;
	return 0;
}

/* The DSCP in s[0..len), or -1. */
static int dscp_in(const char *s, size_t len)
{
	char buf[8];
	__u8 v;

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return parse_dscp(buf, &v) ? -1 : v;
}

int parse_dscp_set(const char *s, __u64 *mask, size_t *bad, size_t *bad_len)
{
	const char *p = s;
	__u64 m = 0;

	if (!strcmp(s, "any")) {
		*mask = DSCP_SET_ANY;
		return 0;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		const char *dash = memchr(p, '-', len);
		int lo, hi;

		if (dash) {
			lo = dscp_in(p, dash - p);
			hi = dscp_in(dash + 1, len - (dash - p) - 1);
		} else {
			lo = hi = dscp_in(p, len);
		}
		if (lo < 0 || hi < 0 || lo > hi) {
			if (bad) {
				*bad = (size_t)(p - s);
				*bad_len = len;
			}
			return -1;
		}
		for (int d = lo; d <= hi; d++)
			m |= 1ULL << d;
		p += len;
		if (!*p++)
			break;
	}
	*mask = m;
	return 0;
}

const char *dscp_set_format(__u64 mask, char *buf, size_t len)
{
	size_t n = 0;

	if (mask == DSCP_SET_ANY) {
		snprintf(buf, len, "any");
		return buf;
	}
	buf[0] = '\0';
	for (int d = 0; d < 64 && n < len; d++) {
		int e = d;

		if (!(mask >> d & 1))
			continue;
		while (e < 63 && (mask >> (e + 1) & 1))
			e++;
		if (e > d)
			n += snprintf(buf + n, len - n, "%s%d-%d", n ? "," : "",
				      d, e);
		else
			n += snprintf(buf + n, len - n, "%s%d", n ? "," : "",
				      d);
		d = e;
	}
	return buf;
}
