/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which interface packets to a destination leave by (an rtnetlink route
 * lookup, as `ip route get` does), and whether an interface is up. A probe's
 * replies come back on that interface, which is where XDP can take them.
 */
#ifndef ESPRIT_ROUTE_H
#define ESPRIT_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Output interface of the route to dst. Returns 0, or -errno (ENETUNREACH,
 * EHOSTUNREACH, ...) from the kernel's answer. */
int route_output_ifindex(const struct sockaddr *dst, int *ifindex);

/* IFF_* flags of the interface; -errno if it does not exist. */
int interface_flags(const char *name, unsigned int *flags);

#endif
