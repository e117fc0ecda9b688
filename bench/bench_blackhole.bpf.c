// SPDX-License-Identifier: GPL-2.0
/*
 * A black hole for the detection benchmark: on the prober's TC egress,
 * drops every ESP packet while blackhole_on is set. One store to .bss
 * (mmapped) switches it, so the benchmark knows to the microsecond when
 * the path died.
 */
#include "lib/ctx.h"

#define TC_ACT_OK_	0
#define TC_ACT_SHOT_	2
#define IPPROTO_ESP_NUM 50

volatile __u32 blackhole_on;
__u64 dropped;

SEC("tc")
int bench_blackhole(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u8 proto;

	if (!blackhole_on || (void *)(eth + 1) > data_end)
		return TC_ACT_OK_;
	if (eth->h_proto == bpf_htons(ESPRIT_ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return TC_ACT_OK_;
		proto = ip->protocol;
	} else if (eth->h_proto == bpf_htons(ESPRIT_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return TC_ACT_OK_;
		proto = ip6->nexthdr;
	} else {
		return TC_ACT_OK_;
	}
	if (proto != IPPROTO_ESP_NUM)
		return TC_ACT_OK_;
	__sync_fetch_and_add(&dropped, 1);
	return TC_ACT_SHOT_;
}

char LICENSE[] SEC("license") = "GPL";
