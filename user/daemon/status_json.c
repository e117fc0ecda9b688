// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <unistd.h>

#include "lib/attach.h"
#include "echo/packet.h"
#include "echo/socket.h"
#include "daemon/status_json.h"

static json_t *ns_or_null(bool have, uint64_t ns)
{
	return have ? json_integer((json_int_t)ns) : json_null();
}

static json_t *ratio_or_null(uint64_t lost, uint64_t settled)
{
	return settled ? json_real((double)lost / (double)settled)
		       : json_null();
}

json_t *status_stream_json(const struct probe_stream *st, uint64_t now_ns)
{
	const struct ping_session *s = &st->session;
	const struct rtt_hist *h = &st->hist;
	bool have = h->count > 0;
	double ratio1m = 0;
	uint64_t rcv1m = 0, lost1m = 0;
	bool have1m =
		loss_window_ratio(&st->loss, now_ns, &ratio1m, &rcv1m, &lost1m);
	json_t *rtt = json_object(), *o = json_object(), *rx = json_object();

	json_object_set_new(rtt, "last", ns_or_null(have, st->last_rtt_ns));
	json_object_set_new(rtt, "min", ns_or_null(have, h->min_ns));
	json_object_set_new(rtt, "avg",
			    ns_or_null(have, (uint64_t)(s->rtt.mean_ns + 0.5)));
	json_object_set_new(rtt, "max", ns_or_null(have, h->max_ns));
	json_object_set_new(
		rtt, "mdev",
		ns_or_null(have, (uint64_t)(rtt_stats_mdev_ns(&s->rtt) + 0.5)));
	json_object_set_new(rtt, "p50",
			    ns_or_null(have, rtt_hist_quantile(h, 0.50)));
	json_object_set_new(rtt, "p90",
			    ns_or_null(have, rtt_hist_quantile(h, 0.90)));
	json_object_set_new(rtt, "p99",
			    ns_or_null(have, rtt_hist_quantile(h, 0.99)));

	json_object_set_new(rx, "path",
			    json_string(st->reader ? "xdp" : "raw"));
	json_object_set_new(rx, "interface", json_string(st->ifname));
	json_object_set_new(rx, "note", json_string(st->rx_note));

	json_object_set_new(o, "name", json_string(st->peer));
	json_object_set_new(o, "address", json_string(st->addr_str));
	json_object_set_new(o, "dscp", json_integer(st->dscp));
	json_object_set_new(o, "state",
			    json_string(peer_state_name(st->fsm.state)));
	json_object_set_new(o, "reason",
			    json_string(probe_reason_name(st->reason)));
	json_object_set_new(o, "reason_detail", json_string(st->reason_detail));
	json_object_set_new(o, "format",
			    json_string(echo_format_name(st->format)));
	json_object_set_new(
		o, "since",
		json_real((double)(now_ns - st->fsm.changed_ns) / 1e9));
	json_object_set_new(o, "changed_at",
			    json_real(daemon_realtime_of(st->fsm.changed_ns)));
	json_object_set_new(o, "sent",
			    json_integer((json_int_t)s->transmitted));
	json_object_set_new(o, "received",
			    json_integer((json_int_t)s->received));
	json_object_set_new(o, "lost", json_integer((json_int_t)s->lost));
	json_object_set_new(o, "late", json_integer((json_int_t)s->late));
	json_object_set_new(o, "duplicated",
			    json_integer((json_int_t)s->duplicates));
	json_object_set_new(o, "in_flight",
			    json_integer((json_int_t)(s->transmitted -
						      s->received - s->lost)));
	json_object_set_new(o, "loss_ratio",
			    ratio_or_null(s->lost, s->received + s->lost));
	json_object_set_new(o, "loss_ratio_1m",
			    have1m ? json_real(ratio1m) : json_null());
	json_object_set_new(o, "rtt_ns", rtt);
	json_object_set_new(o, "interval_ms",
			    json_real((double)st->interval_ns / 1e6));
	json_object_set_new(o, "detect_multiplier",
			    json_integer(st->detect_mult));
	json_object_set_new(o, "up_after", json_integer(st->up_after));
	json_object_set_new(o, "size", json_integer(st->size));
	json_object_set_new(o, "ident", json_integer(s->ident));
	json_object_set_new(o, "send_errors",
			    json_integer((json_int_t)st->send_errors));
	json_object_set_new(o, "icmp_errors",
			    json_integer((json_int_t)st->icmp_errors));
	json_object_set_new(o, "dscp_changed",
			    json_integer((json_int_t)st->dscp_mismatch));
	json_object_set_new(o, "untimed", json_integer((json_int_t)s->untimed));
	json_object_set_new(o, "ignored",
			    json_pack("{s:I, s:I, s:I}", "bad_tag",
				      (json_int_t)s->bad_tag, "stale",
				      (json_int_t)s->stale, "foreign",
				      (json_int_t)s->foreign));
	json_object_set_new(o, "rx", rx);
	return o;
}

