// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/ping_options.h"
#include "echo/packet.h"
#include "lib/options.h"
#include "lib/parse.h"

void ping_usage(FILE *out)
{
	fprintf(out,
		"usage: esprit ping [-c N] [-i SEC] [-s SIZE] [-Q DSCP] "
		"[-W SEC] [-I DEV] [-4|-6] [-q]\n"
		"                   [--format FORM] [--return-spi SPI] HOST\n"
		"  Sends ESP Echo Requests (SPI 7) to HOST and prints each "
		"reply and a\n"
		"  summary, as ping does.\n"
		"  -c N      stop after N requests (default: until "
		"interrupted)\n"
		"  -i SEC    interval between requests (default 1, at "
		"least 0.001)\n"
		"  -s SIZE   bytes of Data per request (default %d, %d..%d; "
		"the\n"
		"            first %d carry the send time and a keyed tag)\n"
		"  -Q DSCP   DSCP of the requests: 0..63 or a name (ef, af41, "
		"cs1)\n"
		"  -W SEC    after the last request, wait this long for "
		"replies\n"
		"            still due (default 10)\n"
		"  -I DEV    send from interface DEV and take replies there\n"
		"  -4, -6    resolve HOST to an IPv4 / IPv6 address only\n"
		"  -q        print only the summary\n"
		"  --format FORM  subtyped (default: the form the IETF draft "
		"and the\n"
		"            Linux and strongSwan implementations speak), "
		"seed, "
		"or\n"
		"            empty (no Identifier or Data: replies matched by "
		"ESP\n"
		"            sequence number, raw socket only, not proven "
		"genuine)\n"
		"  --return-spi SPI  set flag R with this return SPI "
		"(sub-typed only)\n"
		"Replies are taken in XDP when esprit's program runs on the "
		"receiving\n"
		"interface with capture on, else from a raw socket with "
		"kernel\n"
		"timestamps; the first lines say which. Round-trip times run "
		"from\n"
		"the kernel's transmit timestamp to the receive timestamp.\n"
		"Exit status: 0 if a reply came, 1 if none, 2 on error.\n",
		PING_DEFAULT_DATA, PING_MIN_DATA, PING_MAX_DATA,
		ECHO_STAMP_LEN);
}

static int parse_format(const char *s, void *ctx, char *err, size_t errlen)
{
	if (echo_format_parse(s, ctx)) {
		snprintf(err, errlen,
			 "the format is subtyped, seed or empty, not '%s'", s);
		return -1;
	}
	return 0;
}

static int parse_return_spi(const char *s, void *ctx, char *err, size_t errlen)
{
	if (parse_u32(s, 1, UINT32_MAX, ctx)) {
		snprintf(err, errlen,
			 "a return SPI is 1 to 4294967295 (decimal or 0x...)");
		return -1;
	}
	return 0;
}

static int parse_count(const char *s, void *ctx, char *err, size_t errlen)
{
	unsigned long long v;

	if (parse_uint(s, 1, PING_MAX_COUNT, &v)) {
		snprintf(err, errlen,
			 "the count must be a whole number from 1 "
			 "to %lu",
			 PING_MAX_COUNT);
		return -1;
	}
	*(uint64_t *)ctx = v;
	return 0;
}

static int parse_interval(const char *s, void *ctx, char *err, size_t errlen)
{
	if (parse_duration(s, 1000000000ULL, PING_MIN_INTERVAL,
			   PING_MAX_SECONDS * 1000000000ULL, ctx)) {
		snprintf(err, errlen,
			 "the interval must be seconds from 0.001 to %d",
			 PING_MAX_SECONDS);
		return -1;
	}
	return 0;
}

static int parse_wait(const char *s, void *ctx, char *err, size_t errlen)
{
	if (parse_duration(s, 1000000000ULL, 0,
			   PING_MAX_SECONDS * 1000000000ULL, ctx)) {
		snprintf(err, errlen, "the wait must be seconds from 0 to %d",
			 PING_MAX_SECONDS);
		return -1;
	}
	return 0;
}

