// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>

#include "frames.h"

#define ECHO_IDENT 0x4242
#define ECHO_SEQ   1
#define ESP_SEQ	   1

static void echo_data(uint8_t *data)
{
	for (int i = 0; i < BENCH_ECHO_DATA; i++)
		data[i] = i;
}

void frame_esp_echo_request(struct pkt *p, const struct frame_ends *e,
			    uint32_t spi)
{
	uint8_t data[BENCH_ECHO_DATA];

	echo_data(data);
	pkt_init(p);
	pkt_eth(p, e->dst_mac, e->src_mac);
	pkt_ipv6(p, e->src, e->dst);
	pkt_esp_seed(p, spi, ESP_SEQ, ECHO_IDENT, ECHO_SEQ, data, sizeof(data));
	pkt_finish(p);
}

void frame_esp_echo_subtyped(struct pkt *p, const struct frame_ends *e)
{
	uint8_t data[BENCH_ECHO_DATA];

	echo_data(data);
	pkt_init(p);
	pkt_eth(p, e->dst_mac, e->src_mac);
	pkt_ipv6(p, e->src, e->dst);
	pkt_esp_subtyped(p, 7, ESP_SEQ, 2, 0, 0, ECHO_IDENT, ECHO_SEQ, data,
			 sizeof(data));
	pkt_finish(p);
}

/* RFC 4443 §2.3: over the IPv6 pseudo-header and the ICMPv6 message. */
static uint16_t icmp6_checksum(const uint8_t *ip6, const uint8_t *msg,
			       size_t len)
{
	uint32_t sum = 0;

	for (int i = 8; i < 40; i += 2) /* source and destination */
		sum += (ip6[i] << 8) | ip6[i + 1];
	sum += len >> 16;
	sum += len & 0xffff;
	sum += IPPROTO_ICMPV6;
	for (size_t i = 0; i < len; i += 2)
		sum += (msg[i] << 8) | (i + 1 < len ? msg[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void frame_icmp6_echo_request(struct pkt *p, const struct frame_ends *e)
{
	struct pkt esp;
	size_t l4_len, msg_off;
	uint16_t sum;

	/* Same IPv6 payload length as the ESP request. */
	frame_esp_echo_request(&esp, e, 7);
	l4_len = esp.len - esp.l4_off;

	pkt_init(p);
	pkt_eth(p, e->dst_mac, e->src_mac);
	pkt_ipv6(p, e->src, e->dst);
	pkt_proto(p, IPPROTO_ICMPV6);
	msg_off = p->len;
	pkt_put_u8(p, 128); /* Echo Request */
	pkt_put_u8(p, 0);
	pkt_put_be16(p, 0); /* checksum, below */
	pkt_put_be16(p, ECHO_IDENT);
	pkt_put_be16(p, ECHO_SEQ);
	for (size_t i = 8; i < l4_len; i++)
		pkt_put_u8(p, i);
	pkt_finish(p);
	sum = icmp6_checksum(p->data + p->l3_off, p->data + msg_off, l4_len);
	p->data[msg_off + 2] = sum >> 8;
	p->data[msg_off + 3] = sum & 0xff;
}
