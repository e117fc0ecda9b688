// SPDX-License-Identifier: GPL-2.0
/*
 * esprit daemon: attaches the XDP program to the configured interfaces
 * (adopting what already runs), fills its maps from the file, and probes
 * every peer and class, reporting state changes to the log and the hook,
 * and everything over the control socket and the metrics endpoint. SIGHUP
 * re-reads the file and applies only what changed; a file that does not
 * parse changes nothing. SIGTERM stops it cleanly.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <systemd/sd-daemon.h>

#include "daemon/control.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "echo/socket.h"
#include "daemon/metrics.h"
#include "lib/output.h"

#define MAINTAIN_EVERY_TICKS 10 /* interfaces and receive paths */

/* CLOCK_REALTIME - CLOCK_MONOTONIC, seconds: kept while it holds to 1 ms,
 * so a time reported twice reads the same; a clock step moves it. */
static double realtime_offset;

static void update_realtime_offset(void)
{
	struct timespec ts;
	uint64_t now = monotonic_ns();
	double offset;

	clock_gettime(CLOCK_REALTIME, &ts);
	offset = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 -
		 (double)now / 1e9;
	if (offset - realtime_offset > 1e-3 || realtime_offset - offset > 1e-3)
		realtime_offset = offset;
}

double daemon_realtime_of(uint64_t mono_ns)
{
	if (!realtime_offset)
		update_realtime_offset();
	return realtime_offset + (double)mono_ns / 1e9;
}

static void on_state_change(void *ctx, struct probe_stream *st,
			    enum peer_state old)
{
	struct daemon *d = ctx;
	const struct peer_fsm *f = &st->fsm;
	struct hook_event ev = {.stream_id = st->id, .dscp = st->dscp};
	char why[320];

	if (f->state == PEER_DOWN)
		snprintf(why, sizeof(why),
			 "no reply in time for %.0f ms: detect_multiplier %u "
			 "x interval %.0f ms; %s%s%s",
			 (double)peer_fsm_detect_ns(f) / 1e6, f->detect_mult,
			 (double)f->interval_ns / 1e6,
			 probe_reason_name(st->reason),
			 st->reason_detail[0] ? ": " : "", st->reason_detail);
	else
		snprintf(why, sizeof(why),
			 "%u consecutive replies, rtt %.3f ms", f->run,
			 (double)st->last_rtt_ns / 1e6);
	log_notice("peer %s dscp %u (%s): %s -> %s (%s)", st->peer, st->dscp,
		   st->addr_str, peer_state_name(old),
		   peer_state_name(f->state), why);
	snprintf(ev.peer, sizeof(ev.peer), "%s", st->peer);
	snprintf(ev.address, sizeof(ev.address), "%s", st->addr_str);
	snprintf(ev.old_state, sizeof(ev.old_state), "%s",
		 peer_state_name(old));
	snprintf(ev.new_state, sizeof(ev.new_state), "%s",
		 peer_state_name(f->state));
	snprintf(ev.reason, sizeof(ev.reason), "%s",
		 probe_reason_name(st->reason));
	snprintf(ev.reason_detail, sizeof(ev.reason_detail), "%s",
		 st->reason_detail);
	ev.changed_at = daemon_realtime_of(f->changed_ns);
	hook_submit(&d->hooks, &ev);
}

/*
 * A new diagnosis of a stream that is not up is logged (one that is up has
 * its replies; a lost request now and then is the loss counters' story);
 * the hook runs on state changes, and says the reason.
 */
static void on_reason_change(void *ctx, struct probe_stream *st,
			     enum probe_reason old)
{
	(void)ctx;
	if (st->fsm.state == PEER_UP)
		return;
	log_notice("peer %s dscp %u (%s): reason %s -> %s%s%s", st->peer,
		   st->dscp, st->addr_str, probe_reason_name(old),
		   probe_reason_name(st->reason),
		   st->reason_detail[0] ? ": " : "", st->reason_detail);
}

static void notify_status(struct daemon *d)
{
	size_t n[3] = {0};

	for (const struct probe_stream *st = d->prober.streams; st;
	     st = st->next)
		n[st->fsm.state]++;
	sd_notifyf(0, "STATUS=%zu streams: %zu up, %zu down, %zu init",
		   d->prober.nstreams, n[PEER_UP], n[PEER_DOWN], n[PEER_INIT]);
}

