/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state-change hook: a command (run by /bin/sh -c, so it may carry
 * arguments) started for every state change of a probe stream, the way
 * keepalived runs notify scripts, e.g. to make the IKE daemon re-initiate
 * or move to UDP encapsulation. It never blocks the daemon: the child is
 * started and reaped later (SIGCHLD). Hooks of one stream run one at a
 * time and in order; at most HOOK_MAX_RUNNING run at once; the rest wait
 * in a queue. A hook still running after the timeout is killed (SIGKILL
 * to its process group), so a hung one cannot hold its stream's next
 * hooks forever. The child's environment is the daemon's plus:
 *
 *   ESPRIT_PEER        peer name            ESPRIT_OLD_STATE  init|up|down
 *   ESPRIT_DSCP        class, 0-63          ESPRIT_NEW_STATE  init|up|down
 *   ESPRIT_ADDRESS     peer address         ESPRIT_CHANGED_AT unix time, s
 *   ESPRIT_REASON      none|no-reply|esp-unsupported|unreachable|too-big|
 *                      send-failed (probe_stream.h)
 *   ESPRIT_REASON_DETAIL  the evidence, e.g. the ICMP error and its sender
 *   ESPRIT_EVENT       peer
 *
 * An RPKI-to-Router cache changing state runs it too, with ESPRIT_EVENT
 * rtr-cache, ESPRIT_ADDRESS and ESPRIT_PEER the cache ("ADDRESS port
 * PORT"), the states connecting|up|error|standby, and the last error as
 * ESPRIT_REASON_DETAIL.
 */
#ifndef ESPRIT_HOOK_H
#define ESPRIT_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/config.h"

#define HOOK_MAX_RUNNING 16
#define HOOK_QUEUE_MAX	 4096
#define HOOK_ENV_VARS	 9

struct hook_event {
	uint64_t stream_id; /* hooks with the same id run in order */
	char peer[CONFIG_PEER_NAME_MAX];
	char address[48];
	uint8_t dscp;
	char event[16]; /* "" or "peer": a stream; "rtr-cache" */
	char old_state[16], new_state[16];
	char reason[24], reason_detail[160];
	double changed_at; /* CLOCK_REALTIME seconds */
};

struct hook_child {
	pid_t pid;
	uint64_t started_ns; /* CLOCK_MONOTONIC */
	bool killed;
	struct hook_event ev;
};

struct hook_runner {
	char command[PATH_MAX]; /* "" = no hook */
	uint64_t timeout_ns; /* 0: none */
	struct hook_child running[HOOK_MAX_RUNNING];
	size_t nrunning;
	struct hook_event *queue; /* FIFO ring */
	size_t qhead, qlen, qcap;
	uint64_t started, failed, dropped;
};

void hook_runner_init(struct hook_runner *h, const char *command,
		      uint64_t timeout_ns);
void hook_runner_set_command(struct hook_runner *h, const char *command,
			     uint64_t timeout_ns);
void hook_runner_free(struct hook_runner *h);

/* Queues a hook run for ev and starts what may start. No-op without a
 * command. */
void hook_submit(struct hook_runner *h, const struct hook_event *ev);

/* Reaps finished children (logging failures) and starts queued runs. */
void hook_reap(struct hook_runner *h);

/* Kills hooks running longer than the timeout (call every second); they
 * are reaped, and logged, by hook_reap. */
void hook_kill_overdue(struct hook_runner *h, uint64_t now_ns);

/*
 * The child's environment: every variable of base but ESPRIT_*, then the
 * event's. Writes at most cap pointers (NULL-terminated) into envp, the
 * strings into buf. Returns the number of variables, or -1 if out of room.
 */
int hook_environment(const struct hook_event *ev, char *const base[],
		     char **envp, size_t cap, char *buf, size_t buflen);

#endif
