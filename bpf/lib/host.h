/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a frame is this host's to answer, read from the kernel's own
 * state with no configuration: the ingress device's MAC address, and the
 * IPv4 / IPv6 addresses assigned to it (and to lo, where a router keeps
 * the addresses that belong to no one interface).
 *
 * The lists are walked where the kernel keeps them (in_device->ifa_list,
 * inet6_dev->addr_list, net_device->dev_addrs), through the trusted
 * device pointer of bpf_cast_to_kern_ctx() and bpf_rdonly_cast() for the
 * list entries; the loads are fault-safe and CO-RE relocates every field
 * offset. XDP runs inside an RCU read-side section, which is what keeps
 * these RCU lists alive while they are read. Each walk stops after
 * HOST_ADDRS_MAX entries: an address further down a longer list is not
 * recognised, so the request is passed, never wrongly answered.
 */
#ifndef ESPRIT_BPF_HOST_H
#define ESPRIT_BPF_HOST_H

#include <bpf/bpf_core_read.h>
#include "lib/ctx.h"
#include "lib/device.h"

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* Addresses looked at per device and family. */
#define HOST_ADDRS_MAX 16

/* include/uapi/linux/if_addr.h */
#define HOST_IFA_F_OPTIMISTIC 0x04
#define HOST_IFA_F_DADFAILED  0x08
#define HOST_IFA_F_TENTATIVE  0x40

/* What a walk found: the destination, the source, both or neither. */
#define HOST_DST_OURS 1
#define HOST_SRC_OURS 2

/*
 * 1 if mac (6 bytes in the frame) is the device's address. The first
 * entry of dev_addrs is the one dev->dev_addr points into.
 */
static __always_inline int host_mac_is_device(struct net_device *dev,
					      const __u16 *mac)
{
	struct netdev_hw_addr *ha =
		bpf_rdonly_cast(dev->dev_addrs.list.next,
				bpf_core_type_id_kernel(struct netdev_hw_addr));
	const __u16 *own = (const __u16 *)ha->addr;

	return ((own[0] ^ mac[0]) | (own[1] ^ mac[1]) | (own[2] ^ mac[2])) == 0;
}

/* HOST_DST_OURS / HOST_SRC_OURS for the device's IPv4 addresses. */
static __always_inline int host_ipv4_walk(struct net_device *dev, __be32 src,
					  __be32 dst)
{
	struct in_device *in_dev = dev->ip_ptr;
	struct in_ifaddr *ifa;
	int found = 0;

	if (!in_dev)
		return 0;
	ifa = in_dev->ifa_list;
	for (int i = 0; i < HOST_ADDRS_MAX && ifa; i++) {
		__be32 local = ifa->ifa_local;

		if (local == dst)
			found |= HOST_DST_OURS;
		if (local == src)
			found |= HOST_SRC_OURS;
		ifa = ifa->ifa_next;
	}
	return found;
}

/*
 * The same for IPv6. An address still on duplicate address detection
 * (tentative, not optimistic) or that failed it is no destination of
 * ours yet, as for the kernel; as a source it is ours all the same.
 */
static __always_inline int host_ipv6_walk(struct net_device *dev,
					  const __u64 *src, const __u64 *dst)
{
	struct inet6_dev *idev = dev->ip6_ptr;
	__u32 entry_type = bpf_core_type_id_kernel(struct inet6_ifaddr);
	__u64 link_off = bpf_core_field_offset(struct inet6_ifaddr, if_list);
	__u64 head, pos;
	int found = 0;

	if (!idev)
		return 0;
	head = (__u64)idev + bpf_core_field_offset(struct inet6_dev, addr_list);
	pos = (__u64)idev->addr_list.next;
	for (int i = 0; i < HOST_ADDRS_MAX && pos != head && pos; i++) {
		struct inet6_ifaddr *ifp =
			bpf_rdonly_cast((void *)(pos - link_off), entry_type);
		const __u64 *a = (const __u64 *)&ifp->addr;
		__u32 flags = ifp->flags;
		__u64 a0 = a[0], a1 = a[1];

		if (a0 == dst[0] && a1 == dst[1] &&
		    !(flags & HOST_IFA_F_DADFAILED) &&
		    (!(flags & HOST_IFA_F_TENTATIVE) ||
		     (flags & HOST_IFA_F_OPTIMISTIC)))
			found |= HOST_DST_OURS;
		if (a0 == src[0] && a1 == src[1])
			found |= HOST_SRC_OURS;
		pos = (__u64)ifp->if_list.next;
	}
	return found;
}

/* One device's addresses against the packet's. */
static __always_inline int host_device_walk(struct net_device *dev, __u8 family,
					    const __u64 *src, const __u64 *dst)
{
	if (family == ESPRIT_AF_INET)
		return host_ipv4_walk(dev, (__be32)src[1], (__be32)dst[1]);
	return host_ipv6_walk(dev, src, dst);
}

/*
 * HOST_DST_OURS if dst is an address of the ingress device or of lo;
 * HOST_SRC_OURS if src is one of the ingress device's. Addresses as on the
 * wire, IPv4 in word 1. lo is asked only when the device does not have
 * dst, so the common request costs one short walk.
 */
static __noinline int host_addresses(struct xdp_md *ctx, __u8 family,
				     const __u64 *src, const __u64 *dst)
{
	struct net_device *dev = ingress_dev(ctx);
	int found = host_device_walk(dev, family, src, dst);
	struct net_device *lo;

	if (found & HOST_DST_OURS)
		return found;
	lo = dev->nd_net.net->loopback_dev;
	if (!lo || lo == dev)
		return found;
	return found | (host_device_walk(lo, family, src, dst) & HOST_DST_OURS);
}

#endif
