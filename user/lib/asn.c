// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/asn.h"

int asn_check(long long v, bool allow_as0, __u32 *asn, char *err, size_t errlen)
{
	long long min = allow_as0 ? 0 : 1;

	if (v < min || v > (long long)ASN_MAX) {
		snprintf(err, errlen, "ASN %lld is out of range (%lld-%lu)", v,
			 min, ASN_MAX);
		return -1;
	}
	*asn = (__u32)v;
	return 0;
}

int asn_parse(const char *s, bool allow_as0, __u32 *asn, char *err,
	      size_t errlen)
{
	const char *digits = s;
	unsigned long long v = 0;

	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		digits = s + 2;
	/* strtoul would take signs, spaces and 0x: an ASN is plain digits */
	if (!*digits || (digits[0] == '0' && digits[1]))
		goto bad;
	for (const char *p = digits; *p; p++) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		if (v <= ASN_MAX)
			v = v * 10 + (unsigned)(*p - '0');
	}
	if (v > ASN_MAX) {
		snprintf(err, errlen, "ASN %s is out of range (%d-%lu)", digits,
			 allow_as0 ? 0 : 1, ASN_MAX);
		return -1;
	}
	return asn_check((long long)v, allow_as0, asn, err, errlen);
bad:
	snprintf(err, errlen,
		 "'%s' is not an AS number (digits, optionally after 'AS')", s);
	return -1;
}
