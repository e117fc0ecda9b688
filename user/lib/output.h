/* SPDX-License-Identifier: GPL-2.0 */
/* Messages, exit codes and the libbpf log switch shared by all commands. */
#ifndef ESPRIT_OUTPUT_H
#define ESPRIT_OUTPUT_H

#include <stdbool.h>

/* Exit codes, as ping: 0 = success, 1 = ran but got no result, 2 = error. */
#define EXIT_OK	   0
#define EXIT_NONE  1
#define EXIT_ERROR 2

/* Name of the running subcommand, for messages ("esprit attach: ..."). */
extern const char *esprit_command;
extern bool esprit_verbose;

void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void libbpf_quiet_unless_verbose(void);

#endif
