// SPDX-License-Identifier: GPL-2.0
/*
 * On the generator's veth: counts what comes back from the far end and
 * drops the replies, so the generator's side spends as little as possible
 * on them. Anything else goes to the stack.
 */
#include "lib/ctx.h"
#include "esprit_echo.h"
#include "bench/bench_frames.h"

#define IPPROTO_ICMPV6_NUM 58
#define ICMPV6_ECHO_REPLY  129

/* Set before load: the SPI an ESP Echo Reply carries. */
const volatile __u32 reply_spi = 8;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BENCH_RX_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} bench_rx_counts SEC(".maps");

static __always_inline enum bench_rx_kind classify(struct xdp_md *ctx)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	__u8 *l4 = (void *)(ip6 + 1);

	if ((void *)(l4 + 4) > data_end ||
	    eth->h_proto != bpf_htons(ESPRIT_ETH_P_IPV6))
		return BENCH_RX_OTHER;
	if (ip6->nexthdr == ESPRIT_IPPROTO_ESP &&
	    *(__be32 *)l4 == bpf_htonl(reply_spi))
		return BENCH_RX_ESP_REPLY;
	if (ip6->nexthdr == IPPROTO_ICMPV6_NUM && l4[0] == ICMPV6_ECHO_REPLY)
		return BENCH_RX_ICMP6_REPLY;
	return BENCH_RX_OTHER;
}

SEC("xdp")
int bench_rx_count(struct xdp_md *ctx)
{
	__u32 kind = classify(ctx);
	__u64 *n = bpf_map_lookup_elem(&bench_rx_counts, &kind);

	if (n)
		(*n)++;
	return kind == BENCH_RX_OTHER ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
