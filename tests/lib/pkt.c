// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <assert.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "pkt.h"

const uint8_t pkt_mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
const uint8_t pkt_mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};

void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
}

void pkt_put(struct pkt *p, const void *bytes, size_t n)
{
	assert(p->len + n <= PKT_MAX);
	memcpy(p->data + p->len, bytes, n);
	p->len += n;
}

void pkt_put_u8(struct pkt *p, uint8_t v)
{
	pkt_put(p, &v, 1);
}

void pkt_put_be16(struct pkt *p, uint16_t v)
{
	v = htons(v);
	pkt_put(p, &v, 2);
}

void pkt_put_be32(struct pkt *p, uint32_t v)
{
	v = htonl(v);
	pkt_put(p, &v, 4);
}

void pkt_put_zeros(struct pkt *p, size_t n)
{
	assert(p->len + n <= PKT_MAX);
	memset(p->data + p->len, 0, n);
	p->len += n;
}

static void set_be16(uint8_t *at, uint16_t v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

void pkt_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6])
{
	pkt_put(p, dst, 6);
	pkt_put(p, src, 6);
	p->ethertype_off = p->len;
	pkt_put_be16(p, 0);
}

void pkt_vlan(struct pkt *p, uint16_t tpid, uint16_t vid)
{
	set_be16(p->data + p->ethertype_off, tpid);
	pkt_put_be16(p, vid & 0x0fff);
	p->ethertype_off = p->len;
	pkt_put_be16(p, 0);
}

void pkt_ipv4_opts(struct pkt *p, const char *src, const char *dst,
		   const uint8_t *opts, size_t len)
{
	uint8_t hdr[20] = {0};

	assert(len % 4 == 0 && len <= 40);
	set_be16(p->data + p->ethertype_off, 0x0800);
	p->l3_off = p->len;
	p->family = 4;
	hdr[0] = 0x40 | ((20 + len) / 4);
	hdr[6] = 0x40; /* DF */
	hdr[8] = 64;
	inet_pton(AF_INET, src, hdr + 12);
	inet_pton(AF_INET, dst, hdr + 16);
	pkt_put(p, hdr, sizeof(hdr));
	if (len)
		pkt_put(p, opts, len);
	p->nexthdr_off = p->l3_off + 9;
	p->l4_off = p->len;
}

void pkt_ipv4(struct pkt *p, const char *src, const char *dst)
{
	pkt_ipv4_opts(p, src, dst, NULL, 0);
}

void pkt_ipv6(struct pkt *p, const char *src, const char *dst)
{
	uint8_t hdr[40] = {0x60};

	set_be16(p->data + p->ethertype_off, 0x86dd);
	p->l3_off = p->len;
	p->family = 6;
	hdr[7] = 64;
	inet_pton(AF_INET6, src, hdr + 8);
	inet_pton(AF_INET6, dst, hdr + 24);
	pkt_put(p, hdr, sizeof(hdr));
	p->nexthdr_off = p->l3_off + 6;
	p->l4_off = p->len;
}

void pkt_ipv6_ext(struct pkt *p, uint8_t type, const uint8_t *body,
		  size_t body_len)
{
	size_t start = p->len;

	assert((body_len + 2) % 8 == 0);
	p->data[p->nexthdr_off] = type;
	pkt_put_u8(p, 0);
	pkt_put_u8(p, type == 44 ? 0 : (body_len + 2) / 8 - 1);
	pkt_put(p, body, body_len);
	p->nexthdr_off = start;
	p->l4_off = p->len;
}

void pkt_proto(struct pkt *p, uint8_t proto)
{
	p->data[p->nexthdr_off] = proto;
}

void pkt_ipv4_set_checksum(uint8_t *ip)
{
	set_be16(ip + 10, 0);
	set_be16(ip + 10, pkt_ipv4_checksum(ip, (ip[0] & 0x0f) * 4u));
}

