// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>

#include "lib/addr.h"
#include "esprit_config.h"
#include "echo/packet.h"
#include "echo/socket.h"
#include "lib/event_loop.h"

/* IP header + the largest ESP payload a 64 KiB datagram can carry. */
#define RECV_BUF 65600

/* The key of a transmit timestamp, given with the send (Linux 6.13). */
#ifndef SCM_TS_OPT_ID
#define SCM_TS_OPT_ID 81
#endif

/* Software transmit stamps, keyed, without the packet looped back. */
#define TX_STAMP_FLAGS                                              \
	(SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE | \
	 SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY)

/* Room for every ancillary item either queue delivers: timestamps in
 * two encodings, hop limit, traffic class, the error and its offender. */
#define CONTROL_BUF 512

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The kernel stamps packets with CLOCK_REALTIME; subtracting the current
 * realtime - monotonic offset (read bracketed, so an offset and not a
 * preemption is what is measured) gives the stamp on CLOCK_MONOTONIC. Only a
 * clock step between the stamp and now shifts it.
 */
static uint64_t realtime_to_monotonic(int64_t stamp_ns)
{
	int64_t before = realtime_ns();
	uint64_t mono = monotonic_ns();
	int64_t after = realtime_ns();
	int64_t offset = before + (after - before) / 2 - (int64_t)mono;

	return (uint64_t)(stamp_ns - offset);
}

static int setopt(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

int echo_socket_open(const struct echo_socket_opts *o, const char **step)
{
	int fd, err;

	*step = "socket";
	fd = socket(o->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_ESP);
	if (fd < 0)
		return -errno;
	*step = "SO_TIMESTAMPNS";
	if (setopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1))
		goto fail;
	*step = "SO_TIMESTAMPING";
	if (setopt(fd, SOL_SOCKET, SO_TIMESTAMPING, TX_STAMP_FLAGS))
		goto fail;
	if (o->family == AF_INET) {
		*step = "IP_TOS";
		if (setopt(fd, IPPROTO_IP, IP_TOS, o->dscp << 2))
			goto fail;
		/* ICMP errors about our requests, with the quote. */
		*step = "IP_RECVERR";
		if (setopt(fd, IPPROTO_IP, IP_RECVERR, 1))
			goto fail;
		/* ESP Echo is never fragmented: too big is an error here. */
		*step = "IP_MTU_DISCOVER";
		if (setopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO))
			goto fail;
	} else {
		*step = "IPV6_TCLASS";
		if (setopt(fd, IPPROTO_IPV6, IPV6_TCLASS, o->dscp << 2))
			goto fail;
		*step = "IPV6_RECVERR";
		if (setopt(fd, IPPROTO_IPV6, IPV6_RECVERR, 1))
			goto fail;
		*step = "IPV6_MTU_DISCOVER";
		if (setopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
			   IPV6_PMTUDISC_DO))
			goto fail;
		*step = "IPV6_RECVHOPLIMIT";
		if (setopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1))
			goto fail;
		*step = "IPV6_RECVTCLASS";
		if (setopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, 1))
			goto fail;
	}
	if (o->dev) {
		*step = "SO_BINDTODEVICE";
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->dev,
			       (socklen_t)strlen(o->dev) + 1))
			goto fail;
	}
	*step = "connect";
	if (o->dst && connect(fd, o->dst, o->dst_len))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int echo_socket_mtu(int fd, int family)
{
	socklen_t len = sizeof(int);
	int mtu;

	if (getsockopt(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
		       family == AF_INET ? IP_MTU : IPV6_MTU, &mtu, &len))
		return -errno;
	return mtu;
}

/* sendmsg with the class and the stamp key as ancillary data. */
static ssize_t send_with(int fd, struct msghdr *msg, int level, int tclass,
			 const uint32_t *key)
{
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int)) +
			   CMSG_SPACE(sizeof(uint32_t))];
	} control;
	struct cmsghdr *c;
	size_t used = 0;

	memset(&control, 0, sizeof(control));
	msg->msg_control = control.bytes;
	msg->msg_controllen = sizeof(control.bytes);
	c = CMSG_FIRSTHDR(msg);
	if (tclass >= 0) {
		c->cmsg_level = level;
		c->cmsg_type = level == IPPROTO_IP ? IP_TOS : IPV6_TCLASS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &tclass, sizeof(tclass));
		used += CMSG_SPACE(sizeof(int));
		c = CMSG_NXTHDR(msg, c);
	}
	if (key) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_TS_OPT_ID;
		c->cmsg_len = CMSG_LEN(sizeof(*key));
		memcpy(CMSG_DATA(c), key, sizeof(*key));
		used += CMSG_SPACE(sizeof(*key));
	}
	msg->msg_controllen = used;
	if (!used)
		msg->msg_control = NULL;
	return sendmsg(fd, msg, MSG_DONTWAIT);
}

int echo_socket_send(int fd, int family, const void *buf, size_t len,
		     const struct sockaddr *to, socklen_t tolen, int tclass,
		     const uint32_t *key)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg = {
		.msg_name = (void *)to,
		.msg_namelen = to ? tolen : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6, off = 0;

	if (key) {
		if (send_with(fd, &msg, level, tclass, key) >= 0)
			return ECHO_SENT_STAMPED;
		/* A kernel before 6.13 knows no per-send key: stop asking,
		 * as unkeyed stamps could not be matched reliably. */
		if (errno != EINVAL)
			return -errno;
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &off, sizeof(off));
	}
	if (send_with(fd, &msg, level, tclass, NULL) < 0)
		return -errno;
	return ECHO_SENT_UNSTAMPED;
}