static int start_metrics(struct daemon *d, const struct daemon_config *cfg)
{
	char err[256];

	if (!cfg->metrics_enabled)
		return 0;
	d->metrics =
		metrics_server_new(d, cfg->metrics_listen, err, sizeof(err));
	if (!d->metrics) {
		log_err("%s", err);
		return -1;
	}
	return 0;
}

/* The file, with the command line's --pin-dir over its pin_dir. */
static int load_config(const struct daemon *d, const char *file,
		       struct daemon_config *cfg, char *err, size_t errlen)
{
	if (config_load(file, cfg, err, errlen))
		return -1;
	if (d->pin_dir)
		snprintf(cfg->pin_dir, sizeof(cfg->pin_dir), "%s", d->pin_dir);
	return 0;
}

static void watch_rtr(struct daemon *d);

static void reload(struct daemon *d)
{
	struct daemon_config nc;
	struct risav_plan plan;
	uint64_t first_new = d->prober.next_id + 1;
	size_t before = d->prober.nstreams, added = 0;
	char err[1024];

	sd_notify(0, "RELOADING=1");
	if (load_config(d, d->cfg.path, &nc, err, sizeof(err))) {
		d->reload_failures++;
		log_err("reload: %s; nothing changed, still running the "
			"configuration read before",
			err);
		sd_notify(0, "READY=1");
		return;
	}
	/* RISAV first: it is the part a map's size or the kernel can still
	 * refuse, and then it has undone its writes and nothing else moved */
	daemon_risav_state_dir(&d->risav, nc.state_dir);
	if (daemon_risav_prepare(&d->risav, &nc, &plan, err, sizeof(err)) ||
	    daemon_risav_apply(&d->risav, &plan, &d->dp, err, sizeof(err))) {
		daemon_risav_state_dir(&d->risav, d->cfg.state_dir);
		d->reload_failures++;
		log_err("reload: %s; nothing changed, still running the "
			"configuration read before",
			err);
		risav_plan_free(&plan);
		config_free(&nc);
		sd_notify(0, "READY=1");
		return;
	}
	risav_plan_free(&plan);
	watch_rtr(d);
	if (strcmp(nc.control, d->cfg.control)) {
		struct control_server *c =
			control_server_new(d, nc.control, err, sizeof(err));

		if (c) {
			control_server_free(d->control);
			d->control = c;
		} else {
			log_err("reload: %s; the control socket stays %s", err,
				d->cfg.control);
			snprintf(nc.control, sizeof(nc.control), "%s",
				 d->cfg.control);
		}
	}
	if (nc.metrics_enabled != d->cfg.metrics_enabled ||
	    strcmp(nc.metrics_listen, d->cfg.metrics_listen)) {
		metrics_server_free(d->metrics);
		d->metrics = NULL;
		start_metrics(d, &nc);
	}
	hook_runner_set_command(&d->hooks, nc.hook, nc.hook_timeout_ns);
	dataplane_apply(&d->dp, &nc);
	daemon_risav_sync(&d->risav, &nc, &d->dp); /* programs just attached */
	prober_apply(&d->prober, &nc);
	for (const struct probe_stream *st = d->prober.streams; st;
	     st = st->next)
		added += st->id >= first_new;
	config_free(&d->cfg);
	d->cfg = nc;
	d->reloads++;
	log_notice("reloaded %s: %zu interfaces, %zu peers, %zu streams (%zu "
		   "new, %zu stopped)",
		   d->cfg.path, d->cfg.interface_count, d->cfg.peer_count,
		   d->prober.nstreams, added,
		   before + added - d->prober.nstreams);
	notify_status(d);
	sd_notify(0, "READY=1");
}

static void on_signal(struct ev_source *s, uint32_t events)
{
	struct daemon *d =
		(struct daemon *)((char *)s - offsetof(struct daemon, signals));
	int sig;

	(void)events;
	while ((sig = ev_signal_next(s))) {
		switch (sig) {
		case SIGHUP:
			reload(d);
			break;
		case SIGCHLD:
			hook_reap(&d->hooks);
			break;
		default:
			log_notice("signal %d: stopping", sig);
			d->stop = true;
			break;
		}
	}
}

static void check_ring_drops(struct daemon *d)
{
	uint64_t drops = prober_ring_drops(&d->prober);

	if (drops > d->ring_drops_logged) {
		log_warn("ring buffer full: %llu replies lost before the "
			 "daemon "
			 "could read them (esprit_rb_drops; %llu in all)",
			 (unsigned long long)(drops - d->ring_drops_logged),
			 (unsigned long long)drops);
		d->ring_drops_logged = drops;
	}
}

