// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "lib/netdev.h"
#include "lib/rtnl.h"

static int ethtool_value(int ifindex, __u32 cmd, __u32 *data)
{
	struct ethtool_value ev = {.cmd = cmd, .data = *data};
	struct ifreq ifr;
	int fd, err = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -errno;
	ifr.ifr_data = (void *)&ev;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	*data = ev.data;
	return err;
}

int netdev_tx_csum_get(int ifindex, bool *on)
{
	__u32 v = 0;
	int err = ethtool_value(ifindex, ETHTOOL_GTXCSUM, &v);

	*on = v != 0;
	return err;
}

int netdev_tx_csum_set(int ifindex, bool on)
{
	__u32 v = on;

	return ethtool_value(ifindex, ETHTOOL_STXCSUM, &v);
}

int netdev_gso_max_segs_get(int ifindex, __u32 *segs)
{
	struct rtnl_request req;
	const struct nlmsghdr *nh;
	char buf[16384];
	long n;

	rtnl_request_init(&req, RTM_GETLINK, 0, sizeof(struct ifinfomsg));
	req.ifi.ifi_index = ifindex;
	n = rtnl_transact(&req, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
	     nh = NLMSG_NEXT(nh, n)) {
		const struct rtattr *rta;
		size_t alen;

		if (nh->nlmsg_type == NLMSG_ERROR)
			return rtnl_error(buf, (size_t)n) ?: -ENOENT;
		if (nh->nlmsg_type != RTM_NEWLINK)
			continue;
		alen = IFLA_PAYLOAD(nh);
		for (rta = IFLA_RTA(NLMSG_DATA(nh)); RTA_OK(rta, alen);
		     rta = RTA_NEXT(rta, alen)) {
			if (rta->rta_type == IFLA_GSO_MAX_SEGS) {
				memcpy(segs, RTA_DATA(rta), sizeof(*segs));
				return 0;
			}
		}
		return -ENOENT;
	}
	return -EPROTO;
}

int netdev_gso_max_segs_set(int ifindex, __u32 segs)
{
	struct rtnl_request req;
	char buf[4096];
	long n;

	rtnl_request_init(&req, RTM_NEWLINK, NLM_F_ACK,
			  sizeof(struct ifinfomsg));
	req.ifi.ifi_index = ifindex;
	rtnl_add_attr(&req, IFLA_GSO_MAX_SEGS, &segs, sizeof(segs));
	n = rtnl_transact(&req, buf, sizeof(buf));
	return n < 0 ? (int)n : rtnl_error(buf, (size_t)n);
}
