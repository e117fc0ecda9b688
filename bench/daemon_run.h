/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real esprit daemon (build/esprit) as the daemon benchmarks run it:
 * started in the current network namespace with a configuration they
 * write, asked for its status over its control socket, stopped.
 */
#ifndef ESPRIT_BENCH_DAEMON_RUN_H
#define ESPRIT_BENCH_DAEMON_RUN_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>

struct daemon_run {
	char dir[64]; /* temporary: configuration, socket, log */
	char conf[128], sock[128], log[128];
	pid_t pid;
};

/*
 * Writes the configuration (header + peers, as YAML text; the control
 * socket is added) and starts the daemon, waiting until it answers.
 * Returns 0, or -1 with err.
 */
int daemon_run_start(struct daemon_run *r, const char *yaml, char *err,
		     size_t errlen);

/* The daemon's status document (json_decref it), or NULL. */
json_t *daemon_run_status(const struct daemon_run *r);

/* Streams whose state is state (NULL: any). */
int daemon_run_count(json_t *doc, const char *state);

/* SIGTERM, wait, remove the files. Returns the exit status. */
int daemon_run_stop(struct daemon_run *r);

#endif