/* A cache that changed state is logged, and runs the hook. */
static void check_rtr_caches(struct daemon *d)
{
	struct rtr_cache_status st[CONFIG_RTR_CACHES_MAX];
	size_t n;

	if (!d->risav.feed)
		return;
	n = rtr_feed_status(d->risav.feed, st, CONFIG_RTR_CACHES_MAX);
	for (size_t i = 0; i < n; i++) {
		char *seen = d->rtr_states[i];
		struct hook_event ev = {.stream_id = UINT64_MAX - i};

		if (!strcmp(seen, st[i].state))
			continue;
		(strcmp(st[i].state, "error") ? log_notice : log_warn)(
			"risav: RTR cache %s: %s -> %s (%s)%s%s", st[i].name,
			seen[0] ? seen : "init", st[i].state, st[i].rtr_state,
			st[i].last_error[0] ? "; last error: " : "",
			st[i].last_error);
		snprintf(ev.event, sizeof(ev.event), "rtr-cache");
		snprintf(ev.peer, sizeof(ev.peer), "%s", st[i].name);
		snprintf(ev.address, sizeof(ev.address), "%s",
			 d->cfg.risav.rtr.caches[i].host);
		snprintf(ev.old_state, sizeof(ev.old_state), "%s",
			 seen[0] ? seen : "init");
		snprintf(ev.new_state, sizeof(ev.new_state), "%s", st[i].state);
		snprintf(ev.reason_detail, sizeof(ev.reason_detail), "%s",
			 st[i].last_error);
		ev.changed_at = daemon_realtime_of(monotonic_ns());
		hook_submit(&d->hooks, &ev);
		snprintf(seen, sizeof(d->rtr_states[0]), "%s", st[i].state);
	}
}

static void on_rtr(struct ev_source *s, uint32_t events)
{
	struct daemon *d =
		(struct daemon *)((char *)s - offsetof(struct daemon, rtr));

	(void)events;
	daemon_risav_rtr_update(&d->risav, &d->cfg, &d->dp);
	check_rtr_caches(d);
}

/* Watches the feed the RISAV part runs now (a reload may replace it). */
static void watch_rtr(struct daemon *d)
{
	int fd = d->risav.feed ? rtr_feed_fd(d->risav.feed) : -1;

	if (fd == d->rtr.fd)
		return;
	if (d->rtr.fd >= 0)
		ev_del(&d->loop, &d->rtr);
	memset(d->rtr_states, 0, sizeof(d->rtr_states));
	d->rtr.fd = fd;
	d->rtr.ready = on_rtr;
	if (fd >= 0 && ev_add(&d->loop, &d->rtr, EPOLLIN))
		log_err("cannot watch the RTR feed: %s", strerror(errno));
}

static void on_tick(struct ev_source *s, uint32_t events)
{
	struct daemon *d =
		(struct daemon *)((char *)s - offsetof(struct daemon, tick));

	(void)events;
	if (!ev_timer_read(s))
		return;
	d->ticks++;
	sd_notify(0, "WATCHDOG=1");
	update_realtime_offset();
	check_ring_drops(d);
	metrics_server_tick(d->metrics);
	hook_kill_overdue(&d->hooks, monotonic_ns());
	control_server_tick(d->control, monotonic_ns());
	hook_reap(&d->hooks);
	daemon_risav_checkpoint(&d->risav, d->dp.pin_dir);
	check_rtr_caches(d);
	if (d->ticks % MAINTAIN_EVERY_TICKS == 0) {
		dataplane_maintain(&d->dp);
		daemon_risav_sync(&d->risav, &d->cfg, &d->dp);
		prober_check_paths(&d->prober);
		notify_status(d);
	}
}

static int setup_signals(struct daemon *d)
{
	static const int sigs[] = {SIGHUP, SIGTERM, SIGINT, SIGCHLD};

	signal(SIGPIPE, SIG_IGN);
	return ev_signal_open(&d->loop, &d->signals, sigs, 4, on_signal);
}

/* Once a second, or often enough for systemd's watchdog. */
static int setup_tick(struct daemon *d)
{
	uint64_t period = 1000000000ULL, wd_usec = 0;

	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec * 1000 / 3 < period)
		period = wd_usec * 1000 / 3;
	return ev_timer_open(&d->loop, &d->tick, on_tick) ||
	       ev_timer_set(&d->tick, monotonic_ns() + period, period);
}

static int start_running(struct daemon *d, struct risav_plan *plan);

