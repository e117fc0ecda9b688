// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the metrics endpoint's HTTP request handling, whole:
 * libmicrohttpd's request parser and esprit's handler, on whatever a
 * scraper (or anyone who reaches the port) sends. The input goes down one
 * end of a socket pair whose other end the server is given as a client
 * connection; the client then closes its side, and the server must answer
 * and let go of the connection within a bounded number of runs. What comes
 * back is nothing or HTTP, and a 200 is the exposition format, whole,
 * to a request that asked for it. (Which method and path the handler is
 * shown is libmicrohttpd's reading: a NUL ends a word, a line starting
 * with one is empty; the netns tests check the handler's choices.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/metrics.h"

#define INPUT_MAX    65536
#define RESPONSE_MAX (1 << 20)
#define RUNS_MAX     2000

static struct daemon *daemon_state;
static struct metrics_server *server;
static char response[RESPONSE_MAX + 1];

static bool starts_with(const char *s, size_t n, const char *prefix)
{
	size_t len = strlen(prefix);

	return n >= len && !memcmp(s, prefix, len);
}

static bool contains(const unsigned char *data, size_t size, const char *s)
{
	return memmem(data, size, s, strlen(s)) != NULL;
}

/* Everything the server sends until it closes; -1 if it never does. */
static ssize_t exchange(int client)
{
	size_t got = 0;

	for (int run = 0; run < RUNS_MAX; run++) {
		struct pollfd p = {.fd = client, .events = POLLIN};

		metrics_server_tick(server);
		while (poll(&p, 1, 0) == 1) {
			ssize_t n = read(client, response + got,
					 RESPONSE_MAX - got);

			if (n == 0 || (n < 0 && errno == ECONNRESET))
				return (ssize_t)got;
			if (n < 0)
				break;
			got += (size_t)n;
			if (got == RESPONSE_MAX)
				abort(); /* no answer of ours is this long */
		}
	}
	return -1;
}

/* The request as one client's whole conversation; the answer's length. */
static size_t serve(const unsigned char *data, size_t size)
{
	static unsigned int clients;
	struct sockaddr_in peer = {.sin_family = AF_INET,
				   .sin_port = htons(40000)};
	ssize_t got;
	int fds[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds))
		abort();
	/* an address per client, so the per-address limit never refuses */
	peer.sin_addr.s_addr = htonl(0x0a000000 | (++clients & 0xffffff));
	if (metrics_server_add_connection(
		    server, fds[0], (struct sockaddr *)&peer, sizeof(peer)))
		abort();
	if (size && write(fds[1], data, size) != (ssize_t)size)
		abort();
	shutdown(fds[1], SHUT_WR);
	got = exchange(fds[1]);
	close(fds[1]);
	if (got < 0)
		abort(); /* the server held on to a client that had left */
	response[got] = '\0';
	return (size_t)got;
}

static void server_once(void)
{
	static const char scrape[] = "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n";

	if (server)
		return;
	daemon_state = calloc(1, sizeof(*daemon_state));
	if (!daemon_state)
		abort();
	/* no pins to read: the SA series stay out, the rest is written */
	snprintf(daemon_state->dp.pin_dir, sizeof(daemon_state->dp.pin_dir),
		 "/nonexistent/esprit-fuzz");
	server = metrics_server_unbound(daemon_state);
	if (!server)
		abort();
	/* the harness itself works: a scrape gets the metrics */
	serve((const unsigned char *)scrape, sizeof(scrape) - 1);
	if (!starts_with(response, sizeof(response), "HTTP/1.1 200 ") ||
	    !strstr(response, "# TYPE esprit_peer_up gauge"))
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	size_t got;
	const char *body;

	if (size > INPUT_MAX)
		return 0;
	server_once();
	got = serve(data, size);
	if (!got)
		return 0; /* closed without answering: an unfinished request */
	if (got < 13 || !starts_with(response, got, "HTTP/1."))
		abort();
	body = strstr(response, "\r\n\r\n");
	if (!body)
		abort();
	if (!memcmp(response + 8, " 200 ", 5)) {
		/* the request named the method and the path (perhaps
		 * percent-encoded), however libmicrohttpd read the rest */
		if ((!contains(data, size, "GET") &&
		     !contains(data, size, "HEAD")) ||
		    (!contains(data, size, "/metrics") &&
		     !contains(data, size, "%")))
			abort();
		if (!strstr(response, "text/plain; version=0.0.4"))
			abort();
		/* a GET's body (a HEAD has none) is the exposition, whole */
		if (body[4] && (!strstr(body, "# TYPE esprit_peer_up gauge") ||
				!strstr(body, "esprit_daemon_reloads_total{"
					      "result=\"failed\"}")))
			abort();
	}
	return 0;
}
