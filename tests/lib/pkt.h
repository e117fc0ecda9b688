/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet builder for fixtures: push layers outermost first, then
 * pkt_finish() fills in EtherTypes, IP lengths, next-header chains and the
 * IPv4 header checksum.
 */
#ifndef ESPRIT_TEST_PKT_H
#define ESPRIT_TEST_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 9216

struct pkt {
	uint8_t data[PKT_MAX];
	size_t len;
	size_t ethertype_off; /* where the innermost EtherType goes */
	size_t l3_off;
	int family; /* 4 or 6, 0 before an IP header */
	size_t nexthdr_off; /* byte holding the protocol of what follows */
	size_t l4_off; /* first byte after IP and extension headers */
	int frozen_len; /* IP length set by hand: finish leaves it */
};

extern const uint8_t pkt_mac_a[6], pkt_mac_b[6];

void pkt_init(struct pkt *p);
void pkt_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6]);
void pkt_vlan(struct pkt *p, uint16_t tpid, uint16_t vid);
void pkt_ipv4(struct pkt *p, const char *src, const char *dst);
/* IPv4 header with options (len a multiple of 4, at most 40). */
void pkt_ipv4_opts(struct pkt *p, const char *src, const char *dst,
		   const uint8_t *opts, size_t len);
void pkt_ipv6(struct pkt *p, const char *src, const char *dst);
/* An IPv6 extension header (type 0, 43, 60, ...) with body after 2 bytes. */
void pkt_ipv6_ext(struct pkt *p, uint8_t type, const uint8_t *body,
		  size_t body_len);
/* Sets the protocol of what comes next (IPv4 Protocol / last Next Header). */
void pkt_proto(struct pkt *p, uint8_t proto);

void pkt_put(struct pkt *p, const void *bytes, size_t n);
void pkt_put_u8(struct pkt *p, uint8_t v);
void pkt_put_be16(struct pkt *p, uint16_t v);
void pkt_put_be32(struct pkt *p, uint32_t v);
void pkt_put_zeros(struct pkt *p, size_t n);

void pkt_finish(struct pkt *p);

/* ESP Echo request/reply bodies in the three forms of PROTOCOLS.md §1. */
void pkt_esp_seed(struct pkt *p, uint32_t spi, uint32_t seq, uint16_t ident,
		  uint16_t echo_seq, const uint8_t *data, size_t n);
void pkt_esp_empty(struct pkt *p, uint32_t spi, uint32_t seq);
void pkt_esp_subtyped(struct pkt *p, uint32_t spi, uint32_t seq,
		      uint8_t subtype, uint8_t flags, uint32_t return_spi,
		      uint16_t ident, uint16_t echo_seq, const uint8_t *data,
		      size_t n);

uint16_t pkt_ipv4_checksum(const uint8_t *hdr, size_t len);

#endif
