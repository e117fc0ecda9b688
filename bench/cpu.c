// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"

#define COMM_LEN 15 /* TASK_COMM_LEN less the NUL */

/* CPUs this process may run on. */
static int cpu_online(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	return CPU_COUNT(&set);
}

/* The n-th CPU this process may use. */
static int cpu_nth(int n)
{
	cpu_set_t set;
	int seen = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set) && seen++ == n)
			return cpu;
	return 0;
}

int cpu_measured(void)
{
	return cpu_nth(cpu_online() - 1);
}

int cpu_generator(void)
{
	return cpu_nth(0);
}

int cpu_pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set) ? -errno : 0;
}

int cpu_fifo(pid_t tid, int prio)
{
	struct sched_param sp = {.sched_priority = prio};

	return sched_setscheduler(tid, SCHED_FIFO, &sp) ? -errno : 0;
}

int napi_threads(const char *ifname, pid_t *pids, int max)
{
	char prefix[32], path[300], comm[64];
	struct dirent *de;
	int found = 0;
	DIR *proc;

	/* The kernel names them napi/<dev>-<napi id>, cut to 15 chars. */
	snprintf(prefix, sizeof(prefix), "napi/%s-", ifname);
	prefix[COMM_LEN] = '\0';
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((de = readdir(proc)) && found < max) {
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, prefix, strlen(prefix)))
			pids[found++] = atoi(de->d_name);
		fclose(f);
	}
	closedir(proc);
	return found;
}

__u64 thread_cpu_ns(pid_t pid)
{
	char path[64];
	uint64_t ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%" SCNu64, &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}
