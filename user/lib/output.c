// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "lib/output.h"

const char *esprit_command = "esprit";
bool esprit_verbose;

static void vprefixed(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", esprit_command);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprefixed(NULL, fmt, ap);
	va_end(ap);
}

void warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprefixed("warning", fmt, ap);
	va_end(ap);
}

/*
 * libbpf and libxdp narrate every step, including expected failures (the
 * dispatcher falling back on kernels without freplace). Commands report
 * what matters themselves; -v shows the libraries' own story.
 */
static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	(void)level;
	return esprit_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static int libxdp_log(enum libxdp_print_level level, const char *fmt,
		      va_list ap)
{
	(void)level;
	return esprit_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

void libbpf_quiet_unless_verbose(void)
{
	libbpf_set_print(libbpf_log);
	libxdp_set_print(libxdp_log);
}
