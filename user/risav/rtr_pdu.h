/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What esprit checks in each PDU an RPKI-to-Router cache sends (RFC 8210
 * version 1, RFC 6810 version 0) before rtrlib sees it: rtrlib takes a
 * prefix longer than its family, or a maxLength below the prefix length,
 * into its table, and names no error it finds. A PDU that fails is
 * answered with an Error Report and the session is reset (RFC 8210 §10).
 */
#ifndef ESPRIT_RISAV_RTR_PDU_H
#define ESPRIT_RISAV_RTR_PDU_H

#include <stddef.h>
#include <linux/types.h>

#define RTR_PDU_HEADER_LEN 8
/* Larger than any PDU a cache has reason to send (a Router Key PDU with
 * its SPKI, an Error Report quoting one). */
#define RTR_PDU_MAX_LEN 65536

/* RFC 8210 §5 PDU types. */
enum rtr_pdu_type {
	RTR_PDU_SERIAL_NOTIFY = 0,
	RTR_PDU_SERIAL_QUERY = 1,
	RTR_PDU_RESET_QUERY = 2,
	RTR_PDU_CACHE_RESPONSE = 3,
	RTR_PDU_IPV4_PREFIX = 4,
	RTR_PDU_IPV6_PREFIX = 6,
	RTR_PDU_END_OF_DATA = 7,
	RTR_PDU_CACHE_RESET = 8,
	RTR_PDU_ROUTER_KEY = 9,
	RTR_PDU_ERROR_REPORT = 10,
};

/* RFC 8210 §12 error codes. */
enum rtr_error_code {
	RTR_ERR_CORRUPT_DATA = 0,
	RTR_ERR_UNSUPPORTED_PDU_TYPE = 5,
};

/* The length a header announces (network order in hdr). */
__u32 rtr_pdu_length(const __u8 hdr[RTR_PDU_HEADER_LEN]);

/*
 * Checks one whole PDU of len bytes (its header's length). -1 if it is
 * fine, else the error code to report, with why saying what was wrong.
 */
int rtr_pdu_check(const __u8 *pdu, size_t len, char *why, size_t whylen);

/*
 * An Error Report PDU of the version ver quoting the offending PDU (its
 * first bytes, as many as fit) and text; its length, or 0 if out is too
 * small for the fixed part.
 */
size_t rtr_pdu_error_report(__u8 ver, int code, const __u8 *pdu, size_t pdu_len,
			    const char *text, __u8 *out, size_t outlen);

#endif
