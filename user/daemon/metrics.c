// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <microhttpd.h>

#include "esprit_maps.h"
#include "lib/counters.h"
#include "lib/pins.h"
#include "risav/sa_in.h"
#include "risav/sa_out.h"
#include "daemon/log.h"
#include "daemon/metrics.h"

struct metrics_server {
	struct ev_source src;
	struct daemon *d;
	struct MHD_Daemon *mhd;
	char listen[128];
};

/* Label values: backslash, double quote and newline escaped. */
static void label(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void stream_labels(FILE *out, const struct probe_stream *st)
{
	fputs("peer=\"", out);
	label(out, st->peer);
	fprintf(out, "\",dscp=\"%u\"", st->dscp);
}

static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

#define FOR_STREAMS(d, st)                                            \
	for (const struct probe_stream *st = (d)->prober.streams; st; \
	     st = st->next)

static void per_stream_counter(FILE *out, const struct daemon *d,
			       const char *name, const char *help,
			       size_t offset_in_session)
{
	family(out, name, "counter", help);
	FOR_STREAMS(d, st)
	{
		const uint64_t *v =
			(const uint64_t *)((const char *)&st->session +
					   offset_in_session);

		fprintf(out, "%s{", name);
		stream_labels(out, st);
		fprintf(out, "} %llu\n", (unsigned long long)*v);
	}
}

static void rtt_histogram(FILE *out, const struct daemon *d)
{
	family(out, "esprit_rtt_seconds", "histogram",
	       "Round-trip time of ESP Echo replies received in time, "
	       "timestamped in XDP (or by the kernel on the raw-socket "
	       "path).");
	FOR_STREAMS(d, st)
	{
		uint64_t cum = 0;

		for (int i = 0; i <= RTT_PROM_BUCKETS; i++) {
			cum += st->hist.prom[i];
			fputs("esprit_rtt_seconds_bucket{", out);
			stream_labels(out, st);
			if (i < RTT_PROM_BUCKETS)
				fprintf(out, ",le=\"%g\"} %llu\n",
					rtt_prom_bounds[i],
					(unsigned long long)cum);
			else
				fprintf(out, ",le=\"+Inf\"} %llu\n",
					(unsigned long long)cum);
		}
		fputs("esprit_rtt_seconds_sum{", out);
		stream_labels(out, st);
		fprintf(out, "} %.9f\n", (double)st->hist.sum_ns / 1e9);
		fputs("esprit_rtt_seconds_count{", out);
		stream_labels(out, st);
		fprintf(out, "} %llu\n", (unsigned long long)st->hist.count);
	}
}

static void xdp_counters(FILE *out, const struct daemon *d)
{
	struct esprit_counter c[ESPRIT_R_COUNT];

	if (dataplane_counters(&d->dp, c))
		return; /* no program on our interfaces: no such series */
	family(out, "esprit_xdp_packets_total", "counter",
	       "Packets the XDP program handled, by reason and action.");
	for (int r = 0; r < ESPRIT_R_COUNT; r++)
		fprintf(out,
			"esprit_xdp_packets_total{reason=\"%s\",action=\"%s\"} "
			"%llu\n",
			reason_info[r].name, reason_info[r].action,
			(unsigned long long)c[r].packets);
	family(out, "esprit_xdp_bytes_total", "counter",
	       "Bytes of the packets the XDP program handled, by reason and "
	       "action.");
	for (int r = 0; r < ESPRIT_R_COUNT; r++)
		fprintf(out,
			"esprit_xdp_bytes_total{reason=\"%s\",action=\"%s\"} "
			"%llu\n",
			reason_info[r].name, reason_info[r].action,
			(unsigned long long)c[r].bytes);
}

static void sa_labels(FILE *out, const char *name, __u32 spi, __u32 asn)
{
	fprintf(out, "%s{spi=\"%#x\",asn=\"%u\"} ", name, spi, asn);
}

/* The SAs in the maps pinned in the pin directory, whoever added them:
 * per inbound SA what XDP verified and refused, per outbound SA what was
 * tagged and how many sequence numbers are left. */
static void sa_metrics(FILE *out, const struct daemon *d)
{
	/* the inbound SA counters, as fields of struct esprit_sa_stats */
	static const struct {
		const char *name, *help;
		size_t field;
	} in_families[] = {
		{"esprit_risav_sa_in_packets_total",
		 "Packets an inbound SA verified.",
		 offsetof(struct esprit_sa_stats, packets) / sizeof(__u64)},
		{"esprit_risav_sa_in_bad_icv_total",
		 "Packets of an inbound SA whose ICV did not match: spoofing, "
		 "or a key that differs from the peer's.",
		 offsetof(struct esprit_sa_stats, bad_icv) / sizeof(__u64)},
		{"esprit_risav_sa_in_replayed_total",
		 "Packets of an inbound SA refused as replays.",
		 offsetof(struct esprit_sa_stats, replayed) / sizeof(__u64)},
	};
	struct sa_maps m = {-1, -1, -1};
	struct sa_out_maps om = {-1, -1, -1};
	struct sa_in_row *in = NULL;
	struct sa_out_row *o = NULL;
	size_t nin = 0, nout = 0;
	struct pins pins;
	char err[256];

	if (pins_prepare(d->dp.pin_dir[0] ? d->dp.pin_dir : NULL, &pins))
		return;
	m.in = pins_try_open_map(&pins, ESPRIT_MAP_SA_IN);
	m.in_rw = pins_try_open_map(&pins, ESPRIT_MAP_SA_IN_RW);
	m.in_st = pins_try_open_map(&pins, ESPRIT_MAP_SA_IN_ST);
	om.out = pins_try_open_map(&pins, ESPRIT_MAP_SA_OUT);
	om.sel = pins_try_open_map(&pins, ESPRIT_MAP_SA_SEL);
	om.st = pins_try_open_map(&pins, ESPRIT_MAP_SA_OUT_ST);
	if (m.in < 0 || m.in_rw < 0 || m.in_st < 0 ||
	    sa_in_list(&m, &in, &nin, err, sizeof(err)))
		nin = 0;
	if (om.out < 0 || om.sel < 0 || om.st < 0 ||
	    sa_out_list(&om, &o, &nout, err, sizeof(err)))
		nout = 0;
	sa_maps_close(&m);
	sa_out_maps_close(&om);
	for (size_t f = 0;
	     nin && f < sizeof(in_families) / sizeof(*in_families); f++) {
		family(out, in_families[f].name, "counter",
		       in_families[f].help);
		for (size_t i = 0; i < nin; i++) {
			sa_labels(out, in_families[f].name, in[i].key.spi,
				  in[i].key.asn);
			fprintf(out, "%llu\n",
				(unsigned long long)((const __u64 *)&in[i].stats)
					[in_families[f].field]);
		}
	}
	if (nout) {
		family(out, "esprit_risav_sa_out_packets_total", "counter",
		       "Packets an outbound SA tagged.");
		for (size_t i = 0; i < nout; i++) {
			sa_labels(out, "esprit_risav_sa_out_packets_total",
				  o[i].key.spi, o[i].key.asn);
			fprintf(out, "%llu\n",
				(unsigned long long)o[i].stats.packets);
		}
		family(out, "esprit_risav_sa_out_sequence_remaining", "gauge",
		       "Sequence numbers an outbound SA has left before it "
		       "is exhausted (of 4294967295): rekey before 0.");
		for (size_t i = 0; i < nout; i++) {
			sa_labels(out, "esprit_risav_sa_out_sequence_remaining",
				  o[i].key.spi, o[i].key.asn);
			fprintf(out, "%llu\n",
				o[i].seq >= ESPRIT_SA_OUT_SEQ_LAST
					? 0ULL
					: (unsigned long long)(ESPRIT_SA_OUT_SEQ_LAST -
							       o[i].seq));
		}
	}
	free(in);
	free(o);
}

/* "NAME{cache="CACHE"" and the rest of the labels, the value to follow. */
static void cache_sample(FILE *out, const char *name,
			 const struct rtr_cache_status *st, const char *labels)
{
	fprintf(out, "%s{cache=\"", name);
	label(out, st->name);
	fprintf(out, "\"%s} ", labels);
}

/* The RPKI-to-Router caches and what their data did to the table. */
static void rtr_metrics(FILE *out, const struct daemon *d)
{
	const struct daemon_risav *dr = &d->risav;
	struct rtr_cache_status st[CONFIG_RTR_CACHES_MAX];
	static const char *const states[] = {"connecting", "up", "error",
					     "standby"};
	size_t n;

	if (!dr->feed)
		return;
	n = rtr_feed_status(dr->feed, st, CONFIG_RTR_CACHES_MAX);
	family(out, "esprit_rtr_cache_state", "gauge",
	       "1 for the RPKI-to-Router cache's state, 0 for the others.");
	for (size_t i = 0; i < n; i++)
		for (size_t s = 0; s < 4; s++) {
			char labels[32];

			snprintf(labels, sizeof(labels), ",state=\"%s\"",
				 states[s]);
			cache_sample(out, "esprit_rtr_cache_state", &st[i],
				     labels);
			fprintf(out, "%d\n", !strcmp(st[i].state, states[s]));
		}
	family(out, "esprit_rtr_cache_serial", "gauge",
	       "Serial number of the cache's data esprit holds.");
	for (size_t i = 0; i < n; i++) {
		if (!st[i].synced)
			continue;
		cache_sample(out, "esprit_rtr_cache_serial", &st[i], "");
		fprintf(out, "%u\n", st[i].serial);
	}
	family(out, "esprit_rtr_cache_last_update_timestamp_seconds", "gauge",
	       "Unix time the cache's last End of Data was applied.");
	for (size_t i = 0; i < n; i++) {
		if (!st[i].synced)
			continue;
		cache_sample(out,
			     "esprit_rtr_cache_last_update_timestamp_seconds",
			     &st[i], "");
		fprintf(out, "%.3f\n", st[i].last_update);
	}
	family(out, "esprit_rtr_cache_vrps", "gauge",
	       "VRPs the cache gave, by address family.");
	for (size_t i = 0; i < n; i++) {
		cache_sample(out, "esprit_rtr_cache_vrps", &st[i],
			     ",family=\"ipv4\"");
		fprintf(out, "%zu\n", st[i].v4);
		cache_sample(out, "esprit_rtr_cache_vrps", &st[i],
			     ",family=\"ipv6\"");
		fprintf(out, "%zu\n", st[i].v6);
	}
	family(out, "esprit_rtr_cache_errors_total", "counter",
	       "PDUs refused and errors the cache reported.");
	for (size_t i = 0; i < n; i++) {
		cache_sample(out, "esprit_rtr_cache_errors_total", &st[i], "");
		fprintf(out, "%llu\n", (unsigned long long)st[i].errors);
	}
	family(out, "esprit_rtr_table_updates_total", "counter",
	       "RTR data put into the prefix table: whole tables, batches "
	       "swapped in, and those the maps refused.");
	fprintf(out,
		"esprit_rtr_table_updates_total{kind=\"install\"} %llu\n"
		"esprit_rtr_table_updates_total{kind=\"batch\"} %llu\n"
		"esprit_rtr_table_updates_total{kind=\"failed\"} %llu\n",
		(unsigned long long)dr->rtr.installs,
		(unsigned long long)dr->rtr.batches,
		(unsigned long long)dr->rtr.failures);
	family(out, "esprit_rtr_table_prefixes", "gauge",
	       "Prefixes in the table while it holds RTR data (statics "
	       "included).");
	fprintf(out, "esprit_rtr_table_prefixes %zu\n",
		dr->rtr_installed ? dr->prefixes.table.n : 0);
}

int metrics_write(const struct daemon *d, FILE *out)
{
	family(out, "esprit_peer_up", "gauge",
	       "1 if the peer answers ESP Echo in this class (state up), 0 "
	       "in init or down.");
	FOR_STREAMS(d, st)
	{
		fputs("esprit_peer_up{", out);
		stream_labels(out, st);
		fprintf(out, "} %d\n", st->fsm.state == PEER_UP);
	}
	family(out, "esprit_peer_reason", "gauge",
	       "1 for the stream's current diagnosis, 0 for the others: none "
	       "(replies come in), no-reply (requests lost without an ICMP "
	       "error: ESP black-holed, or a silent peer), esp-unsupported "
	       "(the peer does not speak ESP), unreachable, too-big, "
	       "send-failed.");
	FOR_STREAMS(d, st)
	{
		for (int r = 0; r < PROBE_REASONS; r++) {
			fputs("esprit_peer_reason{", out);
			stream_labels(out, st);
			fprintf(out, ",reason=\"%s\"} %d\n",
				probe_reason_name(r), (int)st->reason == r);
		}
	}
	family(out, "esprit_peer_state_changed_timestamp_seconds", "gauge",
	       "Unix time of the last state change (of the start, in init).");
	FOR_STREAMS(d, st)
	{
		fputs("esprit_peer_state_changed_timestamp_seconds{", out);
		stream_labels(out, st);
		fprintf(out, "} %.3f\n",
			daemon_realtime_of(st->fsm.changed_ns));
	}
	per_stream_counter(out, d, "esprit_probes_sent_total",
			   "ESP Echo Requests sent (including those the "
			   "socket refused).",
			   offsetof(struct ping_session, transmitted));
	per_stream_counter(out, d, "esprit_replies_received_total",
			   "Requests answered within their deadline "
			   "(detect_multiplier x interval).",
			   offsetof(struct ping_session, received));
	per_stream_counter(out, d, "esprit_probes_lost_total",
			   "Requests with no reply by their deadline.",
			   offsetof(struct ping_session, lost));
	per_stream_counter(out, d, "esprit_replies_late_total",
			   "First replies that came after their request's "
			   "deadline.",
			   offsetof(struct ping_session, late));
	per_stream_counter(out, d, "esprit_replies_duplicated_total",
			   "Further replies to a request already answered.",
			   offsetof(struct ping_session, duplicates));
	rtt_histogram(out, d);
	xdp_counters(out, d);
	family(out, "esprit_ring_buffer_drops_total", "counter",
	       "Replies XDP could not put into the daemon's ring buffers "
	       "(esprit_rb_drops): lost to the daemon.");
	fprintf(out, "esprit_ring_buffer_drops_total %llu\n",
		(unsigned long long)prober_ring_drops(&d->prober));
	family(out, "esprit_hook_failures_total", "counter",
	       "State-change hooks that failed to start, exited non-zero, "
	       "were killed or could not be queued.");
	fprintf(out, "esprit_hook_failures_total %llu\n",
		(unsigned long long)(d->hooks.failed + d->hooks.dropped));
	family(out, "esprit_daemon_reloads_total", "counter",
	       "Reloads (SIGHUP) applied, and those refused (the file or the "
	       "kernel said no; nothing changed).");
	fprintf(out,
		"esprit_daemon_reloads_total{result=\"applied\"} %llu\n"
		"esprit_daemon_reloads_total{result=\"failed\"} %llu\n",
		(unsigned long long)d->reloads,
		(unsigned long long)d->reload_failures);
	sa_metrics(out, d);
	rtr_metrics(out, d);
	return ferror(out) ? -1 : 0;
}

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned int code,
			       const char *type, char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct metrics_server *m = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *out;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		body = strdup("only GET\n");
		return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			       body, body ? strlen(body) : 0);
	}
	if (strcmp(url, "/metrics")) {
		body = strdup("esprit: metrics are at /metrics\n");
		return respond(conn, MHD_HTTP_NOT_FOUND, "text/plain", body,
			       body ? strlen(body) : 0);
	}
	out = open_memstream(&body, &len);
	if (!out)
		return MHD_NO;
	if (metrics_write(m->d, out)) {
		fclose(out);
		free(body);
		return MHD_NO;
	}
	fclose(out);
	return respond(conn, MHD_HTTP_OK, "text/plain; version=0.0.4", body,
		       len);
}

