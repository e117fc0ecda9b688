// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "daemon/log.h"

static bool to_journal;

void log_init(void)
{
	to_journal = getenv("JOURNAL_STREAM") != NULL;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

static void emit(int prio, const char *word, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (to_journal)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else
		fprintf(stderr, "esprit daemon: %s%s\n", word, line);
}

#define LOG_FN(name, prio, word)           \
	void name(const char *fmt, ...)    \
	{                                  \
		va_list ap;                \
		va_start(ap, fmt);         \
		emit(prio, word, fmt, ap); \
		va_end(ap);                \
	}

LOG_FN(log_err, LOG_ERR, "error: ")
LOG_FN(log_warn, LOG_WARNING, "warning: ")
LOG_FN(log_notice, LOG_NOTICE, "")
LOG_FN(log_info, LOG_INFO, "")