static int start(struct daemon *d, const char *file)
{
	struct risav_plan plan;
	char err[1024];
	int rc;

	if (load_config(d, file, &d->cfg, err, sizeof(err))) {
		log_err("%s", err);
		return -1;
	}
	daemon_risav_state_dir(&d->risav, d->cfg.state_dir);
	if (daemon_risav_prepare(&d->risav, &d->cfg, &plan, err, sizeof(err))) {
		log_err("%s", err);
		return -1;
	}
	rc = start_running(d, &plan);
	risav_plan_free(&plan);
	return rc;
}

static int start_running(struct daemon *d, struct risav_plan *plan)
{
	struct prober_events events = {
		.state = on_state_change, .reason = on_reason_change, .ctx = d};
	char err[1024];

	if (ev_loop_init(&d->loop) || setup_signals(d) || setup_tick(d)) {
		log_err("cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	d->control = control_server_new(d, d->cfg.control, err, sizeof(err));
	if (!d->control) {
		log_err("%s", err);
		return -1;
	}
	/* Everything that can refuse to start comes before the dataplane is
	 * touched: a daemon that fails to start changes nothing. */
	if (start_metrics(d, &d->cfg))
		return -1;
	if (prober_init(&d->prober, &d->loop, &events, err, sizeof(err))) {
		log_err("%s", err);
		return -1;
	}
	hook_runner_init(&d->hooks, d->cfg.hook, d->cfg.hook_timeout_ns);
	dataplane_apply(&d->dp, &d->cfg);
	if (daemon_risav_apply(&d->risav, plan, &d->dp, err, sizeof(err))) {
		log_err("%s; the RISAV maps are as they were", err);
		dataplane_take_back(&d->dp);
		return -1;
	}
	watch_rtr(d);
	if (prober_apply(&d->prober, &d->cfg))
		return -1;
	return 0;
}

static void stop(struct daemon *d)
{
	prober_free(&d->prober);
	metrics_server_free(d->metrics);
	control_server_free(d->control);
	daemon_risav_checkpoint(&d->risav, d->dp.pin_dir);
	dataplane_shutdown(&d->dp, d->cfg.detach_on_exit);
	if (d->rtr.fd >= 0)
		ev_del(&d->loop, &d->rtr);
	daemon_risav_free(&d->risav);
	hook_reap(&d->hooks);
	hook_runner_free(&d->hooks);
	ev_close(&d->loop, &d->tick);
	ev_close(&d->loop, &d->signals);
	ev_loop_free(&d->loop);
	config_free(&d->cfg);
}

/* The daemon holds SA keys (as midstates): no core file may hold them. */
static void no_core_dumps(void)
{
	struct rlimit none = {0, 0};

	if (setrlimit(RLIMIT_CORE, &none) || prctl(PR_SET_DUMPABLE, 0))
		log_warn("cannot disable core dumps: %s", strerror(errno));
}

int daemon_main(const char *file, const char *pin_dir)
{
	struct daemon *d;
	int rc = EXIT_ERROR;

	log_init();
	no_core_dumps();
	d = calloc(1, sizeof(*d));
	if (!d) {
		log_err("out of memory");
		return EXIT_ERROR;
	}
	d->loop.epfd = d->tick.fd = d->signals.fd = d->rtr.fd = -1;
	d->prober.timer.fd = d->prober.sock4.src.fd = -1;
	d->prober.sock6.src.fd = -1;
	d->pin_dir = pin_dir;
	dataplane_init(&d->dp);
	daemon_risav_init(&d->risav, NULL);
	d->started_mono_ns = monotonic_ns();
	d->started_real = daemon_realtime_of(d->started_mono_ns);
	if (start(d, file) == 0) {
		log_notice("running %s: %zu interfaces, %zu peers, %zu probe "
			   "streams; control socket %s%s%s",
			   d->cfg.path, d->cfg.interface_count,
			   d->cfg.peer_count, d->prober.nstreams,
			   control_server_path(d->control),
			   d->metrics ? "; metrics on http://" : "",
			   d->metrics ? metrics_server_listen(d->metrics) : "");
		notify_status(d);
		sd_notify(0, "READY=1");
		while (!d->stop) {
			int e = ev_run_once(&d->loop, -1);

			if (e) {
				log_err("event loop: %s", strerror(-e));
				break;
			}
		}
		sd_notify(0, "STOPPING=1");
		rc = d->stop ? EXIT_OK : EXIT_ERROR;
	}
	stop(d);
	free(d);
	return rc;
}
