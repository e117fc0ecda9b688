// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "daemon/rtr_cache.h"

static double realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct rtr_cache *cache_of(const struct rtr_socket *s)
{
	return (struct rtr_cache *)((char *)s -
				    offsetof(struct rtr_cache, rtr));
}

void rtr_feed_signal(struct rtr_feed *f)
{
	__u64 one = 1;

	if (f->signalled)
		return;
	f->signalled = true;
	if (write(f->efd, &one, sizeof(one)) != sizeof(one))
		return; /* the counter is not 0 anyway */
}

void rtr_feed_note(struct rtr_feed *f, bool loud, const char *fmt, ...)
{
	va_list ap;

	if (f->nnotes == NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(f->notes[f->nnotes], sizeof(f->notes[0]), fmt, ap);
	va_end(ap);
	f->note_loud[f->nnotes++] = loud;
	rtr_feed_signal(f);
}

/* Under the lock. */
static int push(struct rtr_feed *f, const struct record *r)
{
	if (f->qlen == f->qcap) {
		size_t cap = f->qcap ? 2 * f->qcap : 4096;
		struct record *q = realloc(f->q, cap * sizeof(*q));

		if (!q)
			return -1;
		f->q = q;
		f->qcap = cap;
	}
	f->q[f->qlen++] = *r;
	return 0;
}

/* ---- records, as rtrlib's threads hand them over ------------------------ */

/*
 * The table's key of a record; false if there is none: an IPv6 prefix
 * inside or over ::ffff:0:0/96 would stand for IPv4 addresses.
 */
static bool key_of(const struct pfx_record *r, struct esprit_prefix_key *k)
{
	unsigned int len = r->min_len;

	memset(k, 0, sizeof(*k));
	if (r->prefix.ver == LRTR_IPV4) {
		__u32 a = r->prefix.u.addr4.addr;

		if (len > 32)
			return false;
		if (len < 32)
			a &= ~(0xffffffffU >> len);
		k->prefixlen = 96 + len;
		k->addr[10] = k->addr[11] = 0xff;
		k->addr[12] = a >> 24;
		k->addr[13] = a >> 16;
		k->addr[14] = a >> 8;
		k->addr[15] = a;
		return true;
	}
	if (len > 128)
		return false;
	for (int w = 0; w < 4; w++) {
		__u32 v = r->prefix.u.addr6.addr[w];

		k->addr[4 * w] = v >> 24;
		k->addr[4 * w + 1] = v >> 16;
		k->addr[4 * w + 2] = v >> 8;
		k->addr[4 * w + 3] = v;
	}
	for (unsigned int b = len; b < 128; b++)
		k->addr[b / 8] &= ~(0x80 >> (b % 8));
	k->prefixlen = len;
	{
		static const __u8 mapped[12] = {0, 0, 0, 0, 0,	  0,
						0, 0, 0, 0, 0xff, 0xff};
		unsigned int common = len < 96 ? len : 96;
		bool inside = true;

		for (unsigned int b = 0; b < common; b++)
			if ((k->addr[b / 8] ^ mapped[b / 8]) &
			    (0x80 >> (b % 8)))
				inside = false;
		if (inside)
			return false;
	}
	return true;
}

static void on_record(struct pfx_table *t, const struct pfx_record rec,
		      const bool added)
{
	struct rtr_cache *c = cache_of(rec.socket);
	struct rtr_feed *f = c->feed;
	struct record r = {.asn = rec.asn,
			   .max_len = rec.max_len,
			   .kind = added ? ANNOUNCE : WITHDRAW,
			   .source = (__u8)c->index};

	(void)t;
	if (!key_of(&rec, &r.key)) {
		pthread_mutex_lock(&f->lock);
		if (added)
			rtr_feed_note(f, false,
				      "RTR cache %s: a VRP for an IPv6 prefix "
				      "of /%u in ::ffff:0:0/96 left out (those "
				      "addresses are IPv4 ones here)",
				      c->name, rec.min_len);
		pthread_mutex_unlock(&f->lock);
		return;
	}
	pthread_mutex_lock(&f->lock);
	r.batch = c->batch;
	if (!r.batch && !added && c->rtr.state != RTR_SHUTDOWN &&
	    !f->cfg.clear_on_expire) {
		/* rtrlib purges data past the expire interval: kept */
		if (!c->kept_expired)
			rtr_feed_note(f, true,
				      "RTR cache %s: its data is past the "
				      "expire "
				      "interval; kept in the table (on_expire: "
				      "keep) until a cache gives data again",
				      c->name);
		c->kept_expired = true;
		pthread_mutex_unlock(&f->lock);
		return;
	}
	if (!r.batch && !added && c->rtr.state != RTR_SHUTDOWN &&
	    !c->kept_expired) {
		rtr_feed_note(f, true,
			      "RTR cache %s: its data is past the expire "
			      "interval; "
			      "taken out of the table (on_expire: clear)",
			      c->name);
		c->kept_expired = true; /* said once */
	}
	if (push(f, &r)) {
		c->errors++;
		snprintf(c->last_error, sizeof(c->last_error),
			 "out of memory queueing a VRP");
	}
	if (!r.batch)
		rtr_feed_signal(f);
	pthread_mutex_unlock(&f->lock);
}

pfx_update_fp rtr_feed_record_callback(void)
{
	return on_record;
}

struct rtr_socket *rtr_feed_socket(struct rtr_feed *f, size_t i)
{
	return i < f->n ? &f->caches[i].rtr : NULL;
}

void rtr_feed_batch_begin(struct rtr_feed *f, size_t i)
{
	struct rtr_cache *c = &f->caches[i];

	pthread_mutex_lock(&f->lock);
	c->batch = ++f->batch_seq;
	if (c->kept_expired && !f->cfg.clear_on_expire) {
		/* the cache starts over (its old data was purged in
		 * rtrlib): what was kept goes as the new data comes */
		struct record drop = {.kind = DROP_SOURCE,
				      .source = (__u8)i,
				      .batch = c->batch};

		push(f, &drop);
	}
	c->kept_expired = false;
	pthread_mutex_unlock(&f->lock);
}

void rtr_feed_batch_end(struct rtr_feed *f, size_t i, bool complete)
{
	struct rtr_cache *c = &f->caches[i];

	pthread_mutex_lock(&f->lock);
	if (c->batch) {
		c->done = c->batch;
		c->batch = 0;
		if (complete) {
			c->synced = true;
			c->last_update = realtime();
		}
		rtr_feed_signal(f);
	}
	pthread_mutex_unlock(&f->lock);
}

/* ---- the manager -------------------------------------------------------- */

static void on_status(const struct rtr_mgr_group *g, enum rtr_mgr_status st,
		      const struct rtr_socket *s, void *data)
{
	struct rtr_feed *f = data;

	(void)g;
	(void)st;
	(void)s;
	pthread_mutex_lock(&f->lock);
	rtr_feed_signal(f); /* a state to show, maybe a hook to run */
	pthread_mutex_unlock(&f->lock);
}

static int by_preference(const void *a, const void *b)
{
	const struct rtr_cache *x = *(struct rtr_cache *const *)a;
	const struct rtr_cache *y = *(struct rtr_cache *const *)b;

	if (x->preference != y->preference)
		return x->preference < y->preference ? -1 : 1;
	return x->index < y->index ? -1 : 1;
}

struct rtr_feed *rtr_feed_new(const struct config_rtr *cfg, char *err,
			      size_t errlen)
{
	struct rtr_feed *f = calloc(1, sizeof(*f));

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->cfg = *cfg;
	f->n = cfg->n;
	f->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->caches = calloc(f->n ? f->n : 1, sizeof(*f->caches));
	f->sockets = calloc(f->n ? f->n : 1, sizeof(*f->sockets));
	f->groups = calloc(f->n ? f->n : 1, sizeof(*f->groups));
	f->vrps = vrp_set_new();
	pthread_mutex_init(&f->lock, NULL);
	if (f->efd < 0 || !f->caches || !f->sockets || !f->groups || !f->vrps) {
		snprintf(err, errlen, "cannot set up the RTR feed: %s",
			 f->efd < 0 ? strerror(errno) : "out of memory");
		rtr_feed_free(f);
		return NULL;
	}
	for (size_t i = 0; i < f->n; i++) {
		struct rtr_cache *c = &f->caches[i];

		c->feed = f;
		c->index = (unsigned int)i;
		c->preference = cfg->caches[i].preference;
		snprintf(c->host, sizeof(c->host), "%s", cfg->caches[i].host);
		snprintf(c->port, sizeof(c->port), "%s", cfg->caches[i].port);
		snprintf(c->name, sizeof(c->name), "%s port %s", c->host,
			 c->port);
		c->tcp_cfg.host = c->host;
		c->tcp_cfg.port = c->port;
		c->tcp_cfg.connect_timeout = 10;
		if (tr_tcp_init(&c->tcp_cfg, &c->tcp)) {
			snprintf(err, errlen,
				 "cannot set up the TCP transport to %s",
				 c->name);
			f->n = i;
			rtr_feed_free(f);
			return NULL;
		}
		rtr_wire_init(c);
		c->rtr.tr_socket = &c->wire;
		f->sockets[i] = &c->rtr;
	}
	return f;
}

int rtr_feed_start(struct rtr_feed *f, char *err, size_t errlen)
{
	struct rtr_cache **order = calloc(f->n ? f->n : 1, sizeof(*order));
	unsigned int refresh = f->cfg.refresh ? f->cfg.refresh : 3600;
	unsigned int expire = f->cfg.expire ? f->cfg.expire : 7200;
	unsigned int retry = f->cfg.retry ? f->cfg.retry : 600;
	int rc;

	if (!order) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < f->n; i++)
		order[i] = &f->caches[i];
	qsort(order, f->n, sizeof(*order), by_preference);
	f->ngroups = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct rtr_mgr_group *g =
			f->ngroups ? &f->groups[f->ngroups - 1] : NULL;

		f->sockets[i] = &order[i]->rtr;
		if (!g || g->preference != order[i]->preference) {
			g = &f->groups[f->ngroups++];
			g->preference = order[i]->preference;
			g->sockets = &f->sockets[i];
			g->sockets_len = 0;
		}
		g->sockets_len++;
	}
	free(order);
	if (refresh >= expire)
		expire = refresh + 600 > 172800 ? 172800 : refresh + 600;
	rc = rtr_mgr_init(&f->mgr, f->groups, (unsigned int)f->ngroups, refresh,
			  expire, retry, on_record, NULL, on_status, f);
	if (rc != RTR_SUCCESS) {
		snprintf(err, errlen,
			 "rtrlib refused the RTR caches (rtr_mgr_init: %d)",
			 rc);
		f->mgr = NULL;
		return -1;
	}
	for (size_t i = 0; i < f->n; i++)
		rtr_set_interval_mode(&f->caches[i].rtr,
				      f->cfg.refresh || f->cfg.expire ||
						      f->cfg.retry
					      ? RTR_INTERVAL_MODE_IGNORE_ANY
					      : RTR_INTERVAL_MODE_ACCEPT_ANY);
	if (rtr_mgr_start(f->mgr) != RTR_SUCCESS) {
		snprintf(err, errlen, "cannot start the RTR sessions");
		return -1;
	}
	f->started = true;
	return 0;
}