static void on_ready(struct ev_source *s, uint32_t events)
{
	struct metrics_server *m = (struct metrics_server *)s;

	(void)events;
	MHD_run(m->mhd);
}

/* libmicrohttpd with esprit's handler and limits, on ss, or with no
 * listening socket at all when ss is NULL. */
static struct MHD_Daemon *server_start(struct metrics_server *m,
				       unsigned int flags,
				       const struct sockaddr_storage *ss)
{
	uint16_t port = ss ? ntohs(((const struct sockaddr_in *)ss)->sin_port)
			   : 0;

	if (!ss)
		flags |= MHD_USE_NO_LISTEN_SOCKET;
	return MHD_start_daemon(
		flags, port, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR,
		(const struct sockaddr *)ss,
		/* clients that open connections and dawdle (slow loris) are
		 * cut after 10 s, and one address holds 8 connections at
		 * most, so they cannot keep a scraper out */
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)8,
		MHD_OPTION_END);
}

struct metrics_server *metrics_server_new(struct daemon *d, const char *listen,
					  char *err, size_t errlen)
{
	struct metrics_server *m = calloc(1, sizeof(*m));
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	socklen_t len;
	char why[160];

	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (config_parse_listen(listen, &ss, &len, why, sizeof(why))) {
		snprintf(err, errlen, "metrics.listen: %s", why);
		free(m);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m->d = d;
	snprintf(m->listen, sizeof(m->listen), "%s", listen);
	m->mhd = server_start(m, flags, &ss);
	if (!m->mhd) {
		snprintf(err, errlen, "cannot listen for metrics on %s: %s",
			 listen, strerror(errno));
		free(m);
		return NULL;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	m->src.fd = info ? info->epoll_fd : -1;
	m->src.prio = 1;
	m->src.ready = on_ready;
	if (m->src.fd < 0 || ev_add(&d->loop, &m->src, EPOLLIN)) {
		snprintf(err, errlen, "cannot watch the metrics server");
		MHD_stop_daemon(m->mhd);
		free(m);
		return NULL;
	}
	return m;
}

struct metrics_server *metrics_server_unbound(struct daemon *d)
{
	struct metrics_server *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->d = d;
	m->src.fd = -1;
	m->mhd = server_start(m, 0, NULL);
	if (!m->mhd) {
		free(m);
		return NULL;
	}
	return m;
}

int metrics_server_add_connection(struct metrics_server *m, int fd,
				  const struct sockaddr *peer,
				  socklen_t peer_len)
{
	return MHD_add_connection(m->mhd, fd, peer, peer_len) == MHD_YES ? 0
									 : -1;
}

void metrics_server_tick(struct metrics_server *m)
{
	if (m)
		MHD_run(m->mhd);
}

const char *metrics_server_listen(const struct metrics_server *m)
{
	return m->listen;
}

void metrics_server_free(struct metrics_server *m)
{
	if (!m)
		return;
	if (m->src.fd >= 0)
		ev_del(&m->d->loop, &m->src);
	MHD_stop_daemon(m->mhd);
	free(m);
}
