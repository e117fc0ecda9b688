/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the benchmark's parts run and how much CPU they used: the measured
 * side and the generating side on CPUs of their own where there are two,
 * and the kernel threads that do a veth's receive work (threaded NAPI).
 */
#ifndef ESPRIT_BENCH_CPU_H
#define ESPRIT_BENCH_CPU_H

#include <sys/types.h>
#include <time.h>
#include <linux/types.h>

/* The CPU the measured side gets: the last one (0 on a single CPU). */
int cpu_measured(void);
/* The CPU the generating side gets: the first one. */
int cpu_generator(void);

/* Pins a thread (0 = the calling one). Returns 0 or -errno. */
int cpu_pin(pid_t tid, int cpu);

/* Makes a thread SCHED_FIFO at prio. Returns 0 or -errno. */
int cpu_fifo(pid_t tid, int prio);

/*
 * The threaded-NAPI kernel threads of interface ifname ("napi/IF-ID").
 * Returns how many were found (at most max), or -errno.
 */
int napi_threads(const char *ifname, pid_t *pids, int max);

/* CPU time a thread has run, in ns (/proc/PID/schedstat); 0 if unknown. */
__u64 thread_cpu_ns(pid_t pid);

/* The time of clock id, in seconds. */
double clock_s(clockid_t id);

/* This thread's CPU time, ns. */
double cpu_ns(void);

#endif
