/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw IPPROTO_ESP socket esprit ping and the daemon send requests from
 * and, when XDP does not take the replies, read them on.
 *
 * Times, all moved onto CLOCK_MONOTONIC so every path measures alike:
 *  - a request's send time is the kernel's transmit timestamp, taken where
 *    the driver hands the packet on (SO_TIMESTAMPING, software), read back
 *    from the error queue under a key given with the send (SCM_TS_OPT_ID,
 *    Linux 6.13 and later);
 *  - a reply's receive time is the kernel's receive timestamp
 *    (SO_TIMESTAMPNS), or XDP's (bpf/echo/capture.h).
 * Where the kernel cannot key its transmit stamps, the socket stops asking
 * for them and the caller keeps its own send time, read just before it
 * sends.
 */
#ifndef ESPRIT_ECHO_SOCKET_H
#define ESPRIT_ECHO_SOCKET_H

#include <stdbool.h>
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
 * Opens, configures and connects the socket, asking for transmit
 * timestamps. Returns the fd or -errno; *step names the call that failed
 * (for messages).
 */
int echo_socket_open(const struct echo_socket_opts *o, const char **step);

/* The path MTU to the connected destination, or -errno. */
int echo_socket_mtu(int fd, int family);

/* How a request left. */
enum echo_send_result {
	ECHO_SENT_STAMPED = 0, /* its kernel transmit time comes under key */
	ECHO_SENT_UNSTAMPED = 1, /* sent; no transmit time will come */
};

/*
 * Sends one request (to NULL: the connected address) with traffic class
 * tclass (-1: the socket's), asking for its transmit time under *key (NULL:
 * not). Returns an echo_send_result, or -errno if it was not sent. Once it
 * returns ECHO_SENT_UNSTAMPED for a key, the kernel cannot key stamps:
 * the socket asks for none any more, and neither should the caller.
 */
int echo_socket_send(int fd, int family, const void *buf, size_t len,
		     const struct sockaddr *to, socklen_t tolen, int tclass,
		     const uint32_t *key);

enum echo_recv_result {
	ECHO_RECV_REPLY = 1, /* ev holds a reply in one of the forms */
	ECHO_RECV_OTHER = 0, /* not a reply: consumed and ignored */
	ECHO_RECV_MALFORMED = 2, /* the reply SPI in no form: consumed */
};

/*
 * Receives one packet. Returns an echo_recv_result with ev filled for a
 * reply (rx_ns, src, ttl, dscp and what echo_reply_parse reads), -EAGAIN
 * when nothing is queued, or another -errno.
 */
int echo_socket_recv(int fd, int family, struct esprit_echo_reply_event *ev);

/* A request's kernel transmit time. */
struct echo_tx_stamp {
	uint32_t key; /* as given to echo_socket_send */
	uint64_t tx_ns; /* CLOCK_MONOTONIC */
};

enum echo_errqueue_item {
	ECHO_ERRQ_ICMP = 1, /* e: an ICMP or local error about a request */
	ECHO_ERRQ_TX_STAMP = 2, /* ts: a request's transmit time */
};

/*
 * Takes one item off the error queue. Returns an echo_errqueue_item,
 * -EAGAIN when the queue is empty, or another -errno.
 */
int echo_socket_recv_error(int fd, struct icmp_error *e,
			   struct echo_tx_stamp *ts);

#endif
