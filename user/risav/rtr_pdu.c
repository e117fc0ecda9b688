// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "risav/rtr_pdu.h"

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static void put32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

__u32 rtr_pdu_length(const __u8 hdr[RTR_PDU_HEADER_LEN])
{
	return get32(hdr + 4);
}

/* The one length a fixed-size PDU of this type and version has; 0 for
 * variable-length ones. */
static __u32 fixed_length(__u8 ver, __u8 type)
{
	switch (type) {
	case RTR_PDU_SERIAL_NOTIFY:
	case RTR_PDU_SERIAL_QUERY:
		return 12;
	case RTR_PDU_RESET_QUERY:
	case RTR_PDU_CACHE_RESPONSE:
	case RTR_PDU_CACHE_RESET:
		return 8;
	case RTR_PDU_IPV4_PREFIX:
		return 20;
	case RTR_PDU_IPV6_PREFIX:
		return 32;
	case RTR_PDU_END_OF_DATA:
		return ver ? 24 : 12;
	}
	return 0;
}

static int check_prefix(const __u8 *pdu, char *why, size_t whylen)
{
	bool v4 = pdu[1] == RTR_PDU_IPV4_PREFIX;
	unsigned int family_max = v4 ? 32 : 128;
	__u8 flags = pdu[8], len = pdu[9], max_len = pdu[10];

	if (flags > 1) {
		snprintf(why, whylen, "IPv%d Prefix PDU with flags %u",
			 v4 ? 4 : 6, flags);
		return RTR_ERR_CORRUPT_DATA;
	}
	if (len > family_max) {
		snprintf(why, whylen,
			 "IPv%d Prefix PDU with prefix length %u (at most %u)",
			 v4 ? 4 : 6, len, family_max);
		return RTR_ERR_CORRUPT_DATA;
	}
	if (max_len < len || max_len > family_max) {
		snprintf(why, whylen,
			 "IPv%d Prefix PDU with max length %u for a /%u "
			 "(must be %u-%u)",
			 v4 ? 4 : 6, max_len, len, len, family_max);
		return RTR_ERR_CORRUPT_DATA;
	}
	return -1;
}

int rtr_pdu_check(const __u8 *pdu, size_t len, char *why, size_t whylen)
{
	__u8 ver, type;
	__u32 want;

	if (len < RTR_PDU_HEADER_LEN) {
		snprintf(why, whylen, "PDU of %zu bytes, shorter than a header",
			 len);
		return RTR_ERR_CORRUPT_DATA;
	}
	ver = pdu[0];
	type = pdu[1];
	if (ver > 1)
		return -1; /* rtrlib negotiates the version down */
	if (type == 5 || type > RTR_PDU_ERROR_REPORT ||
	    (type == RTR_PDU_ROUTER_KEY && ver == 0)) {
		snprintf(why, whylen, "unknown PDU type %u (version %u)", type,
			 ver);
		return RTR_ERR_UNSUPPORTED_PDU_TYPE;
	}
	want = fixed_length(ver, type);
	if (want && len != want) {
		snprintf(why, whylen,
			 "PDU type %u of %zu bytes (version %u has %u)", type,
			 len, ver, want);
		return RTR_ERR_CORRUPT_DATA;
	}
	if (type == RTR_PDU_ERROR_REPORT && len < 16) {
		snprintf(why, whylen, "Error Report PDU of %zu bytes", len);
		return RTR_ERR_CORRUPT_DATA;
	}
	if (type == RTR_PDU_ROUTER_KEY && len < 8 + 20 + 4) {
		snprintf(why, whylen, "Router Key PDU of %zu bytes", len);
		return RTR_ERR_CORRUPT_DATA;
	}
	if (type == RTR_PDU_IPV4_PREFIX || type == RTR_PDU_IPV6_PREFIX)
		return check_prefix(pdu, why, whylen);
	return -1;
}

size_t rtr_pdu_error_report(__u8 ver, int code, const __u8 *pdu, size_t pdu_len,
			    const char *text, __u8 *out, size_t outlen)
{
	size_t text_len = text ? strlen(text) : 0, quoted;

	if (outlen < 16)
		return 0;
	quoted = pdu_len;
	if (16 + quoted > outlen)
		quoted = outlen - 16;
	if (16 + quoted + text_len > outlen)
		text_len = outlen - 16 - quoted;
	out[0] = ver;
	out[1] = RTR_PDU_ERROR_REPORT;
	out[2] = code >> 8;
	out[3] = code;
	put32(out + 4, 16 + quoted + text_len);
	put32(out + 8, quoted);
	memcpy(out + 12, pdu, quoted);
	put32(out + 12 + quoted, text_len);
	memcpy(out + 16 + quoted, text, text_len);
	return 16 + quoted + text_len;
}
