// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"

static const __u8 v4_mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
					  0, 0, 0, 0, 0xff, 0xff};

bool addr_is_v4(const struct esprit_addr *a)
{
	return a->family == ESPRIT_AF_INET;
}

static int parse_raw(const char *s, __u8 addr[16], int *family)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memcpy(addr, v4_mapped_prefix, 12);
		memcpy(addr + 12, &a4, 4);
		*family = ESPRIT_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = ESPRIT_AF_INET6;
		return 0;
	}
	return -1;
}

int addr_parse(const char *s, struct esprit_addr *out, char *err, size_t errlen)
{
	int family;

	memset(out, 0, sizeof(*out));
	if (parse_raw(s, out->addr, &family)) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", s);
		return -1;
	}
	out->family = family;
	return 0;
}

int prefix_parse(const char *s, bool allow_bare, struct esprit_prefix_key *out,
		 char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	unsigned long len;
	int family, max;
	char *end;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "'%s' is not a prefix", s);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	if (slash)
		buf[slash - s] = '\0';
	if (parse_raw(buf, out->addr, &family)) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 prefix", s);
		return -1;
	}
	max = family == ESPRIT_AF_INET ? 32 : 128;
	if (!slash) {
		if (!allow_bare) {
			snprintf(err, errlen,
				 "'%s' has no prefix length (e.g. /%d)", s,
				 max);
			return -1;
		}
		len = max;
	} else {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || len > (unsigned)max) {
			snprintf(err, errlen,
				 "'%s': prefix length must be 0-%d", s, max);
			return -1;
		}
	}
	out->prefixlen =
		(__u32)len +
		(family == ESPRIT_AF_INET ? ESPRIT_V4_MAPPED_PREFIXLEN : 0);
	for (unsigned int bit = out->prefixlen; bit < 128; bit++) {
		if (out->addr[bit / 8] & (0x80 >> (bit % 8))) {
			snprintf(err, errlen,
				 "'%s' has host bits set beyond /%lu", s, len);
			return -1;
		}
	}
	return 0;
}

const char *addr_format(const struct esprit_addr *a, char *buf, size_t len)
{
	if (a->family == ESPRIT_AF_INET)
		inet_ntop(AF_INET, a->addr + 12, buf, len);
	else
		inet_ntop(AF_INET6, a->addr, buf, len);
	return buf;
}

bool prefix_is_v4(const struct esprit_prefix_key *k)
{
	return k->prefixlen >= ESPRIT_V4_MAPPED_PREFIXLEN &&
	       !memcmp(k->addr, v4_mapped_prefix, 12);
}

unsigned int prefix_family_len(const struct esprit_prefix_key *k)
{
	return prefix_is_v4(k) ? k->prefixlen - ESPRIT_V4_MAPPED_PREFIXLEN
			       : k->prefixlen;
}

const char *prefix_format(const struct esprit_prefix_key *k, char *buf,
			  size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (prefix_is_v4(k))
		inet_ntop(AF_INET, k->addr + 12, a, sizeof(a));
	else
		inet_ntop(AF_INET6, k->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, prefix_family_len(k));
	return buf;
}

void addr_from_sockaddr(const struct sockaddr *sa, struct esprit_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		out->family = ESPRIT_AF_INET;
		memcpy(out->addr, v4_mapped_prefix, 12);
		memcpy(out->addr + 12, &in->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		out->family = ESPRIT_AF_INET6;
		memcpy(out->addr, &in6->sin6_addr, 16);
	}
}
