/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket (unix stream, default /run/esprit/esprit.sock). A
 * client sends one line, "status" or "status PEER", and reads one JSON
 * document back, after which the daemon closes the connection. Errors come
 * back as {"error": "..."}.
 */
#ifndef ESPRIT_CONTROL_H
#define ESPRIT_CONTROL_H

#include <stddef.h>

#include "daemon/daemon.h"

#define CONTROL_REQUEST_MAX 256
#define CONTROL_TIMEOUT_S   10 /* a client waits this long for the daemon */

/*
 * Listens on path (creating its directory). Refuses if a daemon answers
 * there already; a stale socket file (daemon killed) is replaced. NULL
 * with a reason in err.
 */
struct control_server *control_server_new(struct daemon *d, const char *path,
					  char *err, size_t errlen);
void control_server_free(struct control_server *c);
const char *control_server_path(const struct control_server *c);

/*
 * A request: one line, "status" or "status PEER", up to
 * CONTROL_REQUEST_MAX bytes with its newline. What the first len bytes of
 * buf ask; for a peer, its name (not NUL-terminated) in buf.
 */
enum control_req {
	CONTROL_INCOMPLETE, /* no newline yet, and room for one */
	CONTROL_STATUS,
	CONTROL_STATUS_PEER,
	CONTROL_TOO_LONG,
	CONTROL_UNKNOWN,
};

enum control_req control_parse(const char *buf, size_t len, const char **peer,
			       size_t *peer_len);

/* Closes the connections that have not sent a request for 10 s (call it
 * every second). */
void control_server_tick(struct control_server *c, uint64_t now_ns);

/*
 * Client side: sends request, returns the reply (malloc'd, NUL-ended) or
 * NULL with err; *not_running says the daemon is not there at all.
 */
char *control_request(const char *path, const char *request, char *err,
		      size_t errlen, int *not_running);

#endif
