// SPDX-License-Identifier: GPL-2.0
/*
 * The ESP Echo responder's settings (esprit_config) and the addresses it
 * answers for (esprit_local): operators' words into the map value and
 * back, and the map read and written.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "esprit_maps.h"
#include "echo/packet.h"
#include "echo/responder.h"
#include "esprit_config.h"
#include "lib/addr.h"
#include "lib/maps.h"
#include "lib/output.h"
#include "lib/parse.h"
#include "lib/pins.h"

static void set_flag(__u32 *flags, __u32 flag, bool set)
{
	if (set)
		*flags |= flag;
	else
		*flags &= ~flag;
}

/* The ESPRIT_ECHO_NO_* flag of a format is bit <format> (bpf/echo/classify.h). */
static __u32 format_flag(enum esprit_echo_format f)
{
	return 1U << f;
}

#define ALL_FORMAT_FLAGS \
	(ESPRIT_ECHO_NO_SEED | ESPRIT_ECHO_NO_EMPTY | ESPRIT_ECHO_NO_SUBTYPED)

static int parse_formats(const char *list, __u32 *flags, char *err,
			 size_t errlen)
{
	__u32 off = ALL_FORMAT_FLAGS;
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		enum esprit_echo_format f;

		if (echo_format_parse(t, &f)) {
			snprintf(err, errlen,
				 "unknown format '%s' (seed, empty, subtyped)",
				 t);
			return -1;
		}
		off &= ~format_flag(f);
	}
	*flags = (*flags & ~ALL_FORMAT_FLAGS) | off;
	return 0;
}

static int parse_rate(const char *s, __u32 *out)
{
	if (!strcmp(s, "unlimited")) {
		*out = ESPRIT_RATE_UNLIMITED;
		return 0;
	}
	return parse_u32(s, 1, ESPRIT_RATE_UNLIMITED - 1, out);
}

int responder_config_set(struct esprit_config *cfg, const char *key,
			 const char *value, char *err, size_t errlen)
{
	bool on;
	__u32 v;

#define BAD(...)                                    \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return -1;                          \
	} while (0)
#define ON_OFF()                                                             \
	do {                                                                 \
		if (parse_bool(value, &on))                                  \
			BAD("%s: expected on or off, not '%s'", key, value); \
	} while (0)

	if (!strcmp(key, "enabled")) {
		ON_OFF();
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_OFF, !on);
	} else if (!strcmp(key, "formats")) {
		return parse_formats(value, &cfg->echo_flags, err, errlen);
	} else if (!strcmp(key, "seq")) {
		if (strcmp(value, "copy") && strcmp(value, "zero"))
			BAD("seq: expected copy or zero, not '%s'", value);
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_SEQ_ZERO,
			 !strcmp(value, "zero"));
	} else if (!strcmp(key, "rate")) {
		if (parse_rate(value, &cfg->rate_global))
			BAD("rate: expected replies/s or 'unlimited', not '%s'",
			    value);
	} else if (!strcmp(key, "burst")) {
		if (parse_u32(value, 1, 100000000, &cfg->rate_global_burst))
			BAD("burst: expected 1-100000000, not '%s'", value);
	} else if (!strcmp(key, "prefix-rate")) {
		if (parse_rate(value, &cfg->rate_prefix))
			BAD("prefix-rate: expected replies/s or 'unlimited', "
			    "not '%s'",
			    value);
	} else if (!strcmp(key, "prefix-burst")) {
		if (parse_u32(value, 1, 100000000, &cfg->rate_prefix_burst))
			BAD("prefix-burst: expected 1-100000000, not '%s'",
			    value);
	} else if (!strcmp(key, "prefix-len4")) {
		if (parse_u32(value, 1, 32, &v))
			BAD("prefix-len4: expected 1-32, not '%s'", value);
		cfg->prefix_len_v4 = v;
	} else if (!strcmp(key, "prefix-len6")) {
		if (parse_u32(value, 1, 128, &v))
			BAD("prefix-len6: expected 1-128, not '%s'", value);
		cfg->prefix_len_v6 = v;
	} else if (!strcmp(key, "ttl")) {
		if (parse_u32(value, 1, 255, &v))
			BAD("ttl: expected 1-255, not '%s'", value);
		cfg->reply_ttl = v;
	} else if (!strcmp(key, "spi-request") || !strcmp(key, "spi-reply")) {
		/* RFC 4303: 1-255 are IANA's, never a negotiated SA's */
		if (parse_u32(value, 1, ESPRIT_SPI_RESERVED_MAX, &v))
			BAD("%s: expected 1-%u (an SPI IANA reserves, never "
			    "an SA's), not '%s'",
			    key, ESPRIT_SPI_RESERVED_MAX, value);
		if (!strcmp(key, "spi-request"))
			cfg->spi_request = v;
		else
			cfg->spi_reply = v;
	} else if (!strcmp(key, "allowlist")) {
		ON_OFF();
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_ALLOWLIST, on);
	} else if (!strcmp(key, "local-only")) {
		ON_OFF();
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_LOCAL_LIST, on);
	} else if (!strcmp(key, "capture")) {
		ON_OFF();
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_NO_CAPTURE, !on);
	} else {
		BAD("unknown key '%s' (see 'esprit responder --help')", key);
	}
	return 0;
