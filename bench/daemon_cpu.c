// SPDX-License-Identifier: GPL-2.0
/*
 * Table "daemon-cpu": the esprit daemon's CPU use probing 100 peers x 2
 * DSCP classes every 10 ms (200 streams, ~23 k probes/s with jitter), all
 * answered by one XDP responder over a veth, replies taken in XDP. Beside
 * it, `esprit ping -i 0.01` (one stream, the same receive path), so the
 * cost per probe of the daemon's shared timer, socket and ring can be
 * compared with a process per stream.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cpu.h"
#include "daemon_run.h"
#include "netns.h"
#include "table.h"

#define PEERS	  100
#define WARMUP_US 300000

extern char **environ;

static long long probes_sent(const struct daemon_run *r)
{
	json_t *doc = daemon_run_status(r), *p;
	long long n = 0;
	size_t i;

	if (!doc)
		return -1;
	json_array_foreach(json_object_get(doc, "peers"), i, p)
		n += json_integer_value(json_object_get(p, "sent"));
	json_decref(doc);
	return n;
}

/* One run of the daemon: CPU % of one core and µs of CPU per probe. */
static int sample_daemon(const struct daemon_run *r, double seconds,
			 struct series *pct, struct series *us)
{
	long long n0 = probes_sent(r), n1;
	__u64 c0 = thread_cpu_ns(r->pid), c1;
	double w0 = clock_s(CLOCK_MONOTONIC), w1;

	usleep((useconds_t)(seconds * 1e6));
	n1 = probes_sent(r);
	c1 = thread_cpu_ns(r->pid);
	w1 = clock_s(CLOCK_MONOTONIC);
	if (n0 < 0 || n1 <= n0 || !c1)
		return -1;
	series_add(pct, 100.0 * (double)(c1 - c0) / 1e9 / (w1 - w0));
	series_add(us, (double)(c1 - c0) / 1e3 / (double)(n1 - n0));
	return 0;
}

/* The same for esprit ping -q -i 0.01: its probes are 100 per second. */
static int sample_ping(const char *peer, double seconds, struct series *pct,
		       struct series *us)
{
	const char *build = getenv("ESPRIT_BUILD");
	char bin[256];
	char *argv[] = {bin,  "ping",	 "-q",	       "-i", "0.01",
			"-c", "1000000", (char *)peer, NULL};
	posix_spawn_file_actions_t fa;
	double w0, w1;
	__u64 c0, c1;
	pid_t pid;
	int status;

	snprintf(bin, sizeof(bin), "%s/esprit", build ? build : "build");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
	if (posix_spawn(&pid, bin, &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	usleep(WARMUP_US);
	c0 = thread_cpu_ns(pid);
	w0 = clock_s(CLOCK_MONOTONIC);
	usleep((useconds_t)(seconds * 1e6));
	c1 = thread_cpu_ns(pid);
	w1 = clock_s(CLOCK_MONOTONIC);
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	if (!c1 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	series_add(pct, 100.0 * (double)(c1 - c0) / 1e9 / (w1 - w0));
	series_add(us, (double)(c1 - c0) / 1e3 / ((w1 - w0) * 100));
	return 0;
}

static int daemon_cpu(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"ns", required_argument, NULL, 'n'},
		{"dev", required_argument, NULL, 'd'},
		{"prefix", required_argument, NULL, 'p'},
		{},
	};
	const struct bench_env *env = bench_env();
	const char *ns = NULL, *dev = NULL, *prefix = NULL;
	struct series *dpct, *dus, *ppct, *pus;
	struct daemon_run r = {};
	char *yaml, err[256], peer[64];
	size_t len = 0, cap = 64 * 1024;
	struct table *t;
	int c, nsfd, status;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'n')
			ns = optarg;
		else if (c == 'd')
			dev = optarg;
		else if (c == 'p')
			prefix = optarg;
		else
			return 2;
	}
	if (!ns || !dev || !prefix) {
		fprintf(stderr, "usage: esprit_bench daemon-cpu --ns NS --dev "
				"DEV --prefix A.B.C (peers A.B.C.1-100)\n");
		return 2;
	}
	t = table_new("daemon-cpu: the daemon's CPU use, 100 peers x 2 "
		      "classes at 10 ms (lower is better)");
	dus = table_series(t, "daemon, 200 streams", "us CPU/probe");
	pus = table_series(t, "esprit ping -i 0.01", "us CPU/probe");
	dpct = table_series(t, "daemon, 200 streams", "% of a CPU");
	ppct = table_series(t, "esprit ping -i 0.01", "% of a CPU");
	table_ratio(t, dus, pus, TARGET_NONE, 0);
	nsfd = netns_open(ns);
	yaml = malloc(cap);
	if (nsfd < 0 || netns_enter(nsfd) || !yaml) {
		table_error(t, "no namespace %s", ns);
		free(yaml);
		return table_finish(t);
	}
	len += snprintf(yaml + len, cap - len,
			"interfaces: [{name: %s}]\n"
			"peers:\n",
			dev);
	for (int i = 1; i <= PEERS; i++)
		len += snprintf(yaml + len, cap - len,
				"  - {name: p%d, address: %s.%d, interval: "
				"10ms, dscp: [0, 46]}\n",
				i, prefix, i);
	if (daemon_run_start(&r, yaml, err, sizeof(err))) {
		table_error(t, "%s", err);
		goto out;
	}
	cpu_pin(0, cpu_generator());
	usleep(1000000); /* every stream up, rings warm */
	snprintf(peer, sizeof(peer), "%s.1", prefix);
	table_context(t,
		      "build/esprit daemon, %d peers x DSCP 0 and 46, interval "
		      "10 ms (jittered: ~%d probes/s), one XDP responder over "
		      "a veth; replies taken in XDP",
		      PEERS, (int)(2 * PEERS / 0.00875));
	table_context(t,
		      "%d runs x %.1f s each, alternating with esprit ping -q "
		      "-i 0.01 %s (measured after %d ms)",
		      env->runs, env->seconds, peer, WARMUP_US / 1000);
	for (int i = 0; i < env->runs; i++) {
		if (sample_daemon(&r, env->seconds, dpct, dus) ||
		    sample_ping(peer, env->seconds, ppct, pus)) {
			table_error(t, "run %d could not be measured", i);
			break;
		}
	}
	{
		json_t *doc = daemon_run_status(&r);

		table_note(t,
			   "streams up at the end: %d of %d; CPU time from "
			   "/proc/PID/schedstat (the daemon is one thread)",
			   doc ? daemon_run_count(doc, "up") : -1, 2 * PEERS);
		json_decref(doc);
	}
	table_note(t, "per probe = CPU time / probes sent (the daemon: from "
		      "its status; ping: 100 per second); it covers sending, "
		      "the reply's ring event and its checks, timers and "
		      "state");
out:
	status = daemon_run_stop(&r);
	if (r.pid && status != 0)
		table_error(t, "the daemon exited with status %d", status);
	free(yaml);
	return table_finish(t);
}

BENCH_TABLE(daemon_cpu_table) = {
	.name = "daemon-cpu",
	.summary = "daemon CPU, 100 peers x 2 classes at 10 ms",
	.run = daemon_cpu,
};
