/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw IPPROTO_ESP socket esprit ping sends its requests from and, when
 * XDP does not take the replies, reads them on, with the kernel's receive
 * timestamp (SO_TIMESTAMPNS) moved onto CLOCK_MONOTONIC so both receive
 * paths measure against the same send time.
 */
#ifndef ESPRIT_ECHO_SOCKET_H
#define ESPRIT_ECHO_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "esprit_echo.h"
#include "echo/icmp_error.h"
#include "lib/event_loop.h" /* monotonic_ns() */

struct echo_socket_opts {
	int family; /* AF_INET or AF_INET6 */
	/* connected: the kernel filters sources; NULL: not connected (the
	 * daemon sends to many peers and sets the class per packet) */
	const struct sockaddr *dst;
	socklen_t dst_len;
	const char *dev; /* SO_BINDTODEVICE, or NULL */
	uint8_t dscp;
};

/*
 * Opens, configures and connects the socket. Returns the fd or -errno;
 * *step names the call that failed (for messages).
 */
int echo_socket_open(const struct echo_socket_opts *o, const char **step);

/* The path MTU to the connected destination, or -errno. */
int echo_socket_mtu(int fd, int family);

/*
 * Receives one packet. Returns 1 with ev filled (rx_ns, src, dst family,
 * ttl, dscp and the fields of echo_seed_parse) for a seed-form Echo Reply,
 * 0 for anything else (consumed and ignored), -EAGAIN when nothing is
 * queued, or another -errno.
 */
int echo_socket_recv(int fd, int family, struct esprit_echo_reply_event *ev);

/*
 * Takes one ICMP/ICMPv6 (or local) error about a request we sent off the
 * error queue. Returns 1 with e filled, -EAGAIN when the queue is empty, or
 * another -errno.
 */
int echo_socket_recv_error(int fd, struct icmp_error *e);

#endif
