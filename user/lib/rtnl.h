/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One rtnetlink request and its answer, the way every esprit user of
 * rtnetlink talks to the kernel (route lookups, link settings).
 */
#ifndef ESPRIT_LIB_RTNL_H
#define ESPRIT_LIB_RTNL_H

#include <stddef.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* A request: the netlink header, the message, its attributes. */
struct rtnl_request {
	struct nlmsghdr nh;
	union {
		struct rtmsg rt;
		struct ifinfomsg ifi;
	};
	char attrs[128];
};

/* A request of type with flags (NLM_F_REQUEST added) and a message of
 * msg_len bytes, zeroed, for rtnl_add_attr() and rtnl_transact(). */
void rtnl_request_init(struct rtnl_request *req, unsigned short type,
		       unsigned short flags, size_t msg_len);

void rtnl_add_attr(struct rtnl_request *req, unsigned short type,
		   const void *data, size_t len);

/*
 * Sends req and reads the answer into buf: its length, or -errno (a
 * socket error). The answer's NLMSG_ERROR, if any, is the caller's to
 * read (rtnl_error()).
 */
long rtnl_transact(const struct rtnl_request *req, char *buf, size_t buflen);

/* The error an answer of len bytes carries: 0 (an ACK or none), -errno. */
int rtnl_error(const char *buf, size_t len);

#endif