static int parse_size(const char *s, void *ctx, char *err, size_t errlen)
{
	unsigned long long v;

	if (parse_uint(s, PING_MIN_DATA, PING_MAX_DATA, &v)) {
		snprintf(err, errlen,
			 "the size must be %d to %d bytes (the first %d carry "
			 "the send time and tag)",
			 PING_MIN_DATA, PING_MAX_DATA, ECHO_STAMP_LEN);
		return -1;
	}
	*(size_t *)ctx = v;
	return 0;
}

static int parse_class(const char *s, void *ctx, char *err, size_t errlen)
{
	if (parse_dscp(s, ctx)) {
		snprintf(err, errlen,
			 "a DSCP is 0..63 or a name such as ef, af41 or cs1");
		return -1;
	}
	return 0;
}

static int parse_dev(const char *s, void *ctx, char *err, size_t errlen)
{
	char *dev = ctx;

	if (!s[0] || strlen(s) >= IF_NAMESIZE) {
		snprintf(err, errlen, "not an interface name");
		return -1;
	}
	snprintf(dev, IF_NAMESIZE, "%s", s);
	return 0;
}

enum ping_parse_result ping_options_parse(int argc, char **argv,
					  struct ping_options *o, char *err,
					  size_t errlen)
{
	bool v4 = false, v6 = false, size_set = false;
	const struct cli_option opts[] = {
		{"count", 'c', "N", .parse = parse_count, .ctx = &o->count},
		{"interval", 'i', "SEC", .parse = parse_interval,
		 .ctx = &o->interval_ns},
		{"size", 's', "SIZE", .parse = parse_size, .ctx = &o->data_len,
		 .given = &size_set},
		{"format", 0, "FORM", .parse = parse_format, .ctx = &o->format},
		{"return-spi", 0, "SPI", .parse = parse_return_spi,
		 .ctx = &o->return_spi, .given = &o->has_return_spi},
		{"dscp", 'Q', "DSCP", .parse = parse_class, .ctx = &o->dscp},
		{"wait", 'W', "SEC", .parse = parse_wait, .ctx = &o->wait_ns},
		{"interface", 'I', "DEV", .parse = parse_dev, .ctx = o->dev},
		{"ipv4", '4', NULL, .flag = &v4},
		{"ipv6", '6', NULL, .flag = &v6},
		{"quiet", 'q', NULL, .flag = &o->quiet},
		{},
	};
	struct cli_common c;

	memset(o, 0, sizeof(*o));
	o->interval_ns = PING_DEFAULT_INTERVAL;
	o->wait_ns = PING_DEFAULT_WAIT;
	o->data_len = PING_DEFAULT_DATA;
	o->format = ESPRIT_ECHO_FMT_SUBTYPED;
	switch (cli_parse(&argc, argv, opts, 0, &c, err, errlen)) {
	case CLI_HELP:
		return PING_PARSE_HELP;
	case CLI_ERROR:
		return PING_PARSE_ERROR;
	case CLI_OK:
		break;
	}
	if (v4 && v6) {
		snprintf(err, errlen, "-4 and -6 cannot both be given");
		return PING_PARSE_ERROR;
	}
	if (o->has_return_spi && o->format != ESPRIT_ECHO_FMT_SUBTYPED) {
		snprintf(err, errlen,
			 "--return-spi: only the sub-typed form carries a "
			 "return SPI");
		return PING_PARSE_ERROR;
	}
	if (o->format == ESPRIT_ECHO_FMT_EMPTY) {
		if (size_set) {
			snprintf(err, errlen,
				 "-s: the empty form carries no Data");
			return PING_PARSE_ERROR;
		}
		o->data_len = 0;
	}
	o->family = v4 ? AF_INET : v6 ? AF_INET6 : AF_UNSPEC;
	if (argc == 0) {
		snprintf(err, errlen, "no HOST given");
		return PING_PARSE_ERROR;
	}
	if (argc > 1) {
		snprintf(err, errlen, "one HOST only ('%s' is extra)", argv[1]);
		return PING_PARSE_ERROR;
	}
	o->host = argv[0];
	return PING_PARSE_OK;
}