uint16_t pkt_ipv4_checksum(const uint8_t *hdr, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (hdr[i] << 8) | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void pkt_ip_ttl(struct pkt *p, uint8_t ttl)
{
	p->data[p->l3_off + (p->family == 4 ? 8 : 7)] = ttl;
}

void pkt_ip_tos(struct pkt *p, uint8_t tos)
{
	uint8_t *ip = p->data + p->l3_off;

	if (p->family == 4) {
		ip[1] = tos;
	} else {
		ip[0] = 0x60 | (tos >> 4);
		ip[1] = (ip[1] & 0x0f) | (uint8_t)(tos << 4);
	}
}

void pkt_ipv6_flow_label(struct pkt *p, uint32_t label)
{
	uint8_t *ip = p->data + p->l3_off;

	assert(p->family == 6);
	ip[1] = (ip[1] & 0xf0) | ((label >> 16) & 0x0f);
	ip[2] = label >> 8;
	ip[3] = label;
}

void pkt_ipv4_id_frag(struct pkt *p, uint16_t id, uint16_t frag_word)
{
	assert(p->family == 4);
	set_be16(p->data + p->l3_off + 4, id);
	set_be16(p->data + p->l3_off + 6, frag_word);
}

void pkt_pattern(uint8_t *buf, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)(seed + i * 7 + (i >> 8));

		buf[i] = b == 59 ? 0xa5 : b;
	}
}

void pkt_finish(struct pkt *p)
{
	uint8_t *ip = p->data + p->l3_off;

	if (p->family == 4) {
		if (!p->frozen_len)
			set_be16(ip + 2, p->len - p->l3_off);
		pkt_ipv4_set_checksum(ip);
	} else if (p->family == 6 && !p->frozen_len) {
		set_be16(ip + 4, p->len - p->l3_off - 40);
	}
}

size_t pkt_seed_min_pad(size_t data_len)
{
	return (4 - (8 + 4 + data_len + 2) % 4) % 4;
}

void pkt_esp_hdr(struct pkt *p, uint32_t spi, uint32_t seq)
{
	pkt_proto(p, 50);
	pkt_put_be32(p, spi);
	pkt_put_be32(p, seq);
}

void pkt_esp_padding(struct pkt *p, size_t n)
{
	for (size_t i = 1; i <= n; i++)
		pkt_put_u8(p, i);
}

void pkt_esp_trailer(struct pkt *p, uint8_t pad_len, uint8_t next_header)
{
	pkt_put_u8(p, pad_len);
	pkt_put_u8(p, next_header);
}

void pkt_esp_seed_pad(struct pkt *p, uint32_t spi, uint32_t seq, uint16_t ident,
		      uint16_t echo_seq, const uint8_t *data, size_t n,
		      size_t pad_len)
{
	pkt_esp_hdr(p, spi, seq);
	pkt_put_be16(p, ident);
	pkt_put_be16(p, echo_seq);
	if (n)
		pkt_put(p, data, n);
	pkt_esp_padding(p, pad_len);
	pkt_esp_trailer(p, pad_len, 59);
}

void pkt_esp_seed(struct pkt *p, uint32_t spi, uint32_t seq, uint16_t ident,
		  uint16_t echo_seq, const uint8_t *data, size_t n)
{
	pkt_esp_seed_pad(p, spi, seq, ident, echo_seq, data, n,
			 pkt_seed_min_pad(n));
}

void pkt_esp_empty_pad(struct pkt *p, uint32_t spi, uint32_t seq,
		       size_t pad_len)
{
	pkt_esp_hdr(p, spi, seq);
	pkt_esp_padding(p, pad_len);
	pkt_esp_trailer(p, pad_len, 59);
}

void pkt_esp_empty(struct pkt *p, uint32_t spi, uint32_t seq)
{
	pkt_esp_empty_pad(p, spi, seq, 2);
}

void pkt_esp_subtyped(struct pkt *p, uint32_t spi, uint32_t seq,
		      uint8_t subtype, uint8_t flags, uint32_t return_spi,
		      uint16_t ident, uint16_t echo_seq, const uint8_t *data,
		      size_t n)
{
	pkt_esp_hdr(p, spi, seq);
	pkt_put_u8(p, subtype);
	pkt_put_u8(p, flags);
	pkt_put_be16(p, n);
	pkt_put_be16(p, ident);
	pkt_put_be16(p, echo_seq);
	if (flags & 0x80)
		pkt_put_be32(p, return_spi);
	if (n)
		pkt_put(p, data, n);
}

void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport,
	     const uint8_t *payload, size_t n)
{
	pkt_proto(p, 17);
	pkt_put_be16(p, sport);
	pkt_put_be16(p, dport);
	pkt_put_be16(p, 8 + n);
	pkt_put_be16(p, 0);
	if (n)
		pkt_put(p, payload, n);
}

static uint16_t get_be16(const uint8_t *at)
{
	return (uint16_t)(at[0] << 8 | at[1]);
}

