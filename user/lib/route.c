// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "lib/route.h"
#include "lib/rtnl.h"

static int parse_reply(const char *buf, size_t len, int *ifindex)
{
	const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;

	for (; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		const struct rtmsg *rt = NLMSG_DATA(nh);
		const struct rtattr *rta;
		size_t alen;

		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			return e->error ? e->error : -ENOENT;
		}
		if (nh->nlmsg_type != RTM_NEWROUTE)
			continue;
		if (rt->rtm_type == RTN_UNREACHABLE)
			return -EHOSTUNREACH;
		if (rt->rtm_type == RTN_PROHIBIT)
			return -EACCES;
		if (rt->rtm_type == RTN_BLACKHOLE)
			return -ENETUNREACH;
		alen = RTM_PAYLOAD(nh);
		for (rta = RTM_RTA(rt); RTA_OK(rta, alen);
		     rta = RTA_NEXT(rta, alen)) {
			if (rta->rta_type == RTA_OIF) {
				memcpy(ifindex, RTA_DATA(rta), sizeof(int));
				return 0;
			}
		}
		return -ENETUNREACH;
	}
	return -EPROTO;
}

int route_output_ifindex(const struct sockaddr *dst, int *ifindex)
{
	struct rtnl_request req;
	char buf[4096];
	long n;

	rtnl_request_init(&req, RTM_GETROUTE, 0, sizeof(struct rtmsg));
	req.rt.rtm_family = (unsigned char)dst->sa_family;
	if (dst->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)dst;

		req.rt.rtm_dst_len = 32;
		rtnl_add_attr(&req, RTA_DST, &in->sin_addr, 4);
	} else if (dst->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)dst;
		int oif = (int)in6->sin6_scope_id;

		req.rt.rtm_dst_len = 128;
		rtnl_add_attr(&req, RTA_DST, &in6->sin6_addr, 16);
		if (oif)
			rtnl_add_attr(&req, RTA_OIF, &oif, sizeof(oif));
	} else {
		return -EAFNOSUPPORT;
	}

	n = rtnl_transact(&req, buf, sizeof(buf));
	return n < 0 ? (int)n : parse_reply(buf, (size_t)n, ifindex);
}

int interface_flags(const char *name, unsigned int *flags)
{
	struct ifreq ifr;
	int fd, err = 0;

	if (strlen(name) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -errno;
	else
		*flags = (unsigned short)ifr.ifr_flags;
	close(fd);
	return err;
}
