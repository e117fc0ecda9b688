/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing and printing addresses and prefixes in esprit's map formats. */
#ifndef ESPRIT_USER_ADDR_H
#define ESPRIT_USER_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include "esprit_types.h"

#define ADDR_STRLEN   48 /* INET6_ADDRSTRLEN + room */
#define PREFIX_STRLEN 52

/* "192.0.2.1" or "2001:db8::1". Returns 0, or -1 with a reason in err. */
int addr_parse(const char *s, struct esprit_addr *out, char *err,
	       size_t errlen);

/*
 * "192.0.2.0/24" or "2001:db8::/32" into an LPM key (IPv4 under
 * ::ffff:0:0/96). Host bits must be zero. A bare address is a /32 or /128
 * only when allow_bare is set.
 */
int prefix_parse(const char *s, bool allow_bare, struct esprit_prefix_key *out,
		 char *err, size_t errlen);

const char *addr_format(const struct esprit_addr *a, char *buf, size_t len);
const char *prefix_format(const struct esprit_prefix_key *k, char *buf,
			  size_t len);

void addr_from_sockaddr(const struct sockaddr *sa, struct esprit_addr *out);
bool addr_is_v4(const struct esprit_addr *a);

/* Length within its own family (0-32 for IPv4) of an LPM key. */
unsigned int prefix_family_len(const struct esprit_prefix_key *k);
bool prefix_is_v4(const struct esprit_prefix_key *k);

#endif