static json_t *interfaces_json(const struct dataplane *dp)
{
	json_t *a = json_array();

	for (size_t i = 0; i < dp->nifs; i++) {
		const struct dp_interface *ifc = &dp->ifs[i];

		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:I, s:s}", "name",
				     ifc->name, "state", ifc->state, "mode",
				     xdp_mode_name(ifc->mode), "program_id",
				     (json_int_t)ifc->prog_id, "attached_mode",
				     ifc->prog_id
					     ? xdp_mode_name(ifc->attached_mode)
					     : ""));
	}
	return a;
}

static json_t *or_null_time(double t)
{
	return t > 0 ? json_real(t) : json_null();
}

/* The RPKI-to-Router feed: each cache, and what the table did. */
static json_t *rtr_json(const struct daemon *d)
{
	const struct daemon_risav *dr = &d->risav;
	struct rtr_cache_status st[CONFIG_RTR_CACHES_MAX];
	json_t *caches = json_array(), *o;
	size_t n = rtr_feed_status(dr->feed, st, CONFIG_RTR_CACHES_MAX);

	for (size_t i = 0; i < n; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "cache", json_string(st[i].name));
		json_object_set_new(
			c, "address",
			json_string(d->cfg.risav.rtr.caches[i].host));
		json_object_set_new(
			c, "port",
			json_string(d->cfg.risav.rtr.caches[i].port));
		json_object_set_new(c, "preference",
				    json_integer(st[i].preference));
		json_object_set_new(c, "state", json_string(st[i].state));
		json_object_set_new(c, "session_state",
				    json_string(st[i].rtr_state));
		json_object_set_new(c, "synced", json_boolean(st[i].synced));
		json_object_set_new(c, "expired", json_boolean(st[i].expired));
		json_object_set_new(c, "session_id",
				    st[i].synced
					    ? json_integer(st[i].session_id)
					    : json_null());
		json_object_set_new(c, "serial",
				    st[i].synced ? json_integer(st[i].serial)
						 : json_null());
		json_object_set_new(c, "last_update",
				    or_null_time(st[i].last_update));
		json_object_set_new(c, "vrps_ipv4",
				    json_integer((json_int_t)st[i].v4));
		json_object_set_new(c, "vrps_ipv6",
				    json_integer((json_int_t)st[i].v6));
		json_object_set_new(c, "errors",
				    json_integer((json_int_t)st[i].errors));
		json_object_set_new(c, "last_error",
				    json_string(st[i].last_error));
		json_array_append_new(caches, c);
	}
	o = json_pack("{s:o, s:b, s:I, s:I, s:I, s:I, s:f, s:o, s:s}", "caches",
		      caches, "installed", dr->rtr_installed, "prefixes",
		      (json_int_t)(dr->rtr_installed ? dr->prefixes.table.n
						     : 0),
		      "installs", (json_int_t)dr->rtr.installs, "batches",
		      (json_int_t)dr->rtr.batches, "failures",
		      (json_int_t)dr->rtr.failures, "last_apply_seconds",
		      dr->rtr.last_apply_s, "last_change",
		      or_null_time(dr->rtr.last_change), "on_expire",
		      d->cfg.risav.rtr.clear_on_expire ? "clear" : "keep");
	return o;
}

json_t *status_document(const struct daemon *d, const char *peer)
{
	uint64_t now = monotonic_ns();
	json_t *doc = json_object(), *peers = json_array(), *info;
	size_t counts[3] = {0};

	for (const struct probe_stream *st = d->prober.streams; st;
	     st = st->next) {
		counts[st->fsm.state]++;
		if (peer && strcmp(st->peer, peer))
			continue;
		json_array_append_new(peers, status_stream_json(st, now));
	}
	if (peer && !json_array_size(peers)) {
		json_decref(peers);
		json_decref(doc);
		return NULL;
	}
	info = json_pack("{s:I, s:s, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:I}",
			 "pid", (json_int_t)getpid(), "config", d->cfg.path,
			 "started_at", d->started_real, "uptime",
			 (double)(now - d->started_mono_ns) / 1e9, "streams",
			 (json_int_t)d->prober.nstreams, "up",
			 (json_int_t)counts[PEER_UP], "down",
			 (json_int_t)counts[PEER_DOWN], "init",
			 (json_int_t)counts[PEER_INIT], "ring_drops",
			 (json_int_t)prober_ring_drops(&d->prober), "reloads",
			 (json_int_t)d->reloads, "reload_failures",
			 (json_int_t)d->reload_failures);
	json_object_set_new(
		info, "replies_malformed",
		json_integer((json_int_t)d->prober.replies_malformed));
	json_object_set_new(info, "tx_timestamps",
			    json_boolean(d->prober.sock4.tx_stamps &&
					 d->prober.sock6.tx_stamps));
	json_object_set_new(info, "hooks",
			    json_pack("{s:s, s:I, s:I, s:I, s:I}", "command",
				      d->hooks.command, "started",
				      (json_int_t)d->hooks.started, "failed",
				      (json_int_t)d->hooks.failed, "dropped",
				      (json_int_t)d->hooks.dropped, "queued",
				      (json_int_t)d->hooks.qlen));
	json_object_set_new(doc, "daemon", info);
	json_object_set_new(doc, "interfaces", interfaces_json(&d->dp));
	json_object_set_new(doc, "peers", peers);
	if (d->risav.feed)
		json_object_set_new(doc, "rtr", rtr_json(d));
	return doc;
}
