/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state of a running esprit daemon that its views (control socket,
 * metrics) read: one process, one thread, so they read it directly.
 */
#ifndef ESPRIT_DAEMON_H
#define ESPRIT_DAEMON_H

#include "daemon/config.h"
#include "daemon/risav_apply.h"
#include "daemon/dataplane.h"
#include "lib/event_loop.h"
#include "daemon/hook.h"
#include "daemon/prober.h"

struct control_server;
struct metrics_server;

struct daemon {
	struct daemon_config cfg;
	struct ev_loop loop;
	struct prober prober;
	struct dataplane dp;
	struct daemon_risav risav;
	struct hook_runner hooks;
	struct control_server *control;
	struct metrics_server *metrics;
	struct ev_source signals;
	struct ev_source tick;
	struct ev_source rtr; /* the RTR feed's fd, when there is a feed */
	char rtr_states[CONFIG_RTR_CACHES_MAX][16]; /* as last reported */
	uint64_t started_mono_ns;
	double started_real;
	uint64_t ticks;
	uint64_t ring_drops_logged;
	uint64_t reloads, reload_failures;
	bool stop;
	const char *pin_dir; /* --pin-dir, over the file's; NULL: none */
};

/*
 * Runs the daemon on the configuration file until SIGTERM; pin_dir (may be
 * NULL) replaces the file's pin_dir. Returns an exit code.
 */
int daemon_main(const char *file, const char *pin_dir);

/* CLOCK_REALTIME seconds of a CLOCK_MONOTONIC time. */
double daemon_realtime_of(uint64_t mono_ns);

#endif
