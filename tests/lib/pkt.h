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
	size_t ah_off; /* AH header after pkt_ah_insert(), else 0 */
	size_t ah_icv_len; /* its ICV's length (padding follows) */
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

/*
 * IP header fields, set after the IP header is pushed and before
 * pkt_finish(): TTL / hop limit, IPv4 TOS / IPv6 traffic class, the IPv6
 * flow label, the IPv4 Identification and flags + fragment offset word.
 */
void pkt_ip_ttl(struct pkt *p, uint8_t ttl);
void pkt_ip_tos(struct pkt *p, uint8_t tos);
void pkt_ipv6_flow_label(struct pkt *p, uint32_t label);
void pkt_ipv4_id_frag(struct pkt *p, uint16_t id, uint16_t frag_word);

/* ESP Echo request/reply bodies in the three forms of docs/protocols.md §1. */
void pkt_esp_seed(struct pkt *p, uint32_t spi, uint32_t seq, uint16_t ident,
		  uint16_t echo_seq, const uint8_t *data, size_t n);
void pkt_esp_empty(struct pkt *p, uint32_t spi, uint32_t seq);
/* The same with pad_len bytes of padding (1, 2, 3, ...), unchecked. */
void pkt_esp_seed_pad(struct pkt *p, uint32_t spi, uint32_t seq, uint16_t ident,
		      uint16_t echo_seq, const uint8_t *data, size_t n,
		      size_t pad_len);
void pkt_esp_empty_pad(struct pkt *p, uint32_t spi, uint32_t seq,
		       size_t pad_len);
/* Pieces for hand-made ESP: header, RFC 4303 padding 1..n, trailer. */
void pkt_esp_hdr(struct pkt *p, uint32_t spi, uint32_t seq);
void pkt_esp_padding(struct pkt *p, size_t n);
void pkt_esp_trailer(struct pkt *p, uint8_t pad_len, uint8_t next_header);
void pkt_esp_subtyped(struct pkt *p, uint32_t spi, uint32_t seq,
		      uint8_t subtype, uint8_t flags, uint32_t return_spi,
		      uint16_t ident, uint16_t echo_seq, const uint8_t *data,
		      size_t n);

uint16_t pkt_ipv4_checksum(const uint8_t *hdr, size_t len);
/* The IPv4 header at ip (its IHL long) given its right checksum. */
void pkt_ipv4_set_checksum(uint8_t *ip);

/* Smallest RFC 4303 padding that ends the seed form on a 4-byte boundary. */
size_t pkt_seed_min_pad(size_t data_len);

/* Fills buf with a pattern of bytes that never contains 59 (NH "none"). */
void pkt_pattern(uint8_t *buf, size_t n, unsigned int seed);

/* A UDP header (checksum 0) and its payload. */
void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport,
	     const uint8_t *payload, size_t n);

/*
 * RFC 4302 AH, for RISAV fixtures. pkt_ah_insert() puts an AH into a
 * finished packet where its transport header starts (after the IPv4
 * header, or after the IPv6 header and the extension headers pushed with
 * pkt_ipv6_ext()): Next Header taken over, Scope in the second reserved
 * byte (RISAV: 1), an ICV of icv_len zero bytes, zero padding to a
 * multiple of 4 (IPv4) or 8 (IPv6) bytes; IP length, Next Header chain
 * and IPv4 checksum updated.
 */
void pkt_ah_insert(struct pkt *p, uint32_t spi, uint32_t seq, uint8_t scope,
		   size_t icv_len);

/*
 * Sets the AH's ICV to HMAC-SHA-256-128 (OpenSSL) over the ICV input of
 * RFC 4302 §3.3.3, built here on a copy of the IP packet: IPv4 TOS,
 * flags, fragment offset, TTL, checksum and mutable options (all but EOL,
 * NOP, 130, 133, 134, 148, 149; whole; nothing after EOL) zeroed; IPv6
 * traffic class, flow label, hop limit and the data of hop-by-hop and
 * destination options with the change bit zeroed; the ICV zeroed.
 */
void pkt_ah_sign(struct pkt *p, const uint8_t *key, size_t key_len);

/* That ICV input (the IP packet, mutable fields zeroed) into out;
 * returns its length. */
size_t pkt_ah_icv_input(const struct pkt *p, uint8_t *out);

#endif
