/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving esprit_bench between the namespaces bench/run.sh made
 * (/run/netns/NAME), and the few per-namespace things it needs there.
 */
#ifndef ESPRIT_BENCH_NETNS_H
#define ESPRIT_BENCH_NETNS_H

#include <stdint.h>

/* Opens /run/netns/name. Returns an fd or -errno. */
int netns_open(const char *name);

/* Moves the calling thread into the namespace. Returns 0 or -errno. */
int netns_enter(int ns_fd);

/* MAC address of ifname in the current namespace. Returns 0 or -errno. */
int netns_mac(const char *ifname, uint8_t mac[6]);

/*
 * Writes value to /sys/class/net/IFNAME/ATTR as seen from namespace ns_fd:
 * sysfs shows the devices of the namespace that mounted it, so a child
 * process mounts its own in a private mount namespace. Returns 0 or -1.
 */
int netns_sysfs_write(int ns_fd, const char *ifname, const char *attr,
		      const char *value);

/* Reads a sysctl of the current namespace ("net/ipv6/icmp/ratemask"). */
int netns_sysctl_read(const char *name, char *buf, int len);

#endif
