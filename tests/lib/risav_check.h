/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small RISAV world for the XDP fixtures, and the checks they share.
 *
 *   AS 64500 (local)    192.0.2.0/24     2001:db8:100::/48
 *   AS 64501 (enforce)  198.51.100.0/24  2001:db8:201::/48  SA 0x1000
 *   AS 64502 (testing)  203.0.113.0/24   2001:db8:202::/48  SA 0x1000
 *   AS 64503 (off)      100.64.3.0/24    2001:db8:203::/48  SA 0x1000
 *   AS 64504 (no peer)  100.64.4.0/24    2001:db8:204::/48
 *   contacts: 198.51.100.250 and 2001:db8:201::fa (64501),
 *             192.0.2.250 (64500)
 *
 * Packets are UDP, tagged with pkt_ah_insert() and pkt_ah_sign(): the ICV
 * comes from OpenSSL over an ICV input built by the test library.
 */
#ifndef ESPRIT_TEST_RISAV_CHECK_H
#define ESPRIT_TEST_RISAV_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "pkt.h"
#include "risav_fixture.h"

#define RC_LOCAL_ASN   64500
#define RC_ENFORCE_ASN 64501
#define RC_TESTING_ASN 64502
#define RC_OFF_ASN     64503
#define RC_OTHER_ASN   64504
#define RC_SPI	       0x1000
#define RC_ICV_LEN     16

/* Leave counters alone: the packet must be untouched and uncounted. */
#define RC_NO_REASON (-1)

extern const uint8_t rc_key[32]; /* every peer's SA 0x1000 */
extern const uint8_t rc_other_key[32]; /* a key no SA has */

/* One end-to-end flow: addresses, VLAN tags, IPv4 options. */
struct rc_flow {
	int family;
	const char *src;
	const char *dst;
	int vlans;
	const uint8_t *opts; /* IPv4 options, or NULL */
	size_t opts_len;
};

/* Flows into the local AS from each kind of source. */
const struct rc_flow *rc_flow(int family, uint32_t src_asn);

/* Loads the program and fills the world in (audit rate: audit_rate). */
int rc_world_open(struct risav_fixture *f, uint32_t audit_rate);

/* UDP with payload_len bytes from src to dst as the flow says. */
void rc_plain(struct pkt *p, const struct rc_flow *fl, size_t payload_len);

/* p with an AS-scoped (or other Scope) AH signed with key. */
void rc_tag(struct pkt *out, const struct pkt *plain, uint32_t spi,
	    uint32_t seq, uint8_t scope, const uint8_t *key);

/*
 * Runs one packet; checks the action, that exactly `reason` moved by one
 * (or, RC_NO_REASON, that no counter moved), and, when want is given, the
 * bytes out. Returns true if all held (CUnit asserts record each).
 */
bool rc_expect_at(struct risav_fixture *f, const struct pkt *in,
		  uint32_t action, int reason, const struct pkt *want,
		  const char *file, int line);
#define rc_expect(f, in, action, reason, want) \
	rc_expect_at(f, in, action, reason, want, __FILE__, __LINE__)

/* Like rc_expect(), but a second reason may move too (testing mode). */
bool rc_expect2_at(struct risav_fixture *f, const struct pkt *in,
		   uint32_t action, int reason, int reason2,
		   const struct pkt *want, const char *file, int line);
#define rc_expect2(f, in, action, reason, reason2, want) \
	rc_expect2_at(f, in, action, reason, reason2, want, __FILE__, __LINE__)

#endif