void rtr_feed_free(struct rtr_feed *f)
{
	if (!f)
		return;
	if (f->mgr) {
		if (f->started)
			rtr_mgr_stop(f->mgr);
		rtr_mgr_free(f->mgr); /* frees the transports too */
	} else {
		for (size_t i = 0; i < f->n; i++)
			f->caches[i].tcp.free_fp(&f->caches[i].tcp);
	}
	if (f->efd >= 0)
		close(f->efd);
	vrp_set_free(f->vrps);
	pthread_mutex_destroy(&f->lock);
	free(f->q);
	free(f->caches);
	free(f->sockets);
	free(f->groups);
	free(f);
}

bool rtr_feed_same(const struct rtr_feed *f, const struct config_rtr *cfg)
{
	return !memcmp(&f->cfg, cfg, sizeof(*cfg));
}

int rtr_feed_fd(const struct rtr_feed *f)
{
	return f->efd;
}

static bool ready(const struct rtr_feed *f, const struct record *r)
{
	return !r->batch || r->batch <= f->caches[r->source].done;
}

long rtr_feed_drain(struct rtr_feed *f, struct prefix_change **out)
{
	size_t keep = 0;
	__u64 buf;
	long rc = 0;

	pthread_mutex_lock(&f->lock);
	if (read(f->efd, &buf, sizeof(buf)) < 0 && errno != EAGAIN)
		rc = -1;
	f->signalled = false;
	for (size_t i = 0; i < f->qlen && rc >= 0; i++) {
		struct record *r = &f->q[i];
		enum vrp_apply_result res = VRP_APPLIED;

		if (!ready(f, r)) {
			f->q[keep++] = *r;
			continue;
		}
		if (r->kind == DROP_SOURCE)
			res = vrp_set_drop_source(f->vrps, r->source)
				      ? VRP_NOMEM
				      : VRP_APPLIED;
		else
			res = vrp_set_apply(f->vrps, &r->key, r->max_len,
					    r->asn, r->source,
					    r->kind == ANNOUNCE);
		if (res == VRP_NOMEM) {
			/* keep this record and the rest for next time */
			memmove(&f->q[keep], r, (f->qlen - i) * sizeof(*r));
			keep += f->qlen - i;
			rc = -1;
			break;
		}
	}
	f->qlen = keep;
	pthread_mutex_unlock(&f->lock);
	if (rc < 0)
		return -1;
	return vrp_set_take_changes(f->vrps, out);
}

