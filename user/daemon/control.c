// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control.h"
#include "daemon/log.h"
#include "lib/file.h"
#include "daemon/status_json.h"

#define CONNECTIONS_MAX 64
/* A client that has not sent its request within this is closed. */
#define IDLE_NS (10ULL * 1000000000ULL)

struct control_conn {
	struct ev_source src;
	struct control_server *server;
	uint64_t since_ns; /* CLOCK_MONOTONIC of the accept */
	char in[CONTROL_REQUEST_MAX];
	size_t inlen;
	char *out;
	size_t outlen, outpos;
	struct control_conn *next;
};

struct control_server {
	struct ev_source src;
	struct daemon *d;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct control_conn *conns;
	size_t nconns;
};

const char *control_server_path(const struct control_server *c)
{
	return c->path;
}

static void conn_close(struct control_conn *cc)
{
	struct control_server *c = cc->server;
	struct control_conn **pp;

	for (pp = &c->conns; *pp && *pp != cc; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = cc->next;
	c->nconns--;
	ev_del(&c->d->loop, &cc->src);
	close(cc->src.fd);
	free(cc->out);
	free(cc);
}

enum control_req control_parse(const char *buf, size_t len, const char **peer,
			       size_t *peer_len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t line;

	*peer = NULL;
	*peer_len = 0;
	if (!nl)
		return len >= CONTROL_REQUEST_MAX - 1 ? CONTROL_TOO_LONG
						      : CONTROL_INCOMPLETE;
	line = (size_t)(nl - buf);
	/* a NUL byte makes a line no request */
	if (memchr(buf, '\0', line))
		return CONTROL_UNKNOWN;
	if (line == 6 && !memcmp(buf, "status", 6))
		return CONTROL_STATUS;
	if (line > 7 && !memcmp(buf, "status ", 7)) {
		*peer = buf + 7;
		*peer_len = line - 7;
		return CONTROL_STATUS_PEER;
	}
	return CONTROL_UNKNOWN;
}

/* The reply to the request at the start of buf (len bytes). */
static char *answer(struct control_server *c, char *buf, size_t len)
{
	const char *peer;
	size_t peer_len;
	json_t *doc = NULL;
	char *text;

	switch (control_parse(buf, len, &peer, &peer_len)) {
	case CONTROL_STATUS:
		doc = status_document(c->d, NULL);
		break;
	case CONTROL_STATUS_PEER:
		buf[7 + peer_len] = '\0';
		doc = status_document(c->d, peer);
		if (!doc)
			doc = json_pack("{s:s}", "error", "no such peer");
		break;
	case CONTROL_TOO_LONG:
		doc = json_pack("{s:s}", "error", "request too long");
		break;
	default:
		doc = json_pack("{s:s}", "error",
				"unknown request (expected 'status [PEER]')");
		break;
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static void conn_write(struct control_conn *cc)
{
	while (cc->outpos < cc->outlen) {
		ssize_t n = send(cc->src.fd, cc->out + cc->outpos,
				 cc->outlen - cc->outpos,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_mod(&cc->server->d->loop, &cc->src, EPOLLOUT);
			return;
		}
		if (n <= 0)
			break;
		cc->outpos += (size_t)n;
	}
	conn_close(cc);
}

static void on_conn(struct ev_source *s, uint32_t events)
{
	struct control_conn *cc = (struct control_conn *)s;
	char *text;
	ssize_t n;

	if (cc->out) {
		conn_write(cc);
		return;
	}
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		conn_close(cc);
		return;
	}
	n = recv(s->fd, cc->in + cc->inlen, sizeof(cc->in) - 1 - cc->inlen,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		conn_close(cc);
		return;
	}
	cc->inlen += (size_t)n;
	if (!memchr(cc->in, '\n', cc->inlen) && cc->inlen < sizeof(cc->in) - 1)
		return; /* more to come */
	text = answer(cc->server, cc->in, cc->inlen);
	if (!text) {
		conn_close(cc);
		return;
	}
	cc->outlen = strlen(text) + 1;
	cc->out = text;
	cc->out[cc->outlen - 1] = '\n';
	conn_write(cc);
}

/* The connection that has waited longest without a whole request. */
static struct control_conn *oldest_idle(struct control_server *c)
{
	struct control_conn *old = NULL;

	for (struct control_conn *cc = c->conns; cc; cc = cc->next)
		if (!cc->out && (!old || cc->since_ns < old->since_ns))
			old = cc;
	return old;
}

static void on_accept(struct ev_source *s, uint32_t events)
{
	struct control_server *c = (struct control_server *)s;
	struct control_conn *cc;
	int fd;

	(void)events;
	while ((fd = accept4(s->fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* clients that connect and never speak make room for the
		 * next one, so they cannot lock a real client out */
		if (c->nconns >= CONNECTIONS_MAX && (cc = oldest_idle(c)))
			conn_close(cc);
		if (c->nconns >= CONNECTIONS_MAX ||
		    !(cc = calloc(1, sizeof(*cc)))) {
			close(fd);
			continue;
		}
		cc->since_ns = monotonic_ns();
		cc->src.fd = fd;
		cc->src.prio = 1;
		cc->src.ready = on_conn;
		cc->server = c;
		if (ev_add(&c->d->loop, &cc->src, EPOLLIN)) {
			close(fd);
			free(cc);
			continue;
		}
		cc->next = c->conns;
		c->conns = cc;
		c->nconns++;
	}
}

void control_server_tick(struct control_server *c, uint64_t now_ns)
{
	struct control_conn *cc = c ? c->conns : NULL;

	while (cc) {
		struct control_conn *next = cc->next;

		if (!cc->out && now_ns - cc->since_ns > IDLE_NS)
			conn_close(cc);
		cc = next;
	}
}

static int mkdir_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

static int fill_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -1;
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

struct control_server *control_server_new(struct daemon *d, const char *path,
					  char *err, size_t errlen)
{
	struct control_server *c;
	struct sockaddr_un sun;
	int probe;

	if (fill_addr(path, &sun)) {
		snprintf(err, errlen, "control socket path '%s' is too long",
			 path);
		return NULL;
	}
	/* Someone answering there: another daemon runs. */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 &&
	    !connect(probe, (struct sockaddr *)&sun, sizeof(sun))) {
		close(probe);
		snprintf(err, errlen,
			 "another esprit daemon answers on %s already", path);
		return NULL;
	}
	if (probe >= 0)
		close(probe);
	if (mkdir_parent(path)) {
		snprintf(err, errlen, "cannot create the directory of %s: %s",
			 path, strerror(errno));
		return NULL;
	}
	unlink(path); /* left by a daemon that was killed */
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->d = d;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->src.fd =
		socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	c->src.prio = 1;
	c->src.ready = on_accept;
	if (c->src.fd < 0 ||
	    bind(c->src.fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    chmod(path, 0660) || listen(c->src.fd, 16) ||
	    ev_add(&d->loop, &c->src, EPOLLIN)) {
		snprintf(err, errlen, "cannot listen on %s: %s", path,
			 strerror(errno));
		if (c->src.fd >= 0)
			close(c->src.fd);
		free(c);
		return NULL;
	}
	return c;
}

void control_server_free(struct control_server *c)
{
	if (!c)
		return;
	while (c->conns)
		conn_close(c->conns);
	ev_del(&c->d->loop, &c->src);
	close(c->src.fd);
	unlink(c->path);
	free(c);
}

char *control_request(const char *path, const char *request, char *err,
		      size_t errlen, int *not_running)
{
	struct timeval timeout = {.tv_sec = CONTROL_TIMEOUT_S};
	struct sockaddr_un sun;
	size_t len = 0;
	char *buf;
	int fd;

	*not_running = 0;
	if (fill_addr(path, &sun)) {
		snprintf(err, errlen, "socket path '%s' is too long", path);
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	/* A daemon that hangs must not hang its client. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		close(fd);
		*not_running = e == ENOENT || e == ECONNREFUSED;
		if (e == ENOENT)
			snprintf(err, errlen,
				 "the esprit daemon is not running (no "
				 "control socket %s)",
				 path);
		else if (e == ECONNREFUSED)
			snprintf(err, errlen,
				 "the esprit daemon is not running (nobody "
				 "listens on %s)",
				 path);
		else
			snprintf(err, errlen, "cannot connect to %s: %s%s",
				 path, strerror(e),
				 e == EACCES ? " (root, or the socket's group)"
					     : "");
		return NULL;
	}
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0 ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) < 0) {
		snprintf(err, errlen, "cannot send to %s: %s", path,
			 strerror(errno));
		close(fd);
		return NULL;
	}
	buf = fd_read_all(fd, &len);
	if (!buf)
		snprintf(err, errlen, "cannot read from %s: %s", path,
			 errno == EAGAIN || errno == EWOULDBLOCK
				 ? "the daemon did not answer in time"
				 : strerror(errno));
	close(fd);
	if (!buf)
		return NULL;
	if (!len) {
		snprintf(err, errlen,
			 "the daemon on %s closed without an answer", path);
		free(buf);
		return NULL;
	}
	return buf;
}
