// SPDX-License-Identifier: GPL-2.0
/*
 * The minimal ESP Echo reflector esprit_xdp is measured against: IPv6 with
 * ESP right after the base header, request SPI in, reply SPI out, MACs and
 * addresses swapped. No validation, no limits, no counters.
 */
#include "lib/ctx.h"
#include "esprit_echo.h"

/* Set before load; equal values make the rewrite an involution. */
const volatile __u32 request_spi = 7;
const volatile __u32 reply_spi = 8;

SEC("xdp")
int bench_reflector(struct xdp_md *ctx)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct esprit_esp_hdr *esp = (void *)(ip6 + 1);
	struct in6_addr addr;
	__u8 mac[6];

	if ((void *)(esp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ESPRIT_ETH_P_IPV6) ||
	    ip6->nexthdr != ESPRIT_IPPROTO_ESP ||
	    esp->spi != bpf_htonl(request_spi))
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, eth->h_source, 6);
	__builtin_memcpy(eth->h_source, mac, 6);
	addr = ip6->saddr;
	ip6->saddr = ip6->daddr;
	ip6->daddr = addr;
	esp->spi = bpf_htonl(reply_spi);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