#undef ON_OFF
#undef BAD
}

int responder_config_check(const struct esprit_config *cfg, char *err,
			   size_t errlen)
{
	__u32 request = responder_or_default(cfg->spi_request,
					     ESPRIT_DEFAULT_SPI_REQUEST);
	__u32 reply =
		responder_or_default(cfg->spi_reply, ESPRIT_DEFAULT_SPI_REPLY);

	if (request > ESPRIT_SPI_RESERVED_MAX ||
	    reply > ESPRIT_SPI_RESERVED_MAX) {
		snprintf(err, errlen,
			 "spi-request %u, spi-reply %u: both must be 1-%u",
			 request, reply, ESPRIT_SPI_RESERVED_MAX);
		return -1;
	}
	if (request == reply) {
		snprintf(err, errlen,
			 "spi-request and spi-reply are both %u: every reply "
			 "would be answered again, and two responders would "
			 "answer each other forever",
			 request);
		return -1;
	}
	return 0;
}

__u32 responder_or_default(__u32 v, __u32 def)
{
	return v ? v : def;
}

void responder_rate_text(__u32 rate, char *buf, size_t len)
{
	if (rate == ESPRIT_RATE_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%u/s", rate);
}

const char *responder_formats_text(__u32 flags, char *buf, size_t len)
{
	static const enum esprit_echo_format order[] = {
		ESPRIT_ECHO_FMT_SEED, ESPRIT_ECHO_FMT_EMPTY,
		ESPRIT_ECHO_FMT_SUBTYPED};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!(flags & format_flag(order[i])))
			used += (size_t)snprintf(buf + used,
						 used < len ? len - used : 0,
						 "%s%s", used ? "," : "",
						 echo_format_name(order[i]));
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

int responder_config_read(const struct pins *pins, struct esprit_config *cfg)
{
	__u32 zero = 0;
	int fd = pins_open_map(pins, ESPRIT_MAP_CONFIG);

	if (fd < 0)
		return -1;
	if (bpf_map_lookup_elem(fd, &zero, cfg)) {
		errmsg("cannot read esprit_config: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int responder_config_write(const struct pins *pins,
			   const struct esprit_config *cfg)
{
	__u32 zero = 0;
	int fd = pins_open_map(pins, ESPRIT_MAP_CONFIG);
	int err = 0;

	if (fd < 0)
		return -1;
	if (bpf_map_update_elem(fd, &zero, cfg, BPF_ANY)) {
		errmsg("cannot write esprit_config: %s", strerror(errno));
		err = -1;
	}
	close(fd);
	return err;
}

int local_addresses_sync(int fd)
{
	struct ifaddrs *ifa_list, *ifa;
	struct esprit_addr *addrs = NULL;
	__u32 *ifindexes = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	if (getifaddrs(&ifa_list))
		return -errno;
	for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || (ifa->ifa_addr->sa_family != AF_INET &&
				       ifa->ifa_addr->sa_family != AF_INET6))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *a = realloc(addrs, ncap * sizeof(*addrs));
			void *x = a ? realloc(ifindexes,
					      ncap * sizeof(*ifindexes))
				    : NULL;

			if (a)
				addrs = a;
			if (x)
				ifindexes = x;
			if (!a || !x) {
				err = -ENOMEM;
				break;
			}
			cap = ncap;
		}
		addr_from_sockaddr(ifa->ifa_addr, &addrs[n]);
		ifindexes[n++] = if_nametoindex(ifa->ifa_name);
	}
	freeifaddrs(ifa_list);
	if (!err)
		err = map_sync(fd, addrs, ifindexes, n, sizeof(*addrs),
			       sizeof(*ifindexes));
	free(addrs);
	free(ifindexes);
	return err;
}
