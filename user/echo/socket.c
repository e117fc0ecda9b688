// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/errqueue.h>

#include "lib/addr.h"
#include "esprit_config.h"
#include "echo/packet.h"
#include "echo/socket.h"
#include "lib/event_loop.h"

/* IP header + the largest ESP payload a 64 KiB datagram can carry. */
#define RECV_BUF 65600

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

int echo_socket_recv(int fd, int family, struct esprit_echo_reply_event *ev)
{
	static uint8_t buf[RECV_BUF];
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(struct timespec)) +
			   2 * CMSG_SPACE(sizeof(int))];
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
			stamp = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
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
		return 0;
	addr_from_sockaddr((struct sockaddr *)&from, &ev->src);
	if (echo_seed_parse(buf + esp_off, esp_len, ESPRIT_DEFAULT_SPI_REPLY,
			    ev))
		return 0;
	return 1;
}

int echo_socket_recv_error(int fd, struct icmp_error *e)
{
	uint8_t quote[64];
	/* Room for every ancillary item the socket asked for, not only the
	 * error: IPv6 adds hop limit and traffic class of the quote. */
	union {
		struct cmsghdr align;
		char bytes[512];
	} control;
	struct iovec iov = {.iov_base = quote, .iov_len = sizeof(quote)};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.bytes,
		.msg_controllen = sizeof(control.bytes),
	};
	ssize_t n = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	const struct sock_extended_err *ee = NULL;

	if (n < 0)
		return -errno;
	memset(e, 0, sizeof(*e));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c))
		/* The error, then the offender's address in its family. */
		if ((c->cmsg_level == IPPROTO_IP &&
		     c->cmsg_type == IP_RECVERR &&
		     c->cmsg_len >= CMSG_LEN(sizeof(*ee) +
					     sizeof(struct sockaddr_in))) ||
		    (c->cmsg_level == IPPROTO_IPV6 &&
		     c->cmsg_type == IPV6_RECVERR &&
		     c->cmsg_len >= CMSG_LEN(sizeof(*ee) +
					     sizeof(struct sockaddr_in6))))
			ee = (const struct sock_extended_err *)CMSG_DATA(c);
	if (!ee)
		return -EPROTO;
	e->origin = ee->ee_origin;
	e->type = ee->ee_type;
	e->code = ee->ee_code;
	e->info = ee->ee_info;
	e->err = (int)ee->ee_errno;
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP ||
	    ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
		struct sockaddr_storage from = {0};
		const struct sockaddr *off = SO_EE_OFFENDER(ee);

		memcpy(&from, off,
		       off->sa_family == AF_INET ? sizeof(struct sockaddr_in)
						 : sizeof(struct sockaddr_in6));
		if (from.ss_family == AF_INET || from.ss_family == AF_INET6)
			addr_from_sockaddr((struct sockaddr *)&from,
					   &e->offender);
	}
	/* The quote starts at our ESP header. */
	if (n >= 8) {
		e->has_esp_seq = true;
		e->esp_seq = (uint32_t)quote[4] << 24 | quote[5] << 16 |
			     quote[6] << 8 | quote[7];
	}
	if (n >= 12) {
		e->quoted = true;
		e->ident = (uint16_t)(quote[8] << 8 | quote[9]);
		e->seq = (uint16_t)(quote[10] << 8 | quote[11]);
	}
	return 1;
}