/* IPv4: the socket hands over the IP header too. */
static int strip_ipv4(const uint8_t *buf, size_t n,
		      struct esprit_echo_reply_event *ev, size_t *esp_off,
		      size_t *esp_len)
{
	const struct iphdr *ip = (const struct iphdr *)buf;
	size_t hlen, total;

	if (n < sizeof(*ip))
		return -1;
	hlen = (size_t)ip->ihl * 4;
	total = ntohs(ip->tot_len);
	/* Fragments are reassembled before raw delivery; be safe anyway. */
	if (hlen < sizeof(*ip) || total < hlen || total > n ||
	    (ntohs(ip->frag_off) & 0x3fff))
		return -1;
	ev->ttl = ip->ttl;
	ev->dscp = ip->tos >> 2;
	*esp_off = hlen;
	*esp_len = total - hlen;
	return 0;
}

static int64_t timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

int echo_socket_recv(int fd, int family, struct esprit_echo_reply_event *ev)
{
	static uint8_t buf[RECV_BUF];
	union {
		struct cmsghdr align;
		char bytes[CONTROL_BUF];
	} control;
	struct sockaddr_storage from;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.bytes,
		.msg_controllen = sizeof(control.bytes),
	};
	size_t esp_off = 0, esp_len;
	int64_t stamp = 0;
	ssize_t n;

	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	memset(ev, 0, sizeof(*ev));
	ev->type = ESPRIT_EV_ECHO_REPLY;
	esp_len = (size_t)n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			stamp = timespec_ns(&ts);
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_HOPLIMIT) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			ev->ttl = (uint8_t)v;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_TCLASS) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			ev->dscp = (uint8_t)(v >> 2);
		}
	}
	/* Without a kernel stamp (never seen), the time of reading. */
	ev->rx_ns = stamp ? realtime_to_monotonic(stamp) : monotonic_ns();
	if (family == AF_INET &&
	    strip_ipv4(buf, (size_t)n, ev, &esp_off, &esp_len))
		return ECHO_RECV_OTHER;
	addr_from_sockaddr((struct sockaddr *)&from, &ev->src);
	switch (echo_reply_parse(buf + esp_off, esp_len,
				 ESPRIT_DEFAULT_SPI_REPLY, ev)) {
	case ECHO_PARSED:
		return ECHO_RECV_REPLY;
	case ECHO_MALFORMED:
		return ECHO_RECV_MALFORMED;
	default:
		return ECHO_RECV_OTHER;
	}
}

static bool is_recverr(const struct cmsghdr *c)
{
	return (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
	       (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR);
}

static void copy_addr(const struct sockaddr *sa, struct esprit_addr *out)
{
	struct sockaddr_storage ss = {0};

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return;
	memcpy(&ss, sa,
	       sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
					: sizeof(struct sockaddr_in6));
	addr_from_sockaddr((struct sockaddr *)&ss, out);
}

int echo_socket_recv_error(int fd, struct icmp_error *e,
			   struct echo_tx_stamp *ts)
{
	union {
		struct cmsghdr align;
		char bytes[CONTROL_BUF];
	} control;
	struct sockaddr_storage dst;
	struct iovec iov = {.iov_base = e->quote, .iov_len = sizeof(e->quote)};
	struct msghdr msg = {
		.msg_name = &dst,
		.msg_namelen = sizeof(dst),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.bytes,
		.msg_controllen = sizeof(control.bytes),
	};
	const struct sock_extended_err *ee = NULL;
	const struct scm_timestamping *tss = NULL;
	ssize_t n;

	memset(e, 0, sizeof(*e));
	memset(&dst, 0, sizeof(dst));
	n = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c)) {
		if (is_recverr(c) && c->cmsg_len >= CMSG_LEN(sizeof(*ee)))
			ee = (const struct sock_extended_err *)CMSG_DATA(c);
		else if (c->cmsg_level == SOL_SOCKET &&
			 c->cmsg_type == SCM_TIMESTAMPING &&
			 c->cmsg_len >= CMSG_LEN(sizeof(*tss)))
			tss = (const struct scm_timestamping *)CMSG_DATA(c);
	}
	if (!ee)
		return -EPROTO;
	if (ee->ee_origin == SO_EE_ORIGIN_TIMESTAMPING) {
		if (!tss || !timespec_ns(&tss->ts[0]))
			return -EPROTO;
		ts->key = ee->ee_data;
		ts->tx_ns = realtime_to_monotonic(timespec_ns(&tss->ts[0]));
		return ECHO_ERRQ_TX_STAMP;
	}
	e->origin = ee->ee_origin;
	e->type = ee->ee_type;
	e->code = ee->ee_code;
	e->info = ee->ee_info;
	e->err = (int)ee->ee_errno;
	e->quote_len = (size_t)n < sizeof(e->quote) ? (size_t)n
						    : sizeof(e->quote);
	if (msg.msg_namelen)
		copy_addr((const struct sockaddr *)&dst, &e->dst);
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP ||
	    ee->ee_origin == SO_EE_ORIGIN_ICMP6)
		copy_addr(SO_EE_OFFENDER(ee), &e->offender);
	return ECHO_ERRQ_ICMP;
}
