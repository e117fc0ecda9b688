/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus metrics over HTTP (libmicrohttpd, run from the daemon's own
 * epoll loop: no thread, so it reads the state without locks). GET
 * /metrics answers in the text exposition format 0.0.4.
 */
#ifndef ESPRIT_METRICS_H
#define ESPRIT_METRICS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "daemon/daemon.h"

struct metrics_server *metrics_server_new(struct daemon *d, const char *listen,
					  char *err, size_t errlen);
void metrics_server_free(struct metrics_server *m);
const char *metrics_server_listen(const struct metrics_server *m);

/*
 * The same server with no listening socket and no place in an event loop:
 * the caller hands it connected sockets and runs it with
 * metrics_server_tick() (the fuzzing harness, tests/fuzz/fuzz_metrics.c,
 * feeds it requests this way).
 */
struct metrics_server *metrics_server_unbound(struct daemon *d);
int metrics_server_add_connection(struct metrics_server *m, int fd,
				  const struct sockaddr *peer,
				  socklen_t peer_len);

/* Lets libmicrohttpd time out idle connections (call every second). */
void metrics_server_tick(struct metrics_server *m);

/* Writes every metric of d to out. 0 or -1. */
int metrics_write(const struct daemon *d, FILE *out);

#endif