bool rtr_feed_pending(const struct rtr_feed *f)
{
	bool pending;

	pthread_mutex_lock((pthread_mutex_t *)&f->lock);
	pending = f->qlen > 0;
	pthread_mutex_unlock((pthread_mutex_t *)&f->lock);
	return pending;
}

bool rtr_feed_synced(const struct rtr_feed *f)
{
	bool synced = false;

	pthread_mutex_lock((pthread_mutex_t *)&f->lock);
	for (size_t i = 0; i < f->n; i++)
		synced |= f->caches[i].synced;
	pthread_mutex_unlock((pthread_mutex_t *)&f->lock);
	return synced;
}

const struct vrp_set *rtr_feed_vrps(const struct rtr_feed *f)
{
	return f->vrps;
}

/* rtrlib 0.8's rtr_state_to_str() has no name for RTR_CLOSED. */
static const char *session_state(enum rtr_socket_state s)
{
	switch (s) {
	case RTR_CONNECTING:
		return "connecting";
	case RTR_ESTABLISHED:
		return "established";
	case RTR_RESET:
		return "reset";
	case RTR_SYNC:
		return "sync";
	case RTR_FAST_RECONNECT:
		return "fast-reconnect";
	case RTR_ERROR_NO_DATA_AVAIL:
		return "no-data-available";
	case RTR_ERROR_NO_INCR_UPDATE_AVAIL:
		return "no-incremental-update";
	case RTR_ERROR_FATAL:
		return "error-fatal";
	case RTR_ERROR_TRANSPORT:
		return "error-transport";
	case RTR_SHUTDOWN:
		return "shutdown";
	default:
		return "closed";
	}
}

