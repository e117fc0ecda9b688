// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/control.h"
#include "daemon_run.h"

extern char **environ;

int daemon_run_start(struct daemon_run *r, const char *yaml, char *err,
		     size_t errlen)
{
	const char *build = getenv("ESPRIT_BUILD");
	char bin[256];
	posix_spawn_file_actions_t fa;
	FILE *f;

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/esprit-bench-XXXXXX");
	if (!mkdtemp(r->dir)) {
		snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
		return -1;
	}
	snprintf(r->conf, sizeof(r->conf), "%s/esprit.yaml", r->dir);
	snprintf(r->sock, sizeof(r->sock), "%s/esprit.sock", r->dir);
	snprintf(r->log, sizeof(r->log), "%s/daemon.log", r->dir);
	snprintf(bin, sizeof(bin), "%s/esprit", build ? build : "build");
	f = fopen(r->conf, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", r->conf, strerror(errno));
		return -1;
	}
	fprintf(f, "control: %s\nmetrics: {enabled: false}\n%s", r->sock, yaml);
	fclose(f);
	{
		char *argv[] = {bin, "daemon", "-c", r->conf, NULL};

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(
			&fa, 2, r->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (posix_spawn(&r->pid, bin, &fa, NULL, argv, environ)) {
			posix_spawn_file_actions_destroy(&fa);
			snprintf(err, errlen, "cannot start %s", bin);
			return -1;
		}
		posix_spawn_file_actions_destroy(&fa);
	}
	for (int i = 0; i < 400; i++) {
		json_t *doc = daemon_run_status(r);
		int status;

		if (doc) {
			json_decref(doc);
			return 0;
		}
		if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
			r->pid = 0;
			break;
		}
		usleep(25000);
	}
	snprintf(err, errlen, "the daemon did not start (log: %s)", r->log);
	return -1;
}

json_t *daemon_run_status(const struct daemon_run *r)
{
	char err[256], *text;
	int not_running;
	json_t *doc;

	text = control_request(r->sock, "status", err, sizeof(err),
			       &not_running);
	if (!text)
		return NULL;
	doc = json_loads(text, 0, NULL);
	free(text);
	return doc;
}

int daemon_run_count(json_t *doc, const char *state)
{
	json_t *peers = json_object_get(doc, "peers"), *p;
	size_t i;
	int n = 0;

	json_array_foreach(peers, i, p)
	{
		const char *s = json_string_value(json_object_get(p, "state"));

		n += !state || (s && !strcmp(s, state));
	}
	return n;
}

int daemon_run_stop(struct daemon_run *r)
{
	int status = -1;

	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, &status, 0);
	}
	unlink(r->conf);
	unlink(r->sock);
	unlink(r->log);
	rmdir(r->dir);
	return status;
}
