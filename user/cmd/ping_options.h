/* SPDX-License-Identifier: GPL-2.0 */
/* Command line of esprit ping, parsed and range-checked. */
#ifndef ESPRIT_PING_OPTIONS_H
#define ESPRIT_PING_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "echo/stamp.h"
#include "esprit_echo.h"

#define PING_DEFAULT_DATA     56
#define PING_MIN_DATA	      ECHO_STAMP_LEN /* the stamp must fit */
#define PING_MAX_DATA	      65000 /* the route MTU is checked later */
#define PING_DEFAULT_INTERVAL 1000000000ULL
#define PING_MIN_INTERVAL     1000000ULL /* 1 ms */
#define PING_MAX_SECONDS      3600
#define PING_DEFAULT_WAIT     10000000000ULL /* as iputils' linger time */
#define PING_MAX_COUNT	      2147483647UL

struct ping_options {
	enum esprit_echo_format format; /* default: sub-typed */
	bool has_return_spi; /* --return-spi: sub-typed with R */
	uint32_t return_spi;
	uint64_t count; /* 0: until interrupted */
	uint64_t interval_ns;
	uint64_t wait_ns; /* after the last request, for replies still due */
	size_t data_len;
	uint8_t dscp;
	int family; /* AF_UNSPEC, AF_INET or AF_INET6 */
	bool quiet;
	char dev[IF_NAMESIZE]; /* "" unless -I */
	const char *host;
};

enum ping_parse_result {
	PING_PARSE_OK = 0,
	PING_PARSE_HELP = 1, /* --help: print usage, exit 0 */
	PING_PARSE_ERROR = -1, /* err says what was wrong */
};

enum ping_parse_result ping_options_parse(int argc, char **argv,
					  struct ping_options *o, char *err,
					  size_t errlen);

void ping_usage(FILE *out);

#endif