static const char *coarse_state(const struct rtr_cache *c)
{
	switch (c->rtr.state) {
	case RTR_ESTABLISHED:
	case RTR_RESET:
	case RTR_SYNC:
	case RTR_FAST_RECONNECT:
		return c->synced ? "up" : "connecting";
	case RTR_CONNECTING:
		return "connecting";
	case RTR_ERROR_NO_DATA_AVAIL:
	case RTR_ERROR_NO_INCR_UPDATE_AVAIL:
	case RTR_ERROR_FATAL:
	case RTR_ERROR_TRANSPORT:
		return "error";
	default:
		return "standby"; /* not in use: a better cache is */
	}
}

size_t rtr_feed_status(const struct rtr_feed *f, struct rtr_cache_status *out,
		       size_t max)
{
	size_t n = f->n < max ? f->n : max;

	pthread_mutex_lock((pthread_mutex_t *)&f->lock);
	for (size_t i = 0; i < n; i++) {
		const struct rtr_cache *c = &f->caches[i];
		struct rtr_cache_status *s = &out[i];

		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", c->name);
		s->preference = c->preference;
		/* rtrlib's threads write these words; a torn read cannot
		 * happen to an aligned word on the machines we run on */
		s->state = f->started ? coarse_state(c) : "standby";
		s->rtr_state = session_state(c->rtr.state);
		s->synced = c->synced;
		s->expired = c->kept_expired;
		s->session_id = c->rtr.session_id;
		s->serial = c->rtr.serial_number;
		s->last_update = c->last_update;
		vrp_set_counts(f->vrps, c->index, &s->v4, &s->v6);
		s->errors = c->errors;
		snprintf(s->last_error, sizeof(s->last_error), "%s",
			 c->last_error);
	}
	pthread_mutex_unlock((pthread_mutex_t *)&f->lock);
	return n;
}

double rtr_feed_notified(const struct rtr_feed *f, size_t i)
{
	double t;

	pthread_mutex_lock((pthread_mutex_t *)&f->lock);
	t = i < f->n ? f->caches[i].notified : 0;
	pthread_mutex_unlock((pthread_mutex_t *)&f->lock);
	return t;
}

bool rtr_feed_take_note(struct rtr_feed *f, char *buf, size_t len, bool *loud)
{
	bool any;

	pthread_mutex_lock(&f->lock);
	any = f->nnotes > 0;
	if (any) {
		snprintf(buf, len, "%s", f->notes[0]);
		*loud = f->note_loud[0];
		memmove(f->notes[0], f->notes[1],
			(f->nnotes - 1) * sizeof(f->notes[0]));
		memmove(&f->note_loud[0], &f->note_loud[1],
			(f->nnotes - 1) * sizeof(f->note_loud[0]));
		f->nnotes--;
	}
	pthread_mutex_unlock(&f->lock);
	return any;
}
