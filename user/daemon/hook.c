// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/hook.h"

extern char **environ;

void hook_runner_init(struct hook_runner *h, const char *command,
		      uint64_t timeout_ns)
{
	memset(h, 0, sizeof(*h));
	hook_runner_set_command(h, command, timeout_ns);
}

void hook_runner_set_command(struct hook_runner *h, const char *command,
			     uint64_t timeout_ns)
{
	snprintf(h->command, sizeof(h->command), "%s", command ? command : "");
	h->timeout_ns = timeout_ns;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void hook_kill_overdue(struct hook_runner *h, uint64_t now)
{
	for (size_t i = 0; i < h->nrunning; i++) {
		struct hook_child *c = &h->running[i];

		if (!h->timeout_ns || c->killed ||
		    now - c->started_ns < h->timeout_ns)
			continue;
		log_warn("hook for peer %s dscp %u (%s -> %s) still runs after "
			 "%.0f s: killed",
			 c->ev.peer, c->ev.dscp, c->ev.old_state,
			 c->ev.new_state, (double)h->timeout_ns / 1e9);
		kill(-c->pid, SIGKILL);
		c->killed = true;
	}
}

void hook_runner_free(struct hook_runner *h)
{
	free(h->queue);
	h->queue = NULL;
	h->qcap = h->qlen = h->qhead = 0;
}

int hook_environment(const struct hook_event *ev, char *const base[],
		     char **envp, size_t cap, char *buf, size_t buflen)
{
	char vars[HOOK_ENV_VARS][200];
	size_t n = 0, used = 0;

	snprintf(vars[0], sizeof(vars[0]), "ESPRIT_PEER=%s", ev->peer);
	snprintf(vars[1], sizeof(vars[1]), "ESPRIT_DSCP=%u", ev->dscp);
	snprintf(vars[2], sizeof(vars[2]), "ESPRIT_ADDRESS=%s", ev->address);
	snprintf(vars[3], sizeof(vars[3]), "ESPRIT_OLD_STATE=%s",
		 ev->old_state);
	snprintf(vars[4], sizeof(vars[4]), "ESPRIT_NEW_STATE=%s",
		 ev->new_state);
	snprintf(vars[5], sizeof(vars[5]), "ESPRIT_CHANGED_AT=%.6f",
		 ev->changed_at);
	snprintf(vars[6], sizeof(vars[6]), "ESPRIT_REASON=%s", ev->reason);
	snprintf(vars[7], sizeof(vars[7]), "ESPRIT_REASON_DETAIL=%s",
		 ev->reason_detail);
	snprintf(vars[8], sizeof(vars[8]), "ESPRIT_EVENT=%s",
		 ev->event[0] ? ev->event : "peer");
	for (size_t i = 0; base && base[i]; i++) {
		if (!strncmp(base[i], "ESPRIT_", 7))
			continue;
		if (n + 1 >= cap)
			return -1;
		envp[n++] = base[i];
	}
	for (size_t i = 0; i < HOOK_ENV_VARS; i++) {
		size_t len = strlen(vars[i]) + 1;

		if (n + 1 >= cap || used + len > buflen)
			return -1;
		memcpy(buf + used, vars[i], len);
		envp[n++] = buf + used;
		used += len;
	}
	envp[n] = NULL;
	return (int)n;
}

static bool stream_busy(const struct hook_runner *h, uint64_t id)
{
	for (size_t i = 0; i < h->nrunning; i++)
		if (h->running[i].ev.stream_id == id)
			return true;
	return false;
}

static int spawn(struct hook_runner *h, const struct hook_event *ev)
{
	char *argv[] = {"/bin/sh", "-c", h->command, NULL};
	size_t cap = 16;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char buf[HOOK_ENV_VARS * 160];
	char **envp;
	sigset_t none, dfl;
	pid_t pid;
	int err;

	for (char **e = environ; e && *e; e++)
		cap++;
	envp = calloc(cap, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	if (hook_environment(ev, environ, envp, cap, buf, sizeof(buf)) < 0) {
		free(envp);
		return -E2BIG;
	}
	/* The daemon blocks its signals for signalfd and ignores SIGPIPE;
	 * the hook gets a clean slate, in a process group of its own. */
	sigemptyset(&none);
	sigfillset(&dfl);
	sigdelset(&dfl, SIGKILL);
	sigdelset(&dfl, SIGSTOP);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETPGROUP);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	err = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (err)
		return -err;
	h->running[h->nrunning].pid = pid;
	h->running[h->nrunning].started_ns = now_ns();
	h->running[h->nrunning].killed = false;
	h->running[h->nrunning].ev = *ev;
	h->nrunning++;
	h->started++;
	return 0;
}

/* Starts queued runs, oldest first, skipping streams with one running. */
static void start_queued(struct hook_runner *h)
{
	size_t i = 0;

	while (i < h->qlen && h->nrunning < HOOK_MAX_RUNNING) {
		size_t at = (h->qhead + i) % h->qcap;
		struct hook_event ev = h->queue[at];
		int err;

		if (stream_busy(h, ev.stream_id)) {
			i++;
			continue;
		}
		/* Close the gap: later entries move up one. */
		for (size_t j = i; j + 1 < h->qlen; j++)
			h->queue[(h->qhead + j) % h->qcap] =
				h->queue[(h->qhead + j + 1) % h->qcap];
		h->qlen--;
		err = spawn(h, &ev);
		if (err) {
			h->failed++;
			log_err("hook for peer %s dscp %u (%s -> %s): cannot "
				"start /bin/sh: %s",
				ev.peer, ev.dscp, ev.old_state, ev.new_state,
				strerror(-err));
		}
	}
}

void hook_submit(struct hook_runner *h, const struct hook_event *ev)
{
	if (!h->command[0])
		return;
	if (h->qlen == h->qcap) {
		size_t cap = h->qcap ? 2 * h->qcap : 64;
		struct hook_event *q;

		if (cap > HOOK_QUEUE_MAX || !(q = malloc(cap * sizeof(*q)))) {
			h->dropped++;
			log_err("hook queue full (%zu waiting): not running "
				"the hook for peer %s dscp %u (%s -> %s)",
				h->qlen, ev->peer, ev->dscp, ev->old_state,
				ev->new_state);
			return;
		}
		for (size_t i = 0; i < h->qlen; i++)
			q[i] = h->queue[(h->qhead + i) % h->qcap];
		free(h->queue);
		h->queue = q;
		h->qcap = cap;
		h->qhead = 0;
	}
	h->queue[(h->qhead + h->qlen) % h->qcap] = *ev;
	h->qlen++;
	start_queued(h);
}

void hook_reap(struct hook_runner *h)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < h->nrunning; i++) {
			struct hook_child *c = &h->running[i];

			if (c->pid != pid)
				continue;
			if (c->killed) {
				h->failed++;
			} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
				h->failed++;
				log_warn("hook for peer %s dscp %u (%s -> %s) "
					 "exited with status %d",
					 c->ev.peer, c->ev.dscp,
					 c->ev.old_state, c->ev.new_state,
					 WEXITSTATUS(status));
			} else if (WIFSIGNALED(status) && !c->killed) {
				h->failed++;
				log_warn("hook for peer %s dscp %u (%s -> %s) "
					 "killed by signal %d",
					 c->ev.peer, c->ev.dscp,
					 c->ev.old_state, c->ev.new_state,
					 WTERMSIG(status));
			}
			*c = h->running[--h->nrunning];
			break;
		}
	}
	start_queued(h);
}
