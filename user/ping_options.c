// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ping_options.h"

void ping_usage(FILE *out)
{
	fprintf(out,
		"usage: esprit ping [-c N] [-i SEC] [-s SIZE] [-Q DSCP] "
		"[-W SEC] [-I DEV] [-4|-6] [-q] HOST\n"
		"  Sends ESP Echo Requests (SPI 7, seed format) to HOST and "
		"prints\n"
		"  each reply and a summary, as ping does.\n"
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
		"Replies are taken in XDP when esprit's program runs on the "
		"receiving\n"
		"interface with capture on, else from a raw socket with "
		"kernel\n"
		"timestamps; the first lines say which.\n"
		"Exit status: 0 if a reply came, 1 if none, 2 on error.\n",
		PING_DEFAULT_DATA, PING_MIN_DATA, PING_MAX_DATA,
		ECHO_STAMP_LEN);
}

static int parse_count(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < 1 ||
	    v > PING_MAX_COUNT)
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, uint64_t min_ns, uint64_t *out)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 ||
	    v > PING_MAX_SECONDS)
		return -1;
	if (v * 1e9 < (double)min_ns)
		return -1;
	*out = (uint64_t)llround(v * 1e9);
	return 0;
}

static int parse_size(const char *s, size_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < PING_MIN_DATA ||
	    v > PING_MAX_DATA)
		return -1;
	*out = v;
	return 0;
}

int dscp_parse(const char *s)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {
		{"be", 0},    {"ef", 46},   {"va", 44},	  {"le", 1},
		{"af11", 10}, {"af12", 12}, {"af13", 14}, {"af21", 18},
		{"af22", 20}, {"af23", 22}, {"af31", 26}, {"af32", 28},
		{"af33", 30}, {"af41", 34}, {"af42", 36}, {"af43", 38},
		{"cs0", 0},   {"cs1", 8},   {"cs2", 16},  {"cs3", 24},
		{"cs4", 32},  {"cs5", 40},  {"cs6", 48},  {"cs7", 56},
	};
	unsigned long v;
	char *end;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].value;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > 63)
		return -1;
	return (int)v;
}

enum ping_parse_result ping_options_parse(int argc, char **argv,
					  struct ping_options *o, char *err,
					  size_t errlen)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int opt, dscp;

	memset(o, 0, sizeof(*o));
	o->interval_ns = PING_DEFAULT_INTERVAL;
	o->wait_ns = PING_DEFAULT_WAIT;
	o->data_len = PING_DEFAULT_DATA;
	o->family = AF_UNSPEC;

	optind = 0; /* glibc: a full reset, so tests can parse again */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:i:s:Q:W:I:46qh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (parse_count(optarg, &o->count)) {
				snprintf(err, errlen,
					 "-c '%s': the count must be a whole "
					 "number from 1 to %lu",
					 optarg, PING_MAX_COUNT);
				return PING_PARSE_ERROR;
			}
			break;
		case 'i':
			if (parse_seconds(optarg, PING_MIN_INTERVAL,
					  &o->interval_ns)) {
				snprintf(err, errlen,
					 "-i '%s': the interval must be "
					 "seconds from 0.001 to %d",
					 optarg, PING_MAX_SECONDS);
				return PING_PARSE_ERROR;
			}
			break;
		case 'W':
			if (parse_seconds(optarg, 0, &o->wait_ns)) {
				snprintf(err, errlen,
					 "-W '%s': the wait must be seconds "
					 "from 0 to %d",
					 optarg, PING_MAX_SECONDS);
				return PING_PARSE_ERROR;
			}
			break;
		case 's':
			if (parse_size(optarg, &o->data_len)) {
				snprintf(err, errlen,
					 "-s '%s': the size must be %d to %d "
					 "bytes (the first %d carry the send "
					 "time and tag)",
					 optarg, PING_MIN_DATA, PING_MAX_DATA,
					 ECHO_STAMP_LEN);
				return PING_PARSE_ERROR;
			}
			break;
		case 'Q':
			dscp = dscp_parse(optarg);
			if (dscp < 0) {
				snprintf(err, errlen,
					 "-Q '%s': a DSCP is 0..63 or a name "
					 "such as ef, af41 or cs1",
					 optarg);
				return PING_PARSE_ERROR;
			}
			o->dscp = (uint8_t)dscp;
			break;
		case 'I':
			if (!optarg[0] || strlen(optarg) >= sizeof(o->dev)) {
				snprintf(err, errlen,
					 "-I '%s' is not an interface name",
					 optarg);
				return PING_PARSE_ERROR;
			}
			snprintf(o->dev, sizeof(o->dev), "%s", optarg);
			break;
		case '4':
		case '6':
			if (o->family != AF_UNSPEC &&
			    o->family != (opt == '4' ? AF_INET : AF_INET6)) {
				snprintf(err, errlen,
					 "-4 and -6 cannot both be given");
				return PING_PARSE_ERROR;
			}
			o->family = opt == '4' ? AF_INET : AF_INET6;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			return PING_PARSE_HELP;
		case ':':
			snprintf(err, errlen, "option -%c needs a value",
				 optopt);
			return PING_PARSE_ERROR;
		default:
			if (optopt)
				snprintf(err, errlen, "unknown option -%c",
					 optopt);
			else
				snprintf(err, errlen, "unknown option '%s'",
					 argv[optind - 1]);
			return PING_PARSE_ERROR;
		}
	}
	if (optind == argc) {
		snprintf(err, errlen, "no HOST given");
		return PING_PARSE_ERROR;
	}
	if (optind < argc - 1) {
		snprintf(err, errlen, "one HOST only ('%s' is extra)",
			 argv[optind + 1]);
		return PING_PARSE_ERROR;
	}
	o->host = argv[optind];
	return PING_PARSE_OK;
}
