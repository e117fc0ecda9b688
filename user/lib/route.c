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

struct route_request {
	struct nlmsghdr nh;
	struct rtmsg rt;
	char attrs[64];
};

static void add_attr(struct route_request *req, unsigned short type,
		     const void *data, size_t len)
{
	struct rtattr *rta =
		(struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len =
		NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

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
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct route_request req;
	char buf[4096];
	ssize_t n;
	int fd, err;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = (unsigned char)dst->sa_family;
	if (dst->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)dst;

		req.rt.rtm_dst_len = 32;
		add_attr(&req, RTA_DST, &in->sin_addr, 4);
	} else if (dst->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)dst;
		int oif = (int)in6->sin6_scope_id;

		req.rt.rtm_dst_len = 128;
		add_attr(&req, RTA_DST, &in6->sin6_addr, 16);
		if (oif)
			add_attr(&req, RTA_OIF, &oif, sizeof(oif));
	} else {
		return -EAFNOSUPPORT;
	}

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	err = n < 0 ? -errno : parse_reply(buf, (size_t)n, ifindex);
	close(fd);
	return err;
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