void pkt_ah_insert(struct pkt *p, uint32_t spi, uint32_t seq, uint8_t scope,
		   size_t icv_len)
{
	size_t align = p->family == 4 ? 4 : 8;
	size_t ah_len = (12 + icv_len + align - 1) / align * align;
	size_t at = p->l4_off;
	uint8_t *ip = p->data + p->l3_off;
	uint8_t *ah;

	assert(p->family && at <= p->len && p->len + ah_len <= PKT_MAX);
	memmove(p->data + at + ah_len, p->data + at, p->len - at);
	ah = p->data + at;
	memset(ah, 0, ah_len);
	ah[0] = p->data[p->nexthdr_off];
	ah[1] = ah_len / 4 - 2;
	ah[3] = scope;
	for (int i = 0; i < 4; i++) {
		ah[4 + i] = spi >> (24 - 8 * i);
		ah[8 + i] = seq >> (24 - 8 * i);
	}
	p->data[p->nexthdr_off] = 51;
	p->len += ah_len;
	p->ah_off = at;
	p->ah_icv_len = icv_len;
	if (p->family == 4) {
		set_be16(ip + 2, get_be16(ip + 2) + ah_len);
		pkt_ipv4_set_checksum(ip);
	} else {
		set_be16(ip + 4, get_be16(ip + 4) + ah_len);
	}
}

/* RFC 4302 Appendix A.1: options included in the ICV as they are. */
static int ipv4_option_immutable(uint8_t type)
{
	return type == 130 || type == 133 || type == 134 || type == 148 ||
	       type == 149;
}

static void icv_input_ipv4(uint8_t *ip)
{
	size_t hlen = (ip[0] & 0x0f) * 4;

	ip[1] = 0; /* TOS */
	ip[6] = ip[7] = 0; /* flags, fragment offset */
	ip[8] = 0; /* TTL */
	ip[10] = ip[11] = 0; /* checksum */
	for (size_t i = 20; i < hlen;) {
		size_t len;

		if (ip[i] == 0) /* EOL: the rest is padding */
			break;
		if (ip[i] == 1) { /* NOP */
			i++;
			continue;
		}
		assert(i + 1 < hlen);
		len = ip[i + 1];
		assert(len >= 2 && i + len <= hlen);
		if (!ipv4_option_immutable(ip[i]))
			memset(ip + i, 0, len);
		i += len;
	}
}

/* IPv6 header and the hop-by-hop / destination options before the AH. */
static void icv_input_ipv6(uint8_t *ip, size_t ah_rel)
{
	uint8_t nexthdr = ip[6];
	size_t at = 40;

	ip[0] &= 0xf0; /* traffic class, flow label */
	ip[1] = ip[2] = ip[3] = 0;
	ip[7] = 0; /* hop limit */
	while (at < ah_rel) {
		size_t end = at + (ip[at + 1] + 1) * 8;

		assert(nexthdr == 0 || nexthdr == 60);
		nexthdr = ip[at];
		for (size_t i = at + 2; i < end;) {
			if (ip[i] == 0) { /* Pad1 */
				i++;
				continue;
			}
			if (ip[i] & 0x20) /* may change en route */
				memset(ip + i + 2, 0, ip[i + 1]);
			i += 2 + ip[i + 1];
		}
		at = end;
	}
	assert(nexthdr == 51 && at == ah_rel);
}

size_t pkt_ah_icv_input(const struct pkt *p, uint8_t *out)
{
	const uint8_t *ip = p->data + p->l3_off;
	size_t ip_len = p->family == 4 ? get_be16(ip + 2)
				       : 40 + (size_t)get_be16(ip + 4);
	size_t ah_rel = p->ah_off - p->l3_off;

	assert(p->ah_off && p->l3_off + ip_len <= p->len);
	memcpy(out, ip, ip_len);
	if (p->family == 4)
		icv_input_ipv4(out);
	else
		icv_input_ipv6(out, ah_rel);
	memset(out + ah_rel + 12, 0, p->ah_icv_len);
	return ip_len;
}

void pkt_ah_sign(struct pkt *p, const uint8_t *key, size_t key_len)
{
	uint8_t input[PKT_MAX], mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	size_t len = pkt_ah_icv_input(p, input);

	HMAC(EVP_sha256(), key, key_len, input, len, mac, &mac_len);
	assert(mac_len >= p->ah_icv_len);
	memcpy(p->data + p->ah_off + 12, mac, p->ah_icv_len);
}
