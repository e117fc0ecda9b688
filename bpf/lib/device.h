/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Settings of the device a packet arrived on, read where the kernel keeps
 * them: its MTU, and whether it forwards IPv4 / IPv6. bpf_xdp_check_mtu()
 * and the first test of bpf_fib_lookup() read exactly these fields; a
 * helper call costs tens of nanoseconds per packet, these loads a few.
 *
 * bpf_cast_to_kern_ctx() (a kfunc, Linux 6.2) turns the XDP context into
 * the kernel's struct xdp_buff; field offsets are relocated by libbpf from
 * the running kernel's BTF (CO-RE), so one object serves kernels whose
 * structures differ. Reads through these pointers are fault-safe loads.
 */
#ifndef ESPRIT_BPF_INGRESS_H
#define ESPRIT_BPF_INGRESS_H

#include "lib/ctx.h"
#include "esprit_types.h"

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/* include/uapi/linux/ip.h: index + 1 of "forwarding" in ipv4_devconf.data */
#define ESPRIT_IPV4_DEVCONF_FORWARDING 1

static __always_inline struct net_device *ingress_dev(struct xdp_md *ctx)
{
	struct xdp_buff *xdp = bpf_cast_to_kern_ctx(ctx);

	return xdp->rxq->dev;
}

/* The device's MTU, as bpf_xdp_check_mtu() compares against it. */
static __always_inline __u32 ingress_mtu(struct net_device *dev)
{
	return READ_ONCE(dev->mtu);
}

/*
 * 1 if the device forwards this family: what bpf_fib_lookup() checks
 * before looking at any route (it answers BPF_FIB_LKUP_RET_FWD_DISABLED
 * when not, and also when the device has no IPv4 / IPv6 state at all).
 */
static __always_inline int ingress_forwards(struct net_device *dev, __u8 family)
{
	if (family == ESPRIT_AF_INET) {
		struct in_device *in_dev = dev->ip_ptr;

		return in_dev &&
		       READ_ONCE(
			       in_dev->cnf.data[ESPRIT_IPV4_DEVCONF_FORWARDING -
						1]);
	} else {
		struct inet6_dev *idev = dev->ip6_ptr;

		return idev && READ_ONCE(idev->cnf.forwarding);
	}
}

#endif
